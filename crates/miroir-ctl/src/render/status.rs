//! `status`: the whole cluster on one screen.
//!
//! ```text
//! leader: peer 1 (miroir-1); answered by peer 2
//! layout: 64 shards, replication factor 1, 1 replica group
//!
//! PEERS            (peers table)
//! NODES            (nodes table)
//! DEGRADED SHARDS  (table, or "none")
//! RUNNING OPERATIONS
//! ```

use miroir_admin_proto::v1::{ClusterStatus, DegradedShard};

use super::nodes::nodes_table;
use super::operations::operations_table;
use super::peers::{peers_table, PeerColumns};
use super::table::Table;

/// The `status` screen.
pub fn cluster_status(status: &ClusterStatus) -> String {
    let leader = match status.leader_id {
        0 => "none known".to_owned(),
        id => match status.peers.iter().find(|peer| peer.id == id) {
            Some(peer) if !peer.name.is_empty() => format!("peer {id} ({})", peer.name),
            _ => format!("peer {id}"),
        },
    };
    let groups = match status.replica_groups {
        1 => "1 replica group".to_owned(),
        count => format!("{count} replica groups"),
    };
    format!(
        "leader: {leader}; answered by peer {}\n\
         layout: {} shards, replication factor {}, {groups}\n\n\
         PEERS\n{}\nNODES\n{}\nDEGRADED SHARDS\n{}\nRUNNING OPERATIONS\n{}",
        status.answered_by,
        status.shards,
        status.replication_factor,
        peers_table(&status.peers, PeerColumns::Summary),
        nodes_table(&status.nodes),
        degraded_table(&status.degraded_shards),
        operations_table(&status.operations),
    )
}

fn degraded_table(shards: &[DegradedShard]) -> String {
    if shards.is_empty() {
        return "none\n".to_owned();
    }
    let mut table = Table::new(["SHARD", "GROUP", "OWNERS"]);
    for shard in shards {
        table.row([
            shard.shard.to_string(),
            shard.replica_group.to_string(),
            shard.owners.join(","),
        ]);
    }
    table.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::peers::tests::peer;
    use miroir_admin_proto::v1::NodeStatus;

    fn status() -> ClusterStatus {
        ClusterStatus {
            answered_by: 2,
            leader_id: 1,
            peers: vec![peer(1, "leader", "healthy"), peer(2, "follower", "healthy")],
            nodes: vec![NodeStatus {
                id: "meili-0".to_owned(),
                address: "http://127.0.0.1:7701".to_owned(),
                replica_group: 0,
                state: "active".to_owned(),
                health: "healthy".to_owned(),
                shard_count: 64,
            }],
            degraded_shards: vec![],
            operations: vec![],
            shards: 64,
            replication_factor: 1,
            replica_groups: 1,
        }
    }

    #[test]
    fn a_healthy_cluster_reads_top_to_bottom() {
        assert_eq!(
            cluster_status(&status()),
            "leader: peer 1 (miroir-1); answered by peer 2\n\
             layout: 64 shards, replication factor 1, 1 replica group\n\n\
             PEERS\n\
             ID  NAME      MEMBERSHIP  ROLE      TERM  APPLIED  HEALTH\n\
             1   miroir-1  voter       leader    3     17       healthy\n\
             2   miroir-2  voter       follower  3     17       healthy\n\n\
             NODES\n\
             ID       GROUP  STATE   HEALTH   SHARDS  ADDRESS\n\
             meili-0  0      active  healthy  64      http://127.0.0.1:7701\n\n\
             DEGRADED SHARDS\nnone\n\n\
             RUNNING OPERATIONS\nnone\n"
        );
    }

    #[test]
    fn no_leader_and_degraded_shards_are_shown() {
        let mut status = status();
        status.leader_id = 0;
        status.degraded_shards = vec![DegradedShard {
            shard: 5,
            replica_group: 0,
            owners: vec!["meili-0".to_owned(), "meili-1".to_owned()],
        }];
        let text = cluster_status(&status);
        assert!(text.starts_with("leader: none known;"), "{text}");
        assert!(
            text.contains("DEGRADED SHARDS\nSHARD  GROUP  OWNERS\n5      0      meili-0,meili-1\n"),
            "{text}"
        );
    }
}
