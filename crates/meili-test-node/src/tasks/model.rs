//! The task record, its status and type, and its JSON views (full object and the `202`
//! summary).

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::errors::NodeError;
use crate::tasks::operation::TaskOperation;
use crate::time_format::{iso_duration, timestamp, timestamp_json};

/// A task's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    /// Registered, waiting for the worker.
    Enqueued,
    /// Being applied.
    Processing,
    /// Applied.
    Succeeded,
    /// Applied with an error.
    Failed,
    /// Canceled before it ran.
    Canceled,
}

/// Every status name in Meilisearch's order.
pub const TASK_STATUSES: &[&str] = &["enqueued", "processing", "succeeded", "failed", "canceled"];

impl TaskStatus {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Enqueued => "enqueued",
            Self::Processing => "processing",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    /// Whether the task is done (succeeded, failed or canceled).
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }
}

/// Every task type name Meilisearch v1.50 knows, in its order.
pub const TASK_TYPES: &[&str] = &[
    "documentAdditionOrUpdate",
    "documentEdition",
    "documentDeletion",
    "settingsUpdate",
    "indexCreation",
    "indexDeletion",
    "indexUpdate",
    "indexSwap",
    "taskCancelation",
    "taskDeletion",
    "dumpCreation",
    "snapshotCreation",
    "export",
    "upgradeDatabase",
    "indexCompaction",
    "networkTopologyChange",
    "dsrUpdate",
    "dsrClear",
];

/// One task.
#[derive(Debug, Clone)]
pub struct Task {
    /// Task uid, strictly increasing.
    pub uid: u32,
    /// The batch that processed it.
    pub batch_uid: Option<u32>,
    /// The index it targets (`None` for swaps and task operations).
    pub index_uid: Option<String>,
    /// Current status.
    pub status: TaskStatus,
    /// The type name (`documentAdditionOrUpdate`, ...).
    pub kind: &'static str,
    /// Uid of the cancelation task that canceled it.
    pub canceled_by: Option<u32>,
    /// The `details` object.
    pub details: Map<String, Value>,
    /// The error of a failed task.
    pub error: Option<NodeError>,
    /// Registration time.
    pub enqueued_at: OffsetDateTime,
    /// When the worker took it.
    pub started_at: Option<OffsetDateTime>,
    /// When it finished.
    pub finished_at: Option<OffsetDateTime>,
    /// What to apply; dropped once the task is finished.
    pub operation: Option<TaskOperation>,
}

impl Task {
    /// The full object of `GET /tasks/{uid}`.
    pub fn to_json(&self) -> Value {
        let duration = match (self.started_at, self.finished_at) {
            (Some(started), Some(finished)) => {
                let elapsed = std::time::Duration::try_from(finished - started).unwrap_or_default();
                Value::String(iso_duration(elapsed))
            }
            _ => Value::Null,
        };
        json!({
            "uid": self.uid,
            "batchUid": self.batch_uid,
            "indexUid": self.index_uid,
            "status": self.status.name(),
            "type": self.kind,
            "canceledBy": self.canceled_by,
            "details": self.details,
            "error": self.error.as_ref().map(NodeError::to_json),
            "duration": duration,
            "enqueuedAt": timestamp(self.enqueued_at),
            "startedAt": timestamp_json(self.started_at),
            "finishedAt": timestamp_json(self.finished_at),
        })
    }

    /// The summary a write answers with (`taskUid`, `indexUid`, `status`, `type`, `enqueuedAt`).
    pub fn summary_json(&self) -> Value {
        json!({
            "taskUid": self.uid,
            "indexUid": self.index_uid,
            "status": self.status.name(),
            "type": self.kind,
            "enqueuedAt": timestamp(self.enqueued_at),
        })
    }
}
