//! The cluster's shape: Meilisearch nodes grouped into replica groups, each node with an
//! administrative state that only moves along legal transitions.
//!
//! ```text
//!            ┌──────────── abort join ────────────┐
//!            │                                    ▼
//!   (new) ─► Joining ─► Active ─► Draining ─► Removed
//!                         ▲          │
//!                         └─ cancel ─┘
//! ```
//!
//! The administrative state says what a node is *meant* to do; whether it currently answers
//! is runtime health, which the router takes as a separate input. Nodes in `Active` or
//! `Draining` hold data (the current owners); nodes in `Active` or `Joining` are the target
//! owners once a migration finishes. See [`crate::router`].

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

use crate::config::Config;

/// Stable identifier of a Meilisearch node (the configured `id`, never its address): routing
/// hashes these bytes, so they must not change for the life of the node.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(String);

impl NodeId {
    /// Wraps a configured node id.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id's bytes as routing hashes them.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Identifier of a replica group. Every group holds a full copy of every index.
pub type GroupId = u32;

/// Administrative state of a node: what the operator asked of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    /// Added to its group; receives migrated shards and dual-writes, serves no reads yet.
    Joining,
    /// A full member of its group: owns shards, serves reads and writes.
    Active,
    /// Leaving its group: still owns its shards until they are migrated away.
    Draining,
    /// Gone from routing for good. A removed node id is never reused.
    Removed,
}

impl NodeState {
    /// Whether an operator or the rebalancer may move a node from `self` to `next`.
    pub fn can_transition_to(self, next: NodeState) -> bool {
        use NodeState::*;
        matches!(
            (self, next),
            (Joining, Active)
                | (Joining, Removed)
                | (Active, Draining)
                | (Draining, Active)
                | (Draining, Removed)
        )
    }

    /// Whether the node currently holds the documents of the shards it owns.
    pub fn holds_data(self) -> bool {
        matches!(self, NodeState::Active | NodeState::Draining)
    }

    /// Whether the node owns shards once in-flight migrations complete.
    pub fn is_target_owner(self) -> bool {
        matches!(self, NodeState::Active | NodeState::Joining)
    }
}

impl fmt::Display for NodeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            NodeState::Joining => "joining",
            NodeState::Active => "active",
            NodeState::Draining => "draining",
            NodeState::Removed => "removed",
        };
        f.write_str(name)
    }
}

/// One Meilisearch node as the topology knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// Stable routing identity.
    pub id: NodeId,
    /// Base URL Miroir sends requests to, e.g. `http://meili-0:7700`.
    pub address: String,
    /// The replica group the node belongs to.
    pub replica_group: GroupId,
    /// Administrative state.
    pub state: NodeState,
}

/// Why a topology could not be built or changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopologyError {
    /// Two nodes share one id.
    #[error("node id `{0}` appears more than once")]
    DuplicateNode(NodeId),
    /// A node id is not part of the topology.
    #[error("node `{0}` is not part of the topology")]
    UnknownNode(NodeId),
    /// A requested state change is not a legal transition.
    #[error("node `{node}` cannot go from {from} to {to}")]
    IllegalTransition {
        /// The node asked to change.
        node: NodeId,
        /// Its current state.
        from: NodeState,
        /// The refused next state.
        to: NodeState,
    },
    /// The replication factor is zero.
    #[error("replication factor must be at least 1")]
    ZeroReplicationFactor,
    /// The shard count is zero.
    #[error("shard count must be at least 1")]
    ZeroShards,
}

/// The whole placement input: shard count, replication factor and the nodes by group.
///
/// Groups and nodes are kept sorted (groups ascending, nodes by id) so that two peers holding
/// equal topologies iterate identically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    shards: NonZeroU32,
    replication_factor: u32,
    groups: BTreeMap<GroupId, Vec<Node>>,
}

impl Topology {
    /// Builds a topology; groups are the distinct `replica_group` values of `nodes`.
    pub fn new(
        shards: NonZeroU32,
        replication_factor: u32,
        nodes: impl IntoIterator<Item = Node>,
    ) -> Result<Self, TopologyError> {
        if replication_factor == 0 {
            return Err(TopologyError::ZeroReplicationFactor);
        }
        let mut groups: BTreeMap<GroupId, Vec<Node>> = BTreeMap::new();
        let mut seen = std::collections::BTreeSet::new();
        for node in nodes {
            if !seen.insert(node.id.clone()) {
                return Err(TopologyError::DuplicateNode(node.id));
            }
            groups.entry(node.replica_group).or_default().push(node);
        }
        for members in groups.values_mut() {
            members.sort_by(|a, b| a.id.cmp(&b.id));
        }
        Ok(Self {
            shards,
            replication_factor,
            groups,
        })
    }

    /// The initial topology a validated configuration describes: every configured node
    /// `Active` in its group.
    pub fn from_config(config: &Config) -> Result<Self, TopologyError> {
        let shards = NonZeroU32::new(config.shards).ok_or(TopologyError::ZeroShards)?;
        let nodes = config.nodes.iter().map(|node| Node {
            id: node.id.clone(),
            address: node.address.clone(),
            replica_group: node.replica_group,
            state: NodeState::Active,
        });
        Self::new(shards, config.replication_factor, nodes)
    }

    /// The same nodes and replication factor with `shards` shards (the placement of an index
    /// created with another shard count).
    pub fn with_shards(&self, shards: NonZeroU32) -> Result<Self, TopologyError> {
        Topology::new(shards, self.replication_factor, self.nodes().cloned())
    }

    /// Number of logical shards S.
    pub fn shards(&self) -> NonZeroU32 {
        self.shards
    }

    /// Replicas of each shard inside one group (RF).
    pub fn replication_factor(&self) -> u32 {
        self.replication_factor
    }

    /// Group ids in ascending order.
    pub fn group_ids(&self) -> impl Iterator<Item = GroupId> + '_ {
        self.groups.keys().copied()
    }

    /// Number of replica groups (RG).
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// The nodes of one group sorted by id, or an empty slice for an unknown group.
    pub fn group_nodes(&self, group: GroupId) -> &[Node] {
        self.groups.get(&group).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every node, group by group.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.groups.values().flatten()
    }

    /// Looks a node up by id.
    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.nodes().find(|node| &node.id == id)
    }

    /// Moves a node to `next` if that is a legal transition.
    pub fn transition(&mut self, id: &NodeId, next: NodeState) -> Result<(), TopologyError> {
        let node = self.node_mut(id)?;
        if !node.state.can_transition_to(next) {
            return Err(TopologyError::IllegalTransition {
                node: id.clone(),
                from: node.state,
                to: next,
            });
        }
        node.state = next;
        Ok(())
    }

    /// Points node `id` at a new base URL (its routing identity, the id, is unchanged).
    pub fn set_address(&mut self, id: &NodeId, address: String) -> Result<(), TopologyError> {
        self.node_mut(id)?.address = address;
        Ok(())
    }

    fn node_mut(&mut self, id: &NodeId) -> Result<&mut Node, TopologyError> {
        self.groups
            .values_mut()
            .flatten()
            .find(|node| &node.id == id)
            .ok_or_else(|| TopologyError::UnknownNode(id.clone()))
    }

    /// Takes every node of `group` out of routing at once (state `Removed`, whatever it was):
    /// the whole group stops receiving reads and writes in one step. Returns how many nodes
    /// changed.
    pub fn retire_group(&mut self, group: GroupId) -> usize {
        let mut retired = 0;
        for node in self.groups.get_mut(&group).into_iter().flatten() {
            if node.state != NodeState::Removed {
                node.state = NodeState::Removed;
                retired += 1;
            }
        }
        retired
    }

    /// Adds a new node in state `Joining`. Its group is created if it did not exist.
    pub fn add_joining_node(
        &mut self,
        id: NodeId,
        address: String,
        replica_group: GroupId,
    ) -> Result<(), TopologyError> {
        if self.node(&id).is_some() {
            return Err(TopologyError::DuplicateNode(id));
        }
        let members = self.groups.entry(replica_group).or_default();
        members.push(Node {
            id,
            address,
            replica_group,
            state: NodeState::Joining,
        });
        members.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, group: GroupId, state: NodeState) -> Node {
        Node {
            id: NodeId::new(id),
            address: format!("http://{id}:7700"),
            replica_group: group,
            state,
        }
    }

    fn shards(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).expect("non-zero")
    }

    const ALL_STATES: [NodeState; 4] = [
        NodeState::Joining,
        NodeState::Active,
        NodeState::Draining,
        NodeState::Removed,
    ];

    #[test]
    fn only_the_documented_transitions_are_legal() {
        let legal = [
            (NodeState::Joining, NodeState::Active),
            (NodeState::Joining, NodeState::Removed),
            (NodeState::Active, NodeState::Draining),
            (NodeState::Draining, NodeState::Active),
            (NodeState::Draining, NodeState::Removed),
        ];
        for from in ALL_STATES {
            for to in ALL_STATES {
                assert_eq!(
                    from.can_transition_to(to),
                    legal.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn groups_iterate_ascending_with_their_own_nodes_sorted() {
        let topology = Topology::new(
            shards(8),
            1,
            vec![
                node("c", 1, NodeState::Active),
                node("b", 0, NodeState::Active),
                node("a", 1, NodeState::Active),
                node("d", 0, NodeState::Active),
            ],
        )
        .expect("valid");
        assert_eq!(topology.group_ids().collect::<Vec<_>>(), vec![0, 1]);
        let ids = |g| {
            topology
                .group_nodes(g)
                .iter()
                .map(|n| n.id.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(0), vec!["b", "d"]);
        assert_eq!(ids(1), vec!["a", "c"]);
        assert!(topology.group_nodes(7).is_empty());
    }

    #[test]
    fn duplicate_ids_and_zero_rf_are_rejected() {
        let duplicate = Topology::new(
            shards(4),
            1,
            vec![
                node("a", 0, NodeState::Active),
                node("a", 1, NodeState::Active),
            ],
        );
        assert_eq!(
            duplicate,
            Err(TopologyError::DuplicateNode(NodeId::new("a")))
        );
        let zero_rf = Topology::new(shards(4), 0, vec![node("a", 0, NodeState::Active)]);
        assert_eq!(zero_rf, Err(TopologyError::ZeroReplicationFactor));
    }

    #[test]
    fn transition_applies_legal_moves_and_refuses_illegal_ones() {
        let mut topology =
            Topology::new(shards(4), 1, vec![node("a", 0, NodeState::Active)]).expect("valid");
        let a = NodeId::new("a");
        topology
            .add_joining_node(NodeId::new("b"), "http://b:7700".into(), 0)
            .expect("new id");
        let b = NodeId::new("b");
        assert_eq!(
            topology.transition(&b, NodeState::Draining),
            Err(TopologyError::IllegalTransition {
                node: b.clone(),
                from: NodeState::Joining,
                to: NodeState::Draining
            })
        );
        topology
            .transition(&b, NodeState::Active)
            .expect("join completes");
        topology.transition(&a, NodeState::Draining).expect("drain");
        topology.transition(&a, NodeState::Removed).expect("remove");
        assert_eq!(topology.node(&a).map(|n| n.state), Some(NodeState::Removed));
        assert!(topology.transition(&a, NodeState::Active).is_err());
        assert_eq!(
            topology.transition(&NodeId::new("zz"), NodeState::Active),
            Err(TopologyError::UnknownNode(NodeId::new("zz")))
        );
        assert_eq!(
            topology.add_joining_node(a.clone(), String::new(), 0),
            Err(TopologyError::DuplicateNode(a))
        );
    }

    #[test]
    fn a_validated_config_becomes_an_all_active_topology() {
        let yaml = br#"
shards: 16
replication_factor: 1
replica_groups: 2
master_key: "a-master-key-of-some-length"
admin_api_key: "an-admin-key-of-some-length"
nodes:
  - { id: meili-0, address: "http://meili-0:7700", replica_group: 0 }
  - { id: meili-1, address: "http://meili-1:7700", replica_group: 1 }
"#;
        let config = Config::from_yaml(yaml).expect("valid yaml");
        config.validate().expect("valid config");
        let topology = Topology::from_config(&config).expect("valid topology");
        assert_eq!(topology.shards().get(), 16);
        assert_eq!(topology.group_ids().collect::<Vec<_>>(), vec![0, 1]);
        assert!(topology.nodes().all(|n| n.state == NodeState::Active));
        assert_eq!(
            topology.group_nodes(1)[0].address,
            "http://meili-1:7700".to_owned()
        );
        let zero = Config {
            shards: 0,
            ..config
        };
        assert_eq!(Topology::from_config(&zero), Err(TopologyError::ZeroShards));
    }

    #[test]
    fn data_holding_and_target_ownership_follow_the_state() {
        assert!(NodeState::Active.holds_data() && NodeState::Active.is_target_owner());
        assert!(NodeState::Draining.holds_data() && !NodeState::Draining.is_target_owner());
        assert!(!NodeState::Joining.holds_data() && NodeState::Joining.is_target_owner());
        assert!(!NodeState::Removed.holds_data() && !NodeState::Removed.is_target_owner());
    }
}
