//! §13 capabilities that shape how a search is planned and executed: hedging, adaptive
//! replica selection, the PK query planner, session pinning, query coalescing, multi-search,
//! vector/hybrid merging, tenant affinity and the explain API.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::topology::GroupId;

/// `hedging` (§13.2): duplicate a slow read to another replica.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HedgingConfig {
    /// Hedge reads (never writes). Default `true`.
    pub enabled: bool,
    /// A hedge fires after `node p95 × multiplier`; must be ≥ 1.0. Default `1.2`.
    pub p95_trigger_multiplier: f64,
    /// Floor of the hedge delay in ms; must be below `scatter.timeout_ms`. Default `15`.
    pub min_trigger_ms: u64,
    /// Most hedges one query may fire. Default `2`.
    pub max_hedges_per_query: u32,
    /// Hedge to another replica group when the own group has no alternate. Default `true`.
    pub cross_group_fallback: bool,
}

impl Default for HedgingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            p95_trigger_multiplier: 1.2,
            min_trigger_ms: 15,
            max_hedges_per_query: 2,
            cross_group_fallback: true,
        }
    }
}

/// How a read picks a replica inside a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaSelectionStrategy {
    /// Lowest EWMA score, with ε exploration.
    Adaptive,
    /// Rotate by query sequence number.
    RoundRobin,
    /// Uniformly random.
    Random,
}

/// `replica_selection` (§13.3): EWMA-scored replica choice,
/// `score = latency_weight·p95 + inflight_weight·in_flight + error_weight·error_rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReplicaSelectionConfig {
    /// Selection strategy (`round_robin` switches adaptive selection off). Default `adaptive`.
    pub strategy: ReplicaSelectionStrategy,
    /// Weight of the p95 latency (ms) in the score; ≥ 0. Default `1.0`.
    pub latency_weight: f64,
    /// Weight of the in-flight request count; ≥ 0. Default `2.0`.
    pub inflight_weight: f64,
    /// Weight of the error rate; ≥ 0. Default `10.0`.
    pub error_weight: f64,
    /// Half-life of the EWMA smoothing, in ms. Default `5000`.
    pub ewma_half_life_ms: u64,
    /// Probability of picking a random replica to keep sampling recovering nodes,
    /// `0.0..=1.0`. Default `0.05`.
    pub exploration_epsilon: f64,
}

impl Default for ReplicaSelectionConfig {
    fn default() -> Self {
        Self {
            strategy: ReplicaSelectionStrategy::Adaptive,
            latency_weight: 1.0,
            inflight_weight: 2.0,
            error_weight: 10.0,
            ewma_half_life_ms: 5_000,
            exploration_epsilon: 0.05,
        }
    }
}

/// `query_planner` (§13.4): narrow the shard set when a filter pins the primary key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueryPlannerConfig {
    /// Narrow PK-constrained queries. Default `true`.
    pub enabled: bool,
    /// A PK `IN [...]` list longer than this is not narrowed. Default `128`.
    pub max_pk_literals_narrowable: u32,
    /// Log every plan at debug level. Default `false`.
    pub log_plans: bool,
}

impl Default for QueryPlannerConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_pk_literals_narrowable: 128,
            log_plans: false,
        }
    }
}

/// How a pinned read waits for the session's pending write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionWaitStrategy {
    /// Wait until the write's node task succeeded (strict read-your-writes).
    Block,
    /// Route to the pinned group without waiting.
    RoutePin,
}

/// `session_pinning` (§13.6): read-your-writes through `X-Miroir-Session`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionPinningConfig {
    /// Honour `X-Miroir-Session`. Default `true`.
    pub enabled: bool,
    /// Idle lifetime of a session, in seconds. Default `900`.
    pub ttl_seconds: u64,
    /// Sessions kept (LRU). Default `100000`.
    pub max_sessions: u64,
    /// Wait strategy. Default `block`.
    pub wait_strategy: SessionWaitStrategy,
    /// Longest `block` wait in ms; must be below `ttl_seconds`. Default `5000`.
    pub max_wait_ms: u64,
}

impl Default for SessionPinningConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            ttl_seconds: 900,
            max_sessions: 100_000,
            wait_strategy: SessionWaitStrategy::Block,
            max_wait_ms: 5_000,
        }
    }
}

/// `query_coalescing` (§13.10): identical concurrent searches share one scatter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueryCoalescingConfig {
    /// Coalesce identical searches. Default `true`.
    pub enabled: bool,
    /// Longest coalescing window in ms. Default `50`.
    pub window_ms: u64,
    /// Subscribers one in-flight query may serve. Default `1000`.
    pub max_subscribers: u32,
    /// Distinct in-flight coalesced queries per peer. Default `10000`.
    pub max_pending_queries: u32,
}

impl Default for QueryCoalescingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window_ms: 50,
            max_subscribers: 1_000,
            max_pending_queries: 10_000,
        }
    }
}

/// `multi_search` (§13.11): `POST /multi-search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MultiSearchConfig {
    /// Serve `/multi-search`. Default `true`.
    pub enabled: bool,
    /// Most queries in one batch. Default `100`.
    pub max_queries_per_batch: u32,
    /// Deadline of a whole batch in ms. Default `30000`.
    pub total_timeout_ms: u64,
    /// Deadline of one query in ms; must not exceed `total_timeout_ms`. Default `30000`.
    pub per_query_timeout_ms: u64,
}

impl Default for MultiSearchConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_queries_per_batch: 100,
            total_timeout_ms: 30_000,
            per_query_timeout_ms: 30_000,
        }
    }
}

/// How hybrid per-shard results are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VectorMergeStrategy {
    /// `(1−α)·keyword + α·semantic`.
    Convex,
    /// Reciprocal rank fusion with constant `rrf_k`.
    Rrf,
}

/// `vector_search` (§13.12): over-fetch and merge for vector and hybrid search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VectorSearchConfig {
    /// Shard-aware vector/hybrid merging. Default `true`.
    pub enabled: bool,
    /// Per-shard limit is `limit × over_fetch_factor`; ≥ 1. Default `3`.
    pub over_fetch_factor: u32,
    /// Merge strategy. Default `convex`.
    pub merge_strategy: VectorMergeStrategy,
    /// α of the convex merge when the request gives no `semanticRatio`, `0.0..=1.0`.
    /// Default `0.5`.
    pub hybrid_alpha_default: f64,
    /// RRF constant k; ≥ 1. Default `60`.
    pub rrf_k: u32,
}

impl Default for VectorSearchConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            over_fetch_factor: 3,
            merge_strategy: VectorMergeStrategy::Convex,
            hybrid_alpha_default: 0.5,
            rrf_k: 60,
        }
    }
}

/// Where a request's tenant identity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantMode {
    /// The `header_name` header; group = `hash(tenant) % replica_groups`.
    Header,
    /// Derived from the request's API key through the replicated tenant map.
    ApiKey,
    /// Only `static_map`; unknown tenants use `fallback`.
    Explicit,
}

/// Routing of a read whose tenant has no mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantFallback {
    /// Hash the tenant id over the non-dedicated groups.
    Hash,
    /// A random non-dedicated group.
    Random,
    /// Refuse the request.
    Reject,
}

/// `tenant_affinity` (§13.15): pin a tenant's reads to one replica group (writes still go to
/// every group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TenantAffinityConfig {
    /// Honour tenant affinity. Default `true`.
    pub enabled: bool,
    /// Tenant resolution mode. Default `header`.
    pub mode: TenantMode,
    /// Header carrying the tenant id in `header` mode. Default `X-Miroir-Tenant`.
    pub header_name: String,
    /// Routing of unmapped tenants. Default `hash`.
    pub fallback: TenantFallback,
    /// Tenant id → replica group; every group must be declared. Default `{}`.
    pub static_map: BTreeMap<String, GroupId>,
    /// Groups reserved for mapped tenants; every group must be declared. Default `[]`.
    pub dedicated_groups: Vec<GroupId>,
}

impl Default for TenantAffinityConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: TenantMode::Header,
            header_name: "X-Miroir-Tenant".to_owned(),
            fallback: TenantFallback::Hash,
            static_map: BTreeMap::new(),
            dedicated_groups: Vec::new(),
        }
    }
}

/// `explain` (§13.20): `POST /indexes/{uid}/explain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExplainConfig {
    /// Serve the explain API. Default `true`.
    pub enabled: bool,
    /// Most warnings in one explain response. Default `20`.
    pub max_warnings: u32,
    /// Accept `?execute=true` (run the plan too). Default `true`.
    pub allow_execute_parameter: bool,
}

impl Default for ExplainConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_warnings: 20,
            allow_execute_parameter: true,
        }
    }
}
