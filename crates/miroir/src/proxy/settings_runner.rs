//! The two-phase settings rollout (§13.5) after the propose: wait for the node tasks, verify
//! every node's settings against the reference, repair diverging nodes with exponential
//! backoff, then commit a new settings version — or, when nodes still diverge, restore the
//! previous settings and fail the task with `miroir_settings_divergence`.
//!
//! The decisions (reference, divergence, backoff, message) are the pure functions of
//! `miroir_core::settings_broadcast`; this module runs them against the nodes and Raft.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use miroir_core::error::{ErrorBody, ErrorCode};
use miroir_core::settings_broadcast::{
    choose_expected, divergence_message, diverging_nodes, rejected_everywhere, repair_delay,
    restore_summary, settings_digest, NodeFault,
};
use miroir_core::topology::NodeId;
use miroir_meta::{
    CommandV1, IndexCommand, Response, SettingsVersionCommand, TaskCommand, TaskStatus,
};
use miroir_raft_store::peer::PeerError;
use serde_json::Value;
use tokio::time::Instant;

use super::settings_marker::RolloutGuard;
use super::{Proxy, ProxyError};
use crate::nodes::NodeRequest;

/// A settings change proposed to the nodes, on its way to commit or restore.
pub(super) struct Rollout {
    /// The index.
    pub index_uid: String,
    /// The Miroir task the rollout drives.
    pub task_uid: u64,
    /// The change's node requests (re-sent to diverging nodes).
    pub steps: Vec<NodeRequest>,
    /// Every data node.
    pub nodes: Vec<NodeId>,
    /// Each node's settings before the change (nodes that could be read).
    pub previous: BTreeMap<NodeId, Value>,
    /// Node tasks to wait for before the next verify.
    pub pending: BTreeMap<NodeId, Vec<u64>>,
    /// Nodes the last send could not reach or that refused it.
    pub send_faults: BTreeMap<NodeId, NodeFault>,
    /// Nodes that accepted at least one step: the only ones that may hold the new settings.
    pub touched: BTreeSet<NodeId>,
    /// Keeps the index marked inconsistent on this peer until the rollout ends.
    pub guard: RolloutGuard,
}

/// How a rollout that did not commit ends.
enum Failure {
    /// Nodes still diverge once the repair attempts are spent.
    Diverged {
        /// Repair attempts made.
        repairs: u32,
        /// The diverging nodes of the last verify.
        diverging: BTreeMap<NodeId, NodeFault>,
        /// Nodes that may hold the new settings.
        restore: Vec<NodeId>,
    },
    /// Every node's Meilisearch refused the change: nothing was applied.
    Refused(ErrorBody),
    /// Every node verified, but the settings version could not be committed.
    Uncommitted {
        /// Why.
        error: ProxyError,
        /// Nodes that may hold the new settings.
        restore: Vec<NodeId>,
    },
}

impl Proxy {
    /// Runs the rollout to its end and records the task's final status.
    pub(super) async fn run_settings_rollout(self: Arc<Self>, mut rollout: Rollout) {
        self.record_task_status(rollout.task_uid, TaskStatus::Processing, None)
            .await;
        let outcome = match self.verify_and_repair(&mut rollout).await {
            Ok(()) => self
                .commit_settings_version(&rollout)
                .await
                .map_err(|error| Failure::Uncommitted {
                    error,
                    restore: rollout.touched.iter().cloned().collect(),
                }),
            Err(failure) => Err(failure),
        };
        let error = match outcome {
            Ok(()) => None,
            Err(failure) => Some(self.fail_rollout(&rollout, failure).await),
        };
        let Rollout {
            task_uid, guard, ..
        } = rollout;
        drop(guard);
        let status = match error {
            None => TaskStatus::Succeeded,
            Some(_) => TaskStatus::Failed,
        };
        let error = error.map(|error| serde_json::to_value(&error).unwrap_or(Value::Null));
        self.record_task_status(task_uid, status, error).await;
    }

    /// Restores what needs restoring and returns the task's error.
    async fn fail_rollout(&self, rollout: &Rollout, failure: Failure) -> ErrorBody {
        let index_uid = &rollout.index_uid;
        let error = match failure {
            Failure::Refused(error) => error,
            Failure::Diverged {
                repairs,
                diverging,
                restore,
            } => {
                let restored = self
                    .restore_previous_settings(index_uid, &rollout.previous, restore)
                    .await;
                ErrorBody::new(
                    ErrorCode::MiroirSettingsDivergence,
                    divergence_message(index_uid, repairs, &diverging, &restored),
                )
            }
            Failure::Uncommitted { error, restore } => {
                let restored = self
                    .restore_previous_settings(index_uid, &rollout.previous, restore)
                    .await;
                ErrorBody::new(
                    ErrorCode::MiroirSettingsDivergence,
                    format!(
                        "Settings of index `{index_uid}` were verified on every node but the settings version could not be committed ({error}).{}",
                        restore_summary(&restored)
                    ),
                )
            }
        };
        tracing::error!(%index_uid, task_uid = rollout.task_uid, message = %error.message, "settings rollout failed");
        error
    }

    /// Verify rounds until every node holds the reference settings (`Ok`), every node refused
    /// the change, or the repair attempts are spent.
    async fn verify_and_repair(&self, rollout: &mut Rollout) -> Result<(), Failure> {
        let config = self.settings_rollouts.config().clone();
        let verify_timeout = Duration::from_secs(config.verify_timeout_s);
        let backoff_base = Duration::from_millis(config.repair_backoff_ms);
        let mut expected = None;
        let mut repairs = 0;
        loop {
            let deadline = Instant::now() + verify_timeout;
            let awaited = self.await_node_tasks(&rollout.pending, deadline).await;
            let mut task_faults = std::mem::take(&mut rollout.send_faults);
            task_faults.extend(awaited.faults);
            let read_backs = self
                .read_node_settings(&rollout.index_uid, &rollout.nodes)
                .await;
            if expected.is_none() {
                expected = choose_expected(&read_backs, &task_faults);
            }
            let diverging = diverging_nodes(expected.as_ref(), &read_backs, &task_faults);
            if diverging.is_empty() {
                return Ok(());
            }
            if expected.is_none() && rejected_everywhere(&diverging, rollout.nodes.len()) {
                // Every node's Meilisearch refused the change: its error is the task's.
                let error = miroir_meta::aggregate_error(&awaited.failed)
                    .and_then(|error| serde_json::from_value(error).ok())
                    .unwrap_or_else(|| {
                        ErrorBody::new(ErrorCode::Internal, "every node failed the settings change")
                    });
                return Err(Failure::Refused(error));
            }
            if repairs == config.max_repair_retries {
                let restore = rollout
                    .touched
                    .iter()
                    .filter(|node| {
                        let now = read_backs.get(*node).and_then(|read| read.as_ref().ok());
                        let before = rollout.previous.get(*node);
                        match (now, before) {
                            (Some(now), Some(before)) => {
                                settings_digest(now) != settings_digest(before)
                            }
                            _ => true,
                        }
                    })
                    .cloned()
                    .collect();
                return Err(Failure::Diverged {
                    repairs,
                    diverging,
                    restore,
                });
            }
            repairs += 1;
            let delay = repair_delay(backoff_base, repairs);
            tracing::warn!(
                index_uid = %rollout.index_uid,
                attempt = repairs,
                diverging = ?diverging.keys().collect::<Vec<_>>(),
                ?delay,
                "settings diverge across nodes; repairing"
            );
            tokio::time::sleep(delay).await;
            let targets: Vec<NodeId> = diverging.into_keys().collect();
            rollout.pending.clear();
            for (node, outcome) in self.send_settings_steps(&targets, &rollout.steps).await {
                if !outcome.accepted.is_empty() {
                    rollout.touched.insert(node.clone());
                }
                if let Some(failure) = outcome.failure {
                    rollout.send_faults.insert(node.clone(), failure.fault());
                }
                rollout.pending.insert(node, outcome.accepted);
            }
        }
    }

    /// Phase 3: increments the index's settings version, then records it as every node's
    /// verified version. An index missing from the registry (created around Miroir) has no
    /// version to increment; a node the replicated topology does not know is skipped.
    async fn commit_settings_version(&self, rollout: &Rollout) -> Result<(), ProxyError> {
        let index_uid = rollout.index_uid.clone();
        let bumped = self
            .apply_with_retries(|| {
                CommandV1::Index(IndexCommand::BumpSettingsVersion {
                    uid: index_uid.clone(),
                })
            })
            .await?;
        let version = match bumped {
            Response::SettingsVersion { version } => version,
            Response::Rejected(rejection) => {
                tracing::warn!(%index_uid, %rejection, "settings verified on every node, but the index has no settings version to commit");
                return Ok(());
            }
            other => {
                return Err(ProxyError::Internal(format!(
                    "settings version bump answered {other:?}"
                )))
            }
        };
        for node in &rollout.nodes {
            let recorded = self
                .apply_with_retries(|| {
                    CommandV1::SettingsVersion(SettingsVersionCommand::Set {
                        index_uid: index_uid.clone(),
                        node: node.clone(),
                        version,
                    })
                })
                .await?;
            if let Response::Rejected(rejection) = recorded {
                tracing::debug!(%index_uid, %node, %rejection, "node settings version not recorded");
            }
        }
        tracing::info!(%index_uid, version, "settings version committed");
        Ok(())
    }

    /// Records the task's status (and error), retrying while the metadata is unavailable.
    async fn record_task_status(&self, task_uid: u64, status: TaskStatus, error: Option<Value>) {
        let error_json = error.map(|error| error.to_string());
        let outcome = self
            .apply_with_retries(|| {
                CommandV1::Task(TaskCommand::UpdateStatus {
                    uid: task_uid,
                    status,
                    details_json: None,
                    error_json: error_json.clone(),
                })
            })
            .await;
        match outcome {
            Ok(Response::Rejected(rejection)) => {
                tracing::warn!(task_uid, %status, %rejection, "settings task status refused")
            }
            Ok(_) => {}
            Err(error) => {
                tracing::error!(task_uid, %status, %error, "settings task status not recorded")
            }
        }
    }

    /// Applies `command()`, retrying with the repair backoff while no leader can be reached
    /// (the write certainly did not happen). Any other failure — an unknown outcome above all,
    /// where a retry could apply the command twice — is returned; a state-machine refusal is
    /// returned as `Response::Rejected`.
    async fn apply_with_retries(
        &self,
        command: impl Fn() -> CommandV1,
    ) -> Result<Response, ProxyError> {
        let config = self.settings_rollouts.config();
        let base = Duration::from_millis(config.repair_backoff_ms);
        let mut retries = 0;
        loop {
            match self.peer.apply(miroir_meta::Command::V1(command())).await {
                Ok(response) => return Ok(response),
                Err(error @ PeerError::NoLeader { .. }) if retries < config.max_repair_retries => {
                    retries += 1;
                    tracing::warn!(%error, attempt = retries, "metadata leader unavailable; retrying");
                    tokio::time::sleep(repair_delay(base, retries)).await;
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
}
