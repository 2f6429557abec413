//! Leader forwarding: the one component that turns "submit to the cluster" into "submit to the
//! leader", for writes, linearizable reads and membership changes.
//!
//! ```text
//!   write(request) ─► local client_write ─ok─► response
//!                        │ ForwardToLeader{leader}
//!                        ▼
//!                     Forward RPC to leader (one hop) ─Applied─► response
//!                        │ NotLeader / not sent / no leader yet
//!                        ▼
//!                     wait for a leader change (bounded backoff), retry until the budget ends
//! ```
//!
//! A write is retried only while it provably was not proposed (a not-leader answer, or a
//! connection that never opened). Once it may have been proposed, a lost reply or a discarded
//! entry ends the call with [`PeerError::OutcomeUnknown`]: retrying could apply it twice.
//! Membership changes follow the same rule, through the `ChangeMembership` RPC; the leader's
//! typed refusal becomes the same [`PeerError`] it would have been on the leader.

use std::time::{Duration, Instant};

use openraft::errors::{ClientWriteError, ForwardToLeader, LinearizableReadError, RaftError};
use openraft::metrics::WaitError;
use openraft::ReadPolicy;
use prost::bytes::Bytes;

use super::error::PeerError;
use super::leader_membership::LeaderMembership;
use super::membership::{Membership, MembershipChange};
use crate::network::codec::{
    self, ForwardOutcome, LeaderHint, MembershipOutcome, MembershipRequest, ReadIndexOutcome,
};
use crate::network::{CallError, MetadataRaft, PeerCaller, UnaryRpc};
use crate::types::{PeerId, Request, Response, TypeConfig};

/// First pause between attempts while no usable leader is known.
const FIRST_BACKOFF: Duration = Duration::from_millis(20);
/// Longest pause between attempts.
const MAX_BACKOFF: Duration = Duration::from_millis(500);
/// Share of the remaining budget a forwarded membership change lets the leader spend; the rest
/// is left for the reply to come back before this peer's deadline.
const LEADER_BUDGET_SHARE: (u32, u32) = (4, 5);

/// Routes writes, read-index requests and membership changes to the current leader.
#[derive(Clone)]
pub(crate) struct Forwarder {
    raft: MetadataRaft,
    self_id: PeerId,
    caller: PeerCaller,
    membership: LeaderMembership,
    budget: Duration,
}

fn leader_hint(forward: ForwardToLeader<TypeConfig>) -> Option<LeaderHint> {
    match (forward.leader_id, forward.leader_node) {
        (Some(id), Some(node)) => Some(LeaderHint { id, node }),
        _ => None,
    }
}

/// Retry state of one client operation: elapsed budget and backoff.
struct Attempts {
    started: Instant,
    budget: Duration,
    backoff: Duration,
}

impl Attempts {
    fn new(budget: Duration) -> Self {
        Self {
            started: Instant::now(),
            budget,
            backoff: FIRST_BACKOFF,
        }
    }

    fn remaining(&self) -> Duration {
        self.budget.saturating_sub(self.started.elapsed())
    }

    fn exhausted(&self) -> PeerError {
        PeerError::NoLeader {
            waited: self.started.elapsed(),
        }
    }
}

impl Forwarder {
    pub(crate) fn new(
        raft: MetadataRaft,
        self_id: PeerId,
        caller: PeerCaller,
        membership: LeaderMembership,
        budget: Duration,
    ) -> Self {
        Self {
            raft,
            self_id,
            caller,
            membership,
            budget,
        }
    }

    /// Commits `request` through the leader and returns the state machine's response.
    pub(crate) async fn write(&self, request: Request) -> Result<Response, PeerError> {
        let mut attempts = Attempts::new(self.budget);
        loop {
            let local = tokio::time::timeout(
                attempts.remaining(),
                self.raft.client_write(request.clone()),
            )
            .await
            .map_err(|_elapsed| PeerError::OutcomeUnknown {
                reason: format!("local proposal not committed within {:?}", self.budget),
            })?;
            let leader = match local {
                Ok(written) => return Ok(written.data),
                Err(RaftError::APIError(ClientWriteError::ForwardToLeader(forward))) => {
                    leader_hint(forward)
                }
                Err(RaftError::APIError(ClientWriteError::LogEntryDiscarded(forward))) => {
                    return Err(PeerError::OutcomeUnknown {
                        reason: format!("proposal discarded by a leader change ({forward})"),
                    })
                }
                Err(RaftError::APIError(other)) => {
                    return Err(PeerError::Rejected(other.to_string()))
                }
                Err(RaftError::Fatal(fatal)) => return Err(PeerError::Fatal(fatal.to_string())),
            };
            if let Some(leader) = leader.filter(|leader| leader.id != self.self_id) {
                match self
                    .forward_once(&leader, &request, attempts.remaining())
                    .await
                {
                    Ok(ForwardOutcome::Applied { response, .. }) => return Ok(response),
                    Ok(ForwardOutcome::NotLeader { .. }) => {}
                    Ok(ForwardOutcome::Discarded { .. }) => {
                        return Err(PeerError::OutcomeUnknown {
                            reason: format!("leader {} discarded the proposal", leader.id),
                        })
                    }
                    Err(error) if error.never_processed() => {
                        tracing::debug!(leader = leader.id, %error, "forward not delivered; retrying");
                    }
                    Err(error) => {
                        return Err(PeerError::OutcomeUnknown {
                            reason: format!("forward to leader {}: {error}", leader.id),
                        })
                    }
                }
            }
            self.pause(&mut attempts).await?;
        }
    }

    /// Applies `change` through the leader and returns the membership after it.
    pub(crate) async fn change_membership(
        &self,
        change: MembershipChange,
    ) -> Result<Membership, PeerError> {
        let mut attempts = Attempts::new(self.budget);
        loop {
            let leader = match self.membership.run(&change, attempts.remaining()).await? {
                MembershipOutcome::Changed(membership) => return Ok(membership),
                MembershipOutcome::Refused(refusal) => return Err(refusal.into()),
                MembershipOutcome::Unknown { reason } => {
                    return Err(PeerError::OutcomeUnknown { reason })
                }
                MembershipOutcome::NotLeader { leader } => leader,
            };
            if let Some(leader) = leader.filter(|leader| leader.id != self.self_id) {
                match self
                    .change_membership_once(&leader, &change, attempts.remaining())
                    .await
                {
                    Ok(MembershipOutcome::Changed(membership)) => return Ok(membership),
                    Ok(MembershipOutcome::Refused(refusal)) => return Err(refusal.into()),
                    Ok(MembershipOutcome::Unknown { reason }) => {
                        return Err(PeerError::OutcomeUnknown {
                            reason: format!("leader {}: {reason}", leader.id),
                        })
                    }
                    Ok(MembershipOutcome::NotLeader { .. }) => {}
                    Err(error) if error.never_processed() => {
                        tracing::debug!(leader = leader.id, %error, "membership change not delivered; retrying");
                    }
                    Err(error) => {
                        return Err(PeerError::OutcomeUnknown {
                            reason: format!(
                                "membership change forwarded to leader {}: {error}",
                                leader.id
                            ),
                        })
                    }
                }
            }
            self.pause(&mut attempts).await?;
        }
    }

    /// Returns once this peer has applied everything committed before the call (ReadIndex):
    /// a local read made afterwards is linearizable.
    pub(crate) async fn linearize(&self) -> Result<(), PeerError> {
        let mut attempts = Attempts::new(self.budget);
        loop {
            let local = tokio::time::timeout(
                attempts.remaining(),
                self.raft.ensure_linearizable(ReadPolicy::ReadIndex),
            )
            .await
            .map_err(|_elapsed| attempts.exhausted())?;
            let leader = match local {
                Ok(_read_log_id) => return Ok(()),
                Err(RaftError::APIError(LinearizableReadError::ForwardToLeader(forward))) => {
                    leader_hint(forward)
                }
                Err(RaftError::APIError(LinearizableReadError::QuorumNotEnough(_))) => None,
                Err(RaftError::Fatal(fatal)) => return Err(PeerError::Fatal(fatal.to_string())),
            };
            if let Some(leader) = leader.filter(|leader| leader.id != self.self_id) {
                // Reads are idempotent: every failure is simply retried.
                match self.read_index_once(&leader, attempts.remaining()).await {
                    Ok(ReadIndexOutcome::Ready { read_log_id }) => {
                        return self
                            .wait_applied(read_log_id.index, attempts.remaining())
                            .await;
                    }
                    Ok(other) => tracing::debug!(leader = leader.id, ?other, "read index refused"),
                    Err(error) => tracing::debug!(leader = leader.id, %error, "read index failed"),
                }
            }
            self.pause(&mut attempts).await?;
        }
    }

    /// Waits until this peer has applied log index `index`.
    pub(crate) async fn wait_applied(
        &self,
        index: u64,
        timeout: Duration,
    ) -> Result<(), PeerError> {
        self.raft
            .wait(Some(timeout))
            .applied_index_at_least(Some(index), "applied index")
            .await
            .map(drop)
            .map_err(|error| match error {
                WaitError::Timeout(waited, _) => PeerError::Timeout {
                    what: format!("applied index {index}"),
                    waited,
                },
                WaitError::ShuttingDown => PeerError::Fatal("raft is shutting down".into()),
            })
    }

    /// Waits for a leader change or the backoff, whichever comes first; fails once the budget
    /// is spent.
    async fn pause(&self, attempts: &mut Attempts) -> Result<(), PeerError> {
        let pause = attempts.backoff.min(attempts.remaining());
        if pause.is_zero() {
            return Err(attempts.exhausted());
        }
        attempts.backoff = (attempts.backoff * 2).min(MAX_BACKOFF);
        let leader_before = self.raft.current_leader().await;
        let changed = self
            .raft
            .wait(Some(pause))
            .metrics(
                |metrics| metrics.current_leader != leader_before,
                "leader change",
            )
            .await;
        match changed {
            Ok(_) | Err(WaitError::Timeout(..)) => Ok(()),
            Err(WaitError::ShuttingDown) => Err(PeerError::Fatal("raft is shutting down".into())),
        }
    }

    async fn forward_once(
        &self,
        leader: &LeaderHint,
        request: &Request,
        deadline: Duration,
    ) -> Result<ForwardOutcome, CallError> {
        let payload = codec::encode("forwarded request", request)
            .map_err(|error| CallError::NotSent(error.to_string()))?;
        let reply = self
            .call(leader, UnaryRpc::Forward, payload, deadline)
            .await?;
        codec::decode("forward outcome", &reply)
            .map_err(|error| CallError::Failed(tonic::Status::internal(error.to_string())))
    }

    async fn change_membership_once(
        &self,
        leader: &LeaderHint,
        change: &MembershipChange,
        deadline: Duration,
    ) -> Result<MembershipOutcome, CallError> {
        let (share, of) = LEADER_BUDGET_SHARE;
        let leader_budget = deadline * share / of;
        let request = MembershipRequest {
            change: change.clone(),
            budget_ms: u64::try_from(leader_budget.as_millis()).unwrap_or(u64::MAX),
        };
        let payload = codec::encode("membership request", &request)
            .map_err(|error| CallError::NotSent(error.to_string()))?;
        let reply = self
            .call(leader, UnaryRpc::ChangeMembership, payload, deadline)
            .await?;
        codec::decode("membership outcome", &reply)
            .map_err(|error| CallError::Failed(tonic::Status::internal(error.to_string())))
    }

    async fn read_index_once(
        &self,
        leader: &LeaderHint,
        deadline: Duration,
    ) -> Result<ReadIndexOutcome, CallError> {
        let reply = self
            .call(leader, UnaryRpc::ReadIndex, Vec::new(), deadline)
            .await?;
        codec::decode("read index outcome", &reply)
            .map_err(|error| CallError::Failed(tonic::Status::internal(error.to_string())))
    }

    async fn call(
        &self,
        leader: &LeaderHint,
        rpc: UnaryRpc,
        payload: Vec<u8>,
        deadline: Duration,
    ) -> Result<Bytes, CallError> {
        self.caller
            .call(leader.id, &leader.node, rpc, payload, deadline)
            .await
    }
}
