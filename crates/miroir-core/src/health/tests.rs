use std::num::NonZeroU32;

use proptest::prelude::*;

use super::{HealthPolicy, HealthTable, HealthTransition, NodeHealth};
use crate::router::PlacementTable;
use crate::topology::{Node, NodeId, NodeState, Topology};

fn policy(unhealthy_threshold: u32, recovery_threshold: u32) -> HealthPolicy {
    HealthPolicy {
        unhealthy_threshold,
        recovery_threshold,
    }
}

fn node(name: &str) -> NodeId {
    NodeId::new(name)
}

#[test]
fn a_first_good_probe_makes_an_unknown_node_healthy() {
    let mut table = HealthTable::new(policy(3, 2), [node("a")]);
    assert_eq!(table.health(&node("a")), NodeHealth::Unknown);
    assert!(table.is_routable(&node("a")));
    assert_eq!(
        table.record(&node("a"), true),
        Some(HealthTransition {
            node: node("a"),
            from: NodeHealth::Unknown,
            to: NodeHealth::Healthy,
        })
    );
    assert_eq!(table.record(&node("a"), true), None);
}

#[test]
fn failures_must_be_consecutive_to_make_a_node_unhealthy() {
    let mut table = HealthTable::new(policy(3, 2), [node("a")]);
    table.record(&node("a"), true);
    for ok in [false, false, true, false, false] {
        assert_eq!(table.record(&node("a"), ok), None);
    }
    let transition = table.record(&node("a"), false).unwrap();
    assert_eq!(
        (transition.from, transition.to),
        (NodeHealth::Healthy, NodeHealth::Unhealthy)
    );
    assert!(!table.is_routable(&node("a")));
}

#[test]
fn recovery_needs_its_own_streak_of_good_probes() {
    let mut table = HealthTable::new(policy(1, 3), [node("a")]);
    table.record(&node("a"), false);
    assert_eq!(table.health(&node("a")), NodeHealth::Unhealthy);
    for ok in [true, true, false, true, true] {
        table.record(&node("a"), ok);
        assert_eq!(table.health(&node("a")), NodeHealth::Unhealthy);
    }
    let transition = table.record(&node("a"), true).unwrap();
    assert_eq!(transition.to, NodeHealth::Healthy);
}

#[test]
fn a_node_that_never_answered_becomes_unhealthy_after_the_threshold() {
    let mut table = HealthTable::new(policy(2, 1), [node("a")]);
    assert_eq!(table.record(&node("a"), false), None);
    assert_eq!(table.health(&node("a")), NodeHealth::Unknown);
    assert_eq!(
        table.record(&node("a"), false).map(|t| t.to),
        Some(NodeHealth::Unhealthy)
    );
}

#[test]
fn zero_thresholds_from_the_configuration_act_as_one() {
    let config = crate::config::HealthConfig {
        unhealthy_threshold: 0,
        recovery_threshold: 0,
        ..crate::config::HealthConfig::default()
    };
    assert_eq!(HealthPolicy::from_config(&config), policy(1, 1));
}

fn two_groups_rf1() -> PlacementTable {
    let nodes = ["a0", "a1", "b0", "b1"]
        .iter()
        .map(|name| Node {
            id: node(name),
            address: format!("http://{name}:7700"),
            replica_group: u32::from(name.starts_with('b')),
            state: NodeState::Active,
        })
        .collect::<Vec<_>>();
    let topology = Topology::new(NonZeroU32::new(16).unwrap(), 1, nodes).unwrap();
    PlacementTable::build(&topology)
}

#[test]
fn readiness_needs_a_healthy_owner_of_every_shard_in_some_group() {
    let placement = two_groups_rf1();
    let names = ["a0", "a1", "b0", "b1"];
    let mut table = HealthTable::new(policy(1, 1), names.iter().map(|n| node(n)));
    assert!(!table.covers(&placement), "unknown nodes are not reachable");
    table.record(&node("a0"), true);
    assert!(!table.covers(&placement), "half of group a misses shards");
    table.record(&node("a1"), true);
    assert!(table.covers(&placement), "group a covers every shard");
    table.record(&node("a0"), false);
    assert!(
        !table.covers(&placement),
        "a0's shards have no healthy owner"
    );
    table.record(&node("b0"), true);
    table.record(&node("b1"), true);
    assert!(table.covers(&placement), "group b alone covers every shard");
}

proptest! {
    /// The state after any probe history depends only on its trailing streaks: the last
    /// `unhealthy_threshold` failures make a node unhealthy, the last `recovery_threshold`
    /// successes make it healthy, and a node never failed that many times in a row is never
    /// unhealthy.
    #[test]
    fn state_follows_the_trailing_streaks(
        results in proptest::collection::vec(any::<bool>(), 1..64),
        unhealthy_threshold in 1u32..5,
        recovery_threshold in 1u32..5,
    ) {
        let mut table = HealthTable::new(policy(unhealthy_threshold, recovery_threshold), [node("n")]);
        for ok in &results {
            table.record(&node("n"), *ok);
        }
        let health = table.health(&node("n"));
        let trailing = |wanted: bool| results.iter().rev().take_while(|ok| **ok == wanted).count();
        if trailing(false) >= unhealthy_threshold as usize {
            prop_assert_eq!(health, NodeHealth::Unhealthy);
        }
        if trailing(true) >= recovery_threshold as usize {
            prop_assert_eq!(health, NodeHealth::Healthy);
        }
        let longest_failure_run = results
            .split(|ok| *ok)
            .map(<[bool]>::len)
            .max()
            .unwrap_or(0);
        if longest_failure_run < unhealthy_threshold as usize {
            prop_assert_ne!(health, NodeHealth::Unhealthy);
        }
        if !results.contains(&true) && results.len() < unhealthy_threshold as usize {
            prop_assert_eq!(health, NodeHealth::Unknown);
        }
    }
}
