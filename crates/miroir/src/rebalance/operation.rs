//! Topology operations as operators submit them, the checks that refuse unsafe ones before
//! anything changes, and the progress a running operation commits to the job table.
//!
//! An operation is a job of kind [`JOB_KIND`] whose payload is a [`TopologyOperation`] (JSON)
//! and whose progress detail is an [`OperationProgress`] (JSON). Everything here is pure.

use std::collections::{BTreeMap, BTreeSet};

use miroir_core::topology::{GroupId, NodeId, NodeState};
use miroir_meta::{GroupState, JobRecord, MetadataState, NodeSpec};
use serde::{Deserialize, Serialize};

/// The job kind of topology operations.
pub const JOB_KIND: &str = "topology";

/// A change of the cluster shape the rebalancer carries out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all = "snake_case")]
pub enum TopologyOperation {
    /// Adds a node to a group: joining, shard copies, active, old copies deleted.
    AddNode {
        /// The new node.
        node: NodeSpec,
    },
    /// Drains a node: draining, its shards copied to their new owners. It keeps serving until
    /// it is removed.
    DrainNode {
        /// The node.
        node: NodeId,
    },
    /// Removes a drained (or still joining) node: out of routing, its documents deleted.
    RemoveNode {
        /// The node.
        node: NodeId,
        /// The node may be gone for good: its deletions are tried once, not waited for.
        force: bool,
    },
    /// Adds a replica group with its nodes: initializing, back-filled from the active groups,
    /// then active.
    AddGroup {
        /// The new group.
        group: GroupId,
        /// Its nodes (at least one).
        nodes: Vec<NodeSpec>,
    },
    /// Removes a replica group at once, without migration.
    RemoveGroup {
        /// The group.
        group: GroupId,
    },
    /// Refills a node that came back from a failure empty or behind, from the other replicas
    /// of its shards; reads avoid it until this finishes.
    RehydrateNode {
        /// The node.
        node: NodeId,
    },
    /// An operator-requested repair: every replica of every shard holding fewer documents
    /// than another replica is refilled from it (nothing moves in a healthy cluster).
    Repair,
}

impl TopologyOperation {
    /// What an operator asked for, for status views.
    pub fn describe(&self) -> String {
        match self {
            Self::AddNode { node } => {
                format!("add node {} to group {}", node.id, node.replica_group)
            }
            Self::DrainNode { node } => format!("drain node {node}"),
            Self::RemoveNode { node, .. } => format!("remove node {node}"),
            Self::AddGroup { group, nodes } => {
                format!("add group {group} with {} node(s)", nodes.len())
            }
            Self::RemoveGroup { group } => format!("remove group {group}"),
            Self::RehydrateNode { node } => format!("re-hydrate node {node}"),
            Self::Repair => "repair under-replicated shards".to_owned(),
        }
    }
}

/// Why an operation is refused before anything changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The request itself is malformed or names something unknown.
    #[error("{0}")]
    Invalid(String),
    /// The request conflicts with the cluster's current state.
    #[error("{0}")]
    Conflict(String),
}

/// Checks `operation` against `state`; `force` overrides the data-loss checks.
pub fn check(
    state: &MetadataState,
    operation: &TopologyOperation,
    force: bool,
) -> Result<(), Refusal> {
    if let Some(running) = unfinished_operations(state).next() {
        return Err(Refusal::Conflict(format!(
            "Topology operation `{}` is not finished yet; wait for it (see GET \
             /_miroir/rebalance/status) before starting another.",
            running.id
        )));
    }
    let cluster = state.topology();
    let layout = cluster.layout().ok_or_else(|| {
        Refusal::Conflict("The cluster has not recorded its topology yet; retry shortly.".into())
    })?;
    let node_state = |id: &NodeId| layout.node(id).map(|node| node.state);
    if let Some(moving) = layout
        .nodes()
        .find(|node| node.state == NodeState::Joining)
        .filter(|_| !matches!(operation, TopologyOperation::RemoveNode { .. }))
    {
        return Err(Refusal::Conflict(format!(
            "Node `{}` is still joining; remove it or let its addition finish first.",
            moving.id
        )));
    }
    match operation {
        TopologyOperation::AddNode { node } => {
            check_new_node(state, node)?;
            match cluster.group_state(node.replica_group) {
                Some(GroupState::Active) => Ok(()),
                Some(GroupState::Initializing) => Err(Refusal::Conflict(format!(
                    "Replica group {} is still initializing.",
                    node.replica_group
                ))),
                Some(GroupState::Removed) => Err(Refusal::Invalid(format!(
                    "Replica group {} was removed.",
                    node.replica_group
                ))),
                None => Err(Refusal::Invalid(format!(
                    "Replica group {} does not exist; add it with POST /_miroir/groups.",
                    node.replica_group
                ))),
            }
        }
        TopologyOperation::DrainNode { node } => match node_state(node) {
            None => Err(unknown_node(node)),
            Some(NodeState::Active) => check_drain_keeps_a_replica(state, node, force),
            Some(other) => Err(Refusal::Conflict(format!(
                "Node `{node}` is {other}; only an active node can be drained."
            ))),
        },
        TopologyOperation::RemoveNode { node, .. } => match node_state(node) {
            None => Err(unknown_node(node)),
            Some(NodeState::Draining | NodeState::Joining) => Ok(()),
            Some(NodeState::Active) => Err(Refusal::Conflict(format!(
                "Node `{node}` still owns shards: drain it first (POST \
                 /_miroir/nodes/{node}/drain), then remove it."
            ))),
            Some(NodeState::Removed) => Err(Refusal::Conflict(format!(
                "Node `{node}` is already removed."
            ))),
        },
        TopologyOperation::AddGroup { group, nodes } => {
            if cluster.group_state(*group).is_some() {
                return Err(Refusal::Invalid(format!(
                    "Replica group {group} exists already (group ids are never reused)."
                )));
            }
            if nodes.is_empty() {
                return Err(Refusal::Invalid(format!(
                    "Replica group {group} needs at least one node."
                )));
            }
            for (n, node) in nodes.iter().enumerate() {
                if node.replica_group != *group {
                    return Err(Refusal::Invalid(format!(
                        "Node `{}` names group {} inside the request for group {group}.",
                        node.id, node.replica_group
                    )));
                }
                if nodes[..n].iter().any(|earlier| earlier.id == node.id) {
                    return Err(Refusal::Invalid(format!(
                        "Node `{}` appears twice in the request.",
                        node.id
                    )));
                }
                check_new_node(state, node)?;
            }
            Ok(())
        }
        TopologyOperation::RehydrateNode { node } => match node_state(node) {
            None => Err(unknown_node(node)),
            Some(state) if state.holds_data() => Ok(()),
            Some(state) => Err(Refusal::Conflict(format!(
                "Node `{node}` is {state}: it serves no reads, there is nothing to re-hydrate."
            ))),
        },
        TopologyOperation::Repair => Ok(()),
        TopologyOperation::RemoveGroup { group } => match cluster.group_state(*group) {
            None => Err(Refusal::Invalid(format!(
                "Replica group {group} does not exist."
            ))),
            Some(GroupState::Removed) => Err(Refusal::Conflict(format!(
                "Replica group {group} is already removed."
            ))),
            Some(_) => {
                let other_active = cluster
                    .groups()
                    .any(|(other, state)| other != *group && state == GroupState::Active);
                if other_active || force {
                    Ok(())
                } else {
                    Err(Refusal::Conflict(format!(
                        "Replica group {group} is the last active group: removing it loses \
                         every document. Pass force to remove it anyway."
                    )))
                }
            }
        },
    }
}

fn unknown_node(node: &NodeId) -> Refusal {
    Refusal::Invalid(format!("Node `{node}` is not part of the topology."))
}

fn check_new_node(state: &MetadataState, node: &NodeSpec) -> Result<(), Refusal> {
    if node.id.as_str().is_empty() {
        return Err(Refusal::Invalid("A node needs a non-empty `id`.".into()));
    }
    if !(node.address.starts_with("http://") || node.address.starts_with("https://")) {
        return Err(Refusal::Invalid(format!(
            "Node `{}` needs an `address` starting with http:// or https://.",
            node.id
        )));
    }
    match state
        .topology()
        .layout()
        .and_then(|layout| layout.node(&node.id))
    {
        None => Ok(()),
        Some(existing) if existing.state == NodeState::Removed => Err(Refusal::Invalid(format!(
            "Node id `{}` belonged to a removed node and is never reused; pick a new id.",
            node.id
        ))),
        Some(_) => Err(Refusal::Invalid(format!(
            "Node `{}` is already part of the topology.",
            node.id
        ))),
    }
}

/// Refuses to drain the last active node of a group unless another active group holds every
/// shard (or `force`).
fn check_drain_keeps_a_replica(
    state: &MetadataState,
    node: &NodeId,
    force: bool,
) -> Result<(), Refusal> {
    let cluster = state.topology();
    let Some(layout) = cluster.layout() else {
        return Ok(());
    };
    let Some(group) = layout.node(node).map(|n| n.replica_group) else {
        return Ok(());
    };
    let survivors = layout
        .group_nodes(group)
        .iter()
        .filter(|other| other.id != *node && other.state == NodeState::Active)
        .count();
    let other_active_group = cluster
        .groups()
        .any(|(other, state)| other != group && state == GroupState::Active);
    if survivors > 0 || other_active_group || force {
        Ok(())
    } else {
        Err(Refusal::Conflict(format!(
            "Node `{node}` is the last active node of group {group} and no other group holds \
             the data: draining it would leave its shards without a replica. Pass force to \
             drain it anyway."
        )))
    }
}

/// Topology jobs not finished yet, oldest first.
pub fn unfinished_operations(state: &MetadataState) -> impl Iterator<Item = &JobRecord> {
    let mut jobs: Vec<&JobRecord> = state
        .jobs()
        .filter(|job| job.kind == JOB_KIND && !job.state.is_terminal())
        .collect();
    jobs.sort_by_key(|job| (job.created_at_ms, job.id.clone()));
    jobs.into_iter()
}

/// Finished topology jobs beyond the `keep` most recent ones, oldest first: what the leader
/// forgets so that the replicated state does not grow with every operation.
pub fn prunable_operations(state: &MetadataState, keep: usize) -> Vec<String> {
    let mut finished: Vec<&JobRecord> = state
        .jobs()
        .filter(|job| job.kind == JOB_KIND && job.state.is_terminal())
        .collect();
    finished.sort_by_key(|job| (job.created_at_ms, job.id.clone()));
    let excess = finished.len().saturating_sub(keep);
    finished
        .into_iter()
        .take(excess)
        .map(|job| job.id.clone())
        .collect()
}

/// The most recent topology job, finished or not.
pub fn latest_operation(state: &MetadataState) -> Option<&JobRecord> {
    state
        .jobs()
        .filter(|job| job.kind == JOB_KIND)
        .max_by_key(|job| (job.created_at_ms, job.id.clone()))
}

/// Where a running operation is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The topology change that starts the operation (nodes joining, draining, …).
    #[default]
    Start,
    /// Copying shards to their new owners.
    Copy,
    /// Ownership flips to the new placement.
    Flip,
    /// Deleting copies their nodes no longer own.
    Cleanup,
    /// Finished.
    Done,
}

/// One shard copy and how far it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyProgress {
    /// The index.
    pub index_uid: String,
    /// The shard.
    pub shard: u32,
    /// The group receiving the copy.
    pub group: GroupId,
    /// Nodes that hold the shard, preferred first.
    pub sources: Vec<NodeId>,
    /// Nodes receiving it.
    pub destinations: Vec<NodeId>,
    /// Documents of the source read so far (the page offset to resume at).
    pub offset: u64,
    /// The source's document count of the shard when last read.
    pub total: Option<u64>,
    /// Whether the copy is complete and verified.
    pub done: bool,
}

/// One shard's copy to delete from a node after the flip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupProgress {
    /// The index.
    pub index_uid: String,
    /// The node that no longer owns the shard.
    pub node: NodeId,
    /// The shard.
    pub shard: u32,
    /// Whether the deletion finished.
    pub done: bool,
}

/// The progress detail a running operation commits after every step and page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationProgress {
    /// Where the operation is.
    pub step: Step,
    /// Whether the copies were planned (the plan may be empty).
    pub copies_planned: bool,
    /// The shard copies, planned when the copy step starts.
    pub copies: Vec<CopyProgress>,
    /// Whether the deletions were planned (the plan may be empty).
    pub cleanups_planned: bool,
    /// The deletions, planned just before the flip.
    pub cleanups: Vec<CleanupProgress>,
    /// Documents written to new owners (one per document and destination).
    pub documents_copied: u64,
    /// What the operation waits for, when it cannot progress (e.g. an unreachable node).
    pub waiting_for: Option<String>,
}

impl OperationProgress {
    /// The progress recorded in `job` (a fresh one before the first commit).
    pub fn of(job: &JobRecord) -> Self {
        job.progress_json
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }
}

/// The nodes of unfinished re-hydrations (reads avoid them), and for every node the creation
/// time of its latest finished one.
pub fn rehydrations(state: &MetadataState) -> (BTreeSet<NodeId>, BTreeMap<NodeId, u64>) {
    let mut running = BTreeSet::new();
    let mut finished: BTreeMap<NodeId, u64> = BTreeMap::new();
    for job in state.jobs().filter(|job| job.kind == JOB_KIND) {
        let Ok(TopologyOperation::RehydrateNode { node }) = serde_json::from_str(&job.payload)
        else {
            continue;
        };
        if job.state.is_terminal() {
            let latest = finished.entry(node).or_default();
            *latest = (*latest).max(job.created_at_ms);
        } else {
            running.insert(node);
        }
    }
    (running, finished)
}

/// Whether `state` holds a topology operation that is not finished.
pub fn has_unfinished_operation(state: &MetadataState) -> bool {
    unfinished_operations(state).next().is_some()
}

#[cfg(test)]
mod tests;
