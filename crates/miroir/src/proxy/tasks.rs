//! Logical tasks: one integer uid per client write, allocated through Raft and mapped to the
//! node tasks it fanned out to. Statuses are refreshed lazily: reading a task that is not
//! finished asks its nodes, and the first reader that sees every node task finished records the
//! final status once.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use miroir_core::topology::NodeId;
use miroir_meta::{
    enqueued_summary_json, task_json, task_list_json, CommandV1, NodeTask, Response, TaskCommand,
    TaskQuery, TaskRecord, TaskStatus,
};
use serde_json::Value;

use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

impl Proxy {
    /// Records a logical task over `node_tasks` and answers Meilisearch's 202 summary.
    pub(super) async fn enqueue_task(
        &self,
        index_uid: Option<String>,
        task_type: &str,
        details: Value,
        node_tasks: BTreeMap<NodeId, u64>,
    ) -> Result<Reply, ProxyError> {
        let response = self
            .apply(CommandV1::Task(TaskCommand::Enqueue {
                index_uid,
                task_type: task_type.to_owned(),
                details_json: Some(details.to_string()),
                node_tasks,
            }))
            .await?;
        let Response::TaskEnqueued { task_uid } = response else {
            return Err(ProxyError::Internal(format!(
                "task enqueue answered {response:?}"
            )));
        };
        let record = self.task_record(task_uid).await?.ok_or_else(|| {
            ProxyError::Internal(format!("task {task_uid} missing right after its enqueue"))
        })?;
        Ok(Reply::with_status(
            StatusCode::ACCEPTED,
            enqueued_summary_json(&record),
        ))
    }

    /// `GET /tasks/{uid}`: the task with its status refreshed from the nodes.
    pub async fn get_task(&self, uid: u64) -> Result<Option<Reply>, ProxyError> {
        let Some(record) = self.task_record(uid).await? else {
            return Ok(None);
        };
        let record = self.refresh(record).await?;
        Ok(Some(Reply::ok(task_json(&record))))
    }

    /// `GET /tasks`: a page of tasks (unfinished ones refreshed first). The first read is
    /// linearizable: a task another peer handed out a moment ago is listed.
    pub async fn list_tasks(&self, query: TaskQuery) -> Result<Reply, ProxyError> {
        self.refresh_unfinished(&query).await?;
        let body = self
            .peer
            .read(|state| task_list_json(&state.tasks(&query)))
            .await;
        Ok(Reply::ok(body))
    }

    /// Every task not finished yet, statuses refreshed from the nodes (the first read is
    /// linearizable); tasks that turn out finished are left out.
    pub async fn unfinished_tasks(&self) -> Result<Vec<TaskRecord>, ProxyError> {
        let query = TaskQuery {
            statuses: vec![TaskStatus::Enqueued, TaskStatus::Processing],
            limit: usize::MAX,
            ..TaskQuery::default()
        };
        let refreshed = self.refresh_unfinished(&query).await?;
        Ok(refreshed
            .into_iter()
            .filter(|record| !record.status.is_terminal())
            .collect())
    }

    /// Refreshes the unfinished tasks of the page `query` selects (read linearizably: a task
    /// another peer handed out a moment ago is included) and returns them as refreshed.
    async fn refresh_unfinished(&self, query: &TaskQuery) -> Result<Vec<TaskRecord>, ProxyError> {
        let unfinished: Vec<TaskRecord> = self
            .peer
            .linearizable_read(|state| {
                state
                    .tasks(query)
                    .results
                    .into_iter()
                    .filter(|task| !task.status.is_terminal())
                    .cloned()
                    .collect()
            })
            .await?;
        let mut refreshed = Vec::with_capacity(unfinished.len());
        for record in unfinished {
            refreshed.push(self.refresh(record).await?);
        }
        Ok(refreshed)
    }

    /// The task record: from the local replica, or — when this peer has not applied it yet —
    /// through a linearizable read (a uid handed out by another peer a moment ago).
    async fn task_record(&self, uid: u64) -> Result<Option<TaskRecord>, ProxyError> {
        if let Some(record) = self.peer.read(|state| state.task(uid).cloned()).await {
            return Ok(Some(record));
        }
        if uid >= self.peer.read(|state| state.next_task_uid()).await {
            return Ok(self
                .peer
                .linearizable_read(|state| state.task(uid).cloned())
                .await?);
        }
        Ok(None)
    }

    /// Asks the nodes about the unfinished node tasks of `record`; when all are finished,
    /// records the final status (once: a concurrent refresher's duplicate is refused by the
    /// state machine and ignored). A task without node tasks is driven by the peer running it
    /// (a settings rollout), which records its status itself.
    pub(super) async fn refresh(&self, record: TaskRecord) -> Result<TaskRecord, ProxyError> {
        if record.status.is_terminal() || record.node_tasks.is_empty() {
            return Ok(record);
        }
        // Every node task is asked (finished ones too): their details give the final counts.
        let asks: Vec<(NodeId, NodeRequest)> = record
            .node_tasks
            .iter()
            .map(|(node, task)| {
                (
                    node.clone(),
                    NodeRequest::new(Method::GET, format!("/tasks/{}", task.task_uid)),
                )
            })
            .collect();
        let mut node_tasks = record.node_tasks.clone();
        let mut deleted_on_nodes: u64 = 0;
        for (node, outcome) in self.send_each(asks).await {
            let observed = match outcome {
                Ok(response) if response.status.is_success() => response.json().ok(),
                Ok(_) | Err(_) => None,
            };
            let Some(observed) = observed else {
                // Unreachable node: the task stays as last seen; a later read asks again.
                continue;
            };
            deleted_on_nodes += observed
                .pointer("/details/deletedDocuments")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            if let Some(task) = node_tasks.get_mut(&node) {
                apply_node_observation(task, &observed);
            }
        }
        let status = miroir_meta::aggregate_status(&node_tasks);
        if status == record.status && node_tasks == record.node_tasks {
            return Ok(record);
        }
        for (node, task) in &node_tasks {
            if record.node_tasks.get(node) != Some(task) && task.status.is_terminal() {
                self.apply_ignoring_races(TaskCommand::UpdateNodeTask {
                    uid: record.uid,
                    node: node.clone(),
                    task_uid: task.task_uid,
                    status: task.status,
                    error_json: task.error_json.clone(),
                })
                .await?;
            }
        }
        if status != record.status {
            let error = miroir_meta::aggregate_error(&node_tasks);
            let cancelation_details = if status.is_terminal() {
                self.cancelation_final_details(&record).await?
            } else {
                None
            };
            let details_json = match cancelation_details {
                Some(details) => Some(details),
                None => finished_details(
                    &record,
                    status,
                    deleted_on_nodes / self.copies_per_document(),
                ),
            };
            self.apply_ignoring_races(TaskCommand::UpdateStatus {
                uid: record.uid,
                status,
                details_json,
                error_json: error.map(|error| error.to_string()),
            })
            .await?;
        }
        Ok(self.task_record(record.uid).await?.unwrap_or(record))
    }

    async fn apply_ignoring_races(&self, command: TaskCommand) -> Result<(), ProxyError> {
        let response = self
            .peer
            .apply(miroir_meta::Command::V1(CommandV1::Task(command)))
            .await?;
        if let Response::Rejected(rejection) = response {
            tracing::debug!(%rejection, "task update already recorded by another peer");
        }
        Ok(())
    }
}

/// Folds a node's `GET /tasks/{uid}` answer into what Miroir knows of that node task.
fn apply_node_observation(task: &mut NodeTask, observed: &Value) {
    let status = match observed.get("status").and_then(Value::as_str) {
        Some("enqueued") => TaskStatus::Enqueued,
        Some("processing") => TaskStatus::Processing,
        Some("succeeded") => TaskStatus::Succeeded,
        Some("failed") => TaskStatus::Failed,
        Some("canceled") => TaskStatus::Canceled,
        _ => return,
    };
    if task.status.can_transition_to(status) || task.status == status {
        task.status = status;
        task.error_json = observed
            .get("error")
            .filter(|error| !error.is_null())
            .map(Value::to_string);
    }
}

/// The client-facing details once finished: what the client sent, with the "done" counters
/// filled: `indexedDocuments` = received on success, `deletedDocuments` = the logical count
/// (`deleted`, the node counts divided by the copies of each document); 0 on failure.
fn finished_details(record: &TaskRecord, status: TaskStatus, deleted: u64) -> Option<String> {
    let mut details: Value = serde_json::from_str(record.details_json.as_deref()?).ok()?;
    if let Some(fields) = details.as_object_mut() {
        let received = fields.get("receivedDocuments").cloned();
        if let (Some(indexed), Some(received)) = (fields.get_mut("indexedDocuments"), received) {
            *indexed = if status == TaskStatus::Succeeded {
                received
            } else {
                Value::from(0)
            };
        }
        if let Some(count) = fields.get_mut("deletedDocuments") {
            if count.is_null() {
                *count = Value::from(if status == TaskStatus::Succeeded {
                    deleted
                } else {
                    0
                });
            }
        }
    }
    Some(details.to_string())
}
