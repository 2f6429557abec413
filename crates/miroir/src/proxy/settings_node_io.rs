//! The node I/O of a settings rollout: send the change's steps to nodes, wait for the node
//! tasks they created, read each node's settings back. Every function talks to the nodes in
//! parallel and reports per node.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::Method;
use futures::future::join_all;
use miroir_core::settings_broadcast::NodeFault;
use miroir_core::topology::NodeId;
use miroir_meta::{NodeTask, TaskStatus};
use serde_json::Value;
use tokio::time::Instant;

use super::nodes::node_task_uid;
use super::Proxy;
use crate::nodes::{NodeError, NodeRequest, NodeResponse};

/// First pause between two polls of a node task; it doubles up to [`MAX_POLL_INTERVAL`].
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Longest pause between two polls of a node task.
const MAX_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What one node did with the steps of a settings change.
pub(super) struct StepsOutcome {
    /// Task uids of the steps the node accepted, in step order.
    pub accepted: Vec<u64>,
    /// Why the node did not accept every step.
    pub failure: Option<StepFailure>,
}

/// Why a node did not accept a step.
pub(super) enum StepFailure {
    /// The node answered with an error status (a Meilisearch refusal, relayed as is).
    Refused(NodeResponse),
    /// The node could not be reached, or its answer had no task uid.
    Unreachable(NodeError),
}

impl StepFailure {
    /// The failure as a node fault.
    pub fn fault(&self) -> NodeFault {
        match self {
            StepFailure::Refused(response) => NodeFault::Refused {
                status: response.status.as_u16(),
                message: error_message(response),
            },
            StepFailure::Unreachable(error) => NodeFault::Unreachable(error.to_string()),
        }
    }
}

/// Node tasks that did not succeed.
#[derive(Default)]
pub(super) struct AwaitedTasks {
    /// Every node whose tasks did not all succeed, with why.
    pub faults: BTreeMap<NodeId, NodeFault>,
    /// The failed node tasks with the node's error (for a change every node refused).
    pub failed: BTreeMap<NodeId, NodeTask>,
}

impl Proxy {
    /// Sends `steps` in order to each of `nodes` (nodes in parallel), stopping at a node's
    /// first failure.
    pub(super) async fn send_settings_steps(
        &self,
        nodes: &[NodeId],
        steps: &[NodeRequest],
    ) -> BTreeMap<NodeId, StepsOutcome> {
        let sends = nodes.iter().map(|node| async move {
            let mut outcome = StepsOutcome {
                accepted: Vec::new(),
                failure: None,
            };
            for step in steps {
                let failure = match self.send(node, step).await {
                    Ok(response) if response.status.is_success() => {
                        match node_task_uid(&response) {
                            Ok(task_uid) => {
                                outcome.accepted.push(task_uid);
                                continue;
                            }
                            Err(error) => StepFailure::Unreachable(error),
                        }
                    }
                    Ok(response) => StepFailure::Refused(response),
                    Err(error) => StepFailure::Unreachable(error),
                };
                outcome.failure = Some(failure);
                break;
            }
            (node.clone(), outcome)
        });
        join_all(sends).await.into_iter().collect()
    }

    /// Waits until every task of `pending` finished or `deadline` passed.
    pub(super) async fn await_node_tasks(
        &self,
        pending: &BTreeMap<NodeId, Vec<u64>>,
        deadline: Instant,
    ) -> AwaitedTasks {
        let waits = pending.iter().map(|(node, task_uids)| async move {
            for &task_uid in task_uids {
                if let Err(failure) = self.await_node_task(node, task_uid, deadline).await {
                    return Some((node.clone(), failure));
                }
            }
            None
        });
        let mut awaited = AwaitedTasks::default();
        for (node, (fault, failed)) in join_all(waits).await.into_iter().flatten() {
            if let Some(failed) = failed {
                awaited.failed.insert(node.clone(), failed);
            }
            awaited.faults.insert(node, fault);
        }
        awaited
    }

    /// Polls one node task until it succeeded (`Ok`), failed, became unreachable or outlived
    /// `deadline`.
    pub(crate) async fn await_node_task(
        &self,
        node: &NodeId,
        task_uid: u64,
        deadline: Instant,
    ) -> Result<(), (NodeFault, Option<NodeTask>)> {
        let request = NodeRequest::new(Method::GET, format!("/tasks/{task_uid}"));
        let mut interval = FIRST_POLL_INTERVAL;
        loop {
            let observed = match self.send(node, &request).await {
                Ok(response) if response.status.is_success() => response.json(),
                Ok(response) => {
                    let fault = NodeFault::Refused {
                        status: response.status.as_u16(),
                        message: error_message(&response),
                    };
                    return Err((fault, None));
                }
                Err(error) => Err(error),
            };
            let observed =
                observed.map_err(|error| (NodeFault::Unreachable(error.to_string()), None))?;
            match observed.get("status").and_then(Value::as_str) {
                Some("succeeded") => return Ok(()),
                Some(status @ ("failed" | "canceled")) => {
                    let error = observed.get("error").filter(|error| !error.is_null());
                    let message = error
                        .and_then(|error| error.get("message"))
                        .and_then(Value::as_str)
                        .unwrap_or(status)
                        .to_owned();
                    let failed = NodeTask {
                        task_uid,
                        status: TaskStatus::Failed,
                        error_json: error.map(Value::to_string),
                    };
                    return Err((NodeFault::TaskFailed { task_uid, message }, Some(failed)));
                }
                _ => {}
            }
            if Instant::now() + interval > deadline {
                return Err((NodeFault::TaskUnfinished { task_uid }, None));
            }
            tokio::time::sleep(interval).await;
            interval = (interval * 2).min(MAX_POLL_INTERVAL);
        }
    }

    /// `GET /indexes/{uid}/settings` from each of `nodes`, as the nodes report them
    /// (`_miroir_shard` included).
    pub(super) async fn read_node_settings(
        &self,
        index_uid: &str,
        nodes: &[NodeId],
    ) -> BTreeMap<NodeId, Result<Value, NodeFault>> {
        let request = NodeRequest::new(Method::GET, format!("/indexes/{index_uid}/settings"));
        let asks = nodes
            .iter()
            .map(|node| (node.clone(), request.clone()))
            .collect();
        self.send_each(asks)
            .await
            .into_iter()
            .map(|(node, outcome)| {
                let read_back = match outcome {
                    Ok(response) if response.status.is_success() => response
                        .json()
                        .map_err(|error| NodeFault::Unreachable(error.to_string())),
                    Ok(response) => Err(NodeFault::Refused {
                        status: response.status.as_u16(),
                        message: error_message(&response),
                    }),
                    Err(error) => Err(NodeFault::Unreachable(error.to_string())),
                };
                (node, read_back)
            })
            .collect()
    }
}

/// The `message` of a node's error body, or its status when the body is not an error.
fn error_message(response: &NodeResponse) -> String {
    response
        .json()
        .ok()
        .and_then(|body| {
            body.get("message")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| response.status.to_string())
}
