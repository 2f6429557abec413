//! `miroir init`: a cluster whose membership is written explicitly, once, before any peer
//! starts, instead of by the lowest id on its first start.

use miroir_raft_store::peer::{Bootstrap, MetadataPeer, PeerConfig, PeerError};
use tempfile::TempDir;

use crate::cluster::{Cluster, Options};
use crate::workload::{enqueue, has_task, task_uid};

/// Invariant: after an explicit initialisation of peer 1's store, three peers started with no
/// `initial_peers` form the cluster (peer 1 resumes from the written membership, the others
/// wait for it), accept writes and converge; the store refuses a second initialisation.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn explicitly_initialised_cluster_forms_and_refuses_a_second_init() {
    let mut cluster = Cluster::start(
        3,
        Options {
            explicit_init: true,
            ..Options::default()
        },
    )
    .await;
    assert_eq!(cluster.peer(1).bootstrap(), Bootstrap::Resumed);
    assert_eq!(cluster.peer(2).bootstrap(), Bootstrap::AwaitingLeader);
    assert_eq!(cluster.peer(3).bootstrap(), Bootstrap::AwaitingLeader);

    let leader = cluster.wait_for_leader().await;
    let uid = task_uid(
        &cluster
            .peer(leader)
            .apply(enqueue("after-init"))
            .await
            .unwrap(),
    );
    cluster.wait_converged().await;
    for peer in cluster.peers.values() {
        assert!(peer.read(|state| has_task(state, uid, "after-init")).await);
    }

    let config = cluster.configs[&1].clone();
    cluster.stop(1).await;
    let again = MetadataPeer::initialize_new_cluster(config).await;
    assert!(
        matches!(again, Err(PeerError::AlreadyInitialized { .. })),
        "second init: {again:?}"
    );
    cluster.stop_all().await;
}

/// Invariant: a lone peer initialised explicitly starts, elects itself and commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicitly_initialised_single_peer_leads_itself() {
    let dir = TempDir::new().unwrap();
    let config = PeerConfig::new(7, "solo", "127.0.0.1:0", "127.0.0.1:7700", dir.path());
    let voters = MetadataPeer::initialize_new_cluster(config.clone())
        .await
        .unwrap();
    assert_eq!(voters.keys().copied().collect::<Vec<_>>(), vec![7]);

    let peer = MetadataPeer::start(config).await.unwrap();
    assert_eq!(peer.bootstrap(), Bootstrap::Resumed);
    let uid = task_uid(&peer.apply(enqueue("solo")).await.unwrap());
    assert!(peer.read(|state| has_task(state, uid, "solo")).await);
    assert!(peer.is_leader());
    peer.shutdown().await.unwrap();
}
