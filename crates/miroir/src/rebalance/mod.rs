//! The rebalancer: Mode B work of the Raft leader. It records the configured topology once,
//! then carries out topology operations (jobs of kind [`JOB_KIND`]) one at a time, oldest
//! first, holding a job claim it renews while it works. A new leader waits for the previous
//! claim to lapse, claims the job and resumes from the committed progress.
//!
//! ```text
//!   operator ─► Admin ─check─► Job::Create(topology, operation JSON)
//!                                    │ (Raft)
//!   leader: Rebalancer::run_forever ─┴─► claim ─► OperationRun (runner.rs) ─► Complete
//!                                          ▲ heartbeat every CLAIM_TTL/4 │
//!                                          └────────── lost ⇒ stop ──────┘
//! ```

mod operation;
mod runner;
mod shard_io;
mod status;

use std::sync::Arc;
use std::time::Duration;

use miroir_core::config::RebalancerConfig;
use std::collections::BTreeSet;

use miroir_core::topology::{NodeId, NodeState};
use miroir_meta::{CommandV1, JobCommand, JobRecord, Response, TopologyCommand};

use crate::clock::wall_clock_ms;
use crate::proxy::Proxy;

pub use operation::{
    check, has_unfinished_operation, latest_operation, rehydrations, Refusal, TopologyOperation,
    JOB_KIND,
};
pub use status::rebalance_status;

use operation::{prunable_operations, unfinished_operations, OperationProgress};
use runner::{CopyLimits, OperationRun};

/// How often the leader looks for work.
const POLL: Duration = Duration::from_millis(250);
/// Finished topology operations kept for the status views (older ones are forgotten).
const KEPT_OPERATIONS: usize = 20;
/// How long a job claim lasts unless renewed.
const CLAIM_TTL: Duration = Duration::from_secs(6);

/// Why the rebalancer stopped working on an operation (it retries on its next poll).
#[derive(Debug, thiserror::Error)]
pub enum RebalanceError {
    /// The state machine refused a command (e.g. the claim lapsed).
    #[error("`{command}` was rejected: {rejection}")]
    Rejected {
        /// The command.
        command: String,
        /// Why.
        rejection: String,
    },
    /// The state machine refused a topology change: the operation cannot go on.
    #[error("`{command}` was refused: {rejection}")]
    TopologyRefused {
        /// The command.
        command: String,
        /// Why.
        rejection: String,
    },
    /// The metadata peer could not commit (no leader, timeout).
    #[error("metadata: {0}")]
    Metadata(String),
    /// This peer stopped leading or lost the job's claim.
    #[error("lost the claim of job `{0}`")]
    LostClaim(String),
    /// A broken invariant.
    #[error("internal: {0}")]
    Internal(String),
}

/// The leader-side loop of one peer.
pub struct Rebalancer {
    proxy: Arc<Proxy>,
    /// Nodes back from a failure whose re-hydration is not submitted yet.
    recovered: std::sync::Mutex<BTreeSet<NodeId>>,
    limits: CopyLimits,
    holder: String,
}

impl Rebalancer {
    /// The rebalancer of `proxy`'s peer, with `config`'s migration limits.
    pub fn new(proxy: Arc<Proxy>, config: &RebalancerConfig) -> Self {
        let holder = format!("peer-{}", proxy.peer().id());
        Self {
            limits: CopyLimits {
                concurrency: usize::try_from(config.max_concurrent_migrations).unwrap_or(1),
                batch_size: config.migration_batch_size.max(1),
                throttle_docs_per_sec: config.throttle_docs_per_sec,
            },
            holder,
            recovered: std::sync::Mutex::default(),
            proxy,
        }
    }

    /// Works whenever this peer leads, until the task is aborted.
    pub async fn run_forever(self) {
        loop {
            tokio::time::sleep(POLL).await;
            if !self.proxy.peer().is_leader() {
                continue;
            }
            if let Err(error) = self.lead_once().await {
                tracing::warn!(%error, "rebalancer pass failed; retrying");
            }
        }
    }

    /// One pass as leader: record the topology if needed, else run the oldest operation.
    async fn lead_once(&self) -> Result<(), RebalanceError> {
        let (recorded, next) = self
            .proxy
            .peer()
            .read(|state| {
                (
                    state.topology().layout().is_some(),
                    unfinished_operations(state).next().cloned(),
                )
            })
            .await;
        if !recorded {
            return record_initial_topology(&self.proxy).await;
        }
        self.follow_configured_addresses().await?;
        let Some(job) = next else {
            self.prune_finished_operations().await?;
            return self.rehydrate_recovered().await;
        };
        let now = wall_clock_ms();
        let held_by_other = job
            .live_claim(now)
            .is_some_and(|claim| claim.holder != self.holder);
        if job.state == miroir_meta::JobState::Paused || held_by_other {
            return Ok(());
        }
        self.claim(&job.id).await?;
        let operation: TopologyOperation = serde_json::from_str(&job.payload)
            .map_err(|error| RebalanceError::Internal(format!("job {}: {error}", job.id)))?;
        tracing::info!(job = %job.id, operation = %operation.describe(), "running topology operation");
        let run = OperationRun::new(
            &self.proxy,
            job.id.clone(),
            self.holder.clone(),
            operation,
            self.limits,
            OperationProgress::of(&job),
        );
        tokio::select! {
            outcome = run.run() => outcome,
            lost = self.keep_claim(&job) => Err(lost),
        }
    }

    /// Keeps every recorded node that this peer's configuration lists at the configured
    /// address (hosts and ports are deployment details; ids are the routing identity).
    async fn follow_configured_addresses(&self) -> Result<(), RebalanceError> {
        let configured = self.proxy.configured_nodes();
        let moved: Vec<TopologyCommand> = self
            .proxy
            .peer()
            .read(|state| {
                let Some(layout) = state.topology().layout() else {
                    return Vec::new();
                };
                configured
                    .iter()
                    .filter(|spec| {
                        layout.node(&spec.id).is_some_and(|node| {
                            node.state != NodeState::Removed && node.address != spec.address
                        })
                    })
                    .map(|spec| TopologyCommand::SetNodeAddress {
                        node: spec.id.clone(),
                        address: spec.address.clone(),
                    })
                    .collect()
            })
            .await;
        for command in moved {
            tracing::info!(command = %CommandV1::Topology(command.clone()), "node address follows the configuration");
            match self
                .proxy
                .peer()
                .apply(miroir_meta::Command::V1(CommandV1::Topology(command)))
                .await
            {
                Ok(Response::Rejected(rejection)) => {
                    tracing::warn!(%rejection, "cannot update a node address")
                }
                Ok(_) => {}
                Err(error) => return Err(RebalanceError::Metadata(error.to_string())),
            }
        }
        Ok(())
    }

    /// Forgets finished topology operations beyond the [`KEPT_OPERATIONS`] most recent.
    async fn prune_finished_operations(&self) -> Result<(), RebalanceError> {
        let prunable = self
            .proxy
            .peer()
            .read(|state| prunable_operations(state, KEPT_OPERATIONS))
            .await;
        for id in prunable {
            let command = CommandV1::Job(JobCommand::Delete { id: id.clone() });
            match self
                .proxy
                .peer()
                .apply(miroir_meta::Command::V1(command))
                .await
            {
                Ok(Response::Rejected(rejection)) => {
                    tracing::warn!(job = %id, %rejection, "cannot forget a finished operation")
                }
                Ok(_) => {}
                Err(error) => return Err(RebalanceError::Metadata(error.to_string())),
            }
        }
        Ok(())
    }

    /// Submits the re-hydration of one node this peer saw recover (the others wait for the
    /// next passes: one operation runs at a time).
    async fn rehydrate_recovered(&self) -> Result<(), RebalanceError> {
        let next = {
            let mut recovered = match self.recovered.lock() {
                Ok(recovered) => recovered,
                Err(poisoned) => poisoned.into_inner(),
            };
            recovered.extend(self.proxy.take_recovered());
            recovered.pop_first()
        };
        let Some(node) = next else {
            return Ok(());
        };
        let operation = TopologyOperation::RehydrateNode { node: node.clone() };
        match submit(&self.proxy, &operation, false).await {
            Ok(id) => {
                tracing::info!(%node, operation_id = %id, "node recovered: re-hydration submitted");
                Ok(())
            }
            Err(SubmitError::Refused(Refusal::Invalid(reason))) => {
                tracing::info!(%node, %reason, "recovered node needs no re-hydration");
                Ok(())
            }
            Err(error) => {
                if let Ok(mut recovered) = self.recovered.lock() {
                    recovered.insert(node);
                }
                Err(RebalanceError::Metadata(error.to_string()))
            }
        }
    }

    async fn claim(&self, job_id: &str) -> Result<(), RebalanceError> {
        let command = CommandV1::Job(JobCommand::Claim {
            id: job_id.to_owned(),
            holder: self.holder.clone(),
            ttl_ms: u64::try_from(CLAIM_TTL.as_millis()).unwrap_or(u64::MAX),
        });
        match self
            .proxy
            .peer()
            .apply(miroir_meta::Command::V1(command))
            .await
        {
            Ok(Response::JobClaimed { .. }) => Ok(()),
            Ok(other) => Err(RebalanceError::Rejected {
                command: format!("claim_job {job_id}"),
                rejection: format!("{other:?}"),
            }),
            Err(error) => Err(RebalanceError::Metadata(error.to_string())),
        }
    }

    /// Renews the claim of `job` while this peer leads; returns why it stopped.
    async fn keep_claim(&self, job: &JobRecord) -> RebalanceError {
        loop {
            tokio::time::sleep(CLAIM_TTL / 4).await;
            if !self.proxy.peer().is_leader() {
                return RebalanceError::LostClaim(job.id.clone());
            }
            if let Err(error) = self.claim(&job.id).await {
                tracing::warn!(%error, job = %job.id, "cannot renew the job claim");
                return RebalanceError::LostClaim(job.id.clone());
            }
        }
    }
}

/// Records the configured topology as the cluster's (once, on a fresh cluster; a no-op after).
async fn record_initial_topology(proxy: &Proxy) -> Result<(), RebalanceError> {
    let command = CommandV1::Topology(proxy.initial_topology());
    match proxy.peer().apply(miroir_meta::Command::V1(command)).await {
        Ok(Response::TopologyChanged { version }) => {
            tracing::info!(version, "recorded the configured topology");
            Ok(())
        }
        Ok(Response::Rejected(miroir_meta::Rejection::TopologyAlreadyInitialized)) => Ok(()),
        Ok(other) => Err(RebalanceError::Rejected {
            command: "init_topology".into(),
            rejection: format!("{other:?}"),
        }),
        Err(error) => Err(RebalanceError::Metadata(error.to_string())),
    }
}

/// Submits `operation` as a new topology job after checking it against the current state;
/// returns the job id. A cluster that has not recorded its topology yet records it first.
pub async fn submit(
    proxy: &Proxy,
    operation: &TopologyOperation,
    force: bool,
) -> Result<String, SubmitError> {
    let recorded = proxy
        .peer()
        .read(|state| state.topology().layout().is_some())
        .await;
    if !recorded {
        record_initial_topology(proxy)
            .await
            .map_err(|error| SubmitError::Metadata(error.to_string()))?;
    }
    proxy
        .peer()
        .linearizable_read(|state| check(state, operation, force))
        .await
        .map_err(|error| SubmitError::Metadata(error.to_string()))??;
    let id = format!("op-{}-{}", wall_clock_ms(), proxy.peer().id());
    let payload = serde_json::to_string(operation)
        .map_err(|error| SubmitError::Metadata(error.to_string()))?;
    let command = CommandV1::Job(JobCommand::Create {
        id: id.clone(),
        kind: JOB_KIND.to_owned(),
        payload,
    });
    match proxy.peer().apply(miroir_meta::Command::V1(command)).await {
        Ok(Response::Rejected(rejection)) => Err(SubmitError::Metadata(rejection.to_string())),
        Ok(_) => Ok(id),
        Err(error) => Err(SubmitError::Metadata(error.to_string())),
    }
}

/// Why an operation was not submitted.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// A check refused it; nothing changed.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The metadata could not be read or written.
    #[error("{0}")]
    Metadata(String),
}
