//! What a peer needs to start, and the openraft [`Config`] derived from it (pure, no I/O).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use openraft::{Config, SnapshotPolicy};

use super::error::PeerError;
use crate::network::TlsConfig;
use crate::types::{PeerId, PeerNode};

/// Default Raft cluster name; every RPC carries it and peers refuse other clusters.
pub const DEFAULT_CLUSTER_NAME: &str = "miroir-meta";

/// Configuration of one metadata peer.
#[derive(Debug, Clone)]
pub struct PeerConfig {
    /// Stable Raft id of this peer (never reused after the peer is removed).
    pub id: PeerId,
    /// Stable human-readable name, e.g. `miroir-0`.
    pub name: String,
    /// `host:port` the gRPC server listens on and other peers dial. With
    /// [`MetadataPeer::start`](super::MetadataPeer::start) port 0 picks a free port, but other
    /// peers must learn it: bind first and use `start_with_listener` when addresses are dynamic.
    pub grpc_addr: String,
    /// `host:port` of this peer's HTTP API (recorded in the membership for leader redirects).
    pub http_addr: String,
    /// Directory of this peer's RocksDB store.
    pub data_dir: PathBuf,
    /// Voters of a brand-new cluster. On the very first start (empty store) the peer with the
    /// lowest id here initialises the membership with exactly these peers; every other start
    /// ignores it. Empty for a peer that will join through `add_learner`.
    pub initial_peers: BTreeMap<PeerId, PeerNode>,
    /// TLS for the peer-to-peer transport; `None` = plaintext.
    pub tls: Option<TlsConfig>,
    /// Raft cluster name (refuses RPCs of other clusters).
    pub cluster_name: String,
    /// Timing and snapshot knobs.
    pub raft: RaftTuning,
}

/// Raft timing and log-compaction knobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaftTuning {
    /// Leader heartbeat period. AppendEntries RPCs time out after ¾ of it.
    pub heartbeat_interval: Duration,
    /// Lower bound of the randomised election timeout; at least 3× the heartbeat.
    pub election_timeout_min: Duration,
    /// Upper bound of the randomised election timeout.
    pub election_timeout_max: Duration,
    /// Deadline of one full snapshot transfer.
    pub install_snapshot_timeout: Duration,
    /// Most log entries sent in one AppendEntries RPC. Keeps each RPC well inside its
    /// deadline (¾ of the heartbeat) even when the follower is slow.
    pub max_entries_per_append: u64,
    /// Build a snapshot every this many applied log entries.
    pub snapshot_every_logs: u64,
    /// Log entries already covered by a snapshot that are kept (lagging followers catch up
    /// from them without a snapshot).
    pub logs_kept_after_snapshot: u64,
    /// Budget of one client operation (`apply`, `linearizable_read`), leader changes included.
    pub client_timeout: Duration,
}

impl Default for RaftTuning {
    fn default() -> Self {
        Self {
            heartbeat_interval: Duration::from_millis(150),
            election_timeout_min: Duration::from_millis(750),
            election_timeout_max: Duration::from_millis(1500),
            install_snapshot_timeout: Duration::from_secs(30),
            max_entries_per_append: 64,
            snapshot_every_logs: 10_000,
            logs_kept_after_snapshot: 1_000,
            client_timeout: Duration::from_secs(10),
        }
    }
}

impl RaftTuning {
    /// How old the leader's last acknowledged heartbeat or replication to a voter may be for the
    /// voter to count as healthy in the quorum check of a removal: twice the longest election
    /// timeout, so a voter is only called unhealthy after missing many heartbeats.
    pub fn voter_staleness(&self) -> Duration {
        self.election_timeout_max.saturating_mul(2)
    }

    /// The openraft configuration for `cluster_name`, validated.
    pub fn openraft_config(&self, cluster_name: &str) -> Result<Config, PeerError> {
        let heartbeat_ms = millis(self.heartbeat_interval);
        let election_min_ms = millis(self.election_timeout_min);
        if heartbeat_ms == 0 {
            return Err(PeerError::InvalidConfig(
                "heartbeat interval must be > 0".into(),
            ));
        }
        if election_min_ms < 3 * heartbeat_ms {
            return Err(PeerError::InvalidConfig(format!(
                "election timeout ({election_min_ms} ms) must be at least 3x the heartbeat ({heartbeat_ms} ms)"
            )));
        }
        if self.max_entries_per_append == 0 {
            return Err(PeerError::InvalidConfig(
                "max_entries_per_append must be > 0".into(),
            ));
        }
        if self.snapshot_every_logs == 0 {
            return Err(PeerError::InvalidConfig(
                "snapshot_every_logs must be > 0".into(),
            ));
        }
        Config {
            cluster_name: cluster_name.to_owned(),
            heartbeat_interval: heartbeat_ms,
            election_timeout_min: election_min_ms,
            election_timeout_max: millis(self.election_timeout_max),
            install_snapshot_timeout: millis(self.install_snapshot_timeout),
            snapshot_policy: SnapshotPolicy::LogsSinceLast(self.snapshot_every_logs),
            // Must exceed the snapshot distance (openraft's documented constraint).
            replication_lag_threshold: self.snapshot_every_logs.saturating_mul(2),
            max_in_snapshot_log_to_keep: self.logs_kept_after_snapshot,
            purge_batch_size: self.snapshot_every_logs.clamp(1, 256),
            max_payload_entries: self.max_entries_per_append,
            snapshot_max_chunk_size: crate::network::MAX_SNAPSHOT_CHUNK_BYTES as u64,
            ..Default::default()
        }
        .validate()
        .map_err(|error| PeerError::InvalidConfig(error.to_string()))
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl PeerConfig {
    /// A configuration with default cluster name, tuning and no TLS.
    pub fn new(
        id: PeerId,
        name: impl Into<String>,
        grpc_addr: impl Into<String>,
        http_addr: impl Into<String>,
        data_dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            id,
            name: name.into(),
            grpc_addr: grpc_addr.into(),
            http_addr: http_addr.into(),
            data_dir: data_dir.into(),
            initial_peers: BTreeMap::new(),
            tls: None,
            cluster_name: DEFAULT_CLUSTER_NAME.to_owned(),
            raft: RaftTuning::default(),
        }
    }

    /// Checks what the openraft config cannot: identity consistency with `initial_peers`.
    pub fn validate(&self) -> Result<(), PeerError> {
        if self.name.is_empty() {
            return Err(PeerError::InvalidConfig(
                "peer name must not be empty".into(),
            ));
        }
        if let Some(own_entry) = self.initial_peers.get(&self.id) {
            if own_entry.name != self.name {
                return Err(PeerError::InvalidConfig(format!(
                    "initial_peers names peer {} {:?}, but this peer is {:?}",
                    self.id, own_entry.name, self.name
                )));
            }
        }
        self.raft.openraft_config(&self.cluster_name).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tuning_is_a_valid_openraft_config() {
        let config = RaftTuning::default().openraft_config("c").unwrap();
        assert_eq!(config.cluster_name, "c");
        assert_eq!(config.heartbeat_interval, 150);
        assert_eq!(config.max_payload_entries, 64);
        assert!(config.election_timeout_min >= 3 * config.heartbeat_interval);
        assert!(config.replication_lag_threshold > 10_000);
        assert_eq!(config.install_snapshot_timeout, 30_000);
    }

    #[test]
    fn voters_go_stale_after_two_longest_election_timeouts() {
        let tuning = RaftTuning {
            election_timeout_max: Duration::from_millis(1_500),
            ..RaftTuning::default()
        };
        assert_eq!(tuning.voter_staleness(), Duration::from_secs(3));
    }

    #[test]
    fn election_timeout_below_three_heartbeats_is_refused() {
        let tuning = RaftTuning {
            heartbeat_interval: Duration::from_millis(200),
            election_timeout_min: Duration::from_millis(500),
            ..RaftTuning::default()
        };
        assert!(matches!(
            tuning.openraft_config("c"),
            Err(PeerError::InvalidConfig(_))
        ));
    }

    #[test]
    fn own_entry_in_initial_peers_must_carry_own_name() {
        let mut config = PeerConfig::new(1, "a", "127.0.0.1:1", "127.0.0.1:2", "/tmp/x");
        config.initial_peers.insert(
            1,
            PeerNode {
                name: "b".into(),
                grpc_addr: "127.0.0.1:1".into(),
                http_addr: "127.0.0.1:2".into(),
            },
        );
        assert!(matches!(
            config.validate(),
            Err(PeerError::InvalidConfig(_))
        ));
        config.initial_peers.get_mut(&1).unwrap().name = "a".into();
        assert!(config.validate().is_ok());
    }
}
