//! What a peer says about itself ([`PeerStatus`]), and what the asking peer learned about each
//! member ([`PeerReport`]). Deriving a status from Raft metrics is pure.

use openraft::{RaftMetrics, ServerState};
use serde::{Deserialize, Serialize};

use crate::types::{PeerId, PeerNode, TypeConfig};

/// The Raft role of a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeerRole {
    /// Leads the group.
    Leader,
    /// Votes and replicates from the leader.
    Follower,
    /// Campaigns to become the leader.
    Candidate,
    /// Replicates without voting (or has not joined a membership yet).
    Learner,
    /// Stopped or fatally failed.
    Shutdown,
}

/// What one peer says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerStatus {
    /// The peer's Raft id.
    pub id: PeerId,
    /// Its role.
    pub role: PeerRole,
    /// Its current term.
    pub term: u64,
    /// Index of the last entry of its log.
    pub last_log_index: Option<u64>,
    /// Index of the last entry applied to its state machine.
    pub last_applied: Option<u64>,
    /// The leader it knows of.
    pub leader: Option<PeerId>,
}

impl PeerStatus {
    /// The status described by a peer's Raft metrics.
    pub fn from_metrics(metrics: &RaftMetrics<TypeConfig>) -> Self {
        let role = if metrics.running_state.is_err() {
            PeerRole::Shutdown
        } else {
            match metrics.state {
                ServerState::Leader => PeerRole::Leader,
                ServerState::Follower => PeerRole::Follower,
                ServerState::Candidate => PeerRole::Candidate,
                ServerState::Learner => PeerRole::Learner,
                ServerState::Shutdown => PeerRole::Shutdown,
            }
        };
        Self {
            id: metrics.id,
            role,
            term: metrics.current_term,
            last_log_index: metrics.last_log_index,
            last_applied: metrics.last_applied.map(|log_id| log_id.index),
            leader: metrics.current_leader,
        }
    }
}

/// One member as seen from the asking peer.
#[derive(Debug, Clone)]
pub struct PeerReport {
    /// The member's Raft id.
    pub id: PeerId,
    /// How the membership says to reach it.
    pub node: PeerNode,
    /// Whether it votes.
    pub voter: bool,
    /// Its own answer, or why it could not be asked (unreachable, timed out, stopped).
    pub status: Result<PeerStatus, String>,
}

#[cfg(test)]
mod tests {
    use openraft::errors::Fatal;

    use super::*;

    #[test]
    fn metrics_of_a_following_peer_become_its_status() {
        let mut metrics = RaftMetrics::<TypeConfig>::new_initial(2);
        metrics.state = ServerState::Follower;
        metrics.current_term = 4;
        metrics.last_log_index = Some(17);
        metrics.last_applied = Some(openraft::testing::log_id::<TypeConfig>(4, 1, 15));
        metrics.current_leader = Some(1);
        assert_eq!(
            PeerStatus::from_metrics(&metrics),
            PeerStatus {
                id: 2,
                role: PeerRole::Follower,
                term: 4,
                last_log_index: Some(17),
                last_applied: Some(15),
                leader: Some(1),
            }
        );
    }

    #[test]
    fn a_failed_peer_reports_shutdown_whatever_its_last_state() {
        let mut metrics = RaftMetrics::<TypeConfig>::new_initial(3);
        metrics.state = ServerState::Leader;
        assert_eq!(PeerStatus::from_metrics(&metrics).role, PeerRole::Leader);
        metrics.running_state = Err(Fatal::Stopped);
        assert_eq!(PeerStatus::from_metrics(&metrics).role, PeerRole::Shutdown);
    }
}
