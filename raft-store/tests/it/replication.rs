//! Concurrent writes through every peer.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::cluster::{Cluster, Options};
use crate::workload::{enqueue, has_task, task_uid, Picker};

const COMMANDS: usize = 10_000;
/// Client requests in flight at once.
const IN_FLIGHT: usize = 256;

/// Invariant: 10 000 commands submitted concurrently through randomly chosen peers (followers
/// forward to the leader) are each applied exactly once, in one order: every command gets a
/// distinct task uid, every peer ends holding all of them, and every peer's state digest is
/// identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_through_random_peers_converge() {
    let mut cluster = Cluster::start(3, Options::default()).await;
    cluster.wait_for_leader().await;

    let peers: Vec<_> = cluster.peers.values().cloned().collect();
    let limit = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut picker = Picker::new(0x5eed);
    let mut writers = JoinSet::new();
    let started = Instant::now();
    for sequence in 0..COMMANDS {
        let peer = peers[picker.below(peers.len())].clone();
        let permit = limit.clone().acquire_owned().await.unwrap();
        writers.spawn(async move {
            let tag = format!("a-{sequence}");
            let response = peer.apply(enqueue(&tag)).await.unwrap();
            drop(permit);
            (task_uid(&response), tag)
        });
    }
    let mut accepted = Vec::with_capacity(COMMANDS);
    while let Some(result) = writers.join_next().await {
        accepted.push(result.unwrap());
    }
    let elapsed = started.elapsed();
    println!(
        "replication: {COMMANDS} commands acknowledged in {elapsed:?} ({:.0} commands/s, {IN_FLIGHT} in flight)",
        COMMANDS as f64 / elapsed.as_secs_f64()
    );
    drop(peers);

    let uids: BTreeSet<u64> = accepted.iter().map(|(uid, _)| *uid).collect();
    assert_eq!(uids.len(), COMMANDS, "every command got its own task uid");

    cluster.wait_converged().await;
    for peer in cluster.peers.values() {
        let accepted = accepted.clone();
        let (count, all_present) = peer
            .read(move |state| {
                let all_present = accepted.iter().all(|(uid, tag)| has_task(state, *uid, tag));
                (state.task_count(), all_present)
            })
            .await;
        assert_eq!(count, COMMANDS, "peer {} task count", peer.id());
        assert!(
            all_present,
            "peer {} misses an acknowledged command",
            peer.id()
        );
    }
    cluster.stop_all().await;
}
