//! Leader loss under write load.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use miroir_raft_store::peer::PeerError;

use crate::cluster::{eventually, Cluster, Options, WAIT};
use crate::workload::{enqueue, has_task, task_uid};

/// One acknowledged write: when it was acknowledged, its task uid and tag.
type Ack = (Instant, u64, String);

/// Invariant: when the leader is shut down while a client keeps writing through the other
/// peers, a new leader is elected, writes are accepted again, and every write that was
/// acknowledged (before or after the kill) is present on every surviving peer. Writes whose
/// outcome is reported unknown are not asserted either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leader_loss_keeps_every_acknowledged_write() {
    let mut cluster = Cluster::start(3, Options::default()).await;
    let old_leader = cluster.wait_for_leader().await;
    let survivors: Vec<_> = cluster
        .peers
        .values()
        .filter(|peer| peer.id() != old_leader)
        .cloned()
        .collect();

    let acks: Arc<Mutex<Vec<Ack>>> = Arc::default();
    let unknown = Arc::new(Mutex::new(0usize));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let (acks, unknown, stop) = (acks.clone(), unknown.clone(), stop.clone());
        async move {
            let mut sequence = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let peer = &survivors[sequence % survivors.len()];
                let tag = format!("b-{sequence}");
                sequence += 1;
                match peer.apply(enqueue(&tag)).await {
                    Ok(response) => {
                        acks.lock()
                            .unwrap()
                            .push((Instant::now(), task_uid(&response), tag))
                    }
                    Err(PeerError::OutcomeUnknown { .. } | PeerError::NoLeader { .. }) => {
                        *unknown.lock().unwrap() += 1;
                    }
                    Err(error) => panic!("write through peer {} failed: {error}", peer.id()),
                }
            }
        }
    });

    eventually("200 writes before the kill", WAIT, || async {
        (acks.lock().unwrap().len() >= 200).then_some(())
    })
    .await;
    let killed_at = Instant::now();
    cluster.stop(old_leader).await;
    let new_leader = cluster.wait_for_leader().await;
    let time_to_leader = killed_at.elapsed();
    assert_ne!(new_leader, old_leader);

    let first_write_after_kill = eventually("200 writes after the kill", WAIT, || async {
        let acks = acks.lock().unwrap();
        let after: Vec<&Ack> = acks.iter().filter(|(at, ..)| *at > killed_at).collect();
        (after.len() >= 200).then(|| after[0].0 - killed_at)
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    println!(
        "failover: new leader {new_leader} seen {time_to_leader:?} after killing {old_leader}; \
         first accepted write {first_write_after_kill:?} after the kill; {} writes with unknown outcome",
        unknown.lock().unwrap()
    );

    let acks = std::mem::take(&mut *acks.lock().unwrap());
    cluster.wait_converged().await;
    for peer in cluster.peers.values() {
        let acks = acks.clone();
        let missing = peer
            .linearizable_read(move |state| {
                acks.iter()
                    .filter(|(_, uid, tag)| !has_task(state, *uid, tag))
                    .count()
            })
            .await
            .unwrap();
        assert_eq!(missing, 0, "peer {} lost acknowledged writes", peer.id());
    }
    cluster.stop_all().await;
}
