//! Blocks that shape how a peer serves traffic: listeners, the node connection pool, health
//! probing, scatter-gather, the rebalancer, the task registry and tracing.

use serde::{Deserialize, Serialize};

/// `server`: the client API, admin gRPC and metrics listeners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// IP address the listeners bind to. Default `0.0.0.0`.
    pub bind_address: String,
    /// Port of the Meilisearch-compatible client API. Default `7700`.
    pub port: u16,
    /// Port of the admin gRPC API (`miroir-ctl`; admin key required). Default `7900`.
    pub admin_grpc_port: u16,
    /// TLS of the admin gRPC listener; absent = plaintext. Default: absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_tls: Option<AdminTlsConfig>,
    /// Port of the unauthenticated Prometheus `/metrics` listener. Default `9090`.
    pub metrics_port: u16,
    /// Largest accepted request body in bytes (Meilisearch's own default payload limit).
    /// Default `104857600` (100 MiB).
    pub max_body_bytes: u64,
    /// Requests served concurrently before new ones queue. Default `1024`.
    pub max_concurrent_requests: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind_address: "0.0.0.0".to_owned(),
            port: 7700,
            admin_grpc_port: 7900,
            admin_tls: None,
            metrics_port: 9090,
            max_body_bytes: 104_857_600,
            max_concurrent_requests: 1024,
        }
    }
}

/// `server.admin_tls`: the certificate the admin gRPC listener presents (PEM files).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminTlsConfig {
    /// Certificate chain of this peer's admin listener.
    pub cert_file: String,
    /// Its private key.
    pub key_file: String,
}

/// `connection_pool`: the HTTP client pool Miroir keeps towards each Meilisearch node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConnectionPoolConfig {
    /// Idle connections kept open per node. Default `32`.
    pub max_idle_per_node: u32,
    /// How long an idle connection is kept before closing, in ms. Default `90000`.
    pub idle_timeout_ms: u64,
    /// Timeout for opening a TCP/TLS connection to a node, in ms. Default `2000`.
    pub connect_timeout_ms: u64,
}

impl Default for ConnectionPoolConfig {
    fn default() -> Self {
        Self {
            max_idle_per_node: 32,
            idle_timeout_ms: 90_000,
            connect_timeout_ms: 2_000,
        }
    }
}

/// `health`: the per-node health prober.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthConfig {
    /// Time between two probes of a node, in ms. Default `5000`.
    pub interval_ms: u64,
    /// Probe timeout in ms; must not exceed `interval_ms`. Default `2000`.
    pub timeout_ms: u64,
    /// Consecutive failed probes before a node is marked degraded. Default `3`.
    pub unhealthy_threshold: u32,
    /// Consecutive good probes before a degraded node is healthy again. Default `2`.
    pub recovery_threshold: u32,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            interval_ms: 5_000,
            timeout_ms: 2_000,
            unhealthy_threshold: 3,
            recovery_threshold: 2,
        }
    }
}

/// What a search returns when every replica of some shard is unreachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnavailableShardPolicy {
    /// Best-effort hits from the reachable shards plus `X-Miroir-Degraded: shards=…`.
    Partial,
    /// HTTP 503 `miroir_shard_unavailable`.
    Error,
}

/// `scatter`: fan-out of reads and writes to nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScatterConfig {
    /// Deadline of one node request inside a scatter, in ms. Default `5000`.
    pub timeout_ms: u64,
    /// Retry a node request that timed out (through the orchestrator retry cache, so a
    /// retried write never creates a second node task). Default `true`.
    pub retry_on_timeout: bool,
    /// Retries per node request when `retry_on_timeout` is on. Default `1`.
    pub max_retries: u32,
    /// Behaviour when a shard has no reachable replica. Default `partial`.
    pub unavailable_shard_policy: UnavailableShardPolicy,
}

impl Default for ScatterConfig {
    fn default() -> Self {
        Self {
            timeout_ms: 5_000,
            retry_on_timeout: true,
            max_retries: 1,
            unavailable_shard_policy: UnavailableShardPolicy::Partial,
        }
    }
}

/// `rebalancer`: shard migration after topology changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RebalancerConfig {
    /// Shard migrations running at once (bounds migration buffer memory). Default `4`.
    pub max_concurrent_migrations: u32,
    /// Documents read and written per migration page. Default `1000`.
    pub migration_batch_size: u32,
    /// Most documents copied per second by one topology operation, over all its shard copies
    /// (`0` = as fast as the nodes go). Default `0`.
    pub throttle_docs_per_sec: u64,
}

impl Default for RebalancerConfig {
    fn default() -> Self {
        Self {
            max_concurrent_migrations: 4,
            migration_batch_size: 1_000,
            throttle_docs_per_sec: 0,
        }
    }
}

/// `task_registry`: retention of Miroir tasks (integer `taskUid`s) in the replicated state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TaskRegistryConfig {
    /// Finished tasks older than this many seconds are pruned. Default `604800` (7 days).
    pub ttl_seconds: u64,
    /// Time between two pruning passes, in seconds. Default `300`.
    pub prune_interval_s: u64,
    /// Most tasks retained; beyond it the oldest finished tasks are pruned first (the same
    /// cap as Meilisearch's own task queue). Default `1000000`.
    pub max_retained_tasks: u64,
    /// Tasks kept in each peer's in-memory cache. Default `100000`.
    pub cache_size: u64,
}

impl Default for TaskRegistryConfig {
    fn default() -> Self {
        Self {
            ttl_seconds: 604_800,
            prune_interval_s: 300,
            max_retained_tasks: 1_000_000,
            cache_size: 100_000,
        }
    }
}

/// `tracing`: OpenTelemetry span export over OTLP/gRPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TracingConfig {
    /// Export spans. Default `false`.
    pub enabled: bool,
    /// OTLP/gRPC collector URL. Default `http://localhost:4317`.
    pub endpoint: String,
    /// `service.name` resource attribute. Default `miroir`.
    pub service_name: String,
    /// Fraction of traces sampled, `0.0..=1.0`. Default `0.1`.
    pub sample_rate: f64,
}

impl Default for TracingConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            endpoint: "http://localhost:4317".to_owned(),
            service_name: "miroir".to_owned(),
            sample_rate: 0.1,
        }
    }
}
