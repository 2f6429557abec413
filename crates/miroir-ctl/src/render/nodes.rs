//! Meilisearch nodes and replica groups as tables, and accepted topology operations.

use miroir_admin_proto::v1::{NodeStatus, OperationAccepted, Topology};

use super::table::{or_dash, Table};

/// `nodes` as a table: id, group, state, health, shard count, address.
pub fn nodes_table(nodes: &[NodeStatus]) -> String {
    let mut table = Table::new(["ID", "GROUP", "STATE", "HEALTH", "SHARDS", "ADDRESS"]);
    for node in nodes {
        table.row([
            node.id.clone(),
            node.replica_group.to_string(),
            or_dash(&node.state),
            or_dash(&node.health),
            node.shard_count.to_string(),
            or_dash(&node.address),
        ]);
    }
    table.render()
}

/// The layout line of a topology: shard count, replication factor, rebalance flag.
fn layout_line(topology: &Topology) -> String {
    format!(
        "{} shards, replication factor {}, rebalance in progress: {}\n",
        topology.shards,
        topology.replication_factor,
        if topology.rebalance_in_progress {
            "yes"
        } else {
            "no"
        }
    )
}

/// `nodes list`: the layout line, then the nodes table.
pub fn node_list(topology: &Topology) -> String {
    format!(
        "{}\n{}",
        layout_line(topology),
        nodes_table(&topology.nodes)
    )
}

/// `groups list`: the layout line, then one row per replica group with its nodes.
pub fn group_list(topology: &Topology) -> String {
    let mut table = Table::new(["GROUP", "NODES", "MEMBERS"]);
    for group in &topology.groups {
        table.row([
            group.id.to_string(),
            group.nodes.len().to_string(),
            or_dash(&group.nodes.join(",")),
        ]);
    }
    format!("{}\n{}", layout_line(topology), table.render())
}

/// An accepted topology change and how to follow it.
pub fn operation_accepted(accepted: &OperationAccepted) -> String {
    format!(
        "operation {} accepted; follow it with `miroir-ctl rebalance status --watch`\n",
        accepted.operation_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use miroir_admin_proto::v1::ReplicaGroup;

    fn topology() -> Topology {
        Topology {
            shards: 64,
            replication_factor: 1,
            groups: vec![
                ReplicaGroup {
                    id: 0,
                    nodes: vec!["meili-0".to_owned(), "meili-1".to_owned()],
                },
                ReplicaGroup {
                    id: 1,
                    nodes: vec![],
                },
            ],
            nodes: vec![NodeStatus {
                id: "meili-0".to_owned(),
                address: "http://127.0.0.1:7701".to_owned(),
                replica_group: 0,
                state: "active".to_owned(),
                health: "healthy".to_owned(),
                shard_count: 32,
            }],
            rebalance_in_progress: false,
        }
    }

    #[test]
    fn node_list_shows_the_layout_and_every_node() {
        assert_eq!(
            node_list(&topology()),
            "64 shards, replication factor 1, rebalance in progress: no\n\n\
             ID       GROUP  STATE   HEALTH   SHARDS  ADDRESS\n\
             meili-0  0      active  healthy  32      http://127.0.0.1:7701\n"
        );
    }

    #[test]
    fn group_list_counts_members_and_marks_empty_groups() {
        let text = group_list(&topology());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "GROUP  NODES  MEMBERS");
        assert_eq!(lines[3], "0      2      meili-0,meili-1");
        assert_eq!(lines[4], "1      0      -");
    }

    #[test]
    fn accepted_operations_point_at_the_rebalance_watch() {
        let text = operation_accepted(&OperationAccepted {
            operation_id: "op-1".to_owned(),
            task_uid: 0,
        });
        assert_eq!(
            text,
            "operation op-1 accepted; follow it with `miroir-ctl rebalance status --watch`\n"
        );
    }
}
