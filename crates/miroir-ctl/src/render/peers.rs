//! Peers (Raft members) as a table, with the reason of every unreachable one below it.

use miroir_admin_proto::v1::PeerStatus;

use super::table::{or_dash, Table};

/// Which columns a peer table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerColumns {
    /// Id, name, membership, role, term, applied index, health.
    Summary,
    /// The summary plus the gRPC and HTTP addresses.
    WithAddresses,
}

/// `peers` as a table, followed by one line per unreachable peer saying why.
pub fn peers_table(peers: &[PeerStatus], columns: PeerColumns) -> String {
    let mut table = match columns {
        PeerColumns::Summary => Table::new([
            "ID",
            "NAME",
            "MEMBERSHIP",
            "ROLE",
            "TERM",
            "APPLIED",
            "HEALTH",
        ]),
        // Rows carry the address cells too; the summary table drops them.
        PeerColumns::WithAddresses => Table::new([
            "ID",
            "NAME",
            "MEMBERSHIP",
            "ROLE",
            "TERM",
            "APPLIED",
            "HEALTH",
            "GRPC",
            "HTTP",
        ]),
    };
    for peer in peers {
        table.row([
            peer.id.to_string(),
            or_dash(&peer.name),
            or_dash(&peer.membership),
            or_dash(&peer.role),
            peer.term.to_string(),
            peer.last_applied_index.to_string(),
            or_dash(&peer.health),
            or_dash(&peer.grpc_address),
            or_dash(&peer.http_address),
        ]);
    }
    let mut out = table.render();
    for peer in peers.iter().filter(|peer| !peer.error.is_empty()) {
        out.push_str(&format!(
            "peer {} is {}: {}\n",
            peer.id, peer.health, peer.error
        ));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A peer as the server reports it.
    pub(crate) fn peer(id: u64, role: &str, health: &str) -> PeerStatus {
        PeerStatus {
            id,
            name: format!("miroir-{id}"),
            grpc_address: format!("127.0.0.1:780{id}"),
            http_address: format!("127.0.0.1:770{id}"),
            membership: "voter".to_owned(),
            role: role.to_owned(),
            term: 3,
            last_applied_index: 17,
            health: health.to_owned(),
            error: String::new(),
        }
    }

    #[test]
    fn the_summary_has_no_addresses() {
        let peers = [peer(1, "leader", "healthy"), peer(2, "follower", "healthy")];
        assert_eq!(
            peers_table(&peers, PeerColumns::Summary),
            "ID  NAME      MEMBERSHIP  ROLE      TERM  APPLIED  HEALTH\n\
             1   miroir-1  voter       leader    3     17       healthy\n\
             2   miroir-2  voter       follower  3     17       healthy\n"
        );
    }

    #[test]
    fn unreachable_peers_say_why_below_the_table() {
        let mut down = peer(3, "unknown", "unreachable");
        down.error = "connection refused".to_owned();
        let text = peers_table(&[down], PeerColumns::WithAddresses);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].ends_with("GRPC            HTTP"), "{text}");
        assert!(
            lines[1].contains("127.0.0.1:7803  127.0.0.1:7703"),
            "{text}"
        );
        assert_eq!(lines[2], "peer 3 is unreachable: connection refused");
    }
}
