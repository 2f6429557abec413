//! The typed YAML configuration of a Miroir peer.
//!
//! ```text
//!   file bytes ──parse──► serde_yaml::Value ──overlay MIROIR_* env──► Config ──validate──► ok
//!                (deny_unknown_fields everywhere; absent fields take the spec defaults)
//! ```
//!
//! The file's top level holds the cluster's shape (`shards`, `replication_factor`,
//! `replica_groups`, `nodes`), the three API keys, the serving blocks (`server`, `health`,
//! `scatter`, …) and one block per §13 capability. `docs/configuration.md` shows a complete
//! example and lists every field with its default; a test parses that example so the two
//! cannot drift apart.
//!
//! Environment overrides follow the file: `MIROIR_<PATH>` with `__` between nesting levels
//! (`MIROIR_SCATTER__TIMEOUT_MS=500`, `MIROIR_MASTER_KEY=…`); see [`Config::load`]. This
//! module never reads the process environment or the file system itself: the caller passes
//! the bytes and the environment map.
//!
//! Replica groups are a **count**: `replica_groups: 2` declares groups `0` and `1`, and every
//! node names one of them in `replica_group`. A node naming group `2` is a validation error,
//! as is a declared group with fewer than `replication_factor` nodes.

mod canary;
mod cdc;
mod cluster;
mod data_ops;
mod env;
mod error;
mod peer;
mod read_path;
mod runtime;
mod secret;
mod shadow;
mod ui;
mod units;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::topology::GroupId;

pub use canary::{CanaryAssertion, CanaryConfig, CanaryRunnerConfig};
pub use cdc::{CdcBufferConfig, CdcConfig, CdcOverflow, CdcPrimaryBuffer, CdcSinkConfig};
pub use cluster::NodeConfig;
pub use data_ops::{
    AliasesConfig, AntiEntropyConfig, DumpImportConfig, DumpImportMode, IdempotencyConfig,
    IlmConfig, IndexTemplate, ReshardingConfig, RolloverPolicyConfig, RolloverRetention,
    RolloverTriggers, SettingsBroadcastConfig, SettingsBroadcastStrategy, SettingsDriftCheckConfig,
    TtlConfig, TtlIndexOverride,
};
pub use env::ENV_PREFIX;
pub use error::{ConfigError, Problem};
pub use peer::{BootstrapMode, InitialPeer, PeerConfig, PeerId, PeerTlsConfig, RaftConfig};
pub use read_path::{
    ExplainConfig, HedgingConfig, MultiSearchConfig, QueryCoalescingConfig, QueryPlannerConfig,
    ReplicaSelectionConfig, ReplicaSelectionStrategy, SessionPinningConfig, SessionWaitStrategy,
    TenantAffinityConfig, TenantFallback, TenantMode, VectorMergeStrategy, VectorSearchConfig,
};
pub use runtime::{
    AdminTlsConfig, ConnectionPoolConfig, HealthConfig, RebalancerConfig, ScatterConfig,
    ServerConfig, TaskRegistryConfig, TracingConfig, UnavailableShardPolicy,
};
pub use secret::Secret;
pub use shadow::{ShadowConfig, ShadowOperation, ShadowTargetConfig};
pub use ui::{
    AdminLoginRateLimit, AdminUiAuth, AdminUiConfig, AdminUiFeatures, AnalyticsSink, CspOverrides,
    OauthProxyConfig, SearchUiAnalytics, SearchUiAuthConfig, SearchUiAuthMode, SearchUiConfig,
    SearchUiRateLimit, ThemeConfig, ThemeMode,
};
pub use units::{DurationUnit, HumanDuration, RateLimit, RatePeriod, Schedule, TimeWindow};
pub use validate::{DEV_DEFAULT_KEYS, MAX_SHARDS, MIN_PRODUCTION_KEY_BYTES};

/// The whole configuration of a Miroir peer: the top level of the YAML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Logical shards S of a new index (`1..=MAX_SHARDS`). Default `64`.
    pub shards: u32,
    /// Copies of each shard inside every replica group (RF, ≥ 1). Default `1`.
    pub replication_factor: u32,
    /// Number of replica groups RG; groups are numbered `0..replica_groups` and each holds a
    /// full copy of every index. Default `1`.
    pub replica_groups: u32,
    /// The bootstrap Meilisearch nodes. Every declared group needs at least
    /// `replication_factor` of them. Default `[]` (which fails validation).
    pub nodes: Vec<NodeConfig>,
    /// Key clients present (`Authorization: Bearer`). Unset = no client authentication,
    /// refused in a redundant topology. Usually from `MIROIR_MASTER_KEY`. Default: unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_key: Option<Secret>,
    /// Admin-scoped Meilisearch key Miroir uses towards the nodes; unset = `master_key` is
    /// forwarded (shared-key model). Usually from `MIROIR_NODE_MASTER_KEY`. Default: unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_master_key: Option<Secret>,
    /// Key of operators and `miroir-ctl` for `/_miroir/*` and the admin gRPC API; must differ
    /// from the other keys. Usually from `MIROIR_ADMIN_API_KEY`. Default: unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_api_key: Option<Secret>,
    /// This process's place in the metadata Raft group (identity, peer addresses, store).
    pub peer: PeerConfig,
    /// Listeners.
    pub server: ServerConfig,
    /// HTTP connection pool towards nodes.
    pub connection_pool: ConnectionPoolConfig,
    /// Node health probing.
    pub health: HealthConfig,
    /// Scatter-gather.
    pub scatter: ScatterConfig,
    /// Shard migration after topology changes.
    pub rebalancer: RebalancerConfig,
    /// Task retention.
    pub task_registry: TaskRegistryConfig,
    /// OpenTelemetry export (off by default).
    pub tracing: TracingConfig,
    /// §13.1 online resharding.
    pub resharding: ReshardingConfig,
    /// §13.2 hedged reads.
    pub hedging: HedgingConfig,
    /// §13.3 adaptive replica selection.
    pub replica_selection: ReplicaSelectionConfig,
    /// §13.4 PK query planner.
    pub query_planner: QueryPlannerConfig,
    /// §13.5 two-phase settings broadcast.
    pub settings_broadcast: SettingsBroadcastConfig,
    /// §13.5 settings drift reconciler.
    pub settings_drift_check: SettingsDriftCheckConfig,
    /// §13.6 read-your-writes session pinning.
    pub session_pinning: SessionPinningConfig,
    /// §13.7 index aliases.
    pub aliases: AliasesConfig,
    /// §13.8 anti-entropy reconciler.
    pub anti_entropy: AntiEntropyConfig,
    /// §13.9 streaming dump import.
    pub dump_import: DumpImportConfig,
    /// §13.10 idempotency keys.
    pub idempotency: IdempotencyConfig,
    /// §13.10 query coalescing.
    pub query_coalescing: QueryCoalescingConfig,
    /// §13.11 multi-search.
    pub multi_search: MultiSearchConfig,
    /// §13.12 vector and hybrid search.
    pub vector_search: VectorSearchConfig,
    /// §13.13 change data capture.
    pub cdc: CdcConfig,
    /// §13.14 document TTL.
    pub ttl: TtlConfig,
    /// §13.15 tenant-to-group affinity.
    pub tenant_affinity: TenantAffinityConfig,
    /// §13.16 traffic shadowing.
    pub shadow: ShadowConfig,
    /// §13.17 rollover evaluator.
    pub ilm: IlmConfig,
    /// §13.17 rollover policies. Default `[]`.
    pub rollover_policies: Vec<RolloverPolicyConfig>,
    /// §13.18 canary worker.
    pub canary_runner: CanaryRunnerConfig,
    /// §13.18 canary definitions seeded at start-up. Default `[]`.
    pub canaries: Vec<CanaryConfig>,
    /// §13.19 admin UI.
    pub admin_ui: AdminUiConfig,
    /// §13.20 explain API.
    pub explain: ExplainConfig,
    /// §13.21 end-user search UI.
    pub search_ui: SearchUiConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            shards: 64,
            replication_factor: 1,
            replica_groups: 1,
            nodes: Vec::new(),
            master_key: None,
            node_master_key: None,
            admin_api_key: None,
            peer: PeerConfig::default(),
            server: ServerConfig::default(),
            connection_pool: ConnectionPoolConfig::default(),
            health: HealthConfig::default(),
            scatter: ScatterConfig::default(),
            rebalancer: RebalancerConfig::default(),
            task_registry: TaskRegistryConfig::default(),
            tracing: TracingConfig::default(),
            resharding: ReshardingConfig::default(),
            hedging: HedgingConfig::default(),
            replica_selection: ReplicaSelectionConfig::default(),
            query_planner: QueryPlannerConfig::default(),
            settings_broadcast: SettingsBroadcastConfig::default(),
            settings_drift_check: SettingsDriftCheckConfig::default(),
            session_pinning: SessionPinningConfig::default(),
            aliases: AliasesConfig::default(),
            anti_entropy: AntiEntropyConfig::default(),
            dump_import: DumpImportConfig::default(),
            idempotency: IdempotencyConfig::default(),
            query_coalescing: QueryCoalescingConfig::default(),
            multi_search: MultiSearchConfig::default(),
            vector_search: VectorSearchConfig::default(),
            cdc: CdcConfig::default(),
            ttl: TtlConfig::default(),
            tenant_affinity: TenantAffinityConfig::default(),
            shadow: ShadowConfig::default(),
            ilm: IlmConfig::default(),
            rollover_policies: Vec::new(),
            canary_runner: CanaryRunnerConfig::default(),
            canaries: Vec::new(),
            admin_ui: AdminUiConfig::default(),
            explain: ExplainConfig::default(),
            search_ui: SearchUiConfig::default(),
        }
    }
}

impl Config {
    /// Parses a YAML document without environment overrides or validation. An empty
    /// document yields [`Config::default`]. Errors carry serde_yaml's message, which names the
    /// offending field path and its line and column.
    pub fn from_yaml(yaml: &[u8]) -> Result<Config, ConfigError> {
        if is_blank(yaml) {
            return Ok(Config::default());
        }
        Ok(serde_yaml::from_slice(yaml)?)
    }

    /// The start-up path: parse `yaml`, apply every `MIROIR_*` entry of `env` as an override
    /// (see below), then [`validate`](Config::validate) — including the secrets the config
    /// says must be present in `env` (e.g. the search UI's JWT secret).
    ///
    /// `MIROIR_A__B__C=value` sets field `a.b.c`; path segments are lower-cased, a numeric
    /// segment indexes a list that exists in the file (`MIROIR_NODES__0__ADDRESS`). The value
    /// is read as YAML (`500`, `true`, `[a, b]`); if that does not fit the field but the raw
    /// text would (a numeric-looking key for a string field), the raw text is used. A variable
    /// naming an unknown field is [`ConfigError::UnknownEnvOverride`]; a value that fits
    /// neither way is [`ConfigError::InvalidEnvOverride`]. Variables without the prefix are
    /// ignored; the caller removes non-config `MIROIR_*` variables before calling.
    pub fn load(yaml: &[u8], env: &BTreeMap<String, String>) -> Result<Config, ConfigError> {
        let from_file = Config::from_yaml(yaml)?;
        let config = if env::has_overrides(env) {
            env::apply_overrides(yaml, env)?
        } else {
            from_file
        };
        validate::validate_with_env(&config, Some(env))?;
        Ok(config)
    }

    /// Checks every rule a well-formed config must satisfy and reports all violations at
    /// once, each naming its field (`replication_factor: must be at least 1, got 0`).
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate::validate_with_env(self, None)
    }

    /// Writes the config back as YAML; parsing the result yields an equal config. The keys
    /// are written in clear, so treat the output as secret when they are set.
    pub fn to_yaml(&self) -> Result<String, ConfigError> {
        Ok(serde_yaml::to_string(self)?)
    }

    /// The declared replica group ids, `0..replica_groups`.
    pub fn declared_groups(&self) -> Range<GroupId> {
        0..self.replica_groups
    }

    /// Whether the topology is redundant (two or more groups, or RF ≥ 2): such a
    /// deployment is treated as production, where development keys are refused.
    pub fn is_redundant(&self) -> bool {
        self.replica_groups >= 2 || self.replication_factor >= 2
    }
}

/// Whether a YAML document holds nothing but whitespace, comments and document markers.
pub(crate) fn is_blank(yaml: &[u8]) -> bool {
    yaml.split(|&byte| byte == b'\n').all(|line| {
        let trimmed = line.trim_ascii();
        trimmed.is_empty() || trimmed.starts_with(b"#") || trimmed == b"---" || trimmed == b"..."
    })
}
