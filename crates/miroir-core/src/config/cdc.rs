//! `cdc` (§13.13): the change stream emitted after every successful write, its sinks and the
//! buffer that holds events while a sink is unreachable.
//!
//! ```text
//!   write (post-quorum) ──► event ──► buffer (memory ─► overflow: pvc | drop) ──► sinks
//! ```

use serde::{Deserialize, Serialize};

/// One CDC destination, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CdcSinkConfig {
    /// Batched HTTP POST with exponential-backoff retries.
    Webhook {
        /// Unique sink name (cursor key and metric label). Required.
        name: String,
        /// Target URL, `http(s)://`. Required.
        url: String,
        /// Events per POST at most. Default `100`.
        #[serde(default = "default_webhook_batch_size")]
        batch_size: u32,
        /// Longest wait before a partial batch is sent, in ms. Default `1000`.
        #[serde(default = "default_webhook_batch_flush_ms")]
        batch_flush_ms: u64,
        /// Cap of the retry backoff, in seconds. Default `3600`.
        #[serde(default = "default_webhook_retry_max_s")]
        retry_max_s: u64,
        /// Include the document body in events. Default `false`.
        #[serde(default)]
        include_body: bool,
    },
    /// Publish to NATS subject `<subject_prefix>.<index>`.
    Nats {
        /// Unique sink name. Required.
        name: String,
        /// Server URL, e.g. `nats://nats:4222`. Required.
        url: String,
        /// Subject prefix. Default `miroir.cdc`.
        #[serde(default = "default_cdc_prefix")]
        subject_prefix: String,
    },
    /// Produce to Kafka topic `<topic_prefix>.<index>`, keyed by primary key.
    Kafka {
        /// Unique sink name. Required.
        name: String,
        /// Bootstrap brokers, `host:port`; at least one. Required.
        brokers: Vec<String>,
        /// Topic prefix. Default `miroir.cdc`.
        #[serde(default = "default_cdc_prefix")]
        topic_prefix: String,
    },
    /// The `GET /_miroir/changes?since=…` long-poll endpoint.
    Internal {
        /// Unique sink name. Required.
        name: String,
        /// Long-poll timeout in seconds. Default `30`.
        #[serde(default = "default_long_poll_timeout_s")]
        long_poll_timeout_s: u64,
    },
}

impl CdcSinkConfig {
    /// The sink's configured name.
    pub fn name(&self) -> &str {
        match self {
            CdcSinkConfig::Webhook { name, .. }
            | CdcSinkConfig::Nats { name, .. }
            | CdcSinkConfig::Kafka { name, .. }
            | CdcSinkConfig::Internal { name, .. } => name,
        }
    }
}

fn default_webhook_batch_size() -> u32 {
    100
}

fn default_webhook_batch_flush_ms() -> u64 {
    1_000
}

fn default_webhook_retry_max_s() -> u64 {
    3_600
}

fn default_cdc_prefix() -> String {
    "miroir.cdc".to_owned()
}

fn default_long_poll_timeout_s() -> u64 {
    30
}

/// First tier of the CDC buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CdcPrimaryBuffer {
    /// In process memory.
    Memory,
    /// On the peer's persistent volume.
    Pvc,
}

/// Where events go when the primary buffer is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CdcOverflow {
    /// Spill to the peer's persistent volume.
    Pvc,
    /// Drop (counted in `miroir_cdc_dropped_total`).
    Drop,
}

/// `cdc.buffer`: tiered buffer for events a sink has not acknowledged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CdcBufferConfig {
    /// Primary tier. Default `memory`.
    pub primary: CdcPrimaryBuffer,
    /// Size of the memory tier in bytes. Default `67108864` (64 MiB).
    pub memory_bytes: u64,
    /// Overflow tier (the spec's Redis tier does not exist in Miroir). Default `drop`.
    pub overflow: CdcOverflow,
    /// Size of the overflow tier in bytes. Default `1073741824` (1 GiB).
    pub overflow_bytes: u64,
    /// Directory of the `pvc` tier. Default `/var/lib/miroir/cdc-buffer`.
    pub pvc_path: String,
}

impl Default for CdcBufferConfig {
    fn default() -> Self {
        Self {
            primary: CdcPrimaryBuffer::Memory,
            memory_bytes: 67_108_864,
            overflow: CdcOverflow::Drop,
            overflow_bytes: 1_073_741_824,
            pvc_path: "/var/lib/miroir/cdc-buffer".to_owned(),
        }
    }
}

/// `cdc` (§13.13).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CdcConfig {
    /// Emit change events. Default `true`.
    pub enabled: bool,
    /// Destinations; names unique. Default `[]`.
    pub sinks: Vec<CdcSinkConfig>,
    /// Buffer. Default: see [`CdcBufferConfig`].
    pub buffer: CdcBufferConfig,
    /// Emit deletes done by the TTL sweeper. Default `false`.
    pub emit_ttl_deletes: bool,
    /// Emit internal writes (anti-entropy, reshard backfill, rollover); debugging aid.
    /// Default `false`.
    pub emit_internal_writes: bool,
}

impl Default for CdcConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            sinks: Vec::new(),
            buffer: CdcBufferConfig::default(),
            emit_ttl_deletes: false,
            emit_internal_writes: false,
        }
    }
}
