//! The operator service layer: one implementation behind both operator front-ends, the admin
//! gRPC API (`grpc`, for `miroir-ctl`) and the HTTP `/_miroir/*` routes, so both always agree.
//! Answers are the admin API's protobuf messages (they serialise to the HTTP JSON as they are);
//! failures are [`AdminError`].
//!
//! ```text
//!   miroir-ctl ─gRPC─► grpc::AdminGrpc ─┐
//!                                       ├─► Admin ─► Proxy (tasks, topology, health)
//!   curl ─HTTP /_miroir/*─► http edge ──┘        └─► MetadataPeer (membership, peer status)
//! ```

mod error;
pub mod grpc;
mod listener;
mod membership;
mod operations;
mod task_messages;
mod tasks;
mod topology_changes;
mod topology_view;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use miroir_admin_proto::v1 as pb;
use miroir_meta::{format_timestamp_ms, IndexRecord, IndexState, JobRecord};

use crate::proxy::Proxy;

pub use error::AdminError;
pub use listener::AdminListener;
pub use membership::add_learner_change;
pub use topology_view::{degraded_shards, migrating_shards};

/// How long a status request waits for each peer's answer.
const PEER_STATUS_TIMEOUT: Duration = Duration::from_secs(2);

/// The operator service of one peer.
#[derive(Clone)]
pub struct Admin {
    proxy: Arc<Proxy>,
}

impl Admin {
    /// The operator service over `proxy` (and its metadata peer).
    pub fn new(proxy: Arc<Proxy>) -> Self {
        Self { proxy }
    }

    /// Peers, leader, nodes, degraded shards and running operations.
    pub async fn cluster_status(&self) -> Result<pb::ClusterStatus, AdminError> {
        let peer = self.proxy.peer();
        let peers = membership::peer_statuses(&peer.peer_reports(PEER_STATUS_TIMEOUT).await);
        let fleet = self.proxy.fleet();
        let topology = fleet.topology();
        let placement = self.proxy.default_placement()?;
        let health = self.health();
        Ok(pb::ClusterStatus {
            answered_by: peer.id(),
            leader_id: peer.leader().unwrap_or_default(),
            peers,
            nodes: topology_view::node_statuses(topology, &placement, &health),
            degraded_shards: topology_view::degraded_shards(&placement, &health),
            operations: self.operations().await?,
            shards: topology.shards().get(),
            replication_factor: topology.replication_factor(),
            replica_groups: u32::try_from(topology.group_count()).unwrap_or(u32::MAX),
        })
    }

    /// The topology with node health and owned shards.
    pub fn topology(&self) -> Result<pb::Topology, AdminError> {
        let placement = self.proxy.default_placement()?;
        Ok(topology_view::topology(
            self.proxy.fleet().topology(),
            &placement,
            &self.health(),
        ))
    }

    /// Where the shards of every index (or of `index_uid` alone, when not empty) live.
    pub async fn shard_map(&self, index_uid: &str) -> Result<pb::ShardMap, AdminError> {
        let indexes: Vec<IndexRecord> = self
            .proxy
            .peer()
            .read(|state| {
                state
                    .indexes()
                    .filter(|index| index_uid.is_empty() || index.uid == index_uid)
                    .cloned()
                    .collect()
            })
            .await;
        if !index_uid.is_empty() && indexes.is_empty() {
            return Err(AdminError::NotFound(format!(
                "Index `{index_uid}` is not registered."
            )));
        }
        let mut views = Vec::with_capacity(indexes.len());
        for index in &indexes {
            let placement = self.proxy.index_placement(index.shards)?;
            views.push(topology_view::index_shards(index, &placement));
        }
        Ok(pb::ShardMap { indexes: views })
    }

    /// Registered indexes with their shard count, primary key and settings version.
    pub async fn indexes(&self) -> Result<pb::IndexList, AdminError> {
        let indexes = self
            .proxy
            .peer()
            .linearizable_read(|state| state.indexes().map(index_info).collect())
            .await?;
        Ok(pb::IndexList { indexes })
    }

    /// The most recent topology operation and its per-shard progress.
    pub async fn rebalance_status(&self) -> Result<pb::RebalanceStatus, AdminError> {
        Ok(self
            .proxy
            .peer()
            .read(crate::rebalance::rebalance_status)
            .await)
    }

    /// Unfinished jobs and tasks (task statuses refreshed from the nodes first).
    pub async fn operations(&self) -> Result<Vec<pb::Operation>, AdminError> {
        let jobs: Vec<JobRecord> = self
            .proxy
            .peer()
            .read(|state| state.jobs().cloned().collect())
            .await;
        let tasks = self.proxy.unfinished_tasks().await?;
        Ok(operations::operations(&jobs, &tasks))
    }

    /// The operations and the rebalance, as one snapshot.
    pub async fn operations_snapshot(&self) -> Result<pb::OperationsSnapshot, AdminError> {
        Ok(pb::OperationsSnapshot {
            operations: self.operations().await?,
            rebalance: Some(self.rebalance_status().await?),
        })
    }

    /// Node health as this peer's prober sees it.
    fn health(&self) -> topology_view::HealthView {
        self.proxy
            .node_health()
            .into_iter()
            .collect::<BTreeMap<_, _>>()
    }
}

/// The admin view of an index record.
fn index_info(index: &IndexRecord) -> pb::IndexInfo {
    pb::IndexInfo {
        uid: index.uid.clone(),
        primary_key: index.primary_key.clone().unwrap_or_default(),
        shard_count: index.shards,
        settings_version: index.settings_version,
        state: match index.state {
            IndexState::Creating => "creating",
            IndexState::Ready => "ready",
            IndexState::Deleting => "deleting",
        }
        .to_owned(),
        created_at: format_timestamp_ms(index.created_at_ms),
        updated_at: format_timestamp_ms(index.updated_at_ms),
    }
}
