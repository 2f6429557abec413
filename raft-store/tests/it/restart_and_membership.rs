//! Whole-cluster restart, then growing the cluster by a learner promoted to voter.

use std::collections::BTreeSet;

use miroir_raft_store::peer::{Bootstrap, MembershipChange, PeerError};

use crate::cluster::{eventually, Cluster, Options, WAIT};
use crate::workload::{enqueue, has_task, task_uid};

/// Invariant: after all three peers are shut down and restarted on their stores, they resume
/// (no re-initialisation) with the exact state they had (same digest, every write present) and
/// accept writes again; a fresh fourth peer added as a learner and promoted becomes a voter and
/// converges to the same state; it can be removed again, and removing a non-member is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn state_survives_full_restart_and_new_peer_joins() {
    let mut cluster = Cluster::start(3, Options::default()).await;
    cluster.wait_for_leader().await;
    let mut written = Vec::new();
    let writer = cluster.peer(2);
    for sequence in 0..300 {
        let tag = format!("d-{sequence}");
        written.push((task_uid(&writer.apply(enqueue(&tag)).await.unwrap()), tag));
    }
    drop(writer);
    let digest_before = cluster.wait_converged().await;

    cluster.stop_all().await;
    for id in 1..=3 {
        cluster.restart(id).await;
    }
    for peer in cluster.peers.values() {
        assert_eq!(
            peer.bootstrap(),
            Bootstrap::Resumed,
            "peer {} resumed",
            peer.id()
        );
    }
    let leader_id = cluster.wait_for_leader().await;
    let digest_after = cluster.wait_converged().await;
    assert_eq!(
        digest_after, digest_before,
        "state after restart equals state before"
    );

    for sequence in 300..350 {
        let tag = format!("d-{sequence}");
        let peer = cluster.peer(1 + sequence as u64 % 3);
        written.push((task_uid(&peer.apply(enqueue(&tag)).await.unwrap()), tag));
    }

    let new_node = cluster.start_joiner(4).await;
    assert_eq!(cluster.peer(4).bootstrap(), Bootstrap::AwaitingLeader);
    let leader = cluster.peer(leader_id);
    leader
        .change_membership(MembershipChange::AddLearner {
            id: 4,
            node: new_node,
        })
        .await
        .unwrap();
    let promoted = leader
        .change_membership(MembershipChange::Promote { id: 4 })
        .await
        .unwrap();
    assert_eq!(promoted.voters, BTreeSet::from([1, 2, 3, 4]));
    assert_eq!(leader.membership(), promoted);
    cluster.wait_converged().await;
    let expected = written.clone();
    let all_present = cluster
        .peer(4)
        .linearizable_read(move |state| {
            expected.iter().all(|(uid, tag)| has_task(state, *uid, tag))
        })
        .await
        .unwrap();
    assert!(all_present, "the new voter holds every write");

    let removed = leader
        .change_membership(MembershipChange::Remove {
            id: 4,
            force: false,
        })
        .await
        .unwrap();
    assert_eq!(removed.voters, BTreeSet::from([1, 2, 3]));
    assert!(!removed.nodes.contains_key(&4));
    assert!(matches!(
        leader
            .change_membership(MembershipChange::Remove {
                id: 9,
                force: false
            })
            .await,
        Err(PeerError::UnknownPeer { peer_id: 9 })
    ));
    // Peer 4 learns it was removed only if it still replicates; just wait until the others
    // stop counting it, then shut it down.
    eventually("peer 4 out of every membership view", WAIT, || async {
        let views_without_4 =
            (1..=3).all(|id| !cluster.peer(id).membership().nodes.contains_key(&4));
        views_without_4.then_some(())
    })
    .await;
    drop(leader);
    cluster.stop_all().await;
}
