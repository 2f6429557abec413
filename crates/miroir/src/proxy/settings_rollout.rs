//! The two-phase settings rollout (§13.5), phase 1: propose. The client's change is sent to
//! every data node at once and Meilisearch's enqueued-task answer returned; the rest runs in
//! the background on this peer (`settings_runner`), driving the Miroir task.
//!
//! ```text
//!   request ─► mark index inconsistent ─► read previous settings (every node)
//!           ─► send the steps to every node ─► every reachable node refused? relay its error
//!           ─► no node reachable? 503        ─► else enqueue the Miroir task, answer 202,
//!                                               spawn: wait ─► verify ─► repair ─► commit | restore
//! ```
//!
//! A node that is unreachable at propose time does not fail the request: the rollout repairs
//! it, or gives up and restores the others. The Miroir task has no node tasks recorded: its
//! status is written by the rollout, never derived from node tasks.
//!
//! With `settings_broadcast.strategy: sequential` the change is only broadcast (the former
//! one-phase behaviour): the task follows the node tasks, nothing is verified or versioned.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use miroir_core::config::SettingsBroadcastStrategy;
use miroir_core::topology::NodeId;
use serde_json::Value;

use super::nodes::node_error;
use super::settings_node_io::StepFailure;
use super::settings_runner::Rollout;
use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

/// Meilisearch's task type of every settings change.
const SETTINGS_TASK_TYPE: &str = "settingsUpdate";

/// One client settings change: the node requests each node takes in order, and the task
/// `details` the client sees.
pub(super) struct SettingsChange {
    /// Node requests, in order (a reset is followed by making `_miroir_shard` filterable).
    pub steps: Vec<NodeRequest>,
    /// The task `details`.
    pub details: Value,
}

impl Proxy {
    /// Proposes `change` to every node, records its task and starts the rollout.
    pub(super) async fn change_settings(
        self: &Arc<Self>,
        index_uid: &str,
        change: SettingsChange,
    ) -> Result<Reply, ProxyError> {
        let nodes = self.fleet().live_nodes();
        if self.settings_rollouts.config().strategy == SettingsBroadcastStrategy::Sequential {
            return self
                .change_settings_in_one_phase(index_uid, change, &nodes)
                .await;
        }
        let guard = self.settings_rollouts.begin(index_uid);
        let previous: BTreeMap<NodeId, Value> = self
            .read_node_settings(index_uid, &nodes)
            .await
            .into_iter()
            .filter_map(|(node, read)| Some((node, read.ok()?)))
            .collect();
        let outcomes = self.send_settings_steps(&nodes, &change.steps).await;

        let mut pending = BTreeMap::new();
        let mut send_faults = BTreeMap::new();
        let mut touched = BTreeSet::new();
        let mut first_refusal = None;
        let mut first_unreachable = None;
        for (node, outcome) in outcomes {
            if !outcome.accepted.is_empty() {
                touched.insert(node.clone());
            }
            if let Some(failure) = outcome.failure {
                send_faults.insert(node.clone(), failure.fault());
                match failure {
                    StepFailure::Refused(response) => {
                        first_refusal.get_or_insert(response);
                    }
                    StepFailure::Unreachable(error) => {
                        first_unreachable.get_or_insert((node.clone(), error));
                    }
                }
            }
            pending.insert(node, outcome.accepted);
        }
        if touched.is_empty() {
            // Nothing was applied anywhere: answer as one node would.
            if let Some(refusal) = first_refusal {
                return Err(node_error(&refusal));
            }
            if let Some((node, source)) = first_unreachable {
                return Err(ProxyError::Node { node, source });
            }
            return Err(ProxyError::Internal(
                "the topology has no data nodes".into(),
            ));
        }

        let enqueued = self
            .enqueue_task(
                Some(index_uid.to_owned()),
                SETTINGS_TASK_TYPE,
                change.details,
                BTreeMap::new(),
            )
            .await;
        let reply = match enqueued {
            Ok(reply) => reply,
            Err(error) => {
                // The nodes took a change the cluster has no task for: put the old one back.
                tracing::error!(index_uid, %error, "settings task not recorded; restoring the previous settings");
                let proxy = Arc::clone(self);
                let index_uid = index_uid.to_owned();
                tokio::spawn(async move {
                    let _guard = guard;
                    let targets = touched.into_iter().collect();
                    proxy
                        .restore_previous_settings(&index_uid, &previous, targets)
                        .await;
                });
                return Err(error);
            }
        };
        let task_uid = reply
            .body
            .get("taskUid")
            .and_then(Value::as_u64)
            .ok_or_else(|| ProxyError::Internal("enqueued task without taskUid".into()))?;
        let rollout = Rollout {
            index_uid: index_uid.to_owned(),
            task_uid,
            steps: change.steps,
            nodes,
            previous,
            pending,
            send_faults,
            touched,
            guard,
        };
        tokio::spawn(Arc::clone(self).run_settings_rollout(rollout));
        Ok(reply)
    }

    /// The `sequential` strategy: the first step's node tasks make the Miroir task, later
    /// steps follow on every node without being tracked.
    async fn change_settings_in_one_phase(
        &self,
        index_uid: &str,
        change: SettingsChange,
        nodes: &[NodeId],
    ) -> Result<Reply, ProxyError> {
        let mut node_tasks = BTreeMap::new();
        for (node, outcome) in self.send_settings_steps(nodes, &change.steps).await {
            match (outcome.accepted.first(), outcome.failure) {
                (_, Some(StepFailure::Refused(response))) => return Err(node_error(&response)),
                (_, Some(StepFailure::Unreachable(source))) => {
                    return Err(ProxyError::Node { node, source })
                }
                (Some(&task_uid), None) => {
                    node_tasks.insert(node, task_uid);
                }
                (None, None) => {}
            }
        }
        self.enqueue_task(
            Some(index_uid.to_owned()),
            SETTINGS_TASK_TYPE,
            change.details,
            node_tasks,
        )
        .await
    }
}
