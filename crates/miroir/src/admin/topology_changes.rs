//! Node and replica-group changes: each one is checked against the current state and, when
//! accepted, submitted as a topology operation that the Raft leader's rebalancer carries out
//! (online shard migration; see `crate::rebalance`). The answer names the operation to follow
//! with `GET /_miroir/rebalance/status`.

use miroir_admin_proto::v1 as pb;
use miroir_core::topology::NodeId;
use miroir_meta::NodeSpec;

use super::{Admin, AdminError};
use crate::rebalance::{self, Refusal, SubmitError, TopologyOperation};

impl Admin {
    /// Adds node `id` at `address` to replica group `group`.
    pub async fn add_node(
        &self,
        id: &str,
        address: &str,
        group: u32,
    ) -> Result<pb::OperationAccepted, AdminError> {
        let node = NodeSpec {
            id: NodeId::new(id),
            address: address.to_owned(),
            replica_group: group,
        };
        self.submit(TopologyOperation::AddNode { node }, false)
            .await
    }

    /// Drains node `id`; `force` allows draining the last replica of the data.
    pub async fn drain_node(
        &self,
        id: &str,
        force: bool,
    ) -> Result<pb::OperationAccepted, AdminError> {
        let node = NodeId::new(id);
        self.submit(TopologyOperation::DrainNode { node }, force)
            .await
    }

    /// Removes drained node `id`; `force` does not wait for a node that is gone.
    pub async fn remove_node(
        &self,
        id: &str,
        force: bool,
    ) -> Result<pb::OperationAccepted, AdminError> {
        let node = NodeId::new(id);
        self.submit(TopologyOperation::RemoveNode { node, force }, force)
            .await
    }

    /// Adds replica group `id` with `nodes`.
    pub async fn add_group(
        &self,
        id: u32,
        nodes: &[pb::GroupNode],
    ) -> Result<pb::OperationAccepted, AdminError> {
        let nodes = nodes
            .iter()
            .map(|node| NodeSpec {
                id: NodeId::new(node.id.clone()),
                address: node.address.clone(),
                replica_group: id,
            })
            .collect();
        self.submit(TopologyOperation::AddGroup { group: id, nodes }, false)
            .await
    }

    /// Removes replica group `id`; `force` allows removing the last active group.
    pub async fn remove_group(
        &self,
        id: u32,
        force: bool,
    ) -> Result<pb::OperationAccepted, AdminError> {
        self.submit(TopologyOperation::RemoveGroup { group: id }, force)
            .await
    }

    /// Starts a repair of under-replicated shards.
    pub async fn start_rebalance(&self) -> Result<pb::OperationAccepted, AdminError> {
        self.submit(TopologyOperation::Repair, false).await
    }

    async fn submit(
        &self,
        operation: TopologyOperation,
        force: bool,
    ) -> Result<pb::OperationAccepted, AdminError> {
        let operation_id = rebalance::submit(&self.proxy, &operation, force)
            .await
            .map_err(|error| match error {
                SubmitError::Refused(Refusal::Invalid(message)) => {
                    AdminError::InvalidArgument(message)
                }
                SubmitError::Refused(Refusal::Conflict(message)) => {
                    AdminError::TopologyConflict(message)
                }
                SubmitError::Metadata(message) => AdminError::Unavailable(message),
            })?;
        tracing::info!(%operation_id, operation = %operation.describe(), "topology operation accepted");
        Ok(pb::OperationAccepted {
            operation_id,
            task_uid: 0,
        })
    }
}
