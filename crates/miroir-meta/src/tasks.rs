//! The task registry: Meilisearch-compatible integer task uids allocated from one
//! cluster-wide counter, each mapped to the per-node task uids it fanned out to.
//!
//! ```text
//!   Enqueued ─► Processing ─► Succeeded | Failed | Canceled   (terminal, final)
//!      └──────────────────────► Succeeded | Failed | Canceled
//! ```
//!
//! The counter only grows: uids are never reused, even after deletion or pruning. Finished
//! tasks are pruned by age (`finished_at` older than the TTL) and by count (oldest finished
//! first once the cap is exceeded); enqueued and processing tasks are never pruned. Two
//! derived indexes make pruning O(pruned · log n); they are rebuilt on deserialisation and
//! never serialised.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use miroir_core::topology::NodeId;
use serde::{Deserialize, Serialize, Serializer};

use crate::policy::StatePolicy;
use crate::rejection::Rejection;
use crate::response::Response;

/// Status of a task, as Meilisearch names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TaskStatus {
    /// Accepted, not started.
    Enqueued,
    /// Running on at least one node.
    Processing,
    /// Finished successfully everywhere.
    Succeeded,
    /// Finished with an error.
    Failed,
    /// Canceled before finishing.
    Canceled,
}

impl TaskStatus {
    /// Whether the status is final.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Succeeded | TaskStatus::Failed | TaskStatus::Canceled
        )
    }

    /// Whether a task may move from `self` to `next`. Staying in the same non-terminal status
    /// is allowed (it refreshes details); nothing leaves a terminal status.
    pub fn can_transition_to(self, next: TaskStatus) -> bool {
        match self {
            TaskStatus::Enqueued => true,
            TaskStatus::Processing => next != TaskStatus::Enqueued,
            TaskStatus::Succeeded | TaskStatus::Failed | TaskStatus::Canceled => false,
        }
    }

    /// The Meilisearch spelling (`enqueued`, `processing`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Enqueued => "enqueued",
            TaskStatus::Processing => "processing",
            TaskStatus::Succeeded => "succeeded",
            TaskStatus::Failed => "failed",
            TaskStatus::Canceled => "canceled",
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one node did with its share of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeTask {
    /// The task uid the node's own Meilisearch returned.
    pub task_uid: u64,
    /// The node task's last known status.
    pub status: TaskStatus,
    /// The node's Meilisearch error object (JSON text), if it failed.
    pub error_json: Option<String>,
}

/// One Miroir task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Cluster-wide task uid returned to clients as `taskUid`.
    pub uid: u64,
    /// Index the task is about (`None` for cluster-wide tasks such as `dumpCreation`).
    pub index_uid: Option<String>,
    /// Meilisearch task type, e.g. `documentAdditionOrUpdate`.
    pub task_type: String,
    /// Aggregate status.
    pub status: TaskStatus,
    /// Meilisearch `details` object (JSON text).
    pub details_json: Option<String>,
    /// Meilisearch `error` object (JSON text) once failed.
    pub error_json: Option<String>,
    /// Per-node share of the task, by node id.
    pub node_tasks: BTreeMap<NodeId, NodeTask>,
    /// When the task was enqueued (proposer's clock).
    pub enqueued_at_ms: u64,
    /// When it first became `Processing`.
    pub started_at_ms: Option<u64>,
    /// When it reached a terminal status.
    pub finished_at_ms: Option<u64>,
    /// The `taskCancelation` task asked to cancel this one (snapshot format 2). Shown as
    /// `canceledBy` once the task ended `canceled`.
    pub canceled_by: Option<u64>,
}

/// Changes to the task registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskCommand {
    /// Allocates the next uid and records an `Enqueued` task; answers
    /// [`Response::TaskEnqueued`]. Also prunes per the retention policy.
    Enqueue {
        /// Index the task is about, if any.
        index_uid: Option<String>,
        /// Meilisearch task type (non-empty).
        task_type: String,
        /// Meilisearch `details` object (JSON text).
        details_json: Option<String>,
        /// Task uid each node returned, by node id (all start `Enqueued`).
        node_tasks: BTreeMap<NodeId, u64>,
    },
    /// Moves the aggregate status; a `Some` details/error replaces the stored one.
    UpdateStatus {
        /// The task.
        uid: u64,
        /// Its next status.
        status: TaskStatus,
        /// New `details` object (JSON text), if changed.
        details_json: Option<String>,
        /// `error` object (JSON text), if failed.
        error_json: Option<String>,
    },
    /// Records or updates one node's share of a non-terminal task.
    UpdateNodeTask {
        /// The Miroir task.
        uid: u64,
        /// The node.
        node: NodeId,
        /// The node's own task uid.
        task_uid: u64,
        /// The node task's status.
        status: TaskStatus,
        /// The node's error object (JSON text), if failed.
        error_json: Option<String>,
    },
    /// Deletes the listed tasks that are finished (unknown and unfinished uids are skipped,
    /// as Meilisearch does); answers [`Response::TasksDeleted`].
    Delete {
        /// Task uids to delete.
        uids: Vec<u64>,
    },
    /// Records that the `taskCancelation` task `canceled_by` asked to cancel the listed tasks;
    /// unknown and finished uids are skipped, except tasks already recorded canceled without
    /// a canceler (the cancelation took effect before this command was applied).
    SetCanceledBy {
        /// Tasks the cancelation targets.
        uids: Vec<u64>,
        /// The cancelation task's uid.
        canceled_by: u64,
    },
}

impl TaskCommand {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Enqueue {
                index_uid,
                task_type,
                ..
            } => format!(
                "enqueue_task {task_type} {}",
                index_uid.as_deref().unwrap_or("-")
            ),
            Self::UpdateStatus { uid, status, .. } => format!("update_task {uid} {status}"),
            Self::UpdateNodeTask {
                uid, node, status, ..
            } => format!("update_node_task {uid} {node} {status}"),
            Self::Delete { uids } => format!("delete_tasks count={}", uids.len()),
            Self::SetCanceledBy { uids, canceled_by } => {
                format!("set_canceled_by {canceled_by} count={}", uids.len())
            }
        }
    }
}

/// The serialised part of a [`TaskTable`] (derived indexes are rebuilt, not stored).
#[derive(Serialize)]
struct TaskTableRef<'a> {
    next_uid: u64,
    records: &'a BTreeMap<u64, TaskRecord>,
}

#[derive(Deserialize)]
struct TaskTableData {
    next_uid: u64,
    records: BTreeMap<u64, TaskRecord>,
}

/// Every retained task by uid, plus the uid counter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "TaskTableData")]
pub struct TaskTable {
    next_uid: u64,
    records: BTreeMap<u64, TaskRecord>,
    /// `(finished_at_ms, uid)` of every terminal task: age pruning pops from the front.
    finished_by_time: BTreeSet<(u64, u64)>,
    /// uids of every terminal task: count pruning pops the oldest first.
    finished_by_uid: BTreeSet<u64>,
}

impl Serialize for TaskTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TaskTableRef {
            next_uid: self.next_uid,
            records: &self.records,
        }
        .serialize(serializer)
    }
}

impl From<TaskTableData> for TaskTable {
    fn from(data: TaskTableData) -> Self {
        let mut table = TaskTable {
            next_uid: data.next_uid,
            records: data.records,
            finished_by_time: BTreeSet::new(),
            finished_by_uid: BTreeSet::new(),
        };
        let finished: Vec<(u64, u64)> = table
            .records
            .values()
            .filter_map(|record| record.finished_at_ms.map(|at| (at, record.uid)))
            .collect();
        for (finished_at_ms, uid) in finished {
            table.index_finished(uid, finished_at_ms);
        }
        table
    }
}

impl TaskTable {
    /// A table holding `records` with uid counter `next_uid` (derived indexes rebuilt).
    pub(crate) fn from_records(next_uid: u64, records: BTreeMap<u64, TaskRecord>) -> Self {
        TaskTable::from(TaskTableData { next_uid, records })
    }

    /// The uid the next enqueued task receives.
    pub fn next_uid(&self) -> u64 {
        self.next_uid
    }

    /// One task by uid.
    pub fn get(&self, uid: u64) -> Option<&TaskRecord> {
        self.records.get(&uid)
    }

    /// Number of retained tasks.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Retained tasks, newest first, starting at uid `from` (inclusive) when given.
    pub(crate) fn newest_first(&self, from: Option<u64>) -> impl Iterator<Item = &TaskRecord> {
        self.records
            .range(..=from.unwrap_or(u64::MAX))
            .rev()
            .map(|(_, record)| record)
    }

    /// Every retained task, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &TaskRecord> {
        self.records.values()
    }

    pub(crate) fn apply(
        &mut self,
        command: &TaskCommand,
        now_ms: u64,
        policy: &StatePolicy,
    ) -> Result<Response, Rejection> {
        match command {
            TaskCommand::Enqueue {
                index_uid,
                task_type,
                details_json,
                node_tasks,
            } => {
                let task_uid =
                    self.enqueue(index_uid, task_type, details_json, node_tasks, now_ms)?;
                self.prune(now_ms, policy);
                Ok(Response::TaskEnqueued { task_uid })
            }
            TaskCommand::UpdateStatus {
                uid,
                status,
                details_json,
                error_json,
            } => {
                self.update_status(*uid, *status, details_json, error_json, now_ms)?;
                Ok(Response::Applied)
            }
            TaskCommand::UpdateNodeTask {
                uid,
                node,
                task_uid,
                status,
                error_json,
            } => {
                self.update_node_task(*uid, node, *task_uid, *status, error_json)?;
                Ok(Response::Applied)
            }
            TaskCommand::Delete { uids } => {
                let deleted = uids
                    .iter()
                    .filter(|uid| self.delete_finished(**uid))
                    .count();
                Ok(Response::TasksDeleted {
                    deleted: u64::try_from(deleted).unwrap_or(u64::MAX),
                })
            }
            TaskCommand::SetCanceledBy { uids, canceled_by } => {
                for uid in uids {
                    if let Some(record) = self.records.get_mut(uid) {
                        // A task the cancelation already stopped may have been recorded
                        // canceled before this command: it is still this cancelation's.
                        let unclaimed_cancel =
                            record.status == TaskStatus::Canceled && record.canceled_by.is_none();
                        if !record.status.is_terminal() || unclaimed_cancel {
                            record.canceled_by = Some(*canceled_by);
                        }
                    }
                }
                Ok(Response::Applied)
            }
        }
    }

    fn enqueue(
        &mut self,
        index_uid: &Option<String>,
        task_type: &str,
        details_json: &Option<String>,
        node_tasks: &BTreeMap<NodeId, u64>,
        now_ms: u64,
    ) -> Result<u64, Rejection> {
        if task_type.is_empty() {
            return Err(Rejection::invalid("task type must not be empty"));
        }
        if index_uid.as_deref() == Some("") {
            return Err(Rejection::invalid("index uid must not be empty"));
        }
        let uid = self.next_uid;
        self.next_uid = uid.checked_add(1).ok_or(Rejection::TaskUidsExhausted)?;
        let node_tasks = node_tasks
            .iter()
            .map(|(node, task_uid)| {
                let node_task = NodeTask {
                    task_uid: *task_uid,
                    status: TaskStatus::Enqueued,
                    error_json: None,
                };
                (node.clone(), node_task)
            })
            .collect();
        let record = TaskRecord {
            uid,
            index_uid: index_uid.clone(),
            task_type: task_type.to_owned(),
            status: TaskStatus::Enqueued,
            details_json: details_json.clone(),
            error_json: None,
            node_tasks,
            enqueued_at_ms: now_ms,
            started_at_ms: None,
            finished_at_ms: None,
            canceled_by: None,
        };
        self.records.insert(uid, record);
        Ok(uid)
    }

    fn update_status(
        &mut self,
        uid: u64,
        next: TaskStatus,
        details_json: &Option<String>,
        error_json: &Option<String>,
        now_ms: u64,
    ) -> Result<(), Rejection> {
        let record = self
            .records
            .get_mut(&uid)
            .ok_or(Rejection::TaskNotFound(uid))?;
        if record.status.is_terminal() {
            return Err(Rejection::TaskFinished {
                uid,
                status: record.status,
            });
        }
        if !record.status.can_transition_to(next) {
            return Err(Rejection::IllegalTaskTransition {
                uid,
                from: record.status,
                to: next,
            });
        }
        record.status = next;
        if details_json.is_some() {
            record.details_json = details_json.clone();
        }
        if error_json.is_some() {
            record.error_json = error_json.clone();
        }
        if next != TaskStatus::Enqueued && record.started_at_ms.is_none() {
            record.started_at_ms = Some(now_ms);
        }
        if next.is_terminal() {
            record.finished_at_ms = Some(now_ms);
            self.index_finished(uid, now_ms);
        }
        Ok(())
    }

    fn update_node_task(
        &mut self,
        uid: u64,
        node: &NodeId,
        task_uid: u64,
        next: TaskStatus,
        error_json: &Option<String>,
    ) -> Result<(), Rejection> {
        let record = self
            .records
            .get_mut(&uid)
            .ok_or(Rejection::TaskNotFound(uid))?;
        if record.status.is_terminal() {
            return Err(Rejection::TaskFinished {
                uid,
                status: record.status,
            });
        }
        if let Some(existing) = record.node_tasks.get(node) {
            if !existing.status.can_transition_to(next) {
                return Err(Rejection::IllegalNodeTaskTransition {
                    uid,
                    node: node.clone(),
                    from: existing.status,
                    to: next,
                });
            }
        }
        let node_task = NodeTask {
            task_uid,
            status: next,
            error_json: error_json.clone(),
        };
        record.node_tasks.insert(node.clone(), node_task);
        Ok(())
    }

    /// Removes `uid` if it exists and is finished; reports whether it did.
    fn delete_finished(&mut self, uid: u64) -> bool {
        let finished_at = match self.records.get(&uid) {
            Some(record) if record.status.is_terminal() => record.finished_at_ms,
            _ => return false,
        };
        self.remove(uid, finished_at);
        true
    }

    fn remove(&mut self, uid: u64, finished_at_ms: Option<u64>) {
        self.records.remove(&uid);
        self.finished_by_uid.remove(&uid);
        if let Some(finished_at_ms) = finished_at_ms {
            self.finished_by_time.remove(&(finished_at_ms, uid));
        }
    }

    fn index_finished(&mut self, uid: u64, finished_at_ms: u64) {
        self.finished_by_time.insert((finished_at_ms, uid));
        self.finished_by_uid.insert(uid);
    }

    /// Drops finished tasks older than the TTL, then the oldest finished tasks while more
    /// than `max_retained_tasks` are held. Returns how many were dropped.
    pub(crate) fn prune(&mut self, now_ms: u64, policy: &StatePolicy) -> u64 {
        let mut pruned = 0u64;
        while let Some(&(finished_at_ms, uid)) = self.finished_by_time.first() {
            if now_ms.saturating_sub(finished_at_ms) <= policy.task_ttl_ms {
                break;
            }
            self.remove(uid, Some(finished_at_ms));
            pruned += 1;
        }
        let cap = usize::try_from(policy.max_retained_tasks).unwrap_or(usize::MAX);
        while self.records.len() > cap {
            let Some(&uid) = self.finished_by_uid.first() else {
                break;
            };
            let finished_at_ms = self.records.get(&uid).and_then(|r| r.finished_at_ms);
            self.remove(uid, finished_at_ms);
            pruned += 1;
        }
        pruned
    }
}

#[cfg(test)]
mod tests {
    use super::TaskStatus::{self, *};

    #[test]
    fn only_forward_task_transitions_are_legal() {
        let all = [Enqueued, Processing, Succeeded, Failed, Canceled];
        for from in all {
            for to in all {
                let legal = match from {
                    Enqueued => true,
                    Processing => to != Enqueued,
                    _ => false,
                };
                assert_eq!(from.can_transition_to(to), legal, "{from} -> {to}");
            }
        }
        assert!(all
            .iter()
            .filter(|s| s.is_terminal())
            .eq([Succeeded, Failed, Canceled].iter()));
    }

    #[test]
    fn statuses_use_the_meilisearch_spelling() {
        let names: Vec<&str> = [Enqueued, Processing, Succeeded, Failed, Canceled]
            .into_iter()
            .map(TaskStatus::as_str)
            .collect();
        assert_eq!(
            names,
            ["enqueued", "processing", "succeeded", "failed", "canceled"]
        );
    }
}
