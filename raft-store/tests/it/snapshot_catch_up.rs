//! A follower that missed more than the retained log catches up through a snapshot.

use std::sync::Arc;
use std::time::Instant;

use miroir_raft_store::peer::RaftTuning;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::cluster::{eventually, Cluster, Options, WAIT};
use crate::workload::{enqueue, has_task, task_uid};

/// Snapshot every this many log entries (small, to force snapshots in a short test).
const SNAPSHOT_EVERY: u64 = 100;
/// Log entries kept behind a snapshot.
const KEPT: u64 = 20;

/// Invariant: a follower stopped while the others commit enough to snapshot and purge past its
/// last log entry restarts, receives the leader's snapshot (its log cannot be replayed), and
/// ends with the same applied index and state digest as the others, holding every write.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restarted_follower_catches_up_through_snapshot() {
    let tuning = RaftTuning {
        snapshot_every_logs: SNAPSHOT_EVERY,
        logs_kept_after_snapshot: KEPT,
        ..RaftTuning::default()
    };
    let mut cluster = Cluster::start(
        3,
        Options {
            tuning: Some(tuning),
            ..Options::default()
        },
    )
    .await;
    let leader_id = cluster.wait_for_leader().await;
    let follower_id = *cluster.peers.keys().find(|id| **id != leader_id).unwrap();
    let leader = cluster.peer(leader_id);

    let mut written = Vec::new();
    for sequence in 0..20 {
        let tag = format!("c-{sequence}");
        written.push((task_uid(&leader.apply(enqueue(&tag)).await.unwrap()), tag));
    }
    cluster.wait_converged().await;
    let follower_applied = cluster
        .peer(follower_id)
        .metrics()
        .last_applied
        .unwrap()
        .index;
    cluster.stop(follower_id).await;

    for sequence in 20..(20 + 5 * SNAPSHOT_EVERY as usize) {
        let tag = format!("c-{sequence}");
        written.push((task_uid(&leader.apply(enqueue(&tag)).await.unwrap()), tag));
    }
    // Precondition of the scenario: the leader purged the log beyond the follower's last entry.
    let purged = eventually(
        "the leader to purge past the stopped follower",
        WAIT,
        || async {
            let purged = leader.metrics().purged?.index;
            (purged > follower_applied + 1).then_some(purged)
        },
    )
    .await;

    cluster.restart(follower_id).await;
    cluster.wait_converged().await;
    let follower = cluster.peer(follower_id);
    let snapshot = follower
        .metrics()
        .snapshot
        .expect("follower holds a snapshot");
    assert!(
        snapshot.index >= purged,
        "follower's snapshot ({}) covers the purged log ({purged})",
        snapshot.index
    );
    let expected = written.clone();
    let all_present = follower
        .read(move |state| expected.iter().all(|(uid, tag)| has_task(state, *uid, tag)))
        .await;
    assert!(all_present, "the caught-up follower misses writes");
    println!(
        "snapshot catch-up: follower {follower_id} stopped at index {follower_applied}, leader purged \
         up to {purged}, follower installed snapshot at {}",
        snapshot.index
    );
    drop((leader, follower));
    cluster.stop_all().await;
}

/// Commands written while the follower is down in the full-size scenario.
const LARGE_BACKLOG: usize = 50_000;
/// Client requests in flight during the large backlog.
const IN_FLIGHT: usize = 256;

/// Invariant: with the production snapshot policy (a snapshot every 10 000 entries, 1 000 kept
/// behind it), a follower stopped while 50 000 commands are committed restarts, is brought up to
/// date through a snapshot (the log it missed was compacted), and ends with the others' digest,
/// holding every acknowledged command.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn follower_stopped_for_fifty_thousand_commands_catches_up() {
    let tuning = RaftTuning::default();
    assert!(
        (LARGE_BACKLOG as u64) > tuning.snapshot_every_logs + tuning.logs_kept_after_snapshot,
        "the backlog must force log compaction past the follower"
    );
    let mut cluster = Cluster::start(3, Options::default()).await;
    let leader_id = cluster.wait_for_leader().await;
    let follower_id = *cluster.peers.keys().find(|id| **id != leader_id).unwrap();
    let follower_applied = {
        let leader = cluster.peer(leader_id);
        leader.apply(enqueue("before-stop")).await.unwrap();
        cluster.wait_converged().await;
        cluster
            .peer(follower_id)
            .metrics()
            .last_applied
            .unwrap()
            .index
    };
    cluster.stop(follower_id).await;

    let leader = cluster.peer(leader_id);
    let limit = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut writers = JoinSet::new();
    let started = Instant::now();
    for sequence in 0..LARGE_BACKLOG {
        let leader = leader.clone();
        let permit = limit.clone().acquire_owned().await.unwrap();
        writers.spawn(async move {
            let tag = format!("big-{sequence}");
            let response = leader.apply(enqueue(&tag)).await.unwrap();
            drop(permit);
            (task_uid(&response), tag)
        });
    }
    let mut written = Vec::with_capacity(LARGE_BACKLOG);
    while let Some(result) = writers.join_next().await {
        written.push(result.unwrap());
    }
    let write_time = started.elapsed();
    let purged = eventually(
        "the leader to compact its log past the stopped follower",
        WAIT,
        || async {
            let purged = leader.metrics().purged?.index;
            (purged > follower_applied + 1).then_some(purged)
        },
    )
    .await;

    let restarted = Instant::now();
    cluster.restart(follower_id).await;
    let digest = cluster.wait_converged().await;
    let catch_up = restarted.elapsed();
    let follower = cluster.peer(follower_id);
    let snapshot = follower
        .metrics()
        .snapshot
        .expect("follower holds a snapshot");
    assert!(
        snapshot.index >= purged,
        "follower's snapshot ({}) covers the compacted log ({purged})",
        snapshot.index
    );
    let (count, all_present) = follower
        .read(move |state| {
            let all_present = written.iter().all(|(uid, tag)| has_task(state, *uid, tag));
            (state.task_count(), all_present)
        })
        .await;
    assert_eq!(count, LARGE_BACKLOG + 1, "follower task count");
    assert!(all_present, "the caught-up follower misses writes");
    println!(
        "50k catch-up: {LARGE_BACKLOG} commands in {write_time:?}; follower {follower_id} stopped at \
         {follower_applied}, leader compacted to {purged}, follower converged (digest {digest:#x}) \
         {catch_up:?} after restart via snapshot {}",
        snapshot.index
    );
    drop((leader, follower));
    cluster.stop_all().await;
}
