//! The scatter-gather loop of every read that fans out over shards (search, facet search,
//! federated multi-search): which node answers for which shards of each index, sending, one
//! retry round on other replicas, and what stayed unavailable.
//!
//! ```text
//!   targets (index → shards) ─► assign: group of this query's seq, holes from other groups
//!        ▲                          │ node → shards of each target
//!        │ failed nodes             ▼
//!        └──────────────────── send_each ─► answers (2xx JSON objects) | 4xx: relayed error
//! ```
//!
//! A request covering several indexes (federated multi-search) assigns each index separately
//! but sends each node one request for all its assignments, so a node failure moves all of
//! them to other replicas in the same retry round.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use miroir_core::config::UnavailableShardPolicy;
use miroir_core::router::PlacementTable;
use miroir_core::topology::NodeId;
use serde_json::{Map, Value};

use super::nodes::node_error;
use super::search::shard_scoped_body;
use super::{Proxy, ProxyError};
use crate::nodes::NodeRequest;

/// Rounds of a scatter: the first assignment and one retry on other replicas.
const SCATTER_ROUNDS: usize = 2;

/// One index a scatter covers.
pub(super) struct ScatterTarget {
    /// Where the index's shards live.
    pub(super) placement: Arc<PlacementTable>,
    /// Its shard count S: shards `0..S` are covered.
    pub(super) shards: u32,
}

/// What the nodes answered.
pub(super) struct Gathered {
    /// The 2xx JSON-object answers, one per node that answered.
    pub(super) answers: Vec<Map<String, Value>>,
    /// Shards (of any target) no live replica answered for.
    pub(super) unavailable: BTreeSet<u32>,
}

impl Proxy {
    /// Scatters one body over the `shards` shards of one index: each node gets `body` scoped
    /// to the shards it answers for, sent as `to_request` builds it.
    pub(super) async fn scatter_index(
        &self,
        shards: u32,
        body: &Map<String, Value>,
        to_request: impl Fn(Map<String, Value>) -> NodeRequest,
    ) -> Result<Gathered, ProxyError> {
        let target = ScatterTarget {
            placement: self.placement(shards)?,
            shards,
        };
        self.scatter(std::slice::from_ref(&target), |node, assigned| {
            let shards = assigned.first().map(Vec::as_slice).unwrap_or_default();
            to_request(shard_scoped_body(body, &target.placement, node, shards))
        })
        .await
    }

    /// Covers every shard of every target once: `request_for(node, assigned)` builds the node's
    /// request, `assigned[t]` being the shards of target `t` it answers for (possibly none). A
    /// node's 4xx answer ends the scatter with that Meilisearch error; other failures move the
    /// node's shards to other replicas in one retry round.
    pub(super) async fn scatter(
        &self,
        targets: &[ScatterTarget],
        request_for: impl Fn(&NodeId, &[Vec<u32>]) -> NodeRequest,
    ) -> Result<Gathered, ProxyError> {
        let seq = self.next_query_seq();
        let mut failed_nodes = BTreeSet::new();
        let mut answers = Vec::new();
        let mut pending: Vec<BTreeSet<u32>> = targets
            .iter()
            .map(|target| (0..target.shards).collect())
            .collect();
        for round in 0..SCATTER_ROUNDS {
            let mut assignments: BTreeMap<NodeId, Vec<Vec<u32>>> = BTreeMap::new();
            for (position, target) in targets.iter().enumerate() {
                let per_node =
                    self.assign(&target.placement, seq, &pending[position], &failed_nodes);
                for (node, shards) in per_node {
                    assignments
                        .entry(node)
                        .or_insert_with(|| vec![Vec::new(); targets.len()])[position] = shards;
                }
            }
            if assignments.is_empty() {
                break;
            }
            if round == 0 {
                self.metrics.observe_fan_out(assignments.len());
            }
            let requests = assignments
                .iter()
                .map(|(node, assigned)| (node.clone(), request_for(node, assigned)))
                .collect();
            for (node, outcome) in self.send_each(requests).await {
                match outcome {
                    Ok(response) if response.status.is_success() => match response.json() {
                        Ok(Value::Object(fields)) => {
                            let assigned = assignments.get(&node).map(Vec::as_slice);
                            for (position, shards) in
                                assigned.unwrap_or_default().iter().enumerate()
                            {
                                for shard in shards {
                                    pending[position].remove(shard);
                                }
                            }
                            answers.push(fields);
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
            if pending.iter().all(BTreeSet::is_empty) {
                break;
            }
        }
        Ok(Gathered {
            answers,
            unavailable: pending.into_iter().flatten().collect(),
        })
    }

    /// The `X-Miroir-Degraded` value for shards left `unavailable` (`None` when all answered),
    /// or the 503 `miroir_shard_unavailable` error under the `error` policy.
    pub(super) fn degraded_shards(
        &self,
        unavailable: &BTreeSet<u32>,
    ) -> Result<Option<String>, ProxyError> {
        if unavailable.is_empty() {
            return Ok(None);
        }
        if self.settings.unavailable_shard_policy == UnavailableShardPolicy::Error {
            return Err(ProxyError::ShardUnavailable {
                shards: unavailable.iter().copied().collect(),
            });
        }
        let shards: Vec<String> = unavailable.iter().map(ToString::to_string).collect();
        Ok(Some(format!("shards={}", shards.join(","))))
    }
}
