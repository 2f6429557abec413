//! Planning of online shard migration: which shard copies a topology change needs, where they
//! read from, and which copies become garbage once ownership flips. Pure functions of two
//! [`PlacementTable`]s; the rebalancer (in the `miroir` crate) executes the plans.
//!
//! ```text
//!   placement while nodes join / drain          placement after the flip
//!   owners(s,g) ──copy shard s──► target_owners(s,g) \ owners(s,g)
//!                                                 │
//!   write targets before ∖ write targets after ◄──┘ cleanup: delete `_miroir_shard = s`
//! ```
//!
//! A shard that is not migrating never appears in a plan: its documents are never read or
//! written by the rebalancer.

use std::collections::BTreeSet;

use crate::router::PlacementTable;
use crate::topology::{GroupId, NodeId};

/// One shard to copy inside one group: its documents go from one of `sources` to every one of
/// `destinations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardCopy {
    /// The shard.
    pub shard: u32,
    /// The group whose new owners receive the copy.
    pub group: GroupId,
    /// Nodes holding the shard, preferred first; any one of them is a complete source.
    /// Empty when no node anywhere holds the shard (nothing to copy).
    pub sources: Vec<NodeId>,
    /// Target owners that do not hold the shard yet.
    pub destinations: Vec<NodeId>,
}

/// One shard's documents to delete from one node after the flip.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShardCleanup {
    /// The node that holds a copy it no longer owns.
    pub node: NodeId,
    /// The shard.
    pub shard: u32,
}

/// The copies `placement` needs before its joining nodes may become active or its draining
/// nodes may leave: for every shard and group whose target owners differ from its owners, the
/// target owners that are not owners yet.
///
/// Sources are the shard's owners in the same group. A group without any owner of the shard
/// (a new replica group being back-filled) reads from the owners in `source_groups` instead,
/// starting at a different group for each shard so that the load spreads round-robin.
pub fn copy_plan(placement: &PlacementTable, source_groups: &[GroupId]) -> Vec<ShardCopy> {
    let mut plan = Vec::new();
    for shard in 0..placement.shards().get() {
        for group in placement.placements(shard) {
            let destinations: Vec<NodeId> = group
                .target_owners
                .iter()
                .filter(|node| !group.owners.contains(node))
                .cloned()
                .collect();
            if destinations.is_empty() {
                continue;
            }
            let sources = if group.owners.is_empty() {
                other_group_owners(placement, shard, group.group, source_groups)
            } else {
                group.owners.clone()
            };
            plan.push(ShardCopy {
                shard,
                group: group.group,
                sources,
                destinations,
            });
        }
    }
    plan
}

/// The copies that bring `node` back to every shard it owns after it came back empty or behind:
/// for each such shard, the other owners in its group first, then the owners in
/// `source_groups`, as sources.
pub fn rehydrate_plan(
    placement: &PlacementTable,
    node: &NodeId,
    source_groups: &[GroupId],
) -> Vec<ShardCopy> {
    let mut plan = Vec::new();
    for shard in 0..placement.shards().get() {
        for group in placement.placements(shard) {
            if !group.owners.contains(node) {
                continue;
            }
            let mut sources: Vec<NodeId> = group
                .owners
                .iter()
                .filter(|owner| *owner != node)
                .cloned()
                .collect();
            sources.extend(other_group_owners(
                placement,
                shard,
                group.group,
                source_groups,
            ));
            plan.push(ShardCopy {
                shard,
                group: group.group,
                sources,
                destinations: vec![node.clone()],
            });
        }
    }
    plan
}

/// The owners of `shard` in `source_groups` other than `except`, group by group, starting at
/// group `shard mod n` so that consecutive shards read from different groups.
fn other_group_owners(
    placement: &PlacementTable,
    shard: u32,
    except: GroupId,
    source_groups: &[GroupId],
) -> Vec<NodeId> {
    let groups: Vec<GroupId> = source_groups
        .iter()
        .copied()
        .filter(|group| *group != except)
        .collect();
    if groups.is_empty() {
        return Vec::new();
    }
    let start = shard as usize % groups.len();
    groups[start..]
        .iter()
        .chain(&groups[..start])
        .filter_map(|group| placement.placement(shard, *group))
        .flat_map(|group| group.owners.iter().cloned())
        .collect()
}

/// What to delete once the topology moves from `before` to `after`: every node that may hold
/// a shard under `before` (it was a write target) and is no write target of it under `after`.
/// Sorted by node, then shard.
pub fn cleanup_plan(before: &PlacementTable, after: &PlacementTable) -> Vec<ShardCleanup> {
    let mut plan = BTreeSet::new();
    for shard in 0..before.shards().get() {
        let kept: BTreeSet<&NodeId> = after.write_targets(shard).map(|(_, node)| node).collect();
        for (_, node) in before.write_targets(shard) {
            if !kept.contains(node) {
                plan.insert(ShardCleanup {
                    node: node.clone(),
                    shard,
                });
            }
        }
    }
    plan.into_iter().collect()
}

#[cfg(test)]
mod tests;
