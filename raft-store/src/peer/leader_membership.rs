//! Membership changes where they run: on the leader. Both the local path of
//! [`Forwarder::change_membership`](super::forward::Forwarder) and the `ChangeMembership` RPC
//! handler call [`LeaderMembership::run`], so a change gets the same answer wherever it was
//! submitted.
//!
//! ```text
//!   run(change, budget)
//!     ├─ not leading ─────────────────────────────────────► NotLeader{hint}
//!     ├─ plan_change(membership, healthy voters) ─refused─► Refused(..)
//!     └─ change_membership_if(.., membership unchanged since planning)
//!          ├─ committed ─(new learner: wait until it holds the entry, within budget)─► Changed
//!          ├─ not proposed: another change in flight ─► back off, plan again (within budget)
//!          ├─ not proposed: leadership moved ─────────► NotLeader{hint}
//!          └─ proposed, then lost / budget spent ──────► Unknown
//! ```
//!
//! The precondition on the membership log id makes the plan and the proposal atomic: a change
//! planned against a membership that changed in between is never proposed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use openraft::alias::LogIdOf;
use openraft::async_runtime::WatchReceiver;
use openraft::errors::{
    ChangeMembershipError, ClientWriteError, ForwardToLeader, PreconditionFailed, RaftError,
};
use openraft::raft::{ClientWriteResponse, Precondition};
use openraft::{ChangeMembers, Instant as _, RaftMetrics, ServerState};
use tokio::time::Instant;

use super::error::PeerError;
use super::health::healthy_voters;
use super::membership::{
    plan_change, Membership, MembershipChange, MembershipRefusal, PlannedChange,
};
use crate::network::{LeaderHint, MembershipOutcome, MetadataRaft};
use crate::types::{PeerId, TypeConfig};

/// First pause before planning again after a change was not proposed because another one was
/// in flight.
const FIRST_BACKOFF: Duration = Duration::from_millis(20);
/// Longest such pause.
const MAX_BACKOFF: Duration = Duration::from_millis(500);

/// Runs membership changes when this peer leads. Cheap to clone.
#[derive(Clone)]
pub(crate) struct LeaderMembership {
    raft: MetadataRaft,
    self_id: PeerId,
    staleness: Duration,
}

/// Why openraft did not commit a change.
#[derive(Debug, PartialEq, Eq)]
enum Failure {
    /// Not proposed: this peer no longer leads.
    NotLeader(Option<LeaderHint>),
    /// Not proposed: another change is in flight or the membership moved; plan again.
    Busy(String),
    /// Not proposed, and planning again would not help.
    Refused(String),
    /// Proposed (at least partly); whether it took effect is unknown.
    Unknown(String),
}

impl LeaderMembership {
    /// Changes of `raft` (peer `self_id`); a voter whose last ack is `staleness` old or older is
    /// not healthy.
    pub(crate) fn new(raft: MetadataRaft, self_id: PeerId, staleness: Duration) -> Self {
        Self {
            raft,
            self_id,
            staleness,
        }
    }

    /// Applies `change` if this peer leads, spending at most about `budget`. `Err` only when this
    /// Raft node is stopped or failed.
    pub(crate) async fn run(
        &self,
        change: &MembershipChange,
        budget: Duration,
    ) -> Result<MembershipOutcome, PeerError> {
        let deadline = Instant::now() + budget;
        let mut backoff = FIRST_BACKOFF;
        loop {
            let metrics = self.metrics()?;
            if !self.leads(&metrics) {
                return Ok(MembershipOutcome::NotLeader {
                    leader: leader_hint(&metrics),
                });
            }
            let current = Membership::from_raft(metrics.membership_config.membership());
            let planned_at = *metrics.membership_config.log_id();
            let healthy = self.healthy_among(&metrics, &current.voters);
            let plan = match plan_change(&current, change, &healthy) {
                Ok(plan) => plan,
                Err(refusal) => return Ok(MembershipOutcome::Refused(refusal)),
            };
            let proposal = tokio::time::timeout_at(deadline, self.propose(&plan, planned_at));
            let failure = match proposal.await {
                Err(_elapsed) => {
                    Failure::Unknown(format!("the change was not committed within {budget:?}"))
                }
                Ok(Ok(response)) => {
                    if let PlannedChange::AddLearner { id, .. } = plan {
                        self.wait_learner_holds(id, response.log_id.index, deadline)
                            .await;
                    }
                    let after = match &response.membership {
                        Some(membership) => Membership::from_raft(membership),
                        None => {
                            Membership::from_raft(self.metrics()?.membership_config.membership())
                        }
                    };
                    tracing::info!(peer_id = self.self_id, ?change, voters = ?after.voters, "membership changed");
                    return Ok(MembershipOutcome::Changed(after));
                }
                Ok(Err(RaftError::Fatal(fatal))) => {
                    return Err(PeerError::Fatal(fatal.to_string()))
                }
                Ok(Err(RaftError::APIError(error))) => {
                    let now_at = *self.metrics()?.membership_config.log_id();
                    classify(error, planned_at, now_at)
                }
            };
            match failure {
                Failure::NotLeader(leader) => return Ok(MembershipOutcome::NotLeader { leader }),
                Failure::Refused(reason) => {
                    return Ok(MembershipOutcome::Refused(MembershipRefusal::Rejected {
                        reason,
                    }))
                }
                Failure::Unknown(reason) => return Ok(MembershipOutcome::Unknown { reason }),
                Failure::Busy(reason) => {
                    let pause = backoff.min(deadline.saturating_duration_since(Instant::now()));
                    if pause.is_zero() {
                        return Ok(MembershipOutcome::Refused(MembershipRefusal::Rejected {
                            reason,
                        }));
                    }
                    tracing::debug!(?change, %reason, ?pause, "membership change deferred");
                    tokio::time::sleep(pause).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// The voters this peer counts as healthy, or `None` when it does not lead.
    pub(crate) fn healthy_voters(&self) -> Option<BTreeSet<PeerId>> {
        let metrics = self.metrics().ok()?;
        if !self.leads(&metrics) {
            return None;
        }
        let voters: BTreeSet<PeerId> = metrics.membership_config.membership().voter_ids().collect();
        Some(self.healthy_among(&metrics, &voters))
    }

    fn metrics(&self) -> Result<RaftMetrics<TypeConfig>, PeerError> {
        let metrics = self.raft.metrics().borrow_watched().clone();
        match &metrics.running_state {
            Ok(()) => Ok(metrics),
            Err(fatal) => Err(PeerError::Fatal(fatal.to_string())),
        }
    }

    fn leads(&self, metrics: &RaftMetrics<TypeConfig>) -> bool {
        metrics.state == ServerState::Leader && metrics.current_leader == Some(self.self_id)
    }

    fn healthy_among(
        &self,
        metrics: &RaftMetrics<TypeConfig>,
        voters: &BTreeSet<PeerId>,
    ) -> BTreeSet<PeerId> {
        let last_ack_age: BTreeMap<PeerId, Option<Duration>> = metrics
            .heartbeat
            .iter()
            .flatten()
            .map(|(id, acked)| (*id, acked.map(|sent_at| sent_at.elapsed())))
            .collect();
        healthy_voters(self.self_id, voters, &last_ack_age, self.staleness)
    }

    async fn propose(
        &self,
        plan: &PlannedChange,
        planned_at: Option<LogIdOf<TypeConfig>>,
    ) -> Result<ClientWriteResponse<TypeConfig>, RaftError<TypeConfig, ClientWriteError<TypeConfig>>>
    {
        // `retain = false`: a removed voter is dropped, not kept as a learner.
        let (changes, retain) = match plan {
            PlannedChange::AddLearner { id, node } => (
                ChangeMembers::AddNodes(BTreeMap::from([(*id, node.clone())])),
                false,
            ),
            PlannedChange::Promote { id } => {
                (ChangeMembers::AddVoterIds(BTreeSet::from([*id])), false)
            }
            PlannedChange::RemoveVoter { id } => {
                (ChangeMembers::RemoveVoters(BTreeSet::from([*id])), false)
            }
            PlannedChange::RemoveLearner { id } => {
                (ChangeMembers::RemoveNodes(BTreeSet::from([*id])), false)
            }
        };
        let unchanged_since_planning = Precondition::LastMembershipLogId {
            last_membership_log_id: planned_at,
        };
        self.raft
            .change_membership_if(changes, retain, [unchanged_since_planning])
            .await
    }

    /// Waits (until `deadline`) for new learner `id` to hold the log up to `index`, the entry
    /// that added it, so a promotion right after does not wait for it to catch up. The learner is
    /// a member either way; a slow catch-up is only logged.
    async fn wait_learner_holds(&self, id: PeerId, index: u64, deadline: Instant) {
        let timeout = deadline.saturating_duration_since(Instant::now());
        let caught_up = self
            .raft
            .wait(Some(timeout))
            .metrics(
                |metrics| {
                    metrics
                        .replication
                        .as_ref()
                        .and_then(|replication| replication.get(&id).cloned().flatten())
                        .is_some_and(|matched| matched.index >= index)
                },
                "new learner holds the membership entry",
            )
            .await;
        if let Err(error) = caught_up {
            tracing::warn!(peer_id = id, %error, "learner added but not caught up yet");
        }
    }
}

fn forward_hint(forward: ForwardToLeader<TypeConfig>) -> Option<LeaderHint> {
    match (forward.leader_id, forward.leader_node) {
        (Some(id), Some(node)) => Some(LeaderHint { id, node }),
        _ => None,
    }
}

fn leader_hint(metrics: &RaftMetrics<TypeConfig>) -> Option<LeaderHint> {
    let id = metrics.current_leader?;
    let node = metrics
        .membership_config
        .membership()
        .get_node(&id)?
        .clone();
    Some(LeaderHint { id, node })
}

/// Classifies openraft's refusal of a change planned against the membership at `planned_at`,
/// given the membership log id `now_at` seen after the failure.
///
/// openraft proposes a voter change in two steps (joint, then uniform). A failure of the second
/// step comes after the joint membership was committed, so the membership log id has moved:
/// whenever it moved, the change may be partly applied and must not be retried, except for the
/// first step's own precondition failure (nothing of this change was proposed).
fn classify(
    error: ClientWriteError<TypeConfig>,
    planned_at: Option<LogIdOf<TypeConfig>>,
    now_at: Option<LogIdOf<TypeConfig>>,
) -> Failure {
    if let ClientWriteError::LogEntryDiscarded(forward) = &error {
        return Failure::Unknown(format!(
            "the proposal was discarded by a leader change ({forward})"
        ));
    }
    if let ClientWriteError::PreconditionFailed(PreconditionFailed::LastMembershipLogIdMismatch {
        expected,
        ..
    }) = &error
    {
        if *expected == planned_at {
            return Failure::Busy("another membership change was made concurrently".into());
        }
    }
    if now_at != planned_at {
        return Failure::Unknown(format!(
            "the membership changed while the change was in flight, so it may be partly \
             applied ({error})"
        ));
    }
    match error {
        ClientWriteError::ForwardToLeader(forward) => Failure::NotLeader(forward_hint(forward)),
        ClientWriteError::ChangeMembershipError(
            ChangeMembershipError::InProgress(_) | ChangeMembershipError::UncommittedLeaderLog(_),
        )
        | ClientWriteError::PreconditionFailed(_) => Failure::Busy(error.to_string()),
        other => Failure::Refused(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use openraft::errors::{EmptyMembership, InProgress};
    use openraft::testing::log_id;

    use super::*;

    fn at(index: u64) -> Option<LogIdOf<TypeConfig>> {
        Some(log_id::<TypeConfig>(2, 1, index))
    }

    #[test]
    fn a_lost_leadership_before_proposing_is_a_not_leader_hint() {
        let error = ClientWriteError::ForwardToLeader(ForwardToLeader::empty());
        assert_eq!(classify(error, at(5), at(5)), Failure::NotLeader(None));
    }

    #[test]
    fn any_failure_after_the_membership_moved_is_unknown() {
        // The second step of a joint change failing: the joint entry (index 9) is committed.
        let error = ClientWriteError::ForwardToLeader(ForwardToLeader::empty());
        assert!(matches!(classify(error, at(5), at(9)), Failure::Unknown(_)));
        let second_step_precondition =
            ClientWriteError::PreconditionFailed(PreconditionFailed::LastMembershipLogIdMismatch {
                expected: at(9),
                actual: at(11),
            });
        assert!(matches!(
            classify(second_step_precondition, at(5), at(11)),
            Failure::Unknown(_)
        ));
    }

    #[test]
    fn a_discarded_proposal_is_unknown() {
        let error = ClientWriteError::LogEntryDiscarded(ForwardToLeader::empty());
        assert!(matches!(classify(error, at(5), at(5)), Failure::Unknown(_)));
    }

    #[test]
    fn the_first_step_losing_a_race_or_a_change_in_flight_is_retried() {
        let raced =
            ClientWriteError::PreconditionFailed(PreconditionFailed::LastMembershipLogIdMismatch {
                expected: at(5),
                actual: at(7),
            });
        assert!(matches!(classify(raced, at(5), at(7)), Failure::Busy(_)));
        let in_progress = ClientWriteError::ChangeMembershipError(
            ChangeMembershipError::InProgress(InProgress {
                committed: at(3),
                membership_log_id: at(5),
            }),
        );
        assert!(matches!(
            classify(in_progress, at(5), at(5)),
            Failure::Busy(_)
        ));
    }

    #[test]
    fn other_openraft_refusals_are_final() {
        let error = ClientWriteError::ChangeMembershipError(
            ChangeMembershipError::EmptyMembership(EmptyMembership {}),
        );
        assert!(matches!(classify(error, at(5), at(5)), Failure::Refused(_)));
    }
}
