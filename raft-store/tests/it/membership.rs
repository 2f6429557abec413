//! Membership changes submitted on any peer (forwarded to the leader), their safety rules, and
//! the status every peer can collect about the members.

use std::collections::BTreeSet;
use std::time::Duration;

use miroir_raft_store::peer::{Bootstrap, MembershipChange, PeerError, PeerReport, PeerRole};
use miroir_raft_store::types::PeerId;

use crate::cluster::{eventually, Cluster, Options, WAIT};
use crate::workload::{enqueue, has_task, task_uid};

/// Deadline of one status request in these tests.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);

fn remove(id: PeerId) -> MembershipChange {
    MembershipChange::Remove { id, force: false }
}

/// The reports' ids, in the order given.
fn ids(reports: &[PeerReport]) -> Vec<PeerId> {
    reports.iter().map(|report| report.id).collect()
}

/// Invariant: a learner added and promoted through a follower (the change travels to the
/// leader) becomes a voter on every peer and replicates the data; the leader's refusals (already
/// a member, not a learner, unknown peer) reach the follower as the same errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn follower_adds_and_promotes_a_learner() {
    let mut cluster = Cluster::start(3, Options::default()).await;
    let leader_id = cluster.wait_for_leader().await;
    let follower_id = (1..=3).find(|id| *id != leader_id).unwrap();
    let written = task_uid(
        &cluster
            .peer(leader_id)
            .apply(enqueue("before-join"))
            .await
            .unwrap(),
    );

    let joiner = cluster.start_joiner(4).await;
    assert_eq!(cluster.peer(4).bootstrap(), Bootstrap::AwaitingLeader);
    let follower = cluster.peer(follower_id);
    let added = follower
        .change_membership(MembershipChange::AddLearner {
            id: 4,
            node: joiner.clone(),
        })
        .await
        .unwrap();
    assert_eq!(added.voters, BTreeSet::from([1, 2, 3]));
    assert_eq!(added.learners(), BTreeSet::from([4]));
    assert_eq!(added.nodes[&4], joiner);
    let again = follower
        .change_membership(MembershipChange::AddLearner {
            id: 4,
            node: joiner.clone(),
        })
        .await;
    assert!(
        matches!(again, Err(PeerError::AlreadyMember { peer_id: 4 })),
        "{again:?}"
    );

    let promoted = follower
        .change_membership(MembershipChange::Promote { id: 4 })
        .await
        .unwrap();
    assert_eq!(promoted.voters, BTreeSet::from([1, 2, 3, 4]));
    assert!(promoted.learners().is_empty());
    let promoted_again = follower
        .change_membership(MembershipChange::Promote { id: 4 })
        .await;
    assert!(
        matches!(promoted_again, Err(PeerError::NotALearner { peer_id: 4 })),
        "{promoted_again:?}"
    );
    for stranger_change in [MembershipChange::Promote { id: 9 }, remove(9)] {
        let refused = follower.change_membership(stranger_change).await;
        assert!(
            matches!(refused, Err(PeerError::UnknownPeer { peer_id: 9 })),
            "{refused:?}"
        );
    }

    eventually("every peer sees the four voters", WAIT, || async {
        let all_agree = cluster
            .peers
            .values()
            .all(|peer| peer.membership() == promoted);
        all_agree.then_some(())
    })
    .await;
    cluster.wait_converged().await;
    let newcomer = cluster.peer(4);
    assert!(
        newcomer
            .read(|state| has_task(state, written, "before-join"))
            .await
    );
    let reports = newcomer.peer_reports(STATUS_TIMEOUT).await;
    assert_eq!(ids(&reports), vec![1, 2, 3, 4]);
    for report in &reports {
        assert!(report.voter, "peer {} votes", report.id);
        let status = report.status.as_ref().unwrap();
        assert_eq!(status.leader, Some(leader_id), "peer {}", report.id);
    }
    drop((follower, newcomer));
    cluster.stop_all().await;
}

/// Invariant: the last voter is never removed, not even forced, whether the removal is asked of
/// the voter itself or forwarded by a learner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_voter_is_never_removed() {
    let mut cluster = Cluster::start(1, Options::default()).await;
    cluster.wait_for_leader().await;
    let joiner = cluster.start_joiner(2).await;
    let voter = cluster.peer(1);
    voter
        .change_membership(MembershipChange::AddLearner {
            id: 2,
            node: joiner,
        })
        .await
        .unwrap();
    eventually("the learner knows the leader", WAIT, || async {
        (cluster.peer(2).leader() == Some(1)).then_some(())
    })
    .await;
    for asked_of in [1, 2] {
        for force in [false, true] {
            let refused = cluster
                .peer(asked_of)
                .change_membership(MembershipChange::Remove { id: 1, force })
                .await;
            assert!(
                matches!(refused, Err(PeerError::LastVoter { peer_id: 1 })),
                "asked of peer {asked_of}, force {force}: {refused:?}"
            );
        }
    }
    assert_eq!(voter.membership().voters, BTreeSet::from([1]));
    drop(voter);
    cluster.stop_all().await;
}

/// Invariant: with one of three voters shut down, removing either healthy voter is refused with
/// `WouldLoseQuorum` (one healthy voter of two left), while removing the dead voter succeeds;
/// meanwhile every peer's report lists the dead member as unreachable and the live ones with
/// their role, the common term, the same applied index and the same leader.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_voter_can_be_removed_but_healthy_ones_cannot() {
    let mut cluster = Cluster::start(3, Options::default()).await;
    let leader_id = cluster.wait_for_leader().await;
    let mut followers = (1..=3).filter(|id| *id != leader_id);
    let (survivor_id, dead_id) = (followers.next().unwrap(), followers.next().unwrap());
    cluster
        .peer(survivor_id)
        .apply(enqueue("before-the-loss"))
        .await
        .unwrap();
    cluster.stop(dead_id).await;
    let leader = cluster.peer(leader_id);
    let survivor = cluster.peer(survivor_id);
    eventually(
        "the leader counts the dead voter as unhealthy",
        WAIT,
        || async {
            let healthy = leader.healthy_voters()?;
            (healthy == BTreeSet::from([leader_id, survivor_id])).then_some(())
        },
    )
    .await;
    assert_eq!(
        survivor.healthy_voters(),
        None,
        "only the leader judges health"
    );

    for healthy_voter in [survivor_id, leader_id] {
        let refused = survivor.change_membership(remove(healthy_voter)).await;
        match refused {
            Err(PeerError::WouldLoseQuorum {
                peer_id,
                healthy_after: 1,
                voters_after: 2,
            }) if peer_id == healthy_voter => {}
            other => panic!("removing healthy voter {healthy_voter}: {other:?}"),
        }
    }

    cluster.wait_converged().await;
    for asking in [&survivor, &leader] {
        let reports = asking.peer_reports(STATUS_TIMEOUT).await;
        assert_eq!(ids(&reports), vec![1, 2, 3], "asked of {}", asking.id());
        let mut terms = BTreeSet::new();
        let mut applied = BTreeSet::new();
        for report in &reports {
            assert!(report.voter);
            if report.id == dead_id {
                assert!(report.status.is_err(), "dead peer answered: {report:?}");
                continue;
            }
            let status = report.status.as_ref().unwrap();
            let expected_role = if report.id == leader_id {
                PeerRole::Leader
            } else {
                PeerRole::Follower
            };
            assert_eq!(status.id, report.id);
            assert_eq!(status.role, expected_role, "role of {}", report.id);
            assert_eq!(status.leader, Some(leader_id));
            terms.insert(status.term);
            applied.insert(status.last_applied);
        }
        assert_eq!(terms.len(), 1, "one term: {terms:?}");
        assert_eq!(applied.len(), 1, "one applied index: {applied:?}");
    }

    let after = survivor.change_membership(remove(dead_id)).await.unwrap();
    assert_eq!(after.voters, BTreeSet::from([leader_id, survivor_id]));
    assert!(!after.nodes.contains_key(&dead_id));
    let reports = survivor.peer_reports(STATUS_TIMEOUT).await;
    let mut expected_ids = vec![leader_id, survivor_id];
    expected_ids.sort_unstable();
    assert_eq!(ids(&reports), expected_ids);
    assert!(reports.iter().all(|report| report.status.is_ok()));
    drop((leader, survivor));
    cluster.stop_all().await;
}
