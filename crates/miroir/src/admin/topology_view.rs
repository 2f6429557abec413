//! Pure views of the fleet: the topology (shard count, RF, groups, nodes with their state,
//! health and owned shards), where each index's shards live, and which shards have no healthy
//! replica in a group.

use std::collections::BTreeMap;

use miroir_admin_proto::v1 as pb;
use miroir_core::health::NodeHealth;
use miroir_core::router::PlacementTable;
use miroir_core::topology::{NodeId, Topology};
use miroir_meta::IndexRecord;

/// Node health by node, as this peer's prober sees it.
pub type HealthView = BTreeMap<NodeId, NodeHealth>;

/// Every node of `topology` with its state, health and how many of the shards of `placement`
/// it owns.
pub fn node_statuses(
    topology: &Topology,
    placement: &PlacementTable,
    health: &HealthView,
) -> Vec<pb::NodeStatus> {
    topology
        .nodes()
        .map(|node| pb::NodeStatus {
            id: node.id.as_str().to_owned(),
            address: node.address.clone(),
            replica_group: node.replica_group,
            state: node.state.to_string(),
            health: health
                .get(&node.id)
                .map_or("unknown", |health| health.as_str())
                .to_owned(),
            shard_count: u32::try_from(placement.owned_shard_count(&node.id)).unwrap_or(u32::MAX),
        })
        .collect()
}

/// The topology view.
pub fn topology(
    topology: &Topology,
    placement: &PlacementTable,
    health: &HealthView,
) -> pb::Topology {
    let groups = topology
        .group_ids()
        .map(|group| pb::ReplicaGroup {
            id: group,
            nodes: topology
                .group_nodes(group)
                .iter()
                .map(|node| node.id.as_str().to_owned())
                .collect(),
        })
        .collect();
    pb::Topology {
        shards: topology.shards().get(),
        replication_factor: topology.replication_factor(),
        groups,
        nodes: node_statuses(topology, placement, health),
        rebalance_in_progress: migrating_shards(placement).next().is_some(),
    }
}

/// One index's placement: for each shard, per group, its owners and (while it moves) the
/// nodes it moves to.
pub fn index_shards(index: &IndexRecord, placement: &PlacementTable) -> pb::IndexShards {
    let names = |nodes: &[NodeId]| -> Vec<String> {
        nodes.iter().map(|node| node.as_str().to_owned()).collect()
    };
    let shards = (0..placement.shards().get())
        .map(|shard| pb::ShardPlacement {
            shard,
            groups: placement
                .placements(shard)
                .iter()
                .map(|group| pb::GroupPlacement {
                    group: group.group,
                    owners: names(&group.owners),
                    target_owners: names(&group.target_owners),
                })
                .collect(),
        })
        .collect();
    pb::IndexShards {
        uid: index.uid.clone(),
        primary_key: index.primary_key.clone().unwrap_or_default(),
        shard_count: index.shards,
        shards,
    }
}

/// Shards of `placement` whose owners in some group are all unroutable (not healthy or
/// unknown-but-routable), one entry per shard and group.
pub fn degraded_shards(placement: &PlacementTable, health: &HealthView) -> Vec<pb::DegradedShard> {
    let routable = |node: &NodeId| health.get(node).is_none_or(|health| health.is_routable());
    (0..placement.shards().get())
        .flat_map(|shard| {
            placement
                .placements(shard)
                .iter()
                .filter(|group| !group.owners.iter().any(routable))
                .map(move |group| pb::DegradedShard {
                    shard,
                    replica_group: group.group,
                    owners: group
                        .owners
                        .iter()
                        .map(|node| node.as_str().to_owned())
                        .collect(),
                })
        })
        .collect()
}

/// Shard migrations of `placement`: (shard, group, sources, destinations) for every shard
/// whose target owners differ from its owners.
pub fn migrating_shards(
    placement: &PlacementTable,
) -> impl Iterator<Item = (u32, &miroir_core::router::GroupPlacement)> {
    (0..placement.shards().get()).flat_map(move |shard| {
        placement
            .placements(shard)
            .iter()
            .filter(|group| group.is_migrating())
            .map(move |group| (shard, group))
    })
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use miroir_core::topology::{Node, NodeState};
    use miroir_meta::IndexState;

    use super::*;

    fn fleet(states: &[NodeState]) -> Topology {
        let nodes = states.iter().enumerate().map(|(n, state)| Node {
            id: NodeId::new(format!("n{n}")),
            address: format!("http://n{n}:7700"),
            replica_group: u32::try_from(n % 2).unwrap(),
            state: *state,
        });
        Topology::new(NonZeroU32::new(4).unwrap(), 1, nodes).unwrap()
    }

    #[test]
    fn topology_lists_groups_nodes_health_and_owned_shards() {
        let fleet = fleet(&[NodeState::Active; 4]);
        let placement = PlacementTable::build(&fleet);
        let health = HealthView::from([(NodeId::new("n1"), NodeHealth::Unhealthy)]);
        let view = topology(&fleet, &placement, &health);
        assert_eq!((view.shards, view.replication_factor), (4, 1));
        assert_eq!(view.groups.len(), 2);
        assert_eq!(view.groups[0].nodes, ["n0", "n2"]);
        assert_eq!(view.groups[1].nodes, ["n1", "n3"]);
        let node = |id: &str| view.nodes.iter().find(|node| node.id == id).unwrap();
        assert_eq!(node("n0").state, "active");
        assert_eq!(node("n0").health, "unknown");
        assert_eq!(node("n0").address, "http://n0:7700");
        assert_eq!(node("n1").health, "unhealthy");
        for group in [0, 1] {
            let owned: u32 = view
                .nodes
                .iter()
                .filter(|node| node.replica_group == group)
                .map(|node| node.shard_count)
                .sum();
            assert_eq!(owned, 4, "RF 1: each group owns every shard once");
        }
        assert!(!view.rebalance_in_progress);
    }

    #[test]
    fn a_joining_node_owns_nothing_and_shows_a_rebalance() {
        let fleet = fleet(&[
            NodeState::Active,
            NodeState::Active,
            NodeState::Joining,
            NodeState::Active,
        ]);
        let placement = PlacementTable::build(&fleet);
        let view = topology(&fleet, &placement, &HealthView::new());
        let joining = view.nodes.iter().find(|node| node.id == "n2").unwrap();
        assert_eq!(joining.state, "joining");
        assert_eq!(joining.shard_count, 0);
        assert!(view.rebalance_in_progress);
        assert!(migrating_shards(&placement).count() > 0);
    }

    #[test]
    fn a_shard_is_degraded_in_a_group_only_when_all_its_owners_there_are_unhealthy() {
        let fleet = fleet(&[NodeState::Active; 4]);
        let placement = PlacementTable::build(&fleet);
        assert!(degraded_shards(&placement, &HealthView::new()).is_empty());
        let health = HealthView::from([(NodeId::new("n0"), NodeHealth::Unhealthy)]);
        let degraded = degraded_shards(&placement, &health);
        let owned_by_n0 = placement.owned_shard_count(&NodeId::new("n0"));
        assert_eq!(degraded.len(), owned_by_n0);
        assert!(degraded
            .iter()
            .all(|entry| entry.replica_group == 0 && entry.owners == ["n0"]));
    }

    #[test]
    fn shard_map_names_the_owners_of_every_shard_in_every_group() {
        let fleet = fleet(&[NodeState::Active; 4]);
        let placement = PlacementTable::build(&fleet);
        let index = IndexRecord {
            uid: "movies".into(),
            shards: 4,
            primary_key: Some("id".into()),
            settings_version: 0,
            state: IndexState::Ready,
            created_at_ms: 0,
            updated_at_ms: 0,
        };
        let view = index_shards(&index, &placement);
        assert_eq!(
            (view.uid.as_str(), view.primary_key.as_str()),
            ("movies", "id")
        );
        assert_eq!(view.shards.len(), 4);
        for (shard, entry) in view.shards.iter().enumerate() {
            assert_eq!(entry.shard as usize, shard);
            assert_eq!(entry.groups.len(), 2);
            for group in &entry.groups {
                let expected = &placement
                    .placement(entry.shard, group.group)
                    .unwrap()
                    .owners;
                let expected: Vec<&str> = expected.iter().map(NodeId::as_str).collect();
                assert_eq!(group.owners, expected);
                assert_eq!(group.owners, group.target_owners);
            }
        }
    }
}
