//! §13 capabilities that move or maintain data: online resharding, settings broadcast and
//! drift repair, aliases, anti-entropy, dump import, idempotency keys, document TTL and
//! rolling time-series indexes (ILM).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::units::{DurationUnit, HumanDuration, Schedule, TimeWindow};

/// `resharding` (§13.1): online change of an index's shard count through a shadow index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReshardingConfig {
    /// Accept reshard requests. Default `true`.
    pub enabled: bool,
    /// Shards backfilled in parallel. Default `4`.
    pub backfill_concurrency: u32,
    /// Documents per backfill page. Default `1000`.
    pub batch_size: u32,
    /// Backfill rate cap in documents per second; `0` = unlimited. Default `0`.
    pub throttle_docs_per_sec: u64,
    /// Hours the old index is kept after the alias swap, for rollback. Default `48`.
    pub retain_old_index_hours: u64,
    /// Daily UTC windows a reshard may start in (`"02:00-06:00 UTC"`); empty = any time.
    /// Default `[]`.
    pub allowed_windows: Vec<TimeWindow>,
}

impl Default for ReshardingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            backfill_concurrency: 4,
            batch_size: 1_000,
            throttle_docs_per_sec: 0,
            retain_old_index_hours: 48,
            allowed_windows: Vec::new(),
        }
    }
}

/// How index settings reach the nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingsBroadcastStrategy {
    /// Propose to every node, verify hashes, then commit a new settings version.
    TwoPhase,
    /// Legacy node-by-node update, kept for rollback compatibility.
    Sequential,
}

/// `settings_broadcast` (§13.5): propose / verify / commit of settings changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SettingsBroadcastConfig {
    /// Strategy. Default `two_phase`.
    pub strategy: SettingsBroadcastStrategy,
    /// Deadline of the verify phase, in seconds. Default `60`.
    pub verify_timeout_s: u64,
    /// Repair attempts on a diverging node before giving up. Default `3`.
    pub max_repair_retries: u32,
    /// Delay before the first repair attempt, in milliseconds; each further attempt waits
    /// twice as long as the previous one. Default `500`.
    pub repair_backoff_ms: u64,
    /// Freeze writes to an index whose settings cannot be repaired. Default `true`.
    pub freeze_writes_on_unrepairable: bool,
}

impl Default for SettingsBroadcastConfig {
    fn default() -> Self {
        Self {
            strategy: SettingsBroadcastStrategy::TwoPhase,
            verify_timeout_s: 60,
            max_repair_retries: 3,
            repair_backoff_ms: 500,
            freeze_writes_on_unrepairable: true,
        }
    }
}

/// `settings_drift_check` (§13.5): the always-on reconciler of out-of-band settings changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SettingsDriftCheckConfig {
    /// Seconds between two drift checks. Default `300`.
    pub interval_s: u64,
    /// Re-apply the committed settings to a drifted node. Default `true`.
    pub auto_repair: bool,
}

impl Default for SettingsDriftCheckConfig {
    fn default() -> Self {
        Self {
            interval_s: 300,
            auto_repair: true,
        }
    }
}

/// `aliases` (§13.7): atomic single- and multi-target index aliases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AliasesConfig {
    /// Resolve aliases. Default `true`.
    pub enabled: bool,
    /// Flips remembered per alias. Default `10`.
    pub history_retention: u32,
    /// Refuse to point an alias at an index that does not exist. Default `true`.
    pub require_target_exists: bool,
}

impl Default for AliasesConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            history_retention: 10,
            require_target_exists: true,
        }
    }
}

/// `anti_entropy` (§13.8): periodic replica fingerprinting and repair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AntiEntropyConfig {
    /// Run the reconciler (and stamp `updated_at_field` on writes). Default `true`.
    pub enabled: bool,
    /// Pass schedule, `"every <n><s|m|h|d>"`. Default `every 6h`.
    pub schedule: Schedule,
    /// Shards scanned per pass; `0` = all. Default `0`.
    pub shards_per_pass: u32,
    /// Replica reads running at once. Default `2`.
    pub max_read_concurrency: u32,
    /// Documents per fingerprint page. Default `1000`.
    pub fingerprint_batch_size: u32,
    /// Repair divergent documents (else only report). Default `true`.
    pub auto_repair: bool,
    /// Reserved field holding the last-write time (ms). Default `_miroir_updated_at`.
    pub updated_at_field: String,
}

impl Default for AntiEntropyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            schedule: Schedule::every(HumanDuration::constant(6, DurationUnit::Hours)),
            shards_per_pass: 0,
            max_read_concurrency: 2,
            fingerprint_batch_size: 1_000,
            auto_repair: true,
            updated_at_field: "_miroir_updated_at".to_owned(),
        }
    }
}

/// How a Meilisearch dump is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DumpImportMode {
    /// Route every document to its shard's nodes.
    Streaming,
    /// Legacy: send every document to every node.
    Broadcast,
}

/// `dump_import` (§13.9): streaming routed dump import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DumpImportConfig {
    /// Import mode. Default `streaming`.
    pub mode: DumpImportMode,
    /// Documents per node write. Default `1000`.
    pub batch_size: u32,
    /// Node writes in flight at once. Default `8`.
    pub parallel_target_writes: u32,
    /// Routing buffer size in bytes. Default `134217728` (128 MiB).
    pub memory_buffer_bytes: u64,
    /// Size of one claimable import chunk in bytes. Default `268435456` (256 MiB).
    pub chunk_size_bytes: u64,
}

impl Default for DumpImportConfig {
    fn default() -> Self {
        Self {
            mode: DumpImportMode::Streaming,
            batch_size: 1_000,
            parallel_target_writes: 8,
            memory_buffer_bytes: 134_217_728,
            chunk_size_bytes: 268_435_456,
        }
    }
}

/// `idempotency` (§13.10): `Idempotency-Key` deduplication of writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdempotencyConfig {
    /// Honour `Idempotency-Key`. Default `true`.
    pub enabled: bool,
    /// Lifetime of a remembered key, in seconds. Default `86400`.
    pub ttl_seconds: u64,
    /// Keys remembered at most. Default `1000000`.
    pub max_cached_keys: u64,
}

impl Default for IdempotencyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            ttl_seconds: 86_400,
            max_cached_keys: 1_000_000,
        }
    }
}

/// Per-index TTL settings replacing the global ones (absent fields inherit them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TtlIndexOverride {
    /// Sweep this index. Default: inherit `ttl.enabled`.
    pub enabled: Option<bool>,
    /// Seconds between sweeps. Default: inherit `ttl.sweep_interval_s`.
    pub sweep_interval_s: Option<u64>,
    /// Deletes per sweep. Default: inherit `ttl.max_deletes_per_sweep`.
    pub max_deletes_per_sweep: Option<u64>,
}

/// `ttl` (§13.14): expiry of documents through `_miroir_expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TtlConfig {
    /// Sweep expired documents. Default `true`.
    pub enabled: bool,
    /// Seconds between sweeps. Default `300`.
    pub sweep_interval_s: u64,
    /// Deletes per sweep at most. Default `10000`.
    pub max_deletes_per_sweep: u64,
    /// Reserved field holding the expiry time (unix ms). Default `_miroir_expires_at`.
    pub expires_at_field: String,
    /// Index uid → override. Default `{}`.
    pub per_index_overrides: BTreeMap<String, TtlIndexOverride>,
}

impl Default for TtlConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            sweep_interval_s: 300,
            max_deletes_per_sweep: 10_000,
            expires_at_field: "_miroir_expires_at".to_owned(),
            per_index_overrides: BTreeMap::new(),
        }
    }
}

/// `ilm` (§13.17): the rollover evaluator of `rollover_policies`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IlmConfig {
    /// Evaluate rollover policies. Default `true`.
    pub enabled: bool,
    /// Seconds between two evaluations. Default `3600`.
    pub check_interval_s: u64,
    /// Indexes younger than this many days are never deleted. Default `7`.
    pub safety_lock_older_than_days: u32,
    /// Rollovers performed per evaluation at most. Default `10`.
    pub max_rollovers_per_check: u32,
}

impl Default for IlmConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            check_interval_s: 3_600,
            safety_lock_older_than_days: 7,
            max_rollovers_per_check: 10,
        }
    }
}

/// When a rollover policy creates a new index; at least one trigger must be set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RolloverTriggers {
    /// Roll over at this many documents. Default: unset.
    pub max_docs: Option<u64>,
    /// Roll over when the write index is this old (`"7d"`). Default: unset.
    pub max_age: Option<HumanDuration>,
    /// Roll over at this size in GB. Default: unset.
    pub max_size_gb: Option<u64>,
}

/// How many rolled-over indexes a policy keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloverRetention {
    /// Newest indexes kept (and read through `read_alias`); ≥ 1. Required.
    pub keep_indexes: u32,
}

/// Template of the indexes a policy creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexTemplate {
    /// Primary key of new indexes. Required.
    pub primary_key: String,
    /// Name of the stored settings applied to new indexes. Default: none.
    #[serde(default)]
    pub settings_ref: Option<String>,
}

/// One entry of `rollover_policies` (§13.17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloverPolicyConfig {
    /// Unique policy name. Required.
    pub name: String,
    /// Single-target alias that receives writes. Required.
    pub write_alias: String,
    /// Multi-target alias over the kept indexes (only ILM may edit it); differs from
    /// `write_alias`. Required.
    pub read_alias: String,
    /// Name pattern of new indexes; must contain `{YYYY-MM-DD}` or another `{…}`
    /// placeholder. Required.
    pub pattern: String,
    /// Rollover triggers. Required.
    pub rollover_triggers: RolloverTriggers,
    /// Retention. Required.
    pub retention: RolloverRetention,
    /// Template of new indexes. Required.
    pub index_template: IndexTemplate,
}
