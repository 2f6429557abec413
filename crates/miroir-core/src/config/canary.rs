//! Synthetic canary queries (§13.18): `canary_runner` tunes the worker, `canaries[]` seeds
//! canary definitions (more can be registered at runtime through the admin API).

use serde::{Deserialize, Serialize};

/// `canary_runner` (§13.18).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CanaryRunnerConfig {
    /// Run canaries. Default `true`.
    pub enabled: bool,
    /// Runs remembered per canary. Default `100`.
    pub run_history_per_canary: u32,
    /// Publish each run's outcome as a CDC event. Default `false`.
    pub emit_results_to_cdc: bool,
}

impl Default for CanaryRunnerConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            run_history_per_canary: 100,
            emit_results_to_cdc: false,
        }
    }
}

/// One golden assertion on a canary's response, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CanaryAssertion {
    /// The first hit has this primary key.
    TopHitId {
        /// Expected primary key.
        value: String,
    },
    /// The first `k` hits include all of `ids`.
    TopKContains {
        /// Hits inspected.
        k: u32,
        /// Primary keys that must appear.
        ids: Vec<String>,
    },
    /// At least `value` hits (`estimatedTotalHits`).
    MinHits {
        /// Minimum hit count.
        value: u64,
    },
    /// The canary's p95 latency stays at or below `value` ms.
    MaxP95Ms {
        /// Latency bound in ms.
        value: u64,
    },
    /// The response's settings version is at least `value`.
    SettingsVersionAtLeast {
        /// Minimum settings version.
        value: u64,
    },
    /// None of `ids` appears in the hits.
    MustNotContainId {
        /// Forbidden primary keys.
        ids: Vec<String>,
    },
}

fn default_canary_interval_s() -> u64 {
    60
}

/// One entry of `canaries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanaryConfig {
    /// Unique canary name. Required.
    pub name: String,
    /// Index (or alias) queried. Required.
    pub index: String,
    /// Seconds between runs. Default `60`.
    #[serde(default = "default_canary_interval_s")]
    pub interval_s: u64,
    /// Search body sent, as for `POST /indexes/{index}/search`. Required.
    pub query: serde_json::Map<String, serde_json::Value>,
    /// Assertions checked on each run; non-empty. Required.
    pub assertions: Vec<CanaryAssertion>,
}
