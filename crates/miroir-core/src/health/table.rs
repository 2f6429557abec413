//! The per-node health state machine and the table of every node's state.

use std::collections::BTreeMap;

use crate::config::HealthConfig;
use crate::router::PlacementTable;
use crate::topology::NodeId;

/// What the prober currently believes about a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeHealth {
    /// Not probed successfully yet, nor failed enough to be written off: requests may go to
    /// it (a fresh peer must not refuse traffic before its first probe round), but it does not
    /// count as reachable for readiness.
    Unknown,
    /// Answering its health probe.
    Healthy,
    /// Failed `unhealthy_threshold` probes in a row, and not yet recovered: reads route around
    /// it.
    Unhealthy,
}

impl NodeHealth {
    /// Whether reads may be sent to the node.
    pub fn is_routable(self) -> bool {
        self != NodeHealth::Unhealthy
    }

    /// The lower-case name used in logs and admin views.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeHealth::Unknown => "unknown",
            NodeHealth::Healthy => "healthy",
            NodeHealth::Unhealthy => "unhealthy",
        }
    }
}

/// Thresholds of the state machine (`health` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthPolicy {
    /// Consecutive failed probes that make a node unhealthy (at least 1).
    pub unhealthy_threshold: u32,
    /// Consecutive good probes that make an unhealthy node healthy again (at least 1).
    pub recovery_threshold: u32,
}

impl HealthPolicy {
    /// The thresholds of `config`, each raised to at least 1.
    pub fn from_config(config: &HealthConfig) -> Self {
        Self {
            unhealthy_threshold: config.unhealthy_threshold.max(1),
            recovery_threshold: config.recovery_threshold.max(1),
        }
    }
}

/// A change of a node's health caused by one probe result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthTransition {
    /// The node.
    pub node: NodeId,
    /// Its state before the probe.
    pub from: NodeHealth,
    /// Its state after the probe.
    pub to: NodeHealth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NodeRecord {
    health: NodeHealth,
    /// Consecutive results of the kind that would move the node out of its state.
    streak: u32,
}

/// Every node's health, as one peer's prober sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthTable {
    policy: HealthPolicy,
    nodes: BTreeMap<NodeId, NodeRecord>,
}

impl HealthTable {
    /// A table with every node of `nodes` [`NodeHealth::Unknown`].
    pub fn new(policy: HealthPolicy, nodes: impl IntoIterator<Item = NodeId>) -> Self {
        let nodes = nodes
            .into_iter()
            .map(|node| {
                (
                    node,
                    NodeRecord {
                        health: NodeHealth::Unknown,
                        streak: 0,
                    },
                )
            })
            .collect();
        Self { policy, nodes }
    }

    /// The health of `node`; nodes the table does not know are [`NodeHealth::Unknown`].
    pub fn health(&self, node: &NodeId) -> NodeHealth {
        self.nodes
            .get(node)
            .map_or(NodeHealth::Unknown, |record| record.health)
    }

    /// Whether reads may be sent to `node`.
    pub fn is_routable(&self, node: &NodeId) -> bool {
        self.health(node).is_routable()
    }

    /// Every node with its health, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&NodeId, NodeHealth)> {
        self.nodes
            .iter()
            .map(|(node, record)| (node, record.health))
    }

    /// Feeds one probe result of `node` (`ok` when it answered healthy in time); returns the
    /// transition it caused, if any. Unknown nodes are added.
    pub fn record(&mut self, node: &NodeId, ok: bool) -> Option<HealthTransition> {
        let policy = self.policy;
        let record = self.nodes.entry(node.clone()).or_insert(NodeRecord {
            health: NodeHealth::Unknown,
            streak: 0,
        });
        let from = record.health;
        let (to, streak) = next_state(policy, *record, ok);
        record.health = to;
        record.streak = streak;
        (from != to).then(|| HealthTransition {
            node: node.clone(),
            from,
            to,
        })
    }

    /// Whether every shard of `placement` has a [`NodeHealth::Healthy`] owner in some group:
    /// the readiness condition "a covering set is reachable".
    pub fn covers(&self, placement: &PlacementTable) -> bool {
        (0..placement.shards().get()).all(|shard| {
            placement.placements(shard).iter().any(|group| {
                group
                    .owners
                    .iter()
                    .any(|node| self.health(node) == NodeHealth::Healthy)
            })
        })
    }
}

/// The state and streak after one probe result.
fn next_state(policy: HealthPolicy, record: NodeRecord, ok: bool) -> (NodeHealth, u32) {
    match (record.health, ok) {
        (NodeHealth::Unknown | NodeHealth::Healthy, true) => (NodeHealth::Healthy, 0),
        (NodeHealth::Unhealthy, false) => (NodeHealth::Unhealthy, 0),
        (NodeHealth::Unknown | NodeHealth::Healthy, false) => {
            let failures = record.streak.saturating_add(1);
            if failures >= policy.unhealthy_threshold {
                (NodeHealth::Unhealthy, 0)
            } else {
                (record.health, failures)
            }
        }
        (NodeHealth::Unhealthy, true) => {
            let successes = record.streak.saturating_add(1);
            if successes >= policy.recovery_threshold {
                (NodeHealth::Healthy, 0)
            } else {
                (NodeHealth::Unhealthy, successes)
            }
        }
    }
}
