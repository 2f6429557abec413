//! Listing documents across shards: the covering set of the first group (fixed, so that pages
//! stay consistent from one request to the next) is asked for its totals, then the page is read
//! from the nodes whose parts it overlaps (see `miroir_core::listing`). Unknown indexes and
//! parameters Miroir cannot plan with go to one node, which answers as Meilisearch does.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::Method;
use miroir_core::document::strip_reserved;
use miroir_core::listing::{fetch_body_from_query, page_slices};
use miroir_core::topology::NodeId;
use serde_json::{json, Map, Value};

use super::nodes::node_error;
use super::search::shard_scoped_body;
use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

/// Meilisearch's default page size of document listings.
const DEFAULT_LIMIT: u64 = 20;

impl Proxy {
    /// `GET /indexes/{uid}/documents`.
    pub async fn list_documents(
        &self,
        uid: &str,
        query: Option<&str>,
    ) -> Result<Reply, ProxyError> {
        let query = query.unwrap_or_default();
        match fetch_body_from_query(query) {
            Some(body) => self.fetch_documents(uid, Value::Object(body)).await,
            None => {
                let path = format!("/indexes/{uid}/documents?{query}");
                self.ask_any_node(&NodeRequest::new(Method::GET, path))
                    .await
            }
        }
    }

    /// `POST /indexes/{uid}/documents/fetch`.
    pub async fn fetch_documents(&self, uid: &str, body: Value) -> Result<Reply, ProxyError> {
        let path = format!("/indexes/{uid}/documents/fetch");
        let registered = self.peer.read(|state| state.index(uid).cloned()).await;
        let plan = match (&body, registered) {
            (Value::Object(fields), Some(index)) if index.primary_key.is_some() => {
                page_bounds(fields)
                    .map(|(offset, limit)| (fields.clone(), index.shards, offset, limit))
            }
            _ => None,
        };
        let Some((fields, shards, offset, limit)) = plan else {
            return self
                .ask_any_node(&NodeRequest::json(Method::POST, path, &body))
                .await;
        };
        let placement = self.placement(shards)?;
        let every_shard: BTreeSet<u32> = (0..shards).collect();
        let mut failed = BTreeSet::new();
        let mut last_error = None;
        for _attempt in 0..2 {
            let assignments = self.assign(&placement, 0, &every_shard, &failed);
            let scoped: Vec<(NodeId, Map<String, Value>)> = assignments
                .iter()
                .map(|(node, assigned)| {
                    (
                        node.clone(),
                        shard_scoped_body(&fields, &placement, node, assigned),
                    )
                })
                .collect();
            match self.read_page(&path, &scoped, offset, limit).await {
                Ok(results) => return Ok(results),
                Err(PageError::Refused(error)) => return Err(*error),
                Err(PageError::Unreachable(node, error)) => {
                    failed.insert(node);
                    last_error = Some(*error);
                }
            }
        }
        Err(last_error
            .unwrap_or_else(|| ProxyError::Internal("no node to list documents from".into())))
    }

    /// Totals first, then the overlapping slices.
    async fn read_page(
        &self,
        path: &str,
        scoped: &[(NodeId, Map<String, Value>)],
        offset: u64,
        limit: u64,
    ) -> Result<Reply, PageError> {
        let count_requests = scoped
            .iter()
            .map(|(node, body)| (node.clone(), fetch_request(path, body, 0, 0)))
            .collect();
        let mut totals = BTreeMap::new();
        for (node, outcome) in self.send_each(count_requests).await {
            let answer = answer_json(&node, outcome)?;
            let total = answer.get("total").and_then(Value::as_u64).unwrap_or(0);
            totals.insert(node, usize::try_from(total).unwrap_or(usize::MAX));
        }
        let ordered: Vec<usize> = scoped.iter().map(|(node, _)| totals[node]).collect();
        let to_usize = |value: u64| usize::try_from(value).unwrap_or(usize::MAX);
        let slices = page_slices(&ordered, to_usize(offset), to_usize(limit));
        let page_requests = slices
            .iter()
            .map(|slice| {
                let (node, body) = &scoped[slice.node];
                (
                    node.clone(),
                    fetch_request(path, body, slice.offset, slice.limit),
                )
            })
            .collect();
        let mut results = Vec::new();
        for (node, outcome) in self.send_each(page_requests).await {
            let answer = answer_json(&node, outcome)?;
            if let Some(Value::Array(documents)) = answer.get("results") {
                for document in documents {
                    let mut document = document.clone();
                    if let Value::Object(fields) = &mut document {
                        strip_reserved(fields);
                    }
                    results.push(document);
                }
            }
        }
        let total: usize = ordered.iter().sum();
        Ok(Reply::ok(json!({
            "results": results,
            "offset": offset,
            "limit": limit,
            "total": total,
        })))
    }
}

/// Why reading a page failed.
enum PageError {
    /// A node refused the request itself: its error, relayed.
    Refused(Box<ProxyError>),
    /// A node could not answer: retried without it.
    Unreachable(NodeId, Box<ProxyError>),
}

fn answer_json(
    node: &NodeId,
    outcome: Result<crate::nodes::NodeResponse, crate::nodes::NodeError>,
) -> Result<Map<String, Value>, PageError> {
    match outcome {
        Ok(response) if response.status.is_success() => match response.json() {
            Ok(Value::Object(answer)) => Ok(answer),
            Ok(_) | Err(_) => Err(PageError::Unreachable(
                node.clone(),
                Box::new(ProxyError::Internal(format!(
                    "node `{node}` answered a listing that is not an object"
                ))),
            )),
        },
        Ok(response) if response.status.is_client_error() => {
            Err(PageError::Refused(Box::new(node_error(&response))))
        }
        Ok(response) => Err(PageError::Unreachable(
            node.clone(),
            Box::new(node_error(&response)),
        )),
        Err(source) => Err(PageError::Unreachable(
            node.clone(),
            Box::new(ProxyError::Node {
                node: node.clone(),
                source,
            }),
        )),
    }
}

/// The client's page bounds, or `None` when they are not plain non-negative integers.
fn page_bounds(fields: &Map<String, Value>) -> Option<(u64, u64)> {
    let read = |name: &str, default: u64| match fields.get(name) {
        None | Some(Value::Null) => Some(default),
        Some(value) => value.as_u64(),
    };
    Some((read("offset", 0)?, read("limit", DEFAULT_LIMIT)?))
}

fn fetch_request(
    path: &str,
    body: &Map<String, Value>,
    offset: usize,
    limit: usize,
) -> NodeRequest {
    let mut body = body.clone();
    body.insert("offset".to_owned(), Value::from(offset));
    body.insert("limit".to_owned(), Value::from(limit));
    NodeRequest::json(Method::POST, path, &Value::Object(body))
}
