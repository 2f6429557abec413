//! Safety rules for membership changes (pure): what removing a peer means, and when it is refused.

use std::collections::BTreeSet;

use super::error::PeerError;
use crate::types::PeerId;

/// How a peer is removed from the membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// The peer votes: demote and drop it in one membership change.
    Voter,
    /// The peer only replicates: drop it.
    Learner,
}

/// Decides how `peer_id` leaves a membership with `voters` and `learners`. Refuses to remove the
/// last voter (the cluster could never commit again) and peers that are not members.
pub fn plan_removal(
    voters: &BTreeSet<PeerId>,
    learners: &BTreeSet<PeerId>,
    peer_id: PeerId,
) -> Result<Removal, PeerError> {
    if voters.contains(&peer_id) {
        if voters.len() == 1 {
            return Err(PeerError::LastVoter { peer_id });
        }
        return Ok(Removal::Voter);
    }
    if learners.contains(&peer_id) {
        return Ok(Removal::Learner);
    }
    Err(PeerError::UnknownPeer { peer_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_voter_is_never_removed() {
        let voters = BTreeSet::from([1]);
        let learners = BTreeSet::from([2]);
        assert!(matches!(
            plan_removal(&voters, &learners, 1),
            Err(PeerError::LastVoter { peer_id: 1 })
        ));
        assert_eq!(
            plan_removal(&voters, &learners, 2).unwrap(),
            Removal::Learner
        );
    }

    #[test]
    fn voter_among_several_is_removable_and_strangers_are_unknown() {
        let voters = BTreeSet::from([1, 2, 3]);
        assert_eq!(
            plan_removal(&voters, &BTreeSet::new(), 2).unwrap(),
            Removal::Voter
        );
        assert!(matches!(
            plan_removal(&voters, &BTreeSet::new(), 9),
            Err(PeerError::UnknownPeer { peer_id: 9 })
        ));
    }
}
