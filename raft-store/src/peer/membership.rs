//! Membership changes and their safety rules (pure, no I/O).
//!
//! ```text
//!   MembershipChange ──plan_change(current membership, healthy voters)──► PlannedChange
//!                                        │ refused
//!                                        ▼
//!                                 MembershipRefusal (same answer on every peer)
//! ```
//!
//! Rules:
//! - `AddLearner`: the id must not be a member yet (ids are never reused).
//! - `Promote`: only a learner becomes a voter.
//! - `Remove`: never the last voter (not even forced); removing a voter must leave a healthy
//!   majority among the remaining voters unless forced. Removing a learner never loses quorum.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::types::{PeerId, PeerNode};

/// A change of the Raft membership, submitted from any peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MembershipChange {
    /// Add a new peer that replicates without voting. Refused if `id` is already a member.
    AddLearner {
        /// The new peer's id (never one a removed peer had).
        id: PeerId,
        /// How to reach it.
        node: PeerNode,
    },
    /// Make learner `id` a voter. Refused unless `id` is a learner.
    Promote {
        /// The learner to promote.
        id: PeerId,
    },
    /// Drop `id` from the membership. Never the last voter; `force` overrides only the quorum
    /// check.
    Remove {
        /// The peer to remove.
        id: PeerId,
        /// Remove a voter even when the remaining voters would lack a healthy majority.
        force: bool,
    },
}

/// A membership: who votes, and every member's node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The voters.
    pub voters: BTreeSet<PeerId>,
    /// Every member (voters and learners) with how to reach it.
    pub nodes: BTreeMap<PeerId, PeerNode>,
}

impl Membership {
    /// The members that replicate without voting.
    pub fn learners(&self) -> BTreeSet<PeerId> {
        self.nodes
            .keys()
            .filter(|id| !self.voters.contains(id))
            .copied()
            .collect()
    }

    /// Whether `id` votes.
    pub fn is_voter(&self, id: PeerId) -> bool {
        self.voters.contains(&id)
    }

    /// Whether `id` is a member (voter or learner).
    pub fn is_member(&self, id: PeerId) -> bool {
        self.nodes.contains_key(&id) || self.voters.contains(&id)
    }

    /// The membership openraft records (a joint configuration counts every voter of its
    /// halves: membership changes are refused by openraft while one is in progress anyway).
    pub(crate) fn from_raft(membership: &openraft::Membership<PeerId, PeerNode>) -> Self {
        Self {
            voters: membership.voter_ids().collect(),
            nodes: membership
                .nodes()
                .map(|(id, node)| (*id, node.clone()))
                .collect(),
        }
    }
}

/// What the leader will ask openraft to do for an accepted [`MembershipChange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlannedChange {
    /// Add `id` as a learner.
    AddLearner {
        /// The new learner.
        id: PeerId,
        /// How to reach it.
        node: PeerNode,
    },
    /// Turn learner `id` into a voter.
    Promote {
        /// The learner.
        id: PeerId,
    },
    /// Demote and drop voter `id` in one change.
    RemoveVoter {
        /// The voter.
        id: PeerId,
    },
    /// Drop learner `id`.
    RemoveLearner {
        /// The learner.
        id: PeerId,
    },
}

/// Why a membership change was refused. Crosses the wire (bincode, append-only) so that a peer
/// forwarding a change reports exactly what the leader decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MembershipRefusal {
    /// Removing `peer_id` would leave no voter.
    LastVoter {
        /// The peer asked to be removed.
        peer_id: PeerId,
    },
    /// `peer_id` is not a member.
    UnknownPeer {
        /// The peer asked for.
        peer_id: PeerId,
    },
    /// `peer_id` is already a member and cannot be added again.
    AlreadyMember {
        /// The peer asked to be added.
        peer_id: PeerId,
    },
    /// `peer_id` is a voter, not a learner, so it cannot be promoted.
    NotALearner {
        /// The peer asked to be promoted.
        peer_id: PeerId,
    },
    /// Removing voter `peer_id` would leave `voters_after` voters of which only `healthy_after`
    /// are healthy: fewer than a majority.
    WouldLoseQuorum {
        /// The voter asked to be removed.
        peer_id: PeerId,
        /// Healthy voters left after the removal.
        healthy_after: usize,
        /// Voters left after the removal.
        voters_after: usize,
    },
    /// openraft refused the change (for example another change still in progress).
    Rejected {
        /// openraft's reason.
        reason: String,
    },
}

/// Smallest number of voters out of `voters` that forms a majority.
pub fn majority(voters: usize) -> usize {
    voters / 2 + 1
}

/// Decides whether `change` may be applied to `current`, given the voters the leader counts as
/// `healthy` (see [`healthy_voters`](super::healthy_voters)), and what to ask openraft for.
pub fn plan_change(
    current: &Membership,
    change: &MembershipChange,
    healthy: &BTreeSet<PeerId>,
) -> Result<PlannedChange, MembershipRefusal> {
    match change {
        MembershipChange::AddLearner { id, node } => {
            if current.is_member(*id) {
                return Err(MembershipRefusal::AlreadyMember { peer_id: *id });
            }
            Ok(PlannedChange::AddLearner {
                id: *id,
                node: node.clone(),
            })
        }
        MembershipChange::Promote { id } => {
            if current.is_voter(*id) {
                return Err(MembershipRefusal::NotALearner { peer_id: *id });
            }
            if !current.is_member(*id) {
                return Err(MembershipRefusal::UnknownPeer { peer_id: *id });
            }
            Ok(PlannedChange::Promote { id: *id })
        }
        MembershipChange::Remove { id, force } => plan_removal(current, *id, *force, healthy),
    }
}

fn plan_removal(
    current: &Membership,
    peer_id: PeerId,
    force: bool,
    healthy: &BTreeSet<PeerId>,
) -> Result<PlannedChange, MembershipRefusal> {
    if !current.is_voter(peer_id) {
        if current.is_member(peer_id) {
            return Ok(PlannedChange::RemoveLearner { id: peer_id });
        }
        return Err(MembershipRefusal::UnknownPeer { peer_id });
    }
    let voters_after = current.voters.len() - 1;
    if voters_after == 0 {
        return Err(MembershipRefusal::LastVoter { peer_id });
    }
    let healthy_after = current
        .voters
        .iter()
        .filter(|voter| **voter != peer_id && healthy.contains(voter))
        .count();
    if healthy_after < majority(voters_after) && !force {
        return Err(MembershipRefusal::WouldLoseQuorum {
            peer_id,
            healthy_after,
            voters_after,
        });
    }
    Ok(PlannedChange::RemoveVoter { id: peer_id })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn node(id: PeerId) -> PeerNode {
        PeerNode {
            name: format!("miroir-{id}"),
            grpc_addr: format!("10.0.0.{id}:7000"),
            http_addr: format!("10.0.0.{id}:7700"),
        }
    }

    fn membership(voters: &[PeerId], learners: &[PeerId]) -> Membership {
        Membership {
            voters: voters.iter().copied().collect(),
            nodes: voters
                .iter()
                .chain(learners)
                .map(|id| (*id, node(*id)))
                .collect(),
        }
    }

    fn all(ids: &[PeerId]) -> BTreeSet<PeerId> {
        ids.iter().copied().collect()
    }

    fn remove(id: PeerId, force: bool) -> MembershipChange {
        MembershipChange::Remove { id, force }
    }

    #[test]
    fn last_voter_is_never_removed_even_forced() {
        let current = membership(&[1], &[2]);
        for force in [false, true] {
            assert_eq!(
                plan_change(&current, &remove(1, force), &all(&[1, 2])),
                Err(MembershipRefusal::LastVoter { peer_id: 1 })
            );
        }
        assert_eq!(
            plan_change(&current, &remove(2, false), &all(&[1])),
            Ok(PlannedChange::RemoveLearner { id: 2 })
        );
    }

    #[test]
    fn removing_a_healthy_voter_next_to_a_dead_one_loses_quorum() {
        let current = membership(&[1, 2, 3], &[]);
        let healthy = all(&[1, 2]);
        assert_eq!(
            plan_change(&current, &remove(2, false), &healthy),
            Err(MembershipRefusal::WouldLoseQuorum {
                peer_id: 2,
                healthy_after: 1,
                voters_after: 2,
            })
        );
        assert_eq!(
            plan_change(&current, &remove(2, true), &healthy),
            Ok(PlannedChange::RemoveVoter { id: 2 })
        );
        assert_eq!(
            plan_change(&current, &remove(3, false), &healthy),
            Ok(PlannedChange::RemoveVoter { id: 3 })
        );
    }

    #[test]
    fn strangers_are_unknown_whatever_the_change() {
        let current = membership(&[1, 2, 3], &[4]);
        let healthy = all(&[1, 2, 3]);
        for change in [
            remove(9, false),
            remove(9, true),
            MembershipChange::Promote { id: 9 },
        ] {
            assert_eq!(
                plan_change(&current, &change, &healthy),
                Err(MembershipRefusal::UnknownPeer { peer_id: 9 })
            );
        }
    }

    #[test]
    fn members_cannot_be_added_again_and_only_learners_are_promoted() {
        let current = membership(&[1, 2, 3], &[4]);
        let healthy = all(&[1, 2, 3]);
        for id in [1, 4] {
            let add = MembershipChange::AddLearner { id, node: node(id) };
            assert_eq!(
                plan_change(&current, &add, &healthy),
                Err(MembershipRefusal::AlreadyMember { peer_id: id })
            );
        }
        let add = MembershipChange::AddLearner {
            id: 5,
            node: node(5),
        };
        assert_eq!(
            plan_change(&current, &add, &healthy),
            Ok(PlannedChange::AddLearner {
                id: 5,
                node: node(5)
            })
        );
        assert_eq!(
            plan_change(&current, &MembershipChange::Promote { id: 2 }, &healthy),
            Err(MembershipRefusal::NotALearner { peer_id: 2 })
        );
        assert_eq!(
            plan_change(&current, &MembershipChange::Promote { id: 4 }, &healthy),
            Ok(PlannedChange::Promote { id: 4 })
        );
    }

    #[test]
    fn learners_are_the_non_voting_members() {
        let current = membership(&[1, 3], &[2, 7]);
        assert_eq!(current.learners(), all(&[2, 7]));
        assert!(current.is_member(7) && !current.is_voter(7));
        assert!(!current.is_member(4));
    }

    #[test]
    fn majority_of_small_clusters() {
        assert_eq!(
            [1, 2, 3, 4, 5].map(majority),
            [1, 2, 2, 3, 3],
            "majorities of 1..=5 voters"
        );
    }

    /// A membership of up to 7 voters and 3 learners (ids 0..10), a healthy subset, a target id
    /// (possibly a stranger) and a force flag.
    fn removal_case() -> impl Strategy<Value = (Membership, BTreeSet<PeerId>, PeerId, bool)> {
        (
            prop::collection::btree_set(0u64..10, 1..=7),
            prop::collection::btree_set(0u64..10, 0..=3),
            prop::collection::btree_set(0u64..10, 0..=10),
            0u64..12,
            any::<bool>(),
        )
            .prop_map(|(voters, learners, healthy, target, force)| {
                let learners: Vec<PeerId> = learners.difference(&voters).copied().collect();
                let voters: Vec<PeerId> = voters.into_iter().collect();
                (membership(&voters, &learners), healthy, target, force)
            })
    }

    proptest! {
        /// Whatever the membership and health, an accepted removal never empties the voters,
        /// and an unforced accepted voter removal leaves a healthy majority of the voters left.
        #[test]
        fn accepted_removals_keep_a_voter_and_unforced_ones_a_healthy_majority(
            (current, healthy, target, force) in removal_case()
        ) {
            match plan_change(&current, &remove(target, force), &healthy) {
                Ok(PlannedChange::RemoveVoter { id }) => {
                    prop_assert_eq!(id, target);
                    let left: BTreeSet<PeerId> =
                        current.voters.iter().copied().filter(|voter| *voter != id).collect();
                    prop_assert!(!left.is_empty());
                    if !force {
                        let healthy_left = left.intersection(&healthy).count();
                        prop_assert!(2 * healthy_left > left.len());
                    }
                }
                Ok(PlannedChange::RemoveLearner { id }) => {
                    prop_assert_eq!(id, target);
                    prop_assert!(current.learners().contains(&id));
                }
                Ok(other) => prop_assert!(false, "a removal planned {:?}", other),
                Err(MembershipRefusal::LastVoter { peer_id }) => {
                    prop_assert_eq!(peer_id, target);
                    prop_assert_eq!(current.voters.iter().copied().collect::<Vec<_>>(), vec![target]);
                }
                Err(MembershipRefusal::UnknownPeer { peer_id }) => {
                    prop_assert_eq!(peer_id, target);
                    prop_assert!(!current.is_member(target));
                }
                Err(MembershipRefusal::WouldLoseQuorum { peer_id, healthy_after, voters_after }) => {
                    prop_assert!(!force);
                    prop_assert_eq!(peer_id, target);
                    prop_assert_eq!(voters_after, current.voters.len() - 1);
                    prop_assert!(healthy_after < majority(voters_after));
                }
                Err(other) => prop_assert!(false, "a removal refused with {:?}", other),
            }
        }

        /// Forcing changes nothing but the quorum check: a removal refused when forced is
        /// refused identically without force.
        #[test]
        fn force_only_overrides_the_quorum_check(
            (current, healthy, target, _force) in removal_case()
        ) {
            let forced = plan_change(&current, &remove(target, true), &healthy);
            let unforced = plan_change(&current, &remove(target, false), &healthy);
            match (&forced, &unforced) {
                (Err(refusal), _) => prop_assert_eq!(Some(refusal), unforced.as_ref().err()),
                (Ok(_), Err(MembershipRefusal::WouldLoseQuorum { .. })) => {}
                (Ok(plan), Ok(same)) => prop_assert_eq!(plan, same),
                (Ok(_), Err(other)) => prop_assert!(false, "only quorum may differ, got {:?}", other),
            }
        }
    }
}
