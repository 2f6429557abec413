//! Task cancelation (`POST /tasks/cancel`) and deletion (`DELETE /tasks`) over Miroir tasks.
//!
//! ```text
//!   filter ─► matching Miroir tasks (Raft registry, unfinished ones refreshed first)
//!         ─► their node task uids, grouped by node (pure: node_task_uids)
//!         ─► one `?uids=…` request per node that has any
//!         ─► one Miroir task (taskCancelation | taskDeletion) over those node tasks
//! ```
//!
//! Counts are logical: `matchedTasks` counts Miroir tasks. A deletion removes the finished
//! matched records from Raft at once (`deletedTasks` is known then and shown once the task
//! finished). A cancelation marks the unfinished matched tasks with its uid (`canceledBy`);
//! `canceledTasks` is counted when the cancelation task finishes. A task Miroir has nothing to
//! send to any node for finishes at once.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use miroir_core::topology::NodeId;
use miroir_meta::{CommandV1, Response, TaskCommand, TaskQuery, TaskRecord, TaskStatus};
use serde_json::{json, Value};

use super::broadcast::{accepted_tasks, Broadcast};
use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

/// Meilisearch's type of a cancelation task.
pub(super) const TASK_CANCELATION: &str = "taskCancelation";
/// Meilisearch's type of a deletion task.
const TASK_DELETION: &str = "taskDeletion";

impl Proxy {
    /// `POST /tasks/cancel?…` with a parsed filter; `query_string` is the raw query (for
    /// `originalFilter`).
    pub async fn cancel_tasks(
        &self,
        filter: TaskQuery,
        query_string: &str,
    ) -> Result<Reply, ProxyError> {
        let matched = self.matching_tasks(&filter).await?;
        let targets: Vec<&TaskRecord> = matched
            .iter()
            .filter(|task| !task.status.is_terminal() && !is_task_action(&task.task_type))
            .collect();
        let node_tasks = self
            .send_bulk_action(Method::POST, "/tasks/cancel", &targets)
            .await?;
        let details = json!({
            "matchedTasks": matched.len(),
            "canceledTasks": null,
            "originalFilter": format!("?{query_string}"),
        });
        let nothing_sent = node_tasks.is_empty();
        let reply = self
            .enqueue_task(None, TASK_CANCELATION, details.clone(), node_tasks)
            .await?;
        let uid = summary_task_uid(&reply)?;
        self.apply(CommandV1::Task(TaskCommand::SetCanceledBy {
            uids: targets.iter().map(|task| task.uid).collect(),
            canceled_by: uid,
        }))
        .await?;
        if nothing_sent {
            let mut finished = details;
            finished["canceledTasks"] = Value::from(0);
            self.finish_at_once(uid, finished).await?;
        }
        Ok(Reply::with_status(StatusCode::OK, reply.body))
    }

    /// `DELETE /tasks?…` with a parsed filter; `query_string` is the raw query.
    pub async fn delete_tasks(
        &self,
        filter: TaskQuery,
        query_string: &str,
    ) -> Result<Reply, ProxyError> {
        let matched = self.matching_tasks(&filter).await?;
        let finished: Vec<&TaskRecord> = matched
            .iter()
            .filter(|task| task.status.is_terminal())
            .collect();
        let node_tasks = self
            .send_bulk_action(Method::DELETE, "/tasks", &finished)
            .await?;
        let response = self
            .apply(CommandV1::Task(TaskCommand::Delete {
                uids: finished.iter().map(|task| task.uid).collect(),
            }))
            .await?;
        let Response::TasksDeleted { deleted } = response else {
            return Err(ProxyError::Internal(format!(
                "task deletion answered {response:?}"
            )));
        };
        let details = json!({
            "matchedTasks": matched.len(),
            "deletedTasks": deleted,
            "originalFilter": format!("?{query_string}"),
        });
        let nothing_sent = node_tasks.is_empty();
        let reply = self
            .enqueue_task(None, TASK_DELETION, details.clone(), node_tasks)
            .await?;
        if nothing_sent {
            self.finish_at_once(summary_task_uid(&reply)?, details)
                .await?;
        }
        Ok(Reply::with_status(StatusCode::OK, reply.body))
    }

    /// The final `details` of a cancelation task that just finished: `canceledTasks` counts
    /// the tasks it marked that ended canceled (each refreshed first). `None` for other tasks.
    pub(super) async fn cancelation_final_details(
        &self,
        record: &TaskRecord,
    ) -> Result<Option<String>, ProxyError> {
        if record.task_type != TASK_CANCELATION {
            return Ok(None);
        }
        let marked: Vec<TaskRecord> = self
            .peer
            .read(|state| {
                let query = TaskQuery {
                    limit: usize::MAX,
                    ..TaskQuery::default()
                };
                state
                    .tasks(&query)
                    .results
                    .into_iter()
                    .filter(|task| task.canceled_by == Some(record.uid))
                    .cloned()
                    .collect()
            })
            .await;
        let mut canceled: u64 = 0;
        for task in marked {
            let task = Box::pin(self.refresh(task)).await?;
            if task.status == TaskStatus::Canceled {
                canceled += 1;
            }
        }
        let mut details: Value = record
            .details_json
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_else(|| json!({}));
        details["canceledTasks"] = Value::from(canceled);
        Ok(Some(details.to_string()))
    }

    /// Every task matching `filter`, unfinished ones refreshed first so status filters see
    /// current statuses. The first read is linearizable: a task another peer handed out a
    /// moment ago is matched.
    async fn matching_tasks(&self, filter: &TaskQuery) -> Result<Vec<TaskRecord>, ProxyError> {
        let unfinished: Vec<TaskRecord> = self
            .peer
            .linearizable_read(|state| {
                let every_unfinished = TaskQuery {
                    limit: usize::MAX,
                    statuses: vec![TaskStatus::Enqueued, TaskStatus::Processing],
                    ..TaskQuery::default()
                };
                state
                    .tasks(&every_unfinished)
                    .results
                    .into_iter()
                    .cloned()
                    .collect()
            })
            .await?;
        for record in unfinished {
            self.refresh(record).await?;
        }
        Ok(self
            .peer
            .read(|state| state.tasks(filter).results.into_iter().cloned().collect())
            .await)
    }

    /// Sends `path?uids=<node task uids>` to every node holding a node task of `tasks`; the
    /// node task uids of the accepted requests. A node's refusal is relayed; an unreachable
    /// node fails the request (503) — the other nodes have already acted.
    async fn send_bulk_action(
        &self,
        method: Method,
        path: &str,
        tasks: &[&TaskRecord],
    ) -> Result<BTreeMap<NodeId, u64>, ProxyError> {
        let requests: Vec<(NodeId, NodeRequest)> = node_task_uids(tasks)
            .into_iter()
            .map(|(node, uids)| {
                let request = NodeRequest::new(method.clone(), format!("{path}?uids={uids}"));
                (node, request)
            })
            .collect();
        if requests.is_empty() {
            return Ok(BTreeMap::new());
        }
        match accepted_tasks(self.send_each(requests).await) {
            Ok(accepted) => Ok(accepted),
            Err(Broadcast::Refused(error)) => Err(error),
            Err(Broadcast::Unreachable { node, source, .. }) => {
                Err(ProxyError::Node { node, source })
            }
        }
    }

    /// Records a task with no node share as succeeded with `details`.
    async fn finish_at_once(&self, uid: u64, details: Value) -> Result<(), ProxyError> {
        self.apply(CommandV1::Task(TaskCommand::UpdateStatus {
            uid,
            status: TaskStatus::Succeeded,
            details_json: Some(details.to_string()),
            error_json: None,
        }))
        .await?;
        Ok(())
    }
}

/// Whether a task type is a cancelation or deletion (never canceled themselves).
fn is_task_action(task_type: &str) -> bool {
    task_type == TASK_CANCELATION || task_type == TASK_DELETION
}

/// The `taskUid` of a 202 summary.
fn summary_task_uid(reply: &Reply) -> Result<u64, ProxyError> {
    reply
        .body
        .get("taskUid")
        .and_then(Value::as_u64)
        .ok_or_else(|| ProxyError::Internal("task summary without taskUid".into()))
}

/// The node task uids of `tasks`, by node, as the comma-separated `uids` value of one request
/// per node (ascending, without duplicates).
fn node_task_uids(tasks: &[&TaskRecord]) -> BTreeMap<NodeId, String> {
    let mut by_node: BTreeMap<NodeId, std::collections::BTreeSet<u64>> = BTreeMap::new();
    for task in tasks {
        for (node, node_task) in &task.node_tasks {
            by_node
                .entry(node.clone())
                .or_default()
                .insert(node_task.task_uid);
        }
    }
    by_node
        .into_iter()
        .map(|(node, uids)| {
            let list: Vec<String> = uids.iter().map(u64::to_string).collect();
            (node, list.join(","))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use miroir_meta::NodeTask;

    use super::*;

    fn record(uid: u64, node_tasks: &[(&str, u64)]) -> TaskRecord {
        TaskRecord {
            uid,
            index_uid: None,
            task_type: "documentAdditionOrUpdate".into(),
            status: TaskStatus::Enqueued,
            details_json: None,
            error_json: None,
            node_tasks: node_tasks
                .iter()
                .map(|(node, task_uid)| {
                    let node_task = NodeTask {
                        task_uid: *task_uid,
                        status: TaskStatus::Enqueued,
                        error_json: None,
                    };
                    (NodeId::new(*node), node_task)
                })
                .collect(),
            enqueued_at_ms: 0,
            started_at_ms: None,
            finished_at_ms: None,
            canceled_by: None,
        }
    }

    #[test]
    fn node_task_uids_are_grouped_by_node_sorted_and_deduplicated() {
        let first = record(1, &[("a", 7), ("b", 3)]);
        let second = record(2, &[("a", 5), ("c", 9)]);
        let same_node_task = record(3, &[("a", 7)]);
        let grouped = node_task_uids(&[&first, &second, &same_node_task]);
        let expected: BTreeMap<NodeId, String> = [("a", "5,7"), ("b", "3"), ("c", "9")]
            .into_iter()
            .map(|(node, uids)| (NodeId::new(node), uids.to_owned()))
            .collect();
        assert_eq!(grouped, expected);
        assert!(node_task_uids(&[]).is_empty());
    }

    #[test]
    fn cancelations_and_deletions_are_task_actions() {
        assert!(is_task_action("taskCancelation"));
        assert!(is_task_action("taskDeletion"));
        assert!(!is_task_action("indexSwap"));
    }
}
