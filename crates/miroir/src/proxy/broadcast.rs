//! Writes every node must take (index deletion, settings, deletions by filter or of all
//! documents): sent to every data node at once, accepted only when every node accepted, and
//! tracked as one logical task over the node tasks.

use std::collections::BTreeMap;

use miroir_core::topology::NodeId;
use serde_json::Value;

use super::nodes::{node_error, node_task_uid};
use super::{Proxy, ProxyError, Reply};
use crate::nodes::{NodeError, NodeRequest, NodeResponse};

impl Proxy {
    /// Broadcasts `request` and records one task of `task_type` over the node tasks. A node's
    /// own refusal is relayed; an unreachable node fails the request (503).
    pub(super) async fn broadcast_task(
        &self,
        request: &NodeRequest,
        index_uid: &str,
        task_type: &str,
        details: Value,
    ) -> Result<Reply, ProxyError> {
        let accepted = match accepted_tasks(self.broadcast(request).await) {
            Ok(accepted) => accepted,
            Err(Broadcast::Refused(error)) => return Err(error),
            Err(Broadcast::Unreachable { node, source, .. }) => {
                return Err(ProxyError::Node { node, source })
            }
        };
        self.enqueue_task(Some(index_uid.to_owned()), task_type, details, accepted)
            .await
    }
}

/// How a broadcast that every node must accept went wrong.
pub(super) enum Broadcast {
    /// A node refused the request itself (its Meilisearch error, relayed).
    Refused(ProxyError),
    /// A node could not be reached; the others' task uids are in `accepted`.
    Unreachable {
        accepted: BTreeMap<NodeId, u64>,
        node: NodeId,
        source: NodeError,
    },
}

/// The node task uids of a broadcast every node accepted.
pub(super) fn accepted_tasks(
    outcomes: Vec<(NodeId, Result<NodeResponse, NodeError>)>,
) -> Result<BTreeMap<NodeId, u64>, Broadcast> {
    let mut accepted = BTreeMap::new();
    let mut unreachable = None;
    for (node, outcome) in outcomes {
        match outcome {
            Ok(response) if response.status.is_success() => match node_task_uid(&response) {
                Ok(task_uid) => {
                    accepted.insert(node, task_uid);
                }
                Err(source) => unreachable = Some((node, source)),
            },
            Ok(response) => return Err(Broadcast::Refused(node_error(&response))),
            Err(source) => unreachable = Some((node, source)),
        }
    }
    match unreachable {
        Some((node, source)) => Err(Broadcast::Unreachable {
            accepted,
            node,
            source,
        }),
        None => Ok(accepted),
    }
}
