//! Scatter-gather search: one replica group's covering set answers, each node for the shards
//! assigned to it, and the core merger builds the single global ranking.
//!
//! Shards the chosen group cannot cover are taken from the other groups; nodes that fail are
//! replaced by other replicas in one retry round; shards left without any live replica are
//! reported in `X-Miroir-Degraded: shards=…` (or fail the search with 503
//! `miroir_shard_unavailable` under the `error` policy).

use std::collections::{BTreeMap, BTreeSet};

use axum::http::Method;
use miroir_core::config::UnavailableShardPolicy;
use miroir_core::document::SHARD_FIELD;
use miroir_core::merger::{merge_search, prepare_node_query, MergePlan};
use miroir_core::router::{query_group, PlacementTable};
use miroir_core::search_params::search_body_from_query;
use miroir_core::topology::{GroupId, NodeId};
use serde_json::{Map, Value};

use super::nodes::node_error;
use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

impl Proxy {
    /// `POST /indexes/{uid}/search` with the client's JSON body.
    pub async fn search(&self, index_uid: &str, body: Value) -> Result<Reply, ProxyError> {
        let path = format!("/indexes/{index_uid}/search");
        let body = match body {
            Value::Object(fields) => fields,
            // Not an object: a node explains it with Meilisearch's exact error.
            other => {
                return self
                    .ask_any_node(&NodeRequest::json(Method::POST, path, &other))
                    .await;
            }
        };
        let registered = self
            .peer
            .read(|state| state.index(index_uid).cloned())
            .await;
        let index = match registered {
            Some(index) => index,
            // Unknown to Miroir: a node answers exactly what Meilisearch answers (index_not_found).
            None => return self.forward_search(&path, body).await,
        };
        let Some(primary_key) = index.primary_key.clone() else {
            // No document was ever written: every node holds the same empty index.
            return self.forward_search(&path, body).await;
        };
        let (node_body, plan) = match prepare_node_query(&body, &primary_key) {
            Ok(prepared) => prepared,
            // A parameter Miroir cannot plan with: a node reports it with Meilisearch's error.
            Err(_) => return self.forward_search(&path, body).await,
        };
        let placement = self.placement(index.shards)?;
        let seq = self.next_query_seq();
        let mut failed_nodes = BTreeSet::new();
        let mut answered: Vec<Map<String, Value>> = Vec::new();
        let mut pending: BTreeSet<u32> = (0..index.shards).collect();
        for _round in 0..2 {
            let assignments = self.assign(&placement, seq, &pending, &failed_nodes);
            if assignments.is_empty() {
                break;
            }
            let requests = assignments
                .iter()
                .map(|(node, shards)| {
                    let body = shard_scoped_body(&node_body, &placement, node, shards);
                    (
                        node.clone(),
                        NodeRequest::json(Method::POST, path.clone(), &Value::Object(body)),
                    )
                })
                .collect();
            for (node, outcome) in self.send_each(requests).await {
                match outcome {
                    Ok(response) if response.status.is_success() => match response.json() {
                        Ok(Value::Object(fields)) => {
                            for shard in &assignments[&node] {
                                pending.remove(shard);
                            }
                            answered.push(fields);
                        }
                        _ => {
                            failed_nodes.insert(node);
                        }
                    },
                    Ok(response) if response.status.is_client_error() => {
                        return Err(node_error(&response))
                    }
                    Ok(_) | Err(_) => {
                        failed_nodes.insert(node);
                    }
                }
            }
            if pending.is_empty() {
                break;
            }
        }
        self.merged_reply(&plan, answered, pending)
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

    fn merged_reply(
        &self,
        plan: &MergePlan,
        answered: Vec<Map<String, Value>>,
        unavailable: BTreeSet<u32>,
    ) -> Result<Reply, ProxyError> {
        if !unavailable.is_empty()
            && self.settings.unavailable_shard_policy == UnavailableShardPolicy::Error
        {
            return Err(ProxyError::ShardUnavailable {
                shards: unavailable.into_iter().collect(),
            });
        }
        let merged = merge_search(plan, answered)
            .map_err(|error| ProxyError::Internal(format!("merging search answers: {error}")))?;
        let mut reply = Reply::ok(Value::Object(merged));
        if !unavailable.is_empty() {
            let shards: Vec<String> = unavailable.iter().map(ToString::to_string).collect();
            reply.degraded = Some(format!("shards={}", shards.join(",")));
        }
        Ok(reply)
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
        let groups: Vec<GroupId> = self.topology.group_ids().collect();
        let Some(first) = query_group(seq, &groups) else {
            return BTreeMap::new();
        };
        let order = std::iter::once(first).chain(groups.iter().copied().filter(|g| *g != first));
        let mut missing = pending.clone();
        let mut assignments: BTreeMap<NodeId, Vec<u32>> = BTreeMap::new();
        for group in order {
            if missing.is_empty() {
                break;
            }
            let covering = placement.covering_set(group, seq, |node| !failed.contains(node));
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
    let held = placement.owned_shard_count(node);
    if held <= assigned.len() {
        return node_body.clone();
    }
    let shard_list: Vec<String> = assigned.iter().map(ToString::to_string).collect();
    let shard_filter = Value::String(format!("{SHARD_FIELD} IN [{}]", shard_list.join(", ")));
    let mut body = node_body.clone();
    let filter = match body.remove("filter") {
        None | Some(Value::Null) => shard_filter,
        Some(Value::Array(mut clauses)) => {
            clauses.push(shard_filter);
            Value::Array(clauses)
        }
        Some(existing) => Value::Array(vec![existing, shard_filter]),
    };
    body.insert("filter".to_owned(), filter);
    body
}
