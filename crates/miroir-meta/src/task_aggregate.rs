//! One Miroir task fans out to one Meilisearch task per node; this module folds the nodes'
//! statuses and errors into the single status and error the client sees.
//!
//! Status rules (they depend only on how many nodes are in each status, never on which node):
//!
//! ```text
//!   node statuses                                   aggregate
//!   ─────────────────────────────────────────────   ──────────
//!   none recorded yet, or all enqueued              enqueued
//!   some not finished, not all enqueued             processing   (work has started somewhere)
//!   all finished, at least one failed               failed       (the write is not complete)
//!   all finished, none failed, at least one canceled canceled    (stopped before completing)
//!   all succeeded                                   succeeded
//! ```
//!
//! A failure outranks a cancelation because it is the stronger news: the client must not
//! assume the write happened, and the error says why. A mix of canceled and succeeded nodes
//! is reported as canceled, as Meilisearch reports a task the cancelation stopped; the
//! nodes that finished keep what they applied, so "canceled" here means "did not complete
//! everywhere", not "nothing was applied".
//!
//! The error of a failed task is the first failed node's (in node-id order) Meilisearch error,
//! with its `code`, `type` and `link` untouched so SDKs branch as against one node, and its
//! `message` suffixed with which nodes failed:
//! `Index already has a primary key: `id`. (failed on 2 of 3 nodes: `n1`, `n3`)`.

use std::collections::BTreeMap;

use miroir_core::error::{ErrorCode, MEILISEARCH_ERRORS_DOC_BASE};
use miroir_core::topology::NodeId;
use serde_json::{Map, Value};

use crate::tasks::{NodeTask, TaskStatus};

/// Most failed node ids named in an aggregated error message; the rest are counted.
const MAX_NAMED_FAILED_NODES: usize = 5;

/// The status of a task from its nodes' statuses (rules in the module documentation).
pub fn aggregate_status(node_tasks: &BTreeMap<NodeId, NodeTask>) -> TaskStatus {
    let statuses = || node_tasks.values().map(|node_task| node_task.status);
    if statuses().all(|status| status == TaskStatus::Enqueued) {
        return TaskStatus::Enqueued;
    }
    if !statuses().all(TaskStatus::is_terminal) {
        return TaskStatus::Processing;
    }
    if statuses().any(|status| status == TaskStatus::Failed) {
        return TaskStatus::Failed;
    }
    if statuses().any(|status| status == TaskStatus::Canceled) {
        return TaskStatus::Canceled;
    }
    TaskStatus::Succeeded
}

/// The Meilisearch error object `{message, code, type, link}` for a task some of whose nodes
/// failed, or `None` when no node failed. It is known as soon as one node fails, even while
/// others still run; the task is reported `failed` once all have finished.
///
/// Taken from the first failed node whose `error_json` is a readable Meilisearch error (an
/// object with string `message`, `code` and `type`; a missing `link` is derived from the
/// code). If no failed node left a readable error, an `internal` error says so.
pub fn aggregate_error(node_tasks: &BTreeMap<NodeId, NodeTask>) -> Option<Value> {
    let failed_nodes: Vec<(&NodeId, &NodeTask)> = node_tasks
        .iter()
        .filter(|(_, node_task)| node_task.status == TaskStatus::Failed)
        .collect();
    if failed_nodes.is_empty() {
        return None;
    }
    let which_nodes =
        failed_nodes_note(failed_nodes.iter().map(|(node, _)| *node), node_tasks.len());
    let first_readable = failed_nodes
        .iter()
        .find_map(|(_, node_task)| readable_error(node_task.error_json.as_deref()?));
    let error = match first_readable {
        Some(node_error) => NodeError {
            message: format!("{} {which_nodes}", node_error.message),
            ..node_error
        },
        None => {
            let code = ErrorCode::Internal;
            NodeError {
                message: format!("the node task failed without a readable error {which_nodes}"),
                code: code.as_str().to_owned(),
                error_type: code.error_type().as_str().to_owned(),
                link: code.link(),
            }
        }
    };
    Some(error.into_json())
}

/// A Meilisearch error body as a node reported it.
struct NodeError {
    message: String,
    code: String,
    error_type: String,
    link: String,
}

impl NodeError {
    fn into_json(self) -> Value {
        let mut object = Map::new();
        object.insert("message".into(), self.message.into());
        object.insert("code".into(), self.code.into());
        object.insert("type".into(), self.error_type.into());
        object.insert("link".into(), self.link.into());
        Value::Object(object)
    }
}

fn readable_error(error_json: &str) -> Option<NodeError> {
    let error: Value = serde_json::from_str(error_json).ok()?;
    let text = |field: &str| error.get(field).and_then(Value::as_str).map(str::to_owned);
    let code = text("code")?;
    let link = text("link").unwrap_or_else(|| format!("{MEILISEARCH_ERRORS_DOC_BASE}#{code}"));
    Some(NodeError {
        message: text("message")?,
        error_type: text("type")?,
        code,
        link,
    })
}

/// `(failed on 2 of 3 nodes: `n1`, `n3`)`, naming at most [`MAX_NAMED_FAILED_NODES`].
fn failed_nodes_note<'a>(
    failed: impl ExactSizeIterator<Item = &'a NodeId>,
    total: usize,
) -> String {
    let failed_count = failed.len();
    let named: Vec<String> = failed
        .take(MAX_NAMED_FAILED_NODES)
        .map(|node| format!("`{node}`"))
        .collect();
    let unnamed = failed_count.saturating_sub(named.len());
    let more = if unnamed > 0 {
        format!(" and {unnamed} more")
    } else {
        String::new()
    };
    let noun = if total == 1 { "node" } else { "nodes" };
    format!(
        "(failed on {failed_count} of {total} {noun}: {}{more})",
        named.join(", ")
    )
}

#[cfg(test)]
#[path = "task_aggregate_tests.rs"]
mod tests;
