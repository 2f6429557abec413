//! The operator views `GET /_miroir/topology` and `GET /_miroir/shards`: the fleet as this
//! peer routes over it (shard count S, replication factor RF, replica groups, nodes with their
//! administrative state and owned shards) and where each registered index's shards live.
//!
//! The JSON is built by pure functions from the topology and placement tables. Node liveness
//! is not tracked here: `status` is the node's administrative state.

use miroir_core::router::PlacementTable;
use miroir_core::topology::Topology;
use miroir_meta::IndexRecord;
use serde_json::{json, Value};

use super::{Proxy, ProxyError, Reply};

impl Proxy {
    /// `GET /_miroir/topology`.
    pub fn topology_view(&self) -> Result<Reply, ProxyError> {
        let placement = self.placement(self.topology.shards().get())?;
        Ok(Reply::ok(topology_json(&self.topology, &placement)))
    }

    /// `GET /_miroir/shards`: every registered index's shard placement.
    pub async fn shards_view(&self) -> Result<Reply, ProxyError> {
        let indexes: Vec<IndexRecord> = self
            .peer
            .read(|state| state.indexes().cloned().collect())
            .await;
        let mut views = Vec::with_capacity(indexes.len());
        for index in &indexes {
            let placement = self.placement(index.shards)?;
            views.push(index_shards_json(index, &placement));
        }
        Ok(Reply::ok(json!({ "indexes": views })))
    }
}

/// The topology view: S, RF, groups with their nodes, and every node with its state and how
/// many of the S shards it owns; `rebalance_in_progress` when some shard is moving.
pub(super) fn topology_json(topology: &Topology, placement: &PlacementTable) -> Value {
    let groups: Vec<Value> = topology
        .group_ids()
        .map(|group| {
            let nodes: Vec<&str> = topology
                .group_nodes(group)
                .iter()
                .map(|node| node.id.as_str())
                .collect();
            json!({ "id": group, "nodes": nodes })
        })
        .collect();
    let nodes: Vec<Value> = topology
        .nodes()
        .map(|node| {
            json!({
                "id": node.id.as_str(),
                "address": node.address,
                "replica_group": node.replica_group,
                "status": node.state.to_string(),
                "shard_count": placement.owned_shard_count(&node.id),
            })
        })
        .collect();
    json!({
        "shards": topology.shards().get(),
        "replication_factor": topology.replication_factor(),
        "replica_groups": groups,
        "nodes": nodes,
        "rebalance_in_progress": any_shard_migrating(placement),
    })
}

/// One index's placement: for each shard, per group, the nodes holding it (`owners`) and,
/// while it moves, the nodes it moves to (`target_owners`).
pub(super) fn index_shards_json(index: &IndexRecord, placement: &PlacementTable) -> Value {
    let shards: Vec<Value> = (0..placement.shards().get())
        .map(|shard| {
            let groups: Vec<Value> = placement
                .placements(shard)
                .iter()
                .map(|group| {
                    let names = |nodes: &[miroir_core::topology::NodeId]| -> Vec<String> {
                        nodes.iter().map(|node| node.as_str().to_owned()).collect()
                    };
                    json!({
                        "group": group.group,
                        "owners": names(&group.owners),
                        "target_owners": names(&group.target_owners),
                    })
                })
                .collect();
            json!({ "shard": shard, "groups": groups })
        })
        .collect();
    json!({
        "uid": index.uid,
        "primary_key": index.primary_key,
        "shard_count": index.shards,
        "shards": shards,
    })
}

fn any_shard_migrating(placement: &PlacementTable) -> bool {
    (0..placement.shards().get()).any(|shard| {
        placement
            .placements(shard)
            .iter()
            .any(|group| group.is_migrating())
    })
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use miroir_core::topology::{Node, NodeId, NodeState};
    use miroir_meta::IndexState;

    use super::*;

    fn topology(states: &[NodeState]) -> Topology {
        let nodes = states.iter().enumerate().map(|(n, state)| Node {
            id: NodeId::new(format!("n{n}")),
            address: format!("http://n{n}:7700"),
            replica_group: u32::try_from(n % 2).unwrap(),
            state: *state,
        });
        Topology::new(NonZeroU32::new(4).unwrap(), 1, nodes).unwrap()
    }

    #[test]
    fn topology_view_lists_groups_nodes_and_owned_shards() {
        let topology = topology(&[NodeState::Active; 4]);
        let placement = PlacementTable::build(&topology);
        let view = topology_json(&topology, &placement);
        assert_eq!(view["shards"], 4);
        assert_eq!(view["replication_factor"], 1);
        assert_eq!(
            view["replica_groups"],
            json!([{"id": 0, "nodes": ["n0", "n2"]}, {"id": 1, "nodes": ["n1", "n3"]}])
        );
        let nodes = view["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 4);
        assert_eq!(nodes[0]["status"], "active");
        assert_eq!(nodes[0]["address"], "http://n0:7700");
        let owned_per_group: Vec<u64> = [0, 1]
            .iter()
            .map(|group| {
                nodes
                    .iter()
                    .filter(|node| node["replica_group"] == *group)
                    .map(|node| node["shard_count"].as_u64().unwrap())
                    .sum()
            })
            .collect();
        assert_eq!(
            owned_per_group,
            [4, 4],
            "RF 1: each group owns every shard once"
        );
        assert_eq!(view["rebalance_in_progress"], false);
    }

    #[test]
    fn a_joining_node_shows_a_rebalance_in_progress() {
        let topology = topology(&[
            NodeState::Active,
            NodeState::Active,
            NodeState::Joining,
            NodeState::Active,
        ]);
        let placement = PlacementTable::build(&topology);
        let view = topology_json(&topology, &placement);
        let joining = view["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|node| node["id"] == "n2")
            .unwrap();
        assert_eq!(joining["status"], "joining");
        assert_eq!(joining["shard_count"], 0, "a joining node owns nothing yet");
        assert_eq!(view["rebalance_in_progress"], true);
    }

    #[test]
    fn shard_view_names_the_owners_of_every_shard_in_every_group() {
        let topology = topology(&[NodeState::Active; 4]);
        let placement = PlacementTable::build(&topology);
        let index = IndexRecord {
            uid: "movies".into(),
            shards: 4,
            primary_key: Some("id".into()),
            settings_version: 0,
            state: IndexState::Ready,
            created_at_ms: 0,
            updated_at_ms: 0,
        };
        let view = index_shards_json(&index, &placement);
        assert_eq!(view["uid"], "movies");
        assert_eq!(view["primary_key"], "id");
        let shards = view["shards"].as_array().unwrap();
        assert_eq!(shards.len(), 4);
        for (shard, entry) in shards.iter().enumerate() {
            assert_eq!(entry["shard"], shard);
            let groups = entry["groups"].as_array().unwrap();
            assert_eq!(groups.len(), 2);
            for group in groups {
                let owners = group["owners"].as_array().unwrap();
                assert_eq!(owners.len(), 1);
                assert_eq!(group["owners"], group["target_owners"]);
                let owner = NodeId::new(owners[0].as_str().unwrap());
                let expected = &placement
                    .placement(
                        u32::try_from(shard).unwrap(),
                        u32::try_from(group["group"].as_u64().unwrap()).unwrap(),
                    )
                    .unwrap()
                    .owners;
                assert_eq!(&vec![owner], expected);
            }
        }
    }
}
