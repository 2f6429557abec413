//! What the rebalancer asks of the Meilisearch nodes: pages of one shard (`_miroir_shard = s`),
//! writes of those pages, deletions by shard, and waiting for the node tasks they create.

use std::time::Duration;

use axum::http::Method;
use miroir_core::document;
use miroir_core::topology::NodeId;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::nodes::{NodeRequest, NodeResponse};
use crate::proxy::{encode_query_value, Proxy};

/// Longest wait for one node task (a page write or a deletion).
const TASK_DEADLINE: Duration = Duration::from_secs(300);

/// Why a node step failed; every failure is retried by the caller.
#[derive(Debug, thiserror::Error)]
pub enum ShardIoError {
    /// The node could not be reached or did not answer in time.
    #[error("node `{node}` is unreachable: {reason}")]
    Unreachable {
        /// The node.
        node: NodeId,
        /// What the client saw.
        reason: String,
    },
    /// The node answered with an error.
    #[error("node `{node}` answered {status}: {body}")]
    Refused {
        /// The node.
        node: NodeId,
        /// HTTP status.
        status: u16,
        /// Its body.
        body: String,
    },
    /// A node task failed or did not finish in time.
    #[error("task {task_uid} on node `{node}`: {outcome}")]
    Task {
        /// The node.
        node: NodeId,
        /// The node's task uid.
        task_uid: u64,
        /// The Meilisearch error code of a failed task.
        code: Option<String>,
        /// What happened to it.
        outcome: String,
    },
}

/// One page of a shard as a node holds it.
pub struct ShardPage {
    /// The documents, `_miroir_shard` included.
    pub documents: Vec<Value>,
    /// How many documents of the shard the node holds.
    pub total: u64,
}

/// The filter selecting the documents of `shard` (as `miroir_core::document` tags them).
fn shard_filter(shard: u32) -> String {
    document::shard_filter(&[shard])
}

/// Sends `request` to `node`, returning the 2xx answer's JSON.
async fn call(proxy: &Proxy, node: &NodeId, request: &NodeRequest) -> Result<Value, ShardIoError> {
    let response: NodeResponse =
        proxy
            .send(node, request)
            .await
            .map_err(|error| ShardIoError::Unreachable {
                node: node.clone(),
                reason: error.to_string(),
            })?;
    if !response.status.is_success() {
        return Err(ShardIoError::Refused {
            node: node.clone(),
            status: response.status.as_u16(),
            body: String::from_utf8_lossy(&response.body).into_owned(),
        });
    }
    response.json().map_err(|error| ShardIoError::Refused {
        node: node.clone(),
        status: response.status.as_u16(),
        body: error.to_string(),
    })
}

/// Reads `limit` documents of `shard` from `node`, starting at `offset`.
pub async fn read_page(
    proxy: &Proxy,
    node: &NodeId,
    index_uid: &str,
    shard: u32,
    offset: u64,
    limit: u32,
) -> Result<ShardPage, ShardIoError> {
    let request = NodeRequest::json(
        Method::POST,
        format!("/indexes/{index_uid}/documents/fetch"),
        &json!({ "filter": shard_filter(shard), "offset": offset, "limit": limit }),
    );
    let body = call(proxy, node, &request).await?;
    let documents = match body.get("results") {
        Some(Value::Array(documents)) => documents.clone(),
        _ => Vec::new(),
    };
    let total = body.get("total").and_then(Value::as_u64).unwrap_or(0);
    Ok(ShardPage { documents, total })
}

/// How many documents of `shard` `node` holds (0 when it has no such index).
pub async fn shard_count(
    proxy: &Proxy,
    node: &NodeId,
    index_uid: &str,
    shard: u32,
) -> Result<u64, ShardIoError> {
    match read_page(proxy, node, index_uid, shard, 0, 1).await {
        Ok(page) => Ok(page.total),
        Err(ShardIoError::Refused { status: 404, .. }) => Ok(0),
        Err(error) => Err(error),
    }
}

/// Writes `documents` (they carry `_miroir_shard`) to `node` and waits until they are stored.
pub async fn write_page(
    proxy: &Proxy,
    node: &NodeId,
    index_uid: &str,
    primary_key: &str,
    documents: &[Value],
) -> Result<(), ShardIoError> {
    let request = NodeRequest::json(
        Method::POST,
        format!(
            "/indexes/{index_uid}/documents?primaryKey={}",
            encode_query_value(primary_key)
        ),
        &Value::Array(documents.to_vec()),
    );
    let enqueued = call(proxy, node, &request).await?;
    await_task(proxy, node, &enqueued).await
}

/// Deletes every document of `shard` from `node` and waits until they are gone. A node
/// without the index holds nothing to delete.
pub async fn delete_shard(
    proxy: &Proxy,
    node: &NodeId,
    index_uid: &str,
    shard: u32,
) -> Result<(), ShardIoError> {
    let request = NodeRequest::json(
        Method::POST,
        format!("/indexes/{index_uid}/documents/delete"),
        &json!({ "filter": shard_filter(shard) }),
    );
    match call(proxy, node, &request).await {
        Ok(enqueued) => match await_task(proxy, node, &enqueued).await {
            Err(ShardIoError::Task {
                code: Some(code), ..
            }) if code == "index_not_found" => Ok(()),
            other => other,
        },
        Err(ShardIoError::Refused { status: 404, .. }) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Creates `index_uid` on `destination` with `primary_key` and the settings `source` holds,
/// so that pages written to it index exactly as on the source (`_miroir_shard` filterable).
pub async fn prepare_index(
    proxy: &Proxy,
    source: &NodeId,
    destination: &NodeId,
    index_uid: &str,
    primary_key: &str,
) -> Result<(), ShardIoError> {
    let settings = call(
        proxy,
        source,
        &NodeRequest::new(Method::GET, format!("/indexes/{index_uid}/settings")),
    )
    .await?;
    let create = NodeRequest::json(
        Method::POST,
        "/indexes",
        &json!({ "uid": index_uid, "primaryKey": primary_key }),
    );
    let enqueued = call(proxy, destination, &create).await?;
    match await_task(proxy, destination, &enqueued).await {
        Err(ShardIoError::Task {
            code: Some(code), ..
        }) if code == "index_already_exists" => {}
        other => other?,
    }
    let patch = NodeRequest::json(
        Method::PATCH,
        format!("/indexes/{index_uid}/settings"),
        &settings,
    );
    let enqueued = call(proxy, destination, &patch).await?;
    await_task(proxy, destination, &enqueued).await
}

/// Waits until the task a node enqueued (the 202 body `enqueued`) succeeded, with the poller
/// the settings rollouts use.
async fn await_task(proxy: &Proxy, node: &NodeId, enqueued: &Value) -> Result<(), ShardIoError> {
    let task_uid = enqueued
        .get("taskUid")
        .and_then(Value::as_u64)
        .ok_or_else(|| ShardIoError::Refused {
            node: node.clone(),
            status: 202,
            body: format!("no taskUid in {enqueued}"),
        })?;
    proxy
        .await_node_task(node, task_uid, Instant::now() + TASK_DEADLINE)
        .await
        .map_err(|(fault, failed)| ShardIoError::Task {
            node: node.clone(),
            task_uid,
            code: failed
                .and_then(|task| task.error_json)
                .and_then(|json| serde_json::from_str::<Value>(&json).ok())
                .and_then(|error| error.get("code").and_then(Value::as_str).map(str::to_owned)),
            outcome: fault.to_string(),
        })
}
