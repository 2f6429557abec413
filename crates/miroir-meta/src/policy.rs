//! Retention and validation knobs the state machine enforces.
//!
//! They live *inside* the replicated state (changed by [`crate::Command`]s), never in a peer's
//! local config, so every replica prunes and validates identically.

use miroir_core::config::{AliasesConfig, Config, IdempotencyConfig, TaskRegistryConfig};
use serde::{Deserialize, Serialize};

/// Bounds that keep the replicated state small, plus alias validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatePolicy {
    /// Finished tasks whose `finished_at` is older than this are pruned (spec: 7 days).
    pub task_ttl_ms: u64,
    /// Most tasks retained; beyond it the oldest finished tasks go first (spec: 1 000 000).
    pub max_retained_tasks: u64,
    /// Previous targets remembered per alias (spec: 10).
    pub alias_history_retention: u32,
    /// Refuse to point an alias at an index the registry does not hold (spec: `true`).
    pub alias_requires_existing_target: bool,
    /// Idempotency keys remembered at most; the soonest to expire are evicted first, which
    /// can be the key just recorded when its ttl is the shortest (spec: 1 000 000).
    pub max_idempotency_keys: u64,
}

impl StatePolicy {
    /// The policy a validated configuration asks for.
    pub fn from_config(config: &Config) -> Self {
        Self::from_parts(&config.task_registry, &config.aliases, &config.idempotency)
    }

    fn from_parts(
        tasks: &TaskRegistryConfig,
        aliases: &AliasesConfig,
        idempotency: &IdempotencyConfig,
    ) -> Self {
        Self {
            task_ttl_ms: tasks.ttl_seconds.saturating_mul(1_000),
            max_retained_tasks: tasks.max_retained_tasks,
            alias_history_retention: aliases.history_retention,
            alias_requires_existing_target: aliases.require_target_exists,
            max_idempotency_keys: idempotency.max_cached_keys,
        }
    }
}

impl Default for StatePolicy {
    /// The spec defaults, taken from miroir-core's config defaults.
    fn default() -> Self {
        Self::from_parts(
            &TaskRegistryConfig::default(),
            &AliasesConfig::default(),
            &IdempotencyConfig::default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_spec_defaults() {
        let policy = StatePolicy::default();
        assert_eq!(policy.task_ttl_ms, 604_800_000);
        assert_eq!(policy.max_retained_tasks, 1_000_000);
        assert_eq!(policy.alias_history_retention, 10);
        assert!(policy.alias_requires_existing_target);
        assert_eq!(policy.max_idempotency_keys, 1_000_000);
    }
}
