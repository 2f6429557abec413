//! The replicated cluster shape: miroir-core's [`Topology`] plus replica-group states and a
//! version that grows by one on every accepted change.
//!
//! Nodes are never deleted: a removed node stays in the topology in state `Removed`, which is
//! what guarantees its id is never handed out again.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use miroir_core::config::MAX_SHARDS;
use miroir_core::topology::{GroupId, Node, NodeId, NodeState, Topology, TopologyError};
use serde::{Deserialize, Serialize};

use crate::groups::GroupState;
use crate::rejection::Rejection;
use crate::response::Response;

/// A node as an operator describes it when adding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSpec {
    /// Stable routing identity.
    pub id: NodeId,
    /// Base URL Miroir sends requests to.
    pub address: String,
    /// The replica group it joins.
    pub replica_group: GroupId,
}

/// Changes to the cluster shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TopologyCommand {
    /// Creates the initial topology once: every node `Active`, every group they name `Active`.
    Init {
        /// Logical shard count S (1..=4096).
        shards: u32,
        /// Replicas of each shard inside a group (≥ 1).
        replication_factor: u32,
        /// The initial nodes (at least one).
        nodes: Vec<NodeSpec>,
    },
    /// Creates a new, `Initializing`, empty replica group.
    AddGroup {
        /// A group id never used before.
        group: GroupId,
    },
    /// Moves a group along [`GroupState::can_transition_to`]; removal needs all its nodes removed.
    SetGroupState {
        /// The group.
        group: GroupId,
        /// Its next state.
        state: GroupState,
    },
    /// Adds a node in state `Joining` to an existing, not removed group.
    AddNode {
        /// The new node; its id must never have been used.
        node: NodeSpec,
    },
    /// Moves a node along miroir-core's `NodeState::can_transition_to`.
    SetNodeState {
        /// The node.
        node: NodeId,
        /// Its next state.
        state: NodeState,
    },
    /// Removes a replica group in one step: every node of it `Removed`, the group `Removed`.
    /// Appended after the first release of V1 (see `FORMAT.md`).
    RemoveGroup {
        /// The group; it must not be removed already.
        group: GroupId,
    },
    /// Points a node at a new base URL (e.g. after its host or port changed in the
    /// configuration). Appended after the first release of V1 (see `FORMAT.md`).
    SetNodeAddress {
        /// The node; it must exist and not be removed.
        node: NodeId,
        /// Its new base URL (not empty).
        address: String,
    },
}

impl TopologyCommand {
    /// Short name and key for log lines.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Init { nodes, .. } => format!("init_topology nodes={}", nodes.len()),
            Self::AddGroup { group } => format!("add_group {group}"),
            Self::SetGroupState { group, state } => format!("set_group_state {group} {state}"),
            Self::AddNode { node } => format!("add_node {}", node.id),
            Self::SetNodeState { node, state } => format!("set_node_state {node} {state}"),
            Self::RemoveGroup { group } => format!("remove_group {group}"),
            Self::SetNodeAddress { node, .. } => format!("set_node_address {node}"),
        }
    }
}

/// The topology as replicated: absent until `Init`, then versioned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterTopology {
    version: u64,
    layout: Option<Topology>,
    groups: BTreeMap<GroupId, GroupState>,
}

impl ClusterTopology {
    /// Grows by one on every accepted topology command; `0` before `Init`.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Shards, replication factor and nodes, once initialised.
    pub fn layout(&self) -> Option<&Topology> {
        self.layout.as_ref()
    }

    /// State of one replica group.
    pub fn group_state(&self, group: GroupId) -> Option<GroupState> {
        self.groups.get(&group).copied()
    }

    /// Every replica group with its state, ascending by id.
    pub fn groups(&self) -> impl Iterator<Item = (GroupId, GroupState)> + '_ {
        self.groups.iter().map(|(group, state)| (*group, *state))
    }

    pub(crate) fn apply(&mut self, command: &TopologyCommand) -> Result<Response, Rejection> {
        match command {
            TopologyCommand::Init {
                shards,
                replication_factor,
                nodes,
            } => self.init(*shards, *replication_factor, nodes)?,
            TopologyCommand::AddGroup { group } => self.add_group(*group)?,
            TopologyCommand::SetGroupState { group, state } => {
                self.set_group_state(*group, *state)?
            }
            TopologyCommand::AddNode { node } => self.add_node(node)?,
            TopologyCommand::SetNodeState { node, state } => self.set_node_state(node, *state)?,
            TopologyCommand::RemoveGroup { group } => self.remove_group(*group)?,
            TopologyCommand::SetNodeAddress { node, address } => {
                self.set_node_address(node, address)?
            }
        }
        self.version = self.version.saturating_add(1);
        Ok(Response::TopologyChanged {
            version: self.version,
        })
    }

    fn init(
        &mut self,
        shards: u32,
        replication_factor: u32,
        nodes: &[NodeSpec],
    ) -> Result<(), Rejection> {
        if self.layout.is_some() {
            return Err(Rejection::TopologyAlreadyInitialized);
        }
        let shards = NonZeroU32::new(shards)
            .filter(|shards| shards.get() <= MAX_SHARDS)
            .ok_or_else(|| Rejection::invalid(format!("shards must be in 1..={MAX_SHARDS}")))?;
        if nodes.is_empty() {
            return Err(Rejection::invalid(
                "the initial topology needs at least one node",
            ));
        }
        validate_node_spec(nodes)?;
        let members = nodes.iter().map(|spec| Node {
            id: spec.id.clone(),
            address: spec.address.clone(),
            replica_group: spec.replica_group,
            state: NodeState::Active,
        });
        let layout =
            Topology::new(shards, replication_factor, members).map_err(reject_topology_error)?;
        self.groups = layout
            .group_ids()
            .map(|group| (group, GroupState::Active))
            .collect();
        self.layout = Some(layout);
        Ok(())
    }

    fn add_group(&mut self, group: GroupId) -> Result<(), Rejection> {
        if self.layout.is_none() {
            return Err(Rejection::TopologyNotInitialized);
        }
        if self.groups.contains_key(&group) {
            return Err(Rejection::GroupExists(group));
        }
        self.groups.insert(group, GroupState::Initializing);
        Ok(())
    }

    fn set_group_state(&mut self, group: GroupId, next: GroupState) -> Result<(), Rejection> {
        let layout = self
            .layout
            .as_ref()
            .ok_or(Rejection::TopologyNotInitialized)?;
        let current = self
            .groups
            .get(&group)
            .copied()
            .ok_or(Rejection::UnknownGroup(group))?;
        if !current.can_transition_to(next) {
            return Err(Rejection::IllegalGroupTransition {
                group,
                from: current,
                to: next,
            });
        }
        if next == GroupState::Removed {
            let live_nodes = layout
                .group_nodes(group)
                .iter()
                .filter(|node| node.state != NodeState::Removed)
                .count();
            if live_nodes > 0 {
                return Err(Rejection::GroupHasLiveNodes {
                    group,
                    live_nodes: u32::try_from(live_nodes).unwrap_or(u32::MAX),
                });
            }
        }
        self.groups.insert(group, next);
        Ok(())
    }

    fn remove_group(&mut self, group: GroupId) -> Result<(), Rejection> {
        let layout = self
            .layout
            .as_mut()
            .ok_or(Rejection::TopologyNotInitialized)?;
        match self.groups.get(&group) {
            None => return Err(Rejection::UnknownGroup(group)),
            Some(GroupState::Removed) => return Err(Rejection::GroupRemoved(group)),
            Some(_) => {}
        }
        layout.retire_group(group);
        self.groups.insert(group, GroupState::Removed);
        Ok(())
    }

    fn set_node_address(&mut self, node: &NodeId, address: &str) -> Result<(), Rejection> {
        let layout = self
            .layout
            .as_mut()
            .ok_or(Rejection::TopologyNotInitialized)?;
        if address.is_empty() {
            return Err(Rejection::invalid(format!(
                "node `{node}` needs an address"
            )));
        }
        match layout.node(node).map(|existing| existing.state) {
            None => return Err(Rejection::UnknownNode(node.clone())),
            Some(NodeState::Removed) => return Err(Rejection::NodeIdRetired(node.clone())),
            Some(_) => {}
        }
        layout
            .set_address(node, address.to_owned())
            .map_err(reject_topology_error)
    }

    fn add_node(&mut self, spec: &NodeSpec) -> Result<(), Rejection> {
        let layout = self
            .layout
            .as_mut()
            .ok_or(Rejection::TopologyNotInitialized)?;
        validate_node_spec(std::slice::from_ref(spec))?;
        match self.groups.get(&spec.replica_group) {
            None => return Err(Rejection::UnknownGroup(spec.replica_group)),
            Some(GroupState::Removed) => return Err(Rejection::GroupRemoved(spec.replica_group)),
            Some(_) => {}
        }
        if let Some(existing) = layout.node(&spec.id) {
            return Err(if existing.state == NodeState::Removed {
                Rejection::NodeIdRetired(spec.id.clone())
            } else {
                Rejection::DuplicateNode(spec.id.clone())
            });
        }
        layout
            .add_joining_node(spec.id.clone(), spec.address.clone(), spec.replica_group)
            .map_err(reject_topology_error)
    }

    fn set_node_state(&mut self, node: &NodeId, next: NodeState) -> Result<(), Rejection> {
        let layout = self
            .layout
            .as_mut()
            .ok_or(Rejection::TopologyNotInitialized)?;
        layout.transition(node, next).map_err(reject_topology_error)
    }
}

fn validate_node_spec(nodes: &[NodeSpec]) -> Result<(), Rejection> {
    for spec in nodes {
        if spec.id.as_str().is_empty() {
            return Err(Rejection::invalid("node id must not be empty"));
        }
        if spec.address.is_empty() {
            return Err(Rejection::invalid(format!(
                "node `{}` needs an address",
                spec.id
            )));
        }
    }
    Ok(())
}

fn reject_topology_error(error: TopologyError) -> Rejection {
    match error {
        TopologyError::DuplicateNode(node) => Rejection::DuplicateNode(node),
        TopologyError::UnknownNode(node) => Rejection::UnknownNode(node),
        TopologyError::IllegalTransition { node, from, to } => {
            Rejection::IllegalTransition { node, from, to }
        }
        TopologyError::ZeroReplicationFactor => {
            Rejection::invalid("replication factor must be at least 1")
        }
        TopologyError::ZeroShards => Rejection::invalid("shard count must be at least 1"),
    }
}
