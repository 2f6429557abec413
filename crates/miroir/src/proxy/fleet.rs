//! The fleet a peer routes over: the replicated topology (before the cluster recorded one, the
//! configured nodes) and its placement tables. Requests take the current [`Fleet`] once and
//! route with it; a new topology version replaces it as a whole.
//!
//! ```text
//!   Raft apply ─► AppliedWatch ─► follow_topology_forever ─► Fleet { version, topology, .. }
//!                                                             ▲
//!   request ─► Proxy::fleet() (an Arc, no lock held while routing) ┘
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use miroir_core::router::PlacementTable;
use miroir_core::topology::{GroupId, NodeId, NodeState, Topology};
use miroir_meta::{GroupState, JobState, MetadataState};

use super::{Proxy, ProxyError};
use crate::rebalance;

/// One version of the cluster shape with its placements.
pub struct Fleet {
    version: u64,
    topology: Topology,
    query_groups: Vec<GroupId>,
    unsettled: bool,
    /// Nodes being re-hydrated: reads avoid them.
    rehydrating: BTreeSet<NodeId>,
    /// Per node, when its latest finished re-hydration was created (leader's clock, ms).
    rehydrated: BTreeMap<NodeId, u64>,
    latest_operation: Option<(String, JobState)>,
    placements: Mutex<BTreeMap<u32, Arc<PlacementTable>>>,
}

/// What identifies a fleet: a new one is built only when this changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FleetKey {
    version: u64,
    unsettled: bool,
    latest_operation: Option<(String, JobState)>,
}

impl Fleet {
    /// The configured fleet, used until the cluster records its topology: every node active,
    /// every group serving queries.
    pub fn configured(topology: Topology) -> Self {
        let query_groups = topology.group_ids().collect();
        Self::new(0, topology, query_groups, false)
    }

    fn new(version: u64, topology: Topology, query_groups: Vec<GroupId>, unsettled: bool) -> Self {
        Self {
            version,
            topology,
            query_groups,
            unsettled,
            rehydrating: BTreeSet::new(),
            rehydrated: BTreeMap::new(),
            latest_operation: None,
            placements: Mutex::new(BTreeMap::new()),
        }
    }

    /// The replicated fleet of `state`, if the cluster recorded its topology.
    pub(super) fn recorded(state: &MetadataState) -> Option<Self> {
        let cluster = state.topology();
        let topology = cluster.layout()?.clone();
        let query_groups = cluster
            .groups()
            .filter(|(_, group_state)| *group_state == GroupState::Active)
            .map(|(group, _)| group)
            .collect();
        let (rehydrating, rehydrated) = rebalance::rehydrations(state);
        Some(Self {
            rehydrating,
            rehydrated,
            latest_operation: latest_operation(state),
            ..Self::new(
                cluster.version(),
                topology,
                query_groups,
                is_unsettled(state),
            )
        })
    }

    /// The key of the fleet `state` describes.
    pub(super) fn key_of(state: &MetadataState) -> FleetKey {
        FleetKey {
            version: state.topology().version(),
            unsettled: is_unsettled(state),
            latest_operation: latest_operation(state),
        }
    }

    fn key(&self) -> FleetKey {
        FleetKey {
            version: self.version,
            unsettled: self.unsettled,
            latest_operation: self.latest_operation.clone(),
        }
    }

    /// Whether `node` holds data and another node holds copies of its shards: another data
    /// node in its group when RF > 1, or another group serving queries.
    pub fn has_other_replicas(&self, node: &NodeId) -> bool {
        let Some(known) = self
            .topology
            .node(node)
            .filter(|known| known.state.holds_data())
        else {
            return false;
        };
        let group = known.replica_group;
        let peers_in_group = self
            .topology
            .group_nodes(group)
            .iter()
            .filter(|other| other.id != *node && other.state.holds_data())
            .count();
        let other_group = self.query_groups.iter().any(|other| *other != group);
        (self.topology.replication_factor() > 1 && peers_in_group > 0) || other_group
    }

    /// Nodes being re-hydrated (reads avoid them).
    pub fn rehydrating(&self) -> &BTreeSet<NodeId> {
        &self.rehydrating
    }

    /// When the latest finished re-hydration of `node` was created (ms), if any.
    pub fn rehydrated_at(&self, node: &NodeId) -> Option<u64> {
        self.rehydrated.get(node).copied()
    }

    /// Nodes, groups and their states.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Groups searches may run in (active ones), ascending.
    pub fn query_groups(&self) -> &[GroupId] {
        &self.query_groups
    }

    /// Nodes that hold documents and serve reads (active or draining).
    pub fn data_nodes(&self) -> Vec<NodeId> {
        self.nodes_where(NodeState::holds_data)
    }

    /// Nodes that take part in writes and index-wide changes (every node not removed).
    pub fn live_nodes(&self) -> Vec<NodeId> {
        self.nodes_where(|state| state != NodeState::Removed)
    }

    fn nodes_where(&self, keep: impl Fn(NodeState) -> bool) -> Vec<NodeId> {
        self.topology
            .nodes()
            .filter(|node| keep(node.state))
            .map(|node| node.id.clone())
            .collect()
    }

    /// The base URL of `node`.
    pub fn address(&self, node: &NodeId) -> Option<&str> {
        self.topology.node(node).map(|node| node.address.as_str())
    }

    /// The placement of an index with `shards` shards (computed once per fleet).
    pub fn placement(&self, shards: u32) -> Result<Arc<PlacementTable>, ProxyError> {
        let mut cache = self
            .placements
            .lock()
            .map_err(|_poisoned| ProxyError::Internal("placement cache poisoned".into()))?;
        if let Some(table) = cache.get(&shards) {
            return Ok(table.clone());
        }
        let shard_count = NonZeroU32::new(shards)
            .ok_or_else(|| ProxyError::Internal("index registered with 0 shards".into()))?;
        let topology = self
            .topology
            .with_shards(shard_count)
            .map_err(|error| ProxyError::Internal(error.to_string()))?;
        let table = PlacementTable::build(&topology);
        let table = Arc::new(if self.unsettled {
            table.unsettled()
        } else {
            table
        });
        cache.insert(shards, table.clone());
        Ok(table)
    }
}

/// The most recent topology operation and its state.
fn latest_operation(state: &MetadataState) -> Option<(String, JobState)> {
    rebalance::latest_operation(state).map(|job| (job.id.clone(), job.state))
}

/// Whether a node of `state` may hold documents it does not own: a node joining or draining,
/// a group initializing, or a topology operation not finished (its cleanup may be pending).
fn is_unsettled(state: &MetadataState) -> bool {
    let cluster = state.topology();
    let moving_node = cluster.layout().is_some_and(|layout| {
        layout
            .nodes()
            .any(|node| matches!(node.state, NodeState::Joining | NodeState::Draining))
    });
    let filling_group = cluster
        .groups()
        .any(|(_, group_state)| group_state == GroupState::Initializing);
    moving_node || filling_group || rebalance::has_unfinished_operation(state)
}

impl Proxy {
    /// The fleet to route this request with.
    pub fn fleet(&self) -> Arc<Fleet> {
        match self.fleet.read() {
            Ok(fleet) => fleet.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Follows the replicated topology for as long as Raft runs: after every applied entry,
    /// the fleet is rebuilt if the topology (or whether it is settled) changed.
    pub async fn follow_topology_forever(self: Arc<Self>) {
        let mut applied = self.peer.applied_watch();
        while applied.next().await.is_some() {
            self.refresh_fleet().await;
        }
    }

    /// Rebuilds the fleet from the local state if it changed.
    pub(crate) async fn refresh_fleet(&self) {
        let current = self.fleet().key();
        let next = self
            .peer
            .read(|state| {
                let key = Fleet::key_of(state);
                (key != current).then(|| Fleet::recorded(state)).flatten()
            })
            .await;
        let Some(next) = next else {
            return;
        };
        tracing::info!(
            version = next.version,
            unsettled = next.unsettled,
            "routing with a new topology"
        );
        self.node_metrics.register(
            next.topology
                .nodes()
                .map(|node| (node.id.as_str(), node.address.as_str())),
        );
        match self.fleet.write() {
            Ok(mut fleet) => *fleet = Arc::new(next),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(next),
        }
    }
}
