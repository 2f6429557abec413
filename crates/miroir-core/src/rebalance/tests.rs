//! Migration plans: only moving shards are copied, sources hold the data, cleanups never touch
//! a node that still owns the shard, and a node add moves about S/(N+1) shards.

use std::collections::BTreeSet;
use std::num::NonZeroU32;

use proptest::prelude::*;

use super::*;
use crate::topology::{Node, NodeState, Topology};

fn node(id: &str, group: GroupId, state: NodeState) -> Node {
    Node {
        id: NodeId::new(id),
        address: format!("http://{id}:7700"),
        replica_group: group,
        state,
    }
}

fn topology(shards: u32, rf: u32, nodes: Vec<Node>) -> Topology {
    Topology::new(NonZeroU32::new(shards).unwrap(), rf, nodes).unwrap()
}

/// `active` active nodes `n0..` in group 0, plus `joining` joining nodes after them.
fn group_with_joining(shards: u32, rf: u32, active: u32, joining: u32) -> Topology {
    let nodes = (0..active + joining).map(|n| {
        let state = if n < active {
            NodeState::Active
        } else {
            NodeState::Joining
        };
        node(&format!("n{n}"), 0, state)
    });
    topology(shards, rf, nodes.collect())
}

fn flipped(mut topology: Topology, node: &str, state: NodeState) -> Topology {
    topology.transition(&NodeId::new(node), state).unwrap();
    topology
}

#[test]
fn a_settled_topology_needs_no_copy_and_no_cleanup() {
    let settled = PlacementTable::build(&group_with_joining(64, 2, 4, 0));
    assert!(copy_plan(&settled, &[0]).is_empty());
    assert!(cleanup_plan(&settled, &settled).is_empty());
}

#[test]
fn a_joining_node_receives_exactly_the_shards_it_will_own() {
    let joining = group_with_joining(64, 1, 3, 1);
    let placement = PlacementTable::build(&joining);
    let plan = copy_plan(&placement, &[0]);
    let after = PlacementTable::build(&flipped(joining, "n3", NodeState::Active));
    let owned_after: BTreeSet<u32> = (0..64)
        .filter(|s| after.placement(*s, 0).unwrap().owners == [NodeId::new("n3")])
        .collect();
    let copied: BTreeSet<u32> = plan.iter().map(|copy| copy.shard).collect();
    assert_eq!(copied, owned_after);
    for copy in &plan {
        assert_eq!(copy.destinations, [NodeId::new("n3")]);
        assert_eq!(
            copy.sources,
            placement.placement(copy.shard, 0).unwrap().owners
        );
    }
    // The old owners of the moved shards are cleaned up, nobody else.
    let cleanup = cleanup_plan(&placement, &after);
    assert_eq!(cleanup.len(), plan.len());
    for item in &cleanup {
        assert!(copied.contains(&item.shard));
        assert_ne!(item.node, NodeId::new("n3"));
        assert_eq!(
            placement.placement(item.shard, 0).unwrap().owners,
            std::slice::from_ref(&item.node)
        );
    }
}

#[test]
fn a_draining_node_hands_its_shards_to_the_survivors_and_is_cleaned_up_after_removal() {
    let nodes = vec![
        node("n0", 0, NodeState::Active),
        node("n1", 0, NodeState::Draining),
        node("n2", 0, NodeState::Active),
    ];
    let draining = topology(32, 2, nodes);
    let placement = PlacementTable::build(&draining);
    let plan = copy_plan(&placement, &[0]);
    let n1 = NodeId::new("n1");
    let held_by_n1: BTreeSet<u32> = (0..32)
        .filter(|s| placement.placement(*s, 0).unwrap().owners.contains(&n1))
        .collect();
    assert_eq!(
        plan.iter().map(|copy| copy.shard).collect::<BTreeSet<_>>(),
        held_by_n1,
        "RF=2 of 3 nodes: every shard n1 holds needs a new replica"
    );
    for copy in &plan {
        assert!(copy.sources.contains(&n1));
        assert_eq!(copy.destinations.len(), 1);
        assert!(!copy.destinations.contains(&n1));
    }
    let removed = PlacementTable::build(&flipped(draining, "n1", NodeState::Removed));
    let cleanup = cleanup_plan(&placement, &removed);
    assert!(cleanup.iter().all(|item| item.node == n1));
    assert_eq!(
        cleanup
            .iter()
            .map(|item| item.shard)
            .collect::<BTreeSet<_>>(),
        held_by_n1
    );
}

#[test]
fn a_new_group_is_backfilled_round_robin_from_the_active_groups() {
    let nodes = vec![
        node("a0", 0, NodeState::Active),
        node("a1", 0, NodeState::Active),
        node("b0", 1, NodeState::Active),
        node("c0", 2, NodeState::Joining),
        node("c1", 2, NodeState::Joining),
    ];
    let placement = PlacementTable::build(&topology(16, 1, nodes));
    let plan = copy_plan(&placement, &[0, 1]);
    assert_eq!(plan.len(), 16, "every shard is copied into the new group");
    let mut first_source_groups = BTreeSet::new();
    for copy in &plan {
        assert_eq!(copy.group, 2);
        assert_eq!(copy.sources.len(), 2, "one owner in each source group");
        let first = copy.sources[0].as_str();
        first_source_groups.insert(if first.starts_with('a') { 0 } else { 1 });
        let expected_first = if copy.shard % 2 == 0 { 'a' } else { 'b' };
        assert!(first.starts_with(expected_first), "{copy:?}");
    }
    assert_eq!(first_source_groups.len(), 2);
    // Without any source group there is nothing to copy from.
    assert!(copy_plan(&placement, &[2])
        .iter()
        .all(|copy| copy.sources.is_empty()));
}

#[test]
fn a_node_back_from_a_failure_is_refilled_from_its_group_first() {
    let nodes = vec![
        node("a0", 0, NodeState::Active),
        node("a1", 0, NodeState::Active),
        node("b0", 1, NodeState::Active),
    ];
    let placement = PlacementTable::build(&topology(16, 2, nodes));
    let a1 = NodeId::new("a1");
    let plan = rehydrate_plan(&placement, &a1, &[0, 1]);
    assert_eq!(plan.len(), 16, "RF=2 over 2 nodes: a1 owns every shard");
    for copy in &plan {
        assert_eq!(copy.destinations, std::slice::from_ref(&a1));
        assert_eq!(
            copy.sources,
            [NodeId::new("a0"), NodeId::new("b0")],
            "the group's other owner, then the other group"
        );
    }
    let b0 = NodeId::new("b0");
    let alone = rehydrate_plan(&placement, &b0, &[0, 1]);
    assert!(alone.iter().all(|copy| copy.sources.len() == 2
        && copy
            .sources
            .iter()
            .all(|source| source.as_str().starts_with('a'))));
}

proptest! {
    /// Adding one node to a group of N moves about S/(N+1) shards per replica, never more than
    /// RF times that plus slack, and only to the new node.
    #[test]
    fn adding_a_node_moves_about_its_fair_share(
        active in 1u32..8,
        rf in 1u32..4,
        shards in 16u32..256,
    ) {
        let rf = rf.min(active);
        let joining = group_with_joining(shards, rf, active, 1);
        let placement = PlacementTable::build(&joining);
        let plan = copy_plan(&placement, &[0]);
        let newcomer = NodeId::new(format!("n{active}"));
        for copy in &plan {
            prop_assert_eq!(&copy.destinations, &vec![newcomer.clone()]);
            prop_assert!(!copy.sources.is_empty());
        }
        let after = PlacementTable::build(&flipped(joining, &format!("n{active}"), NodeState::Active));
        let now_owned = (0..shards)
            .filter(|s| after.placement(*s, 0).unwrap().owners.contains(&newcomer))
            .count();
        prop_assert_eq!(plan.len(), now_owned);
        // Cleanups only ever hit nodes that no longer own the shard.
        for item in cleanup_plan(&placement, &after) {
            prop_assert!(!after.placement(item.shard, 0).unwrap().owners.contains(&item.node));
            prop_assert_ne!(&item.node, &newcomer);
        }
    }

    /// Draining never plans a copy onto the draining node, and the copy plan of a settled
    /// topology is empty whatever the shape.
    #[test]
    fn draining_copies_only_to_survivors(
        nodes in 2u32..8,
        rf in 1u32..4,
        shards in 8u32..128,
        drained in 0u32..8,
    ) {
        let rf = rf.min(nodes - 1);
        let drained = drained % nodes;
        let all: Vec<Node> = (0..nodes)
            .map(|n| {
                let state = if n == drained { NodeState::Draining } else { NodeState::Active };
                node(&format!("n{n}"), 0, state)
            })
            .collect();
        let placement = PlacementTable::build(&topology(shards, rf, all));
        let drained_id = NodeId::new(format!("n{drained}"));
        for copy in copy_plan(&placement, &[0]) {
            prop_assert!(!copy.destinations.contains(&drained_id));
            prop_assert!(copy.sources.contains(&drained_id));
        }
        let settled = PlacementTable::build(&group_with_joining(shards, rf, nodes, 0));
        prop_assert!(copy_plan(&settled, &[0]).is_empty());
    }
}
