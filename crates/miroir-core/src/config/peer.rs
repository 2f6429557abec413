//! `peer`: who this Miroir process is in the Raft group that replicates the cluster's metadata,
//! where it listens for other peers, where it keeps its RocksDB store, and how a brand-new
//! cluster's membership is formed.
//!
//! The defaults describe the development setup: peer `1`, alone, storing under `miroir-data`,
//! which is a valid single-peer cluster that initialises itself on first start.

use serde::{Deserialize, Serialize};

/// Raft ids are positive integers, stable for a peer's whole life and never reused.
pub type PeerId = u64;

/// `peer`: this process's identity and place in the metadata Raft group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PeerConfig {
    /// Raft id of this peer (≥ 1; never reuse the id of a removed peer). Default `1`.
    pub id: PeerId,
    /// Stable human-readable name. Default: `miroir-<id>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `host:port` the peer gRPC server binds (Raft traffic). Default `0.0.0.0:7800`.
    pub grpc_bind: String,
    /// `host:port` other peers dial to reach this one. Default: this peer's entry in
    /// `initial_peers`, else `grpc_bind` (which must then not be a wildcard address when other
    /// peers exist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc_advertise: Option<String>,
    /// `host:port` under which clients reach this peer's HTTP API (recorded in the membership).
    /// Default: `server.bind_address:server.port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_advertise: Option<String>,
    /// Directory of this peer's RocksDB store (created if missing). Default `miroir-data`.
    pub data_dir: String,
    /// How a brand-new cluster's membership is formed. Default `auto`.
    pub bootstrap: BootstrapMode,
    /// The voters of a brand-new cluster, this peer included. Empty = this peer alone.
    /// Only read on the very first start; later membership changes go through the admin API.
    /// Default `[]`.
    pub initial_peers: Vec<InitialPeer>,
    /// Name of the Raft group; peers refuse RPCs of another cluster. Default `miroir-meta`.
    pub cluster_name: String,
    /// TLS for peer-to-peer gRPC; absent = plaintext. Default: absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<PeerTlsConfig>,
    /// Raft timing and log compaction.
    pub raft: RaftConfig,
}

impl Default for PeerConfig {
    fn default() -> Self {
        Self {
            id: 1,
            name: None,
            grpc_bind: "0.0.0.0:7800".to_owned(),
            grpc_advertise: None,
            http_advertise: None,
            data_dir: "miroir-data".to_owned(),
            bootstrap: BootstrapMode::Auto,
            initial_peers: Vec::new(),
            cluster_name: "miroir-meta".to_owned(),
            tls: None,
            raft: RaftConfig::default(),
        }
    }
}

impl PeerConfig {
    /// The peer's name: `name`, or `miroir-<id>`.
    pub fn effective_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("miroir-{}", self.id))
    }

    /// The gRPC address other peers dial: `grpc_advertise`, else this peer's entry in
    /// `initial_peers`, else `grpc_bind`.
    pub fn effective_grpc_advertise(&self) -> &str {
        self.grpc_advertise
            .as_deref()
            .or_else(|| {
                self.own_initial_entry()
                    .map(|own| own.grpc_address.as_str())
            })
            .unwrap_or(&self.grpc_bind)
    }

    /// This peer's entry in `initial_peers`, if it is one of the initial voters.
    pub fn own_initial_entry(&self) -> Option<&InitialPeer> {
        self.initial_peers.iter().find(|peer| peer.id == self.id)
    }
}

/// `peer.bootstrap`: who initialises the membership of a brand-new cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BootstrapMode {
    /// On its first start, the peer with the lowest id of `initial_peers` (or a lone peer)
    /// initialises the membership; every other peer waits to be contacted.
    Auto,
    /// Nobody initialises on start; an operator runs `miroir init` once, on one peer's data
    /// directory, before the first start.
    Manual,
}

/// One voter of a brand-new cluster (`peer.initial_peers[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialPeer {
    /// Raft id (≥ 1, unique). Required.
    pub id: PeerId,
    /// Name. Default: `miroir-<id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `host:port` of its peer gRPC server. Required.
    pub grpc_address: String,
    /// `host:port` of its HTTP API. Required.
    pub http_address: String,
}

impl InitialPeer {
    /// The peer's name: `name`, or `miroir-<id>`.
    pub fn effective_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("miroir-{}", self.id))
    }
}

/// `peer.tls`: PEM files for peer-to-peer TLS, every certificate signed by one cluster CA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerTlsConfig {
    /// PEM file of the cluster CA. Required.
    pub ca_file: String,
    /// PEM certificate chain this peer presents. Required.
    pub cert_file: String,
    /// PEM private key of `cert_file`. Required.
    pub key_file: String,
    /// Demand client certificates signed by the CA (mutual TLS). Default `true`.
    #[serde(default = "default_true")]
    pub mutual: bool,
    /// Name verified in other peers' certificates. Default: the host of each peer's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
}

fn default_true() -> bool {
    true
}

/// `peer.raft`: timing and log compaction of the metadata Raft group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RaftConfig {
    /// Leader heartbeat period, in ms. Default `150`.
    pub heartbeat_ms: u64,
    /// Lower bound of the randomised election timeout, in ms (≥ 3 × heartbeat). Default `750`.
    pub election_timeout_min_ms: u64,
    /// Upper bound of the randomised election timeout, in ms. Default `1500`.
    pub election_timeout_max_ms: u64,
    /// Deadline of one snapshot transfer to a lagging peer, in ms. Default `30000`.
    pub install_snapshot_timeout_ms: u64,
    /// Most log entries per AppendEntries RPC. Default `64`.
    pub max_entries_per_append: u64,
    /// Build a snapshot (and compact the log) every this many entries. Default `10000`.
    pub snapshot_every_logs: u64,
    /// Entries kept behind a snapshot for lagging peers. Default `1000`.
    pub logs_kept_after_snapshot: u64,
    /// Budget of one metadata write or linearizable read, leader changes included, in ms.
    /// Default `10000`.
    pub client_timeout_ms: u64,
}

impl Default for RaftConfig {
    fn default() -> Self {
        Self {
            heartbeat_ms: 150,
            election_timeout_min_ms: 750,
            election_timeout_max_ms: 1500,
            install_snapshot_timeout_ms: 30_000,
            max_entries_per_append: 64,
            snapshot_every_logs: 10_000,
            logs_kept_after_snapshot: 1_000,
            client_timeout_ms: 10_000,
        }
    }
}
