//! Router invariants: determinism, exact write fan-out, group isolation, full coverage,
//! minimal movement on a node add, and even spread.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;
use crate::topology::NodeState;

fn node(id: &str, group: GroupId, state: NodeState) -> Node {
    Node {
        id: NodeId::new(id),
        address: format!("http://{id}:7700"),
        replica_group: group,
        state,
    }
}

fn shards(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("non-zero shard count")
}

/// A topology of `groups` groups with `per_group` active nodes each, ids `g{g}-n{i}`.
fn uniform_topology(s: u32, rf: u32, groups: u32, per_group: u32) -> Topology {
    let nodes = (0..groups).flat_map(|g| {
        (0..per_group).map(move |i| node(&format!("g{g}-n{i}"), g, NodeState::Active))
    });
    Topology::new(shards(s), rf, nodes).expect("valid topology")
}

#[test]
fn score_and_shard_for_key_match_frozen_vectors() {
    // Values computed with an independent xxHash64 implementation (Python `xxhash`). A change
    // here re-routes every stored document.
    assert_eq!(score(7, &NodeId::new("meili-0")), 0x218b_0c92_a0fe_843c);
    assert_eq!(shard_for_key("movie-42", shards(64)), 39);
    assert_eq!(
        shard_for_key("movie-42", shards(u32::MAX)),
        (0x3cd0_72cb_955d_5fa7_u64 % u64::from(u32::MAX)) as u32
    );
    assert_eq!(
        shard_for_key("", shards(1 << 31)),
        (0xef46_db37_51d8_e999_u64 % (1 << 31)) as u32
    );
    assert_eq!(shard_for_key("anything", shards(1)), 0);
}

#[test]
fn integer_and_string_keys_with_the_same_text_share_a_shard() {
    // Callers hash the canonical text of a primary key; "42" is what an integer 42 becomes.
    assert_eq!(
        shard_for_key("42", shards(64)),
        shard_for_key(&42.to_string(), shards(64))
    );
}

#[test]
fn sixty_four_shards_over_three_nodes_spread_evenly() {
    let topology = Topology::new(
        shards(64),
        1,
        (0..3).map(|i| node(&format!("meili-{i}"), 0, NodeState::Active)),
    )
    .expect("valid");
    let table = PlacementTable::build(&topology);
    let mut per_node: BTreeMap<NodeId, u32> = BTreeMap::new();
    for shard in 0..64 {
        for (_, node) in table.write_targets(shard) {
            *per_node.entry(node.clone()).or_default() += 1;
        }
    }
    assert_eq!(per_node.len(), 3);
    for (node, count) in per_node {
        assert!((18..=26).contains(&count), "{node} holds {count} shards");
    }
}

#[test]
fn chi_square_does_not_reject_uniformity_over_many_shards() {
    // 4096 shards over 8 nodes; the 0.999 quantile of chi-square with 7 degrees of freedom is
    // 24.32, so a uniform placement stays below it.
    let topology = uniform_topology(4096, 1, 1, 8);
    let table = PlacementTable::build(&topology);
    let mut counts: BTreeMap<NodeId, f64> = BTreeMap::new();
    for shard in 0..4096 {
        for (_, node) in table.write_targets(shard) {
            *counts.entry(node.clone()).or_default() += 1.0;
        }
    }
    let expected = 4096.0 / 8.0;
    let chi_square: f64 = counts
        .values()
        .map(|observed| (observed - expected).powi(2) / expected)
        .sum();
    assert!(chi_square < 24.32, "chi-square {chi_square}");
}

#[test]
fn query_group_round_robins_over_eligible_groups() {
    assert_eq!(query_group(5, &[]), None);
    let groups = [0, 2, 5];
    let picks: Vec<_> = (0..6).filter_map(|seq| query_group(seq, &groups)).collect();
    assert_eq!(picks, vec![0, 2, 5, 0, 2, 5]);
    let mut counts = BTreeMap::new();
    for seq in 0..10_000u64 {
        *counts.entry(query_group(seq, &groups)).or_insert(0u32) += 1;
    }
    let (min, max) = (counts.values().min(), counts.values().max());
    assert!(max.zip(min).is_some_and(|(max, min)| max - min <= 1));
}

#[test]
fn quorum_is_a_majority_of_the_replication_factor() {
    let quorums: Vec<u32> = (1..=5).map(GroupPlacement::quorum).collect();
    assert_eq!(quorums, vec![1, 2, 2, 3, 3]);
}

#[test]
fn joining_and_draining_nodes_receive_dual_writes() {
    let mut topology = uniform_topology(64, 1, 1, 3);
    topology
        .add_joining_node(NodeId::new("new"), "http://new:7700".into(), 0)
        .expect("fresh id");
    let table = PlacementTable::build(&topology);
    let new = NodeId::new("new");
    let mut migrating = 0;
    for shard in 0..64 {
        let placement = table.placement(shard, 0).expect("group 0 exists");
        assert!(
            !placement.owners.contains(&new),
            "a joining node owns nothing yet"
        );
        if placement.is_migrating() {
            migrating += 1;
            assert_eq!(placement.target_owners, vec![new.clone()]);
            assert_eq!(placement.write_targets.len(), 2);
            assert!(placement.write_targets.contains(&new));
        } else {
            assert_eq!(placement.write_targets, placement.owners);
        }
    }
    assert!(migrating > 0, "the new node takes some shards");

    let leaving = NodeId::new("g0-n0");
    let mut topology = uniform_topology(64, 1, 1, 3);
    topology
        .transition(&leaving, NodeState::Draining)
        .expect("active nodes may drain");
    let table = PlacementTable::build(&topology);
    for shard in 0..64 {
        let placement = table.placement(shard, 0).expect("group 0 exists");
        assert!(!placement.target_owners.contains(&leaving));
        assert_eq!(
            placement.write_targets.contains(&leaving),
            placement.owners.contains(&leaving),
            "a draining node keeps receiving writes for the shards it still owns"
        );
    }
}

#[test]
fn shards_outside_the_range_have_no_placement() {
    let table = PlacementTable::build(&uniform_topology(4, 1, 1, 2));
    assert!(table.placements(4).is_empty());
    assert_eq!(table.write_targets(99).count(), 0);
    assert!(table.placement(0, 9).is_none());
}

/// Strategy: (S, RF, groups, nodes per group ≥ RF).
fn topology_shape() -> impl Strategy<Value = (u32, u32, u32, u32)> {
    (1u32..=128, 1u32..=3, 1u32..=3)
        .prop_flat_map(|(s, rf, groups)| (Just(s), Just(rf), Just(groups), rf..=rf + 4))
}

proptest! {
    #[test]
    fn a_routed_batch_sends_each_document_to_exactly_its_write_targets(
        (s, rf, groups, per_group) in topology_shape(),
        keys in proptest::collection::vec("[a-z0-9]{1,12}", 0..64),
    ) {
        let table = PlacementTable::build(&uniform_topology(s, rf, groups, per_group));
        let route = table.route_batch(keys.iter().map(String::as_str));
        prop_assert_eq!(route.shards.len(), keys.len());
        let mut received: BTreeMap<usize, BTreeSet<NodeId>> = BTreeMap::new();
        for (node, positions) in &route.per_node {
            prop_assert!(!positions.is_empty());
            prop_assert!(positions.windows(2).all(|w| w[0] < w[1]));
            for &position in positions {
                received.entry(position).or_default().insert(node.clone());
            }
        }
        for (position, key) in keys.iter().enumerate() {
            let shard = table.shard_for_key(key);
            prop_assert_eq!(route.shards[position], shard);
            let expected: BTreeSet<NodeId> = table.write_targets(shard).map(|(_, n)| n.clone()).collect();
            prop_assert_eq!(received.get(&position).cloned().unwrap_or_default(), expected);
        }
    }

    #[test]
    fn placement_is_deterministic_and_independent_of_node_order(
        (s, rf, groups, per_group) in topology_shape(),
        seed in any::<u64>(),
    ) {
        let topology = uniform_topology(s, rf, groups, per_group);
        let mut shuffled: Vec<Node> = topology.nodes().cloned().collect();
        // A seeded rotation and reversal stands in for "any order".
        let shift = (seed % shuffled.len() as u64) as usize;
        shuffled.rotate_left(shift);
        if seed % 2 == 0 { shuffled.reverse(); }
        let reordered = Topology::new(shards(s), rf, shuffled).expect("same nodes");
        prop_assert_eq!(PlacementTable::build(&topology), PlacementTable::build(&reordered));
    }

    #[test]
    fn writes_reach_exactly_rf_nodes_in_every_group(
        (s, rf, groups, per_group) in topology_shape(),
    ) {
        let topology = uniform_topology(s, rf, groups, per_group);
        let table = PlacementTable::build(&topology);
        for shard in 0..s {
            let targets: Vec<_> = table.write_targets(shard).collect();
            prop_assert_eq!(targets.len() as u32, groups * rf);
            for group in topology.group_ids() {
                let in_group: Vec<NodeId> = targets
                    .iter()
                    .filter(|(g, _)| *g == group)
                    .map(|(_, node)| (*node).clone())
                    .collect();
                let expected = top_nodes(shard, topology.group_nodes(group), rf);
                prop_assert_eq!(&in_group, &expected);
                for node in &in_group {
                    let member = topology.node(node).map(|n| n.replica_group);
                    prop_assert_eq!(member, Some(group));
                }
            }
        }
    }

    #[test]
    fn covering_set_covers_every_shard_once_with_its_owners(
        (s, rf, groups, per_group) in topology_shape(),
        query_seq in any::<u64>(),
        unhealthy_mask in any::<u64>(),
    ) {
        let topology = uniform_topology(s, rf, groups, per_group);
        let table = PlacementTable::build(&topology);
        let unhealthy: BTreeSet<NodeId> = topology
            .nodes()
            .enumerate()
            .filter(|(i, _)| unhealthy_mask >> (i % 64) & 1 == 1)
            .map(|(_, n)| n.id.clone())
            .collect();
        for group in topology.group_ids() {
            let all_healthy = table.covering_set(group, query_seq, |_| true);
            prop_assert!(all_healthy.is_complete());
            prop_assert!(all_healthy.assignments.len() as u32 <= per_group);

            let covering = table.covering_set(group, query_seq, |n| !unhealthy.contains(n));
            let mut seen = BTreeSet::new();
            for assignment in &covering.assignments {
                prop_assert!(!unhealthy.contains(&assignment.node));
                for shard in &assignment.shards {
                    prop_assert!(seen.insert(*shard), "shard {} covered twice", shard);
                    let owners = &table.placement(*shard, group).expect("placed").owners;
                    prop_assert!(owners.contains(&assignment.node));
                }
            }
            for shard in &covering.uncovered {
                prop_assert!(seen.insert(*shard));
                let owners = &table.placement(*shard, group).expect("placed").owners;
                prop_assert!(owners.iter().all(|n| unhealthy.contains(n)));
            }
            prop_assert_eq!(seen.len() as u32, s);
        }
    }

    #[test]
    fn consecutive_queries_rotate_over_replicas(
        s in 8u32..=64, rf in 2u32..=3, query_seq in any::<u64>(),
    ) {
        let table = PlacementTable::build(&uniform_topology(s, rf, 1, rf + 2));
        let mut answering: BTreeMap<u32, BTreeSet<NodeId>> = BTreeMap::new();
        for offset in 0..u64::from(rf) {
            let covering = table.covering_set(0, query_seq.wrapping_add(offset), |_| true);
            for assignment in covering.assignments {
                for shard in assignment.shards {
                    answering.entry(shard).or_default().insert(assignment.node.clone());
                }
            }
        }
        for nodes in answering.values() {
            prop_assert_eq!(nodes.len() as u32, rf, "RF consecutive queries use every replica");
        }
    }

    #[test]
    fn adding_a_node_only_moves_shards_to_it(
        s in 1u32..=256, rf in 1u32..=3, extra in 0u32..=4,
    ) {
        let per_group = rf + extra;
        let before = PlacementTable::build(&uniform_topology(s, rf, 1, per_group));
        let mut grown = uniform_topology(s, rf, 1, per_group);
        let new = NodeId::new("added");
        grown.add_joining_node(new.clone(), "http://added:7700".into(), 0).expect("fresh");
        grown.transition(&new, NodeState::Active).expect("join completes");
        let after = PlacementTable::build(&grown);
        for shard in 0..s {
            let old: BTreeSet<_> = before.placement(shard, 0).expect("placed").owners.iter().cloned().collect();
            let new_set: BTreeSet<_> = after.placement(shard, 0).expect("placed").owners.iter().cloned().collect();
            if old != new_set {
                let entered: Vec<_> = new_set.difference(&old).collect();
                let left: Vec<_> = old.difference(&new_set).collect();
                prop_assert_eq!(entered, vec![&new]);
                prop_assert_eq!(left.len(), 1);
            }
        }
    }

    #[test]
    fn adding_a_node_moves_at_most_twice_the_fair_share(
        s in 256u32..=1024, n in 2u32..=8,
    ) {
        // With S ≥ 256 the bound 2·S/(N+1) sits more than five standard deviations above the
        // expected S/(N+1) moves, so a failure means placement is not minimal.
        let before = PlacementTable::build(&uniform_topology(s, 1, 1, n));
        let mut grown = uniform_topology(s, 1, 1, n);
        let new = NodeId::new("added");
        grown.add_joining_node(new.clone(), "http://added:7700".into(), 0).expect("fresh");
        grown.transition(&new, NodeState::Active).expect("join completes");
        let after = PlacementTable::build(&grown);
        let moved = (0..s)
            .filter(|&shard| before.placement(shard, 0) .map(|p| &p.owners) != after.placement(shard, 0).map(|p| &p.owners))
            .count() as f64;
        prop_assert!(moved <= 2.0 * f64::from(s) / f64::from(n + 1), "moved {} of {}", moved, s);
    }
}

#[test]
fn owned_shard_counts_match_the_placements() {
    let topology = uniform_topology(64, 2, 2, 3);
    let table = PlacementTable::build(&topology);
    let mut expected: BTreeMap<NodeId, usize> = BTreeMap::new();
    for shard in 0..64 {
        for placement in table.placements(shard) {
            for owner in &placement.owners {
                *expected.entry(owner.clone()).or_default() += 1;
            }
        }
    }
    assert_eq!(expected.values().sum::<usize>(), 64 * 2 * 2);
    for node in topology.nodes() {
        assert_eq!(
            table.owned_shard_count(&node.id),
            expected[&node.id],
            "{}",
            node.id
        );
    }
    assert_eq!(table.owned_shard_count(&NodeId::new("elsewhere")), 0);
}
