//! The peer runtime's error type.
//!
//! It keeps "this request failed, retry or report" apart from "this peer is broken"
//! ([`PeerError::Fatal`]): after a fatal error the peer must be shut down.

use std::net::SocketAddr;
use std::time::Duration;

use super::membership::{majority, MembershipRefusal};
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
    /// openraft refused a membership change (for example another change still in progress).
    #[error("membership change refused: {0}")]
    Membership(String),
    /// Removing this peer would leave the cluster without voters; refused even when forced.
    #[error("peer {peer_id} is the last voter and cannot be removed, not even with force")]
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
    /// The peer to add already is a member (voter or learner).
    #[error("peer {peer_id} is already a member of the cluster")]
    AlreadyMember {
        /// The peer asked to be added.
        peer_id: PeerId,
    },
    /// Only a learner can be promoted, and this peer already votes.
    #[error("peer {peer_id} is already a voter; only a learner can be promoted")]
    NotALearner {
        /// The peer asked to be promoted.
        peer_id: PeerId,
    },
    /// Removing this voter would leave fewer healthy voters than a majority of the remaining
    /// ones: the cluster could stop committing. Retry with force to override.
    #[error(
        "removing peer {peer_id} would leave {voters_after} voters with only {healthy_after} healthy; \
         a majority needs {majority} (use force to override)",
        majority = majority(*.voters_after)
    )]
    WouldLoseQuorum {
        /// The voter asked to be removed.
        peer_id: PeerId,
        /// Voters the leader counts as healthy among those left after the removal.
        healthy_after: usize,
        /// Voters left after the removal.
        voters_after: usize,
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

impl From<MembershipRefusal> for PeerError {
    fn from(refusal: MembershipRefusal) -> Self {
        match refusal {
            MembershipRefusal::LastVoter { peer_id } => Self::LastVoter { peer_id },
            MembershipRefusal::UnknownPeer { peer_id } => Self::UnknownPeer { peer_id },
            MembershipRefusal::AlreadyMember { peer_id } => Self::AlreadyMember { peer_id },
            MembershipRefusal::NotALearner { peer_id } => Self::NotALearner { peer_id },
            MembershipRefusal::WouldLoseQuorum {
                peer_id,
                healthy_after,
                voters_after,
            } => Self::WouldLoseQuorum {
                peer_id,
                healthy_after,
                voters_after,
            },
            MembershipRefusal::Rejected { reason } => Self::Membership(reason),
        }
    }
}

/// Result alias of the peer runtime.
pub type PeerResult<T> = Result<T, PeerError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quorum_refusal_explains_the_arithmetic_to_the_operator() {
        let error = PeerError::from(MembershipRefusal::WouldLoseQuorum {
            peer_id: 2,
            healthy_after: 1,
            voters_after: 2,
        });
        assert_eq!(
            error.to_string(),
            "removing peer 2 would leave 2 voters with only 1 healthy; a majority needs 2 \
             (use force to override)"
        );
    }

    #[test]
    fn every_refusal_keeps_its_peer_id() {
        assert!(matches!(
            PeerError::from(MembershipRefusal::AlreadyMember { peer_id: 4 }),
            PeerError::AlreadyMember { peer_id: 4 }
        ));
        assert!(matches!(
            PeerError::from(MembershipRefusal::NotALearner { peer_id: 5 }),
            PeerError::NotALearner { peer_id: 5 }
        ));
        assert!(matches!(
            PeerError::from(MembershipRefusal::LastVoter { peer_id: 1 }),
            PeerError::LastVoter { peer_id: 1 }
        ));
        assert!(matches!(
            PeerError::from(MembershipRefusal::UnknownPeer { peer_id: 9 }),
            PeerError::UnknownPeer { peer_id: 9 }
        ));
        assert_eq!(
            PeerError::from(MembershipRefusal::Rejected {
                reason: "in progress".into()
            })
            .to_string(),
            "membership change refused: in progress"
        );
    }
}
