//! Deterministic placement: which shard a document belongs to, which nodes own each shard in
//! each replica group, where a write goes and which nodes a search asks.
//!
//! Every decision is a pure function of the [`Topology`], so any two peers holding the same
//! topology route identically without talking to each other.
//!
//! ```text
//!   primary key ──xxh64──► shard s ──► per group g: top-RF nodes of g by score(s, node)
//!                                        = owners(s, g)        (Active + Draining nodes)
//!                                        ∪ target_owners(s, g) (Active + Joining nodes)
//!                                        = write targets of s in g
//! ```
//!
//! Rendezvous (highest random weight) hashing is scoped to one group, so the replicas of a
//! shard are spread over a group's nodes and every group holds a full copy. Adding a node to a
//! group only moves the shards whose top-RF set the new node enters.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::num::NonZeroU32;

use strength_reduce::StrengthReducedU64;
use twox_hash::XxHash64;

use crate::topology::{GroupId, Node, NodeId, Topology};

/// Rendezvous weight of `node` for `shard`: xxHash64 with seed 0 over the shard id as four
/// little-endian bytes followed by the node id's UTF-8 bytes. This encoding is part of the
/// on-disk contract: changing it moves every document.
pub fn score(shard: u32, node: &NodeId) -> u64 {
    let id = node.as_str().as_bytes();
    let mut bytes = Vec::with_capacity(4 + id.len());
    bytes.extend_from_slice(&shard.to_le_bytes());
    bytes.extend_from_slice(id);
    XxHash64::oneshot(0, &bytes)
}

/// The shard of a document: xxHash64 (seed 0) of its canonical primary key, modulo `shards`.
pub fn shard_for_key(primary_key: &str, shards: NonZeroU32) -> u32 {
    ShardDivisor::new(shards).shard_for_key(primary_key)
}

/// `shard_for_key` with the division by S precomputed, for routing many keys.
#[derive(Debug, Clone, Copy)]
struct ShardDivisor(StrengthReducedU64);

impl ShardDivisor {
    fn new(shards: NonZeroU32) -> Self {
        Self(StrengthReducedU64::new(u64::from(shards.get())))
    }

    fn shard_for_key(self, primary_key: &str) -> u32 {
        let hash = XxHash64::oneshot(0, primary_key.as_bytes());
        // The remainder is below the divisor, a u32, so the narrowing cannot truncate.
        (hash % self.0) as u32
    }
}

impl PartialEq for ShardDivisor {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for ShardDivisor {}

/// The `replication_factor` highest-scoring `candidates` for `shard`, best first. Equal scores
/// (astronomically rare) are ordered by node id so the result never depends on input order.
pub fn top_nodes<'a>(
    shard: u32,
    candidates: impl IntoIterator<Item = &'a Node>,
    replication_factor: u32,
) -> Vec<NodeId> {
    let mut ranked: Vec<(Reverse<u64>, &NodeId)> = candidates
        .into_iter()
        .map(|node| (Reverse(score(shard, &node.id)), &node.id))
        .collect();
    ranked.sort_unstable();
    ranked
        .into_iter()
        .take(replication_factor as usize)
        .map(|(_, id)| id.clone())
        .collect()
}

/// Placement of one shard inside one replica group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPlacement {
    /// The group this placement is about.
    pub group: GroupId,
    /// Nodes that hold the shard now (top-RF of the group's Active and Draining nodes), best
    /// first. These serve reads.
    pub owners: Vec<NodeId>,
    /// Nodes that will hold the shard when in-flight migrations finish (top-RF of the group's
    /// Active and Joining nodes), best first.
    pub target_owners: Vec<NodeId>,
    /// Owners followed by target owners not already listed: every node a write must reach so
    /// that neither the old nor the new placement misses it. Equals `owners` when the group
    /// has no joining or draining node.
    pub write_targets: Vec<NodeId>,
}

impl GroupPlacement {
    fn compute(shard: u32, group: GroupId, nodes: &[Node], replication_factor: u32) -> Self {
        let owners = top_nodes(
            shard,
            nodes.iter().filter(|node| node.state.holds_data()),
            replication_factor,
        );
        let target_owners = top_nodes(
            shard,
            nodes.iter().filter(|node| node.state.is_target_owner()),
            replication_factor,
        );
        let mut write_targets = owners.clone();
        for node in &target_owners {
            if !write_targets.contains(node) {
                write_targets.push(node.clone());
            }
        }
        Self {
            group,
            owners,
            target_owners,
            write_targets,
        }
    }

    /// Whether the shard is moving inside this group (dual-writes are in effect).
    pub fn is_migrating(&self) -> bool {
        self.owners != self.target_owners
    }

    /// The per-group write quorum: a majority of the replication factor, `floor(RF/2)+1`.
    pub fn quorum(replication_factor: u32) -> u32 {
        replication_factor / 2 + 1
    }
}

/// One nodes' share of a search: the node and the shards it answers for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveringAssignment {
    /// The node to ask.
    pub node: NodeId,
    /// Shards this node answers for, ascending. A node holding more shards than these must be
    /// asked with a `_miroir_shard` filter so that replicas are not counted twice.
    pub shards: Vec<u32>,
}

/// The nodes one search asks inside one group, and the shards nobody there can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveringSet {
    /// The group the search runs in.
    pub group: GroupId,
    /// One entry per node asked, ordered by node id.
    pub assignments: Vec<CoveringAssignment>,
    /// Shards with no healthy owner in this group, ascending: the caller falls back to another
    /// group or answers partially.
    pub uncovered: Vec<u32>,
}

impl CoveringSet {
    /// Whether every shard has a node in this set.
    pub fn is_complete(&self) -> bool {
        self.uncovered.is_empty()
    }
}

/// Every shard's placement in every group, computed once per topology version so that the
/// request path only indexes into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementTable {
    shards: NonZeroU32,
    divisor: ShardDivisor,
    replication_factor: u32,
    /// `by_shard[s]` lists the group placements of shard `s`, groups ascending.
    by_shard: Vec<Vec<GroupPlacement>>,
    /// Every node that is a write target of some shard, by id: the slots of [`BatchRoute`].
    slot_nodes: Vec<NodeId>,
    /// `write_slots[s]`: indexes into `slot_nodes` of shard `s`'s write targets.
    write_slots: Vec<Vec<usize>>,
    /// How many shards each node currently owns (serves reads for), over all groups.
    owned_counts: BTreeMap<NodeId, usize>,
    /// Whether nodes may hold copies of shards they do not own (see [`Self::unsettled`]).
    unsettled: bool,
}

/// A batch of documents split by destination node: what the write path sends where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRoute {
    /// The shard of each document, in batch order.
    pub shards: Vec<u32>,
    /// For each node that receives at least one document: the node and the batch positions of
    /// its documents, ascending. Nodes are ordered by id.
    pub per_node: Vec<(NodeId, Vec<usize>)>,
}

impl PlacementTable {
    /// Computes the placement of every shard in every group of `topology`.
    pub fn build(topology: &Topology) -> Self {
        let replication_factor = topology.replication_factor();
        let by_shard = (0..topology.shards().get())
            .map(|shard| {
                topology
                    .group_ids()
                    .map(|group| {
                        GroupPlacement::compute(
                            shard,
                            group,
                            topology.group_nodes(group),
                            replication_factor,
                        )
                    })
                    .collect()
            })
            .collect::<Vec<Vec<GroupPlacement>>>();
        let slot_nodes: Vec<NodeId> = by_shard
            .iter()
            .flatten()
            .flat_map(|placement| placement.write_targets.iter().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let write_slots = by_shard
            .iter()
            .map(|placements| {
                placements
                    .iter()
                    .flat_map(|placement| &placement.write_targets)
                    .filter_map(|node| slot_nodes.binary_search(node).ok())
                    .collect()
            })
            .collect();
        let mut owned_counts: BTreeMap<NodeId, usize> = BTreeMap::new();
        for placement in by_shard.iter().flatten() {
            for node in &placement.owners {
                *owned_counts.entry(node.clone()).or_default() += 1;
            }
        }
        Self {
            shards: topology.shards(),
            divisor: ShardDivisor::new(topology.shards()),
            replication_factor,
            by_shard,
            slot_nodes,
            write_slots,
            owned_counts,
            unsettled: false,
        }
    }

    /// The same placement, marked as one where nodes may hold copies of shards they do not own
    /// (a migration or the cleanup after one is unfinished): every node a search asks is then
    /// scoped to its shards (see [`Self::needs_shard_scope`]).
    pub fn unsettled(mut self) -> Self {
        self.unsettled = true;
        self
    }

    /// Whether `node`, answering for `assigned` shards, may hold documents of other shards, so
    /// that its query needs a `_miroir_shard` filter to count no document twice.
    pub fn needs_shard_scope(&self, node: &NodeId, assigned: usize) -> bool {
        self.unsettled || self.owned_shard_count(node) > assigned
    }

    /// Routes a batch of documents given their canonical primary keys: each document goes to
    /// every write target of its shard, and each node gets one list with all of its documents.
    pub fn route_batch<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> BatchRoute {
        let keys = keys.into_iter();
        let expected_documents = keys.size_hint().0;
        // Each node receives about its fair share of the batch's replicas.
        let replicas_per_document = self.write_slots.first().map_or(0, Vec::len);
        let per_node_capacity =
            expected_documents * replicas_per_document / self.slot_nodes.len().max(1) + 16;
        let mut buckets: Vec<Vec<usize>> = (0..self.slot_nodes.len())
            .map(|_| Vec::with_capacity(per_node_capacity))
            .collect();
        let mut shards = Vec::with_capacity(expected_documents);
        for (position, key) in keys.enumerate() {
            let shard = self.shard_for_key(key);
            shards.push(shard);
            for &slot in self.write_slots.get(shard as usize).into_iter().flatten() {
                buckets[slot].push(position);
            }
        }
        let per_node = self
            .slot_nodes
            .iter()
            .zip(buckets)
            .filter(|(_, positions)| !positions.is_empty())
            .map(|(node, positions)| (node.clone(), positions))
            .collect();
        BatchRoute { shards, per_node }
    }

    /// Number of shards S.
    pub fn shards(&self) -> NonZeroU32 {
        self.shards
    }

    /// Replication factor RF inside each group.
    pub fn replication_factor(&self) -> u32 {
        self.replication_factor
    }

    /// The shard of a document with this canonical primary key.
    pub fn shard_for_key(&self, primary_key: &str) -> u32 {
        self.divisor.shard_for_key(primary_key)
    }

    /// The placements of `shard` in every group, groups ascending; empty for a shard outside
    /// `0..S`.
    pub fn placements(&self, shard: u32) -> &[GroupPlacement] {
        self.by_shard
            .get(shard as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// How many shards `node` owns (0 for a node that owns none).
    pub fn owned_shard_count(&self, node: &NodeId) -> usize {
        self.owned_counts.get(node).copied().unwrap_or(0)
    }

    /// The placement of `shard` in `group`, if both exist.
    pub fn placement(&self, shard: u32, group: GroupId) -> Option<&GroupPlacement> {
        self.placements(shard).iter().find(|p| p.group == group)
    }

    /// Every node a write of `shard` must reach, group by group: RG × RF nodes when no
    /// migration is running (a node may appear once per group it belongs to).
    pub fn write_targets(&self, shard: u32) -> impl Iterator<Item = (GroupId, &NodeId)> {
        self.placements(shard).iter().flat_map(|placement| {
            placement
                .write_targets
                .iter()
                .map(move |node| (placement.group, node))
        })
    }

    /// The nodes a search in `group` asks. For each shard the owners are rotated by
    /// `query_seq` so consecutive queries spread over replicas, and the first owner that
    /// `is_healthy` accepts answers for it; shards without one are reported as uncovered.
    pub fn covering_set(
        &self,
        group: GroupId,
        query_seq: u64,
        is_healthy: impl Fn(&NodeId) -> bool,
    ) -> CoveringSet {
        let mut by_node: BTreeMap<&NodeId, Vec<u32>> = BTreeMap::new();
        let mut uncovered = Vec::new();
        for (shard, placements) in (0u32..).zip(&self.by_shard) {
            let owners = placements
                .iter()
                .find(|p| p.group == group)
                .map(|p| p.owners.as_slice())
                .unwrap_or(&[]);
            match pick_rotated(owners, query_seq, &is_healthy) {
                Some(node) => by_node.entry(node).or_default().push(shard),
                None => uncovered.push(shard),
            }
        }
        CoveringSet {
            group,
            assignments: by_node
                .into_iter()
                .map(|(node, shards)| CoveringAssignment {
                    node: node.clone(),
                    shards,
                })
                .collect(),
            uncovered,
        }
    }
}

/// The first healthy node of `owners` starting at `query_seq % len` and wrapping around.
fn pick_rotated<'a>(
    owners: &'a [NodeId],
    query_seq: u64,
    is_healthy: &impl Fn(&NodeId) -> bool,
) -> Option<&'a NodeId> {
    if owners.is_empty() {
        return None;
    }
    let start = (query_seq % owners.len() as u64) as usize;
    owners[start..]
        .iter()
        .chain(&owners[..start])
        .find(|node| is_healthy(node))
}

/// The group a search with sequence number `query_seq` runs in: round-robin over the
/// query-eligible groups, `None` when there is none.
pub fn query_group(query_seq: u64, eligible_groups: &[GroupId]) -> Option<GroupId> {
    if eligible_groups.is_empty() {
        return None;
    }
    let index = (query_seq % eligible_groups.len() as u64) as usize;
    eligible_groups.get(index).copied()
}

#[cfg(test)]
mod tests;
