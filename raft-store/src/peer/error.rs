//! The peer runtime's error type.
//!
//! It keeps "this request failed, retry or report" apart from "this peer is broken"
//! ([`PeerError::Fatal`]): after a fatal error the peer must be shut down.

use std::net::SocketAddr;
use std::time::Duration;

use crate::network::LeaderHint;
use crate::storage::StorageError;
use crate::types::PeerId;

/// A failure of the metadata peer or of one of its operations.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The configuration is inconsistent; the peer was not started.
    #[error("invalid peer configuration: {0}")]
    InvalidConfig(String),
    /// The RocksDB store could not be opened.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The gRPC listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The OS's reason.
        #[source]
        source: std::io::Error,
    },
    /// The TLS material could not be loaded into the gRPC server.
    #[error("invalid tls configuration: {0}")]
    Tls(#[source] tonic::transport::Error),
    /// An explicit initialisation found a store that already belongs to a cluster.
    #[error("the store in {dir} already holds Raft state; a cluster is initialised only once")]
    AlreadyInitialized {
        /// The data directory.
        dir: std::path::PathBuf,
    },
    /// The first-start initialisation of the cluster membership failed.
    #[error("cannot initialise the cluster: {0}")]
    Initialize(String),
    /// This Raft node is stopped or failed (storage error, panic, shut down). Take the peer out
    /// of service and shut it down.
    #[error("raft peer is stopped or failed: {0}")]
    Fatal(String),
    /// No leader could be found or reached within the client budget.
    #[error("no reachable leader within {waited:?}")]
    NoLeader {
        /// How long the operation tried.
        waited: Duration,
    },
    /// A write may or may not have been committed (leader lost, or its reply lost, after the
    /// request was sent). Retrying may apply it twice.
    #[error("outcome of the write is unknown: {reason}")]
    OutcomeUnknown {
        /// What happened.
        reason: String,
    },
    /// openraft refused the write before proposing it (not a leadership problem).
    #[error("write rejected: {0}")]
    Rejected(String),
    /// The operation must run on the leader (membership changes) and this peer is not it.
    #[error("this peer is not the leader (leader: {leader:?})")]
    NotLeader {
        /// The leader this peer knows of.
        leader: Option<LeaderHint>,
    },
    /// A membership change was refused.
    #[error("membership change refused: {0}")]
    Membership(String),
    /// Removing this peer would leave the cluster without voters.
    #[error("peer {peer_id} is the last voter and cannot be removed")]
    LastVoter {
        /// The peer asked to be removed.
        peer_id: PeerId,
    },
    /// The peer is not part of the membership.
    #[error("peer {peer_id} is not a member of the cluster")]
    UnknownPeer {
        /// The peer asked for.
        peer_id: PeerId,
    },
    /// Waiting for the state machine timed out.
    #[error("timed out after {waited:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        waited: Duration,
    },
    /// The gRPC server stopped with an error.
    #[error("grpc server on {addr} failed: {source}")]
    Server {
        /// The address it served.
        addr: SocketAddr,
        /// tonic's reason.
        #[source]
        source: tonic::transport::Error,
    },
}

/// Result alias of the peer runtime.
pub type PeerResult<T> = Result<T, PeerError>;
