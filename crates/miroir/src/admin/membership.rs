//! Raft membership changes of the admin API (add a learner, promote it, remove a peer) and
//! the peer view of the status.
//!
//! The changes run on the leader wherever the request arrives (the metadata peer forwards
//! them); the safety checks — never the last voter, never a removal that leaves the voters
//! without a healthy majority unless forced — are the metadata peer's.

use std::time::{Duration, Instant};

use miroir_admin_proto::v1 as pb;
use miroir_raft_store::peer::{MembershipChange, PeerReport, PeerRole};
use miroir_raft_store::types::{PeerId, PeerNode};

use super::{Admin, AdminError, PEER_STATUS_TIMEOUT};

/// How often a peer looks whether its membership view caught up with a change.
const MEMBERSHIP_POLL: Duration = Duration::from_millis(20);

/// The membership change an add-learner request asks for.
pub fn add_learner_change(request: &pb::AddLearnerRequest) -> Result<MembershipChange, AdminError> {
    if request.id == 0 {
        return Err(AdminError::InvalidArgument(
            "`id` must be a positive Raft id (never the id of a removed peer).".into(),
        ));
    }
    for (field, address) in [
        ("grpc_address", &request.grpc_address),
        ("http_address", &request.http_address),
    ] {
        if !is_host_port(address) {
            return Err(AdminError::InvalidArgument(format!(
                "`{field}` must be `host:port`, got `{address}`."
            )));
        }
    }
    let name = if request.name.trim().is_empty() {
        format!("miroir-{}", request.id)
    } else {
        request.name.trim().to_owned()
    };
    Ok(MembershipChange::AddLearner {
        id: request.id,
        node: PeerNode {
            name,
            grpc_addr: request.grpc_address.trim().to_owned(),
            http_addr: request.http_address.trim().to_owned(),
        },
    })
}

/// Whether `address` looks like `host:port` (a non-empty host, a port number).
fn is_host_port(address: &str) -> bool {
    address
        .trim()
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
}

impl Admin {
    /// Applies `change` (through the leader) and answers the membership afterwards.
    pub async fn change_membership(
        &self,
        change: MembershipChange,
    ) -> Result<pb::MembershipReply, AdminError> {
        if let MembershipChange::Promote { id } | MembershipChange::Remove { id, .. } = &change {
            require_positive(*id)?;
        }
        let peer = self.proxy.peer();
        let changed = peer.change_membership(change).await?;
        // The change ran on the leader: report once this peer's view has caught up with it
        // (bounded; the reports then show the membership as this peer sees it).
        let caught_up = Instant::now();
        while peer.membership() != changed && caught_up.elapsed() < PEER_STATUS_TIMEOUT {
            tokio::time::sleep(MEMBERSHIP_POLL).await;
        }
        let reports = peer.peer_reports(PEER_STATUS_TIMEOUT).await;
        Ok(pb::MembershipReply {
            peers: peer_statuses(&reports),
        })
    }

    /// The status of every member.
    pub async fn peers(&self) -> pb::MembershipReply {
        pb::MembershipReply {
            peers: peer_statuses(&self.proxy.peer().peer_reports(PEER_STATUS_TIMEOUT).await),
        }
    }
}

fn require_positive(id: PeerId) -> Result<(), AdminError> {
    if id == 0 {
        return Err(AdminError::InvalidArgument(
            "`id` must be a positive Raft id.".into(),
        ));
    }
    Ok(())
}

/// The admin view of every member's report.
pub fn peer_statuses(reports: &[PeerReport]) -> Vec<pb::PeerStatus> {
    reports.iter().map(peer_status).collect()
}

fn peer_status(report: &PeerReport) -> pb::PeerStatus {
    let mut view = pb::PeerStatus {
        id: report.id,
        name: report.node.name.clone(),
        grpc_address: report.node.grpc_addr.clone(),
        http_address: report.node.http_addr.clone(),
        membership: if report.voter { "voter" } else { "learner" }.to_owned(),
        ..pb::PeerStatus::default()
    };
    match &report.status {
        Ok(status) => {
            view.role = role_name(status.role).to_owned();
            view.term = status.term;
            view.last_applied_index = status.last_applied.unwrap_or_default();
            view.health = "healthy".to_owned();
        }
        Err(reason) => {
            view.role = "unknown".to_owned();
            view.health = "unreachable".to_owned();
            view.error = reason.clone();
        }
    }
    view
}

fn role_name(role: PeerRole) -> &'static str {
    match role {
        PeerRole::Leader => "leader",
        PeerRole::Follower => "follower",
        PeerRole::Candidate => "candidate",
        PeerRole::Learner => "learner",
        PeerRole::Shutdown => "shutdown",
    }
}

#[cfg(test)]
mod tests {
    use miroir_raft_store::peer::PeerStatus;

    use super::*;

    fn node(id: u64) -> PeerNode {
        PeerNode {
            name: format!("miroir-{id}"),
            grpc_addr: format!("10.0.0.{id}:7800"),
            http_addr: format!("10.0.0.{id}:7700"),
        }
    }

    #[test]
    fn reachable_and_unreachable_peers_are_told_apart() {
        let reports = [
            PeerReport {
                id: 1,
                node: node(1),
                voter: true,
                status: Ok(PeerStatus {
                    id: 1,
                    role: PeerRole::Leader,
                    term: 4,
                    last_log_index: Some(30),
                    last_applied: Some(29),
                    leader: Some(1),
                }),
            },
            PeerReport {
                id: 4,
                node: node(4),
                voter: false,
                status: Err("connection refused".into()),
            },
        ];
        let views = peer_statuses(&reports);
        assert_eq!(views[0].role, "leader");
        assert_eq!((views[0].term, views[0].last_applied_index), (4, 29));
        assert_eq!(views[0].membership, "voter");
        assert_eq!(views[0].health, "healthy");
        assert_eq!(views[0].grpc_address, "10.0.0.1:7800");
        assert_eq!(views[1].membership, "learner");
        assert_eq!(views[1].health, "unreachable");
        assert_eq!(views[1].role, "unknown");
        assert_eq!(views[1].error, "connection refused");
    }

    #[test]
    fn add_learner_requests_are_checked_and_named() {
        let request = pb::AddLearnerRequest {
            id: 4,
            name: String::new(),
            grpc_address: "miroir-4.peers:7800".into(),
            http_address: "10.0.0.4:7700".into(),
        };
        let MembershipChange::AddLearner { id, node } = add_learner_change(&request).unwrap()
        else {
            panic!("not an add-learner change");
        };
        assert_eq!((id, node.name.as_str()), (4, "miroir-4"));
        assert_eq!(node.grpc_addr, "miroir-4.peers:7800");

        let zero = pb::AddLearnerRequest {
            id: 0,
            ..request.clone()
        };
        assert!(matches!(
            add_learner_change(&zero),
            Err(AdminError::InvalidArgument(_))
        ));
        for bad in ["", "host", ":7800", "host:port", "host:70000"] {
            let bad_request = pb::AddLearnerRequest {
                grpc_address: bad.into(),
                ..request.clone()
            };
            let error = add_learner_change(&bad_request).unwrap_err();
            assert!(error.to_string().contains("grpc_address"), "{bad}: {error}");
        }
    }
}
