//! First-start initialisation of a brand-new cluster, exactly once.
//!
//! Rule: of the configured `initial_peers`, only the one with the lowest id initialises the
//! membership, and only while its store is pristine (no vote, no log). Every other peer waits to
//! be contacted by the leader; a restarted peer resumes from its store and never initialises.

use std::collections::BTreeMap;

use openraft::errors::{InitializeError, RaftError};

use super::error::PeerError;
use crate::network::MetadataRaft;
use crate::types::{PeerId, PeerNode};

/// What the start-up did about the cluster membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bootstrap {
    /// The store already held Raft state: resumed from it.
    Resumed,
    /// This peer initialised the new cluster's membership.
    Initialized,
    /// A pristine peer that is not the designated initialiser: waits for the leader.
    AwaitingLeader,
}

/// The peer that initialises a new cluster of `initial_peers`: the lowest id, if any.
pub fn designated_initializer(initial_peers: &BTreeMap<PeerId, PeerNode>) -> Option<PeerId> {
    initial_peers.keys().next().copied()
}

/// Whether the store Raft was opened on already holds a membership. Asked before the gRPC
/// server starts, so that a leader's replication reaching a fresh peer cannot make its start
/// look like a resume.
pub(crate) async fn held_membership_at_open(raft: &MetadataRaft) -> Result<bool, PeerError> {
    raft.is_initialized()
        .await
        .map_err(|fatal| PeerError::Fatal(fatal.to_string()))
}

/// Initialises the membership if this peer is the designated initialiser of a pristine cluster
/// (`initialized` is what [`held_membership_at_open`] answered).
pub(crate) async fn bootstrap(
    raft: &MetadataRaft,
    initialized: bool,
    self_id: PeerId,
    initial_peers: &BTreeMap<PeerId, PeerNode>,
) -> Result<Bootstrap, PeerError> {
    if initialized {
        return Ok(Bootstrap::Resumed);
    }
    if designated_initializer(initial_peers) != Some(self_id) {
        return Ok(Bootstrap::AwaitingLeader);
    }
    match raft.initialize(initial_peers.clone()).await {
        Ok(()) => {
            tracing::info!(peer_id = self_id, voters = ?initial_peers.keys().collect::<Vec<_>>(), "initialised cluster membership");
            Ok(Bootstrap::Initialized)
        }
        // Someone (a leader's replication) got there first: the cluster exists.
        Err(RaftError::APIError(InitializeError::NotAllowed(_))) => Ok(Bootstrap::Resumed),
        Err(error) => Err(PeerError::Initialize(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> PeerNode {
        PeerNode {
            name: name.into(),
            grpc_addr: format!("{name}:1"),
            http_addr: format!("{name}:2"),
        }
    }

    #[test]
    fn lowest_id_initialises() {
        let peers = BTreeMap::from([(7, node("c")), (3, node("a")), (5, node("b"))]);
        assert_eq!(designated_initializer(&peers), Some(3));
    }

    #[test]
    fn no_initial_peers_means_nobody_initialises() {
        assert_eq!(designated_initializer(&BTreeMap::new()), None);
    }
}
