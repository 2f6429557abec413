//! Collecting every member's own status: this peer answers from its metrics, the others over
//! the `PeerStatus` RPC, all at once, each bounded by the same timeout.

use std::time::Duration;

use super::membership::Membership;
use super::status::{PeerReport, PeerStatus};
use crate::network::{codec, PeerCaller, UnaryRpc};
use crate::types::{PeerId, PeerNode};

/// Reports on every member of `membership` (this peer's view), in id order; `own` is this
/// peer's status, the others are asked by `caller`.
pub(crate) async fn collect_reports(
    membership: &Membership,
    own: &PeerStatus,
    caller: &PeerCaller,
    timeout: Duration,
) -> Vec<PeerReport> {
    let asks = membership.nodes.iter().map(|(id, node)| async move {
        let status = if *id == own.id {
            Ok(own.clone())
        } else {
            remote_status(caller, *id, node, timeout).await
        };
        PeerReport {
            id: *id,
            node: node.clone(),
            voter: membership.is_voter(*id),
            status,
        }
    });
    futures::future::join_all(asks).await
}

async fn remote_status(
    caller: &PeerCaller,
    id: PeerId,
    node: &PeerNode,
    timeout: Duration,
) -> Result<PeerStatus, String> {
    let reply = caller
        .call(id, node, UnaryRpc::PeerStatus, Vec::new(), timeout)
        .await
        .map_err(|error| error.to_string())?;
    codec::decode("peer status", &reply).map_err(|error| error.to_string())
}
