//! The gRPC contract of `RaftService` as seen by a raw client.

use miroir_raft_store::network::codec::{decode, ReadIndexOutcome};
use miroir_raft_store::network::pb::raft_service_client::RaftServiceClient;
use miroir_raft_store::network::pb::RaftRequest;
use tonic::Code;

use crate::cluster::{Cluster, Options};

fn envelope(cluster: &str, to_peer_id: u64, payload: &[u8]) -> RaftRequest {
    RaftRequest {
        cluster: cluster.into(),
        from_peer_id: 99,
        to_peer_id,
        payload: payload.to_vec().into(),
    }
}

/// Invariant: a peer refuses requests addressed to another cluster or another peer id
/// (FAILED_PRECONDITION) and undecodable payloads (INVALID_ARGUMENT) without touching Raft, and
/// a well-addressed ReadIndex to the leader of a single-peer cluster answers with a read log id
/// at or beyond everything committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_checks_envelopes_and_serves_read_index() {
    let mut cluster = Cluster::start(1, Options::default()).await;
    cluster.wait_for_leader().await;
    let peer = cluster.peer(1);
    let mut client = RaftServiceClient::connect(format!("http://{}", peer.grpc_addr()))
        .await
        .unwrap();

    let wrong_cluster = client.vote(envelope("other", 1, b"")).await.unwrap_err();
    assert_eq!(wrong_cluster.code(), Code::FailedPrecondition);
    let wrong_peer = client
        .vote(envelope("miroir-meta", 2, b""))
        .await
        .unwrap_err();
    assert_eq!(wrong_peer.code(), Code::FailedPrecondition);
    let garbage = client
        .append_entries(envelope("miroir-meta", 1, b"\xff"))
        .await
        .unwrap_err();
    assert_eq!(garbage.code(), Code::InvalidArgument);

    let committed = peer.metrics().cluster_committed.unwrap().index;
    let reply = client
        .read_index(envelope("miroir-meta", 1, b""))
        .await
        .unwrap()
        .into_inner();
    assert!(reply.error.is_empty());
    match decode::<ReadIndexOutcome>("read index outcome", &reply.payload).unwrap() {
        ReadIndexOutcome::Ready { read_log_id } => assert!(read_log_id.index >= committed),
        other => panic!("the single peer leads, got {other:?}"),
    }
    drop(peer);
    cluster.stop_all().await;
}
