//! Scatter-gather search: one replica group's covering set answers, each node for the shards
//! assigned to it ([`super::scatter`]), and the core merger builds the single global ranking.
//!
//! Shards the chosen group cannot cover are taken from the other groups; nodes that fail are
//! replaced by other replicas in one retry round; shards left without any live replica are
//! reported in `X-Miroir-Degraded: shards=…` (or fail the search with 503
//! `miroir_shard_unavailable` under the `error` policy).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use axum::http::Method;
use miroir_core::document::shard_filter;
use miroir_core::merger::{merge_search, prepare_node_query};
use miroir_core::router::{query_group, PlacementTable};
use miroir_core::search_params::search_body_from_query;
use miroir_core::topology::{GroupId, NodeId};
use serde_json::{Map, Value};

use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

/// A search's answer and the shards no live replica answered for.
pub(super) struct Searched {
    /// The answer, without the degraded header.
    pub(super) reply: Reply,
    /// Shards missing from the answer.
    pub(super) unavailable: BTreeSet<u32>,
}

impl From<Reply> for Searched {
    fn from(reply: Reply) -> Self {
        Searched {
            reply,
            unavailable: BTreeSet::new(),
        }
    }
}

impl Proxy {
    /// `POST /indexes/{uid}/search` with the client's JSON body.
    pub async fn search(&self, index_uid: &str, body: Value) -> Result<Reply, ProxyError> {
        let searched = self.sharded_search(index_uid, body).await?;
        let mut reply = searched.reply;
        reply.degraded = self.degraded_shards(&searched.unavailable)?;
        Ok(reply)
    }

    /// [`Proxy::search`] reporting the unavailable shards instead of applying the policy.
    pub(super) async fn sharded_search(
        &self,
        index_uid: &str,
        body: Value,
    ) -> Result<Searched, ProxyError> {
        let path = format!("/indexes/{index_uid}/search");
        let body = match body {
            Value::Object(fields) => fields,
            // Not an object: a node explains it with Meilisearch's exact error.
            other => {
                return self
                    .ask_any_node(&NodeRequest::json(Method::POST, path, &other))
                    .await
                    .map(Searched::from);
            }
        };
        let registered = self
            .peer
            .read(|state| state.index(index_uid).cloned())
            .await;
        let index = match registered {
            Some(index) => index,
            // Unknown to Miroir: a node answers exactly what Meilisearch answers (index_not_found).
            None => return self.forward_search(&path, body).await.map(Searched::from),
        };
        let Some(primary_key) = index.primary_key.clone() else {
            // No document was ever written: every node holds the same empty index.
            return self.forward_search(&path, body).await.map(Searched::from);
        };
        let (node_body, plan) = match prepare_node_query(&body, &primary_key) {
            Ok(prepared) => prepared,
            // A parameter Miroir cannot plan with: a node reports it with Meilisearch's error.
            Err(_) => return self.forward_search(&path, body).await.map(Searched::from),
        };
        let started = Instant::now();
        let gathered = self
            .scatter_index(index.shards, &node_body, |body| {
                NodeRequest::json(Method::POST, path.clone(), &Value::Object(body))
            })
            .await?;
        let node_count = gathered.answers.len();
        let merged = merge_search(&plan, gathered.answers)
            .map_err(|error| ProxyError::Internal(format!("merging search answers: {error}")))?;
        tracing::info!(
            index = index_uid,
            duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            node_count,
            estimated_hits = merged
                .get("estimatedTotalHits")
                .or_else(|| merged.get("totalHits"))
                .and_then(serde_json::Value::as_u64),
            degraded = !gathered.unavailable.is_empty(),
            "search completed"
        );
        Ok(Searched {
            reply: Reply::ok(Value::Object(merged)),
            unavailable: gathered.unavailable,
        })
    }

    /// `GET /indexes/{uid}/search`: the query string as the equivalent POST body; parameters
    /// Miroir cannot convert go unchanged to a node, which answers Meilisearch's error.
    pub async fn search_get(
        &self,
        index_uid: &str,
        query: Option<&str>,
    ) -> Result<Reply, ProxyError> {
        let query = query.unwrap_or_default();
        match search_body_from_query(query) {
            Some(body) => self.search(index_uid, Value::Object(body)).await,
            None => {
                let path = format!("/indexes/{index_uid}/search?{query}");
                self.ask_any_node(&NodeRequest::new(Method::GET, path))
                    .await
            }
        }
    }

    /// Which node answers for which of the `pending` shards: the covering set of the group this
    /// query is rotated to, completed from the other groups; `failed` nodes are avoided.
    pub(super) fn assign(
        &self,
        placement: &PlacementTable,
        seq: u64,
        pending: &BTreeSet<u32>,
        failed: &BTreeSet<NodeId>,
    ) -> BTreeMap<NodeId, Vec<u32>> {
        let groups: Vec<GroupId> = self.fleet().query_groups().to_vec();
        let Some(first) = query_group(seq, &groups) else {
            return BTreeMap::new();
        };
        let order = std::iter::once(first).chain(groups.iter().copied().filter(|g| *g != first));
        let mut missing = pending.clone();
        let mut assignments: BTreeMap<NodeId, Vec<u32>> = BTreeMap::new();
        // One look at the health table per assignment, not one per shard.
        let unhealthy = self.unhealthy_nodes();
        for group in order {
            if missing.is_empty() {
                break;
            }
            let covering = placement.covering_set(group, seq, |node| {
                !failed.contains(node) && !unhealthy.contains(node)
            });
            for assignment in covering.assignments {
                let taken: Vec<u32> = assignment
                    .shards
                    .into_iter()
                    .filter(|shard| missing.remove(shard))
                    .collect();
                if !taken.is_empty() {
                    assignments
                        .entry(assignment.node)
                        .or_default()
                        .extend(taken);
                }
            }
        }
        assignments
    }

    /// Sends the client's search unchanged to one node and relays its answer.
    async fn forward_search(
        &self,
        path: &str,
        body: Map<String, Value>,
    ) -> Result<Reply, ProxyError> {
        self.ask_any_node(&NodeRequest::json(Method::POST, path, &Value::Object(body)))
            .await
    }
}

/// The node's search body: when `node` holds shards it does not answer for (replicas of shards
/// assigned elsewhere), a `_miroir_shard IN [...]` filter is added so no hit counts twice.
pub(super) fn shard_scoped_body(
    node_body: &Map<String, Value>,
    placement: &PlacementTable,
    node: &NodeId,
    assigned: &[u32],
) -> Map<String, Value> {
    if !placement.needs_shard_scope(node, assigned.len()) {
        return node_body.clone();
    }
    let scope = Value::String(shard_filter(assigned));
    let mut body = node_body.clone();
    let filter = match body.remove("filter") {
        None | Some(Value::Null) => scope,
        Some(Value::Array(mut clauses)) => {
            clauses.push(scope);
            Value::Array(clauses)
        }
        Some(existing) => Value::Array(vec![existing, scope]),
    };
    body.insert("filter".to_owned(), filter);
    body
}
