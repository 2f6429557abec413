//! The proxy's node plumbing: addressing, parallel sends, and turning node answers into
//! replies or relayed Meilisearch errors.

use futures::future::join_all;
use miroir_core::error::{ApiError, ErrorBody};
use miroir_core::topology::NodeId;
use serde_json::Value;

use super::reserved_errors::hide_reserved_attributes;
use super::{Proxy, ProxyError, Reply};
use crate::nodes::{NodeError, NodeRequest, NodeResponse};

impl Proxy {
    /// Sends `request` to `node` within the node deadline.
    pub(crate) async fn send(
        &self,
        node: &NodeId,
        request: &NodeRequest,
    ) -> Result<NodeResponse, NodeError> {
        let fleet = self.fleet();
        let address = fleet
            .address(node)
            .ok_or_else(|| NodeError::InvalidRequest(format!("unknown node `{node}`")))?;
        self.nodes
            .send(address, request, self.settings.node_timeout)
            .await
    }

    /// Sends each request to its node, all at once; outcomes in input order.
    pub(super) async fn send_each(
        &self,
        requests: Vec<(NodeId, NodeRequest)>,
    ) -> Vec<(NodeId, Result<NodeResponse, NodeError>)> {
        let calls = requests.into_iter().map(|(node, request)| async move {
            let outcome = self.send(&node, &request).await;
            (node, outcome)
        });
        join_all(calls).await
    }

    /// Sends `request` to every node taking part in writes (joining nodes included, so that
    /// they hold every index and its settings before they serve reads).
    pub(super) async fn broadcast(
        &self,
        request: &NodeRequest,
    ) -> Vec<(NodeId, Result<NodeResponse, NodeError>)> {
        let requests = self
            .fleet()
            .live_nodes()
            .into_iter()
            .map(|node| (node, request.clone()))
            .collect();
        self.send_each(requests).await
    }

    /// Asks the data nodes one after the other until one answers (any status), and relays that
    /// answer: for reads every node can serve identically (index metadata, settings, version).
    /// Nodes the prober calls unhealthy are asked last.
    pub(super) async fn ask_any_node(&self, request: &NodeRequest) -> Result<Reply, ProxyError> {
        let mut last_failure = None;
        let (routable, unhealthy): (Vec<NodeId>, Vec<NodeId>) = self
            .fleet()
            .data_nodes()
            .into_iter()
            .partition(|node| self.is_routable(node));
        for node in routable.into_iter().chain(unhealthy) {
            match self.send(&node, request).await {
                Ok(response) => return relay(response),
                Err(error) => {
                    tracing::warn!(%node, %error, "node unavailable for a read; trying the next");
                    last_failure = Some(ProxyError::Node {
                        node,
                        source: error,
                    });
                }
            }
        }
        Err(last_failure
            .unwrap_or_else(|| ProxyError::Internal("the topology has no nodes".into())))
    }
}

/// A node's answer as a reply (2xx with a JSON body) or as its own error, relayed unchanged.
pub(super) fn relay(response: NodeResponse) -> Result<Reply, ProxyError> {
    if response.status.is_success() {
        let body = if response.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&response.body).map_err(|error| {
                ProxyError::Internal(format!("node answered invalid JSON: {error}"))
            })?
        };
        return Ok(Reply::with_status(response.status, body));
    }
    Err(node_error(&response))
}

/// A node's non-2xx answer as an error to relay (its body when Meilisearch-shaped).
/// Messages naming Miroir's reserved `_miroir_shard` attribute are reworded without it.
pub(super) fn node_error(response: &NodeResponse) -> ProxyError {
    match serde_json::from_slice::<ErrorBody>(&response.body) {
        Ok(mut body) => {
            body.message = hide_reserved_attributes(&body.message);
            ProxyError::Api(ApiError::from_node(response.status.as_u16(), body))
        }
        Err(_) => ProxyError::Internal(format!(
            "node answered {} with a body that is not a Meilisearch error",
            response.status
        )),
    }
}

/// The `taskUid` of a node's 202 answer.
pub(super) fn node_task_uid(response: &NodeResponse) -> Result<u64, NodeError> {
    let body = response.json()?;
    body.get("taskUid")
        .and_then(Value::as_u64)
        .ok_or_else(|| NodeError::InvalidBody(format!("no taskUid in {body}")))
}
