//! Elastic topology end to end (issue 6): nodes and replica groups added, drained and removed
//! under load through three real peer processes in front of test nodes, with leader and source
//! failures in the middle of a migration. Each test checks that every acknowledged document is
//! retrievable exactly once, that no search failed, and what the nodes themselves hold.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use meili_test_node::{FaultConfig, RouteLatency};
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{
    call, finished_task, start_cluster_with, Layout, Nodes, ADMIN_KEY, CLIENT_KEY, NODE_KEY,
};
use crate::process::{request, Answer, Peer};

/// The index every test uses.
const INDEX: &str = "items";
/// Documents of the tests whose searches count every hit: below Meilisearch's default
/// `maxTotalHits` (1000), so that `estimatedTotalHits` is exact.
const DOCUMENTS: u64 = 800;
/// Longest wait for one topology operation.
const OPERATION_WAIT: Duration = Duration::from_secs(180);

fn item(id: u64) -> Value {
    json!({"id": id, "title": format!("item {id}"), "bucket": id % 7})
}

/// An admin request through `peer`.
fn admin(peer: &Peer, method: &str, path: &str, body: Option<&Value>) -> Answer {
    let bytes = body.map(|body| body.to_string().into_bytes());
    request(
        peer.serving.http,
        method,
        path,
        Some(ADMIN_KEY),
        bytes.as_deref().map(|bytes| ("application/json", bytes)),
    )
}

/// Submits a topology operation and returns its id (the answer must be 202).
fn submit(peer: &Peer, method: &str, path: &str, body: Option<&Value>) -> String {
    let answer = admin(peer, method, path, body);
    assert_eq!(answer.status, 202, "{method} {path}: {}", answer.body);
    let accepted = answer.json();
    assert_eq!(accepted["task_uid"], 0, "{accepted}");
    accepted["operation_id"].as_str().unwrap().to_owned()
}

/// The rebalance status as `peer` reports it.
fn status(peer: &Peer) -> Value {
    let answer = admin(peer, "GET", "/_miroir/rebalance/status", None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

/// Waits (through the first of `peers` that answers) until operation `id` completed; panics
/// at once if it failed.
fn await_operation(peers: &[&Peer], id: &str) -> Value {
    let deadline = Instant::now() + OPERATION_WAIT;
    loop {
        for peer in peers {
            let answer = admin(peer, "GET", "/_miroir/rebalance/status", None);
            if answer.status != 200 {
                continue;
            }
            let status = answer.json();
            if status["operation_id"] == id {
                assert_ne!(status["state"], "failed", "operation failed: {status}");
                if status["state"] == "completed" {
                    return status;
                }
            }
        }
        assert!(Instant::now() < deadline, "operation {id} did not complete");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Adds `ids` through `peer` in batches of 1000, each batch's task succeeded.
fn load(peer: &Peer, ids: std::ops::Range<u64>) {
    let all: Vec<u64> = ids.collect();
    for batch in all.chunks(1000) {
        let documents: Vec<Value> = batch.iter().map(|id| item(*id)).collect();
        let answer = call(
            peer,
            "POST",
            &format!("/indexes/{INDEX}/documents"),
            Some(&Value::Array(documents)),
        );
        assert_eq!(answer.status, 202, "{}", answer.body);
        let task = finished_task(peer, answer.json()["taskUid"].as_u64().unwrap());
        assert_eq!(task["status"], "succeeded", "{task}");
    }
}

/// Creates the index with its primary key.
fn create_index(peer: &Peer) {
    let answer = call(
        peer,
        "POST",
        "/indexes",
        Some(&json!({"uid": INDEX, "primaryKey": "id"})),
    );
    assert_eq!(answer.status, 202, "{}", answer.body);
    let task = finished_task(peer, answer.json()["taskUid"].as_u64().unwrap());
    assert_eq!(task["status"], "succeeded", "{task}");
}

/// Every document id Miroir lists, in listing order (duplicates kept).
fn listed_ids(peer: &Peer) -> Vec<u64> {
    let mut ids = Vec::new();
    loop {
        let answer = call(
            peer,
            "GET",
            &format!(
                "/indexes/{INDEX}/documents?limit=1000&offset={}&fields=id",
                ids.len()
            ),
            None,
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page = answer.json();
        let results = page["results"].as_array().unwrap();
        if results.is_empty() {
            return ids;
        }
        ids.extend(results.iter().map(|doc| doc["id"].as_u64().unwrap()));
    }
}

/// Asserts that Miroir lists exactly `expected`, each once.
fn assert_exactly_once(peer: &Peer, expected: &BTreeSet<u64>) {
    let listed = listed_ids(peer);
    let unique: BTreeSet<u64> = listed.iter().copied().collect();
    assert_eq!(listed.len(), unique.len(), "a document is listed twice");
    let missing: Vec<&u64> = expected.difference(&unique).take(10).collect();
    let extra: Vec<&u64> = unique.difference(expected).take(10).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, unexpected {extra:?} (listed {}, expected {})",
        unique.len(),
        expected.len()
    );
}

/// How many documents of the index the node at `addr` holds (asked directly).
fn node_total(addr: SocketAddr) -> u64 {
    let answer = request(
        addr,
        "GET",
        &format!("/indexes/{INDEX}/documents?limit=0"),
        Some(NODE_KEY),
        None,
    );
    match answer.status {
        200 => answer.json()["total"].as_u64().unwrap(),
        404 => 0,
        status => panic!("node {addr} answered {status}: {}", answer.body),
    }
}

/// What every search's `estimatedTotalHits` must be (every document matches both queries).
#[derive(Debug, Clone)]
enum Hits {
    /// Not checked.
    Any,
    /// Exactly this count (updated by the test).
    Exactly(Arc<AtomicU64>),
    /// At least this many (documents are being added).
    AtLeast(u64),
}

/// Searches in a loop until stopped; counts answers that are not 200 and, when `expected`
/// is set, searches whose total (every document matches both queries) differs from it.
struct Reader {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<ReaderReport>,
}

#[derive(Debug, Default)]
struct ReaderReport {
    searches: u64,
    failures: Vec<String>,
}

impl ReaderReport {
    /// Asserts that searches ran and none failed.
    fn assert_clean(&self) {
        assert!(self.searches > 0, "no search ran");
        assert!(
            self.failures.is_empty(),
            "{} of {} searches failed, first: {:?}",
            self.failures.len(),
            self.searches,
            &self.failures[..self.failures.len().min(5)]
        );
    }
}

impl Reader {
    fn start(http: SocketAddr, expected: Hits) -> Reader {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut report = ReaderReport::default();
            let bodies = [
                json!({"q": "", "limit": 5}),
                json!({"q": "item", "limit": 3, "offset": 10}),
            ];
            while !stopping.load(Ordering::Relaxed) {
                for body in &bodies {
                    let bytes = body.to_string().into_bytes();
                    let answer = request(
                        http,
                        "POST",
                        &format!("/indexes/{INDEX}/search"),
                        Some(CLIENT_KEY),
                        Some(("application/json", &bytes)),
                    );
                    report.searches += 1;
                    if answer.status != 200 {
                        report
                            .failures
                            .push(format!("{}: {}", answer.status, answer.body));
                        continue;
                    }
                    let total = answer.json()["estimatedTotalHits"].as_u64().unwrap();
                    let wrong = match &expected {
                        Hits::Any => false,
                        Hits::Exactly(expected) => total != expected.load(Ordering::SeqCst),
                        Hits::AtLeast(least) => total < *least,
                    };
                    if wrong {
                        report
                            .failures
                            .push(format!("{total} hits, expected {expected:?}"));
                    }
                }
            }
            report
        });
        Reader { stop, handle }
    }

    fn finish(self) -> ReaderReport {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap()
    }
}

/// Adds new documents in small batches until stopped; an id counts as acknowledged once its
/// batch's task succeeded.
struct Writer {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<BTreeSet<u64>>,
}

impl Writer {
    fn start(http: SocketAddr, first_id: u64, max_documents: u64) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut acknowledged = BTreeSet::new();
            let mut next = first_id;
            while !stopping.load(Ordering::Relaxed) {
                if next - first_id >= max_documents {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                let ids: Vec<u64> = (next..next + 25).collect();
                next += 25;
                let body = Value::Array(ids.iter().map(|id| item(*id)).collect()).to_string();
                let answer = request(
                    http,
                    "POST",
                    &format!("/indexes/{INDEX}/documents"),
                    Some(CLIENT_KEY),
                    Some(("application/json", body.as_bytes())),
                );
                assert_eq!(answer.status, 202, "writer: {}", answer.body);
                let uid = answer.json()["taskUid"].as_u64().unwrap();
                let deadline = Instant::now() + Duration::from_secs(60);
                loop {
                    let task = request(
                        http,
                        "GET",
                        &format!("/tasks/{uid}"),
                        Some(CLIENT_KEY),
                        None,
                    );
                    let status = task.json()["status"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    if status == "succeeded" {
                        acknowledged.extend(&ids);
                        break;
                    }
                    assert!(
                        !matches!(status.as_str(), "failed" | "canceled"),
                        "writer task {uid}: {}",
                        task.body
                    );
                    assert!(
                        Instant::now() < deadline,
                        "writer task {uid} never finished"
                    );
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            acknowledged
        });
        Writer { stop, handle }
    }

    fn finish(self) -> BTreeSet<u64> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap()
    }
}

/// The id of the peer leading the cluster, as `peer` sees it.
fn leader_id(peer: &Peer) -> u64 {
    let answer = admin(peer, "GET", "/_miroir/status", None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["leader_id"].as_u64().unwrap()
}

/// Slows the shard reads of the rebalancer (`POST …/documents/fetch`) on `nodes`.
fn slow_shard_reads(nodes: &Nodes, indexes: &[usize], delay_ms: u64) {
    for index in indexes {
        nodes.faults(*index).set_config(FaultConfig {
            route_latencies: vec![RouteLatency {
                method: Some("POST".into()),
                path_prefix: format!("/indexes/{INDEX}/documents/fetch"),
                delay_ms,
            }],
            ..FaultConfig::default()
        });
    }
}

/// Node `n` of the test nodes as a topology entry.
fn node_entry(nodes: &Nodes, n: usize) -> Value {
    json!({"id": format!("meili-{n}"), "address": format!("http://{}", nodes.addresses()[n])})
}

/// 3 → 4 nodes with 20 000 documents while a writer writes and a reader searches.
#[test]
fn adding_a_node_under_load_moves_only_its_share_and_loses_nothing() {
    let nodes = Nodes::start(4);
    let dir = TempDir::new().unwrap();
    let addresses = nodes.addresses();
    let peers = start_cluster_with(&dir, &addresses[..3], &Layout::single_group(3), "");
    create_index(&peers[0]);
    load(&peers[0], 0..20_000);
    let reader = Reader::start(peers[1].serving.http, Hits::Any);
    let writer = Writer::start(peers[2].serving.http, 1_000_000, u64::MAX);

    let mut entry = node_entry(&nodes, 3);
    entry["replica_group"] = json!(0);
    let id = submit(&peers[0], "POST", "/_miroir/nodes", Some(&entry));
    let done = await_operation(&[&peers[0], &peers[1]], &id);
    let acknowledged = writer.finish();
    reader.finish().assert_clean();
    assert!(!acknowledged.is_empty(), "the writer wrote nothing");
    let expected: BTreeSet<u64> = (0..20_000).chain(acknowledged.iter().copied()).collect();
    assert_exactly_once(&peers[1], &expected);
    let totals: Vec<u64> = addresses.iter().map(|addr| node_total(*addr)).collect();
    assert_eq!(
        totals.iter().sum::<u64>(),
        expected.len() as u64,
        "per-node totals {totals:?}: a copy was left behind or lost"
    );
    assert!(totals[3] > 0, "the new node holds nothing: {totals:?}");
    let moved = done["documents_migrated"].as_u64().unwrap();
    // The documents there were when the operation started: 20 000 and what the writer added
    // before; counting them all (writes during the copy included) only loosens the bound by
    // the few batches written meanwhile, so the 20 000 alone are used.
    let bound = 20_000.0 * 1.1 / 4.0;
    assert!(
        moved > 0 && (moved as f64) <= bound,
        "moved {moved} documents, bound {bound}"
    );
    let topology = admin(&peers[2], "GET", "/_miroir/topology", None).json();
    let states: Vec<&str> = topology["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["active"; 4], "{topology}");
}

/// Drain then remove a node of a 3-node RF=2 group while searches run.
#[test]
fn draining_a_node_keeps_every_search_whole_and_empties_it() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let addresses = nodes.addresses();
    let layout = Layout {
        replication_factor: 2,
        groups: vec![0, 0, 0],
    };
    let peers = start_cluster_with(&dir, &addresses, &layout, "");
    create_index(&peers[0]);
    load(&peers[0], 0..DOCUMENTS);

    let refused = admin(&peers[0], "DELETE", "/_miroir/nodes/meili-2", None);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.json()["code"], "miroir_topology_conflict");
    assert!(refused.json()["message"]
        .as_str()
        .unwrap()
        .contains("drain"));

    let expected_hits = Arc::new(AtomicU64::new(DOCUMENTS));
    let reader = Reader::start(peers[1].serving.http, Hits::Exactly(expected_hits));
    let drain = submit(&peers[0], "POST", "/_miroir/nodes/meili-1/drain", None);
    await_operation(&[&peers[0]], &drain);
    let remove = submit(&peers[2], "DELETE", "/_miroir/nodes/meili-1", None);
    await_operation(&[&peers[0]], &remove);
    reader.finish().assert_clean();
    assert_eq!(
        node_total(addresses[1]),
        0,
        "the drained node still holds documents"
    );
    assert_eq!(
        node_total(addresses[0]) + node_total(addresses[2]),
        2 * DOCUMENTS,
        "RF=2 over the two remaining nodes"
    );
    assert_exactly_once(&peers[2], &(0..DOCUMENTS).collect());
    let topology = admin(&peers[1], "GET", "/_miroir/topology", None).json();
    let removed = topology["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["id"] == "meili-1")
        .unwrap()
        .clone();
    assert_eq!(removed["state"], "removed", "{topology}");
}

/// A second replica group is back-filled without ever answering queries, then the first
/// group is removed; searches stay whole throughout.
#[test]
fn a_new_group_serves_only_once_complete_and_a_group_can_leave() {
    let nodes = Nodes::start(4);
    let dir = TempDir::new().unwrap();
    let addresses = nodes.addresses();
    let peers = start_cluster_with(&dir, &addresses[..2], &Layout::single_group(2), "");
    create_index(&peers[0]);
    load(&peers[0], 0..DOCUMENTS);
    // Back-filling is slowed so that many searches run while the group initializes.
    slow_shard_reads(&nodes, &[0, 1], 30);

    // While the group fills, a writer adds documents (they must reach the new group through
    // the writes every group receives) and every search must count at least the documents
    // there were before: a search answered by the initializing group would count fewer.
    let reader = Reader::start(peers[1].serving.http, Hits::AtLeast(DOCUMENTS));
    let writer = Writer::start(peers[2].serving.http, 1_000_000, 100);
    let add = submit(
        &peers[0],
        "POST",
        "/_miroir/groups",
        Some(&json!({"id": 1, "nodes": [node_entry(&nodes, 2), node_entry(&nodes, 3)]})),
    );
    let added = await_operation(&[&peers[0]], &add);
    let written = writer.finish();
    assert!(!written.is_empty(), "the writer wrote nothing");
    let all: BTreeSet<u64> = (0..DOCUMENTS).chain(written.iter().copied()).collect();
    let count = all.len() as u64;
    assert!(
        added["documents_migrated"].as_u64().unwrap() >= DOCUMENTS,
        "{added}"
    );
    crate::process::eventually("group 1 to hold every document", || {
        (node_total(addresses[2]) + node_total(addresses[3]) == count).then_some(())
    });
    assert!(node_total(addresses[2]) > 0 && node_total(addresses[3]) > 0);
    assert_eq!(node_total(addresses[0]) + node_total(addresses[1]), count);
    reader.finish().assert_clean();

    let reader = Reader::start(
        peers[1].serving.http,
        Hits::Exactly(Arc::new(AtomicU64::new(count))),
    );
    let remove = submit(&peers[1], "DELETE", "/_miroir/groups/0", None);
    await_operation(&[&peers[0]], &remove);
    std::thread::sleep(Duration::from_millis(500));
    reader.finish().assert_clean();
    // Writes after the removal reach the remaining group only, and are searchable.
    load(&peers[2], DOCUMENTS..DOCUMENTS + 50);
    for peer in &peers {
        let answer = call(
            peer,
            "POST",
            &format!("/indexes/{INDEX}/search"),
            Some(&json!({"q": "", "limit": 0})),
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["estimatedTotalHits"], count + 50);
    }
    assert_eq!(
        node_total(addresses[2]) + node_total(addresses[3]),
        count + 50
    );
    assert_eq!(node_total(addresses[0]) + node_total(addresses[1]), count);
    let mut expected = all;
    expected.extend(DOCUMENTS..DOCUMENTS + 50);
    assert_exactly_once(&peers[0], &expected);
}

/// 4 test nodes, a cluster over the first 3 holding 5 000 documents, the source reads slowed
/// by `read_delay_ms` (pages of 100, `concurrency` copies at once), and the addition of the
/// 4th node submitted: returns the nodes, the peers and the operation id.
fn slow_node_addition(
    dir: &TempDir,
    concurrency: u32,
    read_delay_ms: u64,
) -> (Nodes, Vec<Peer>, String) {
    let nodes = Nodes::start(4);
    let addresses = nodes.addresses();
    let peers = start_cluster_with(
        dir,
        &addresses[..3],
        &Layout::single_group(3),
        &format!(
            "rebalancer: {{migration_batch_size: 100, max_concurrent_migrations: {concurrency}}}\n"
        ),
    );
    create_index(&peers[0]);
    load(&peers[0], 0..5_000);
    slow_shard_reads(&nodes, &[0, 1, 2], read_delay_ms);
    let mut entry = node_entry(&nodes, 3);
    entry["replica_group"] = json!(0);
    let id = submit(&peers[0], "POST", "/_miroir/nodes", Some(&entry));
    (nodes, peers, id)
}

/// After [`slow_node_addition`] completed: every document listed once through `peer`, the
/// node totals summing to 5 000 (no copy left behind), and the new node holding its share.
fn assert_nothing_lost_by_slow_addition(nodes: &Nodes, peer: &Peer) {
    slow_shard_reads(nodes, &[0, 1, 2], 0);
    assert_exactly_once(peer, &(0..5_000).collect());
    let addresses = nodes.addresses();
    let totals: u64 = addresses.iter().map(|addr| node_total(*addr)).sum();
    assert_eq!(totals, 5_000, "a copy was left behind or lost");
    assert!(node_total(addresses[3]) > 0, "the new node holds nothing");
}

/// The Raft leader is killed in the middle of a migration: a new leader resumes it.
#[test]
fn a_migration_survives_the_death_of_the_leader() {
    let dir = TempDir::new().unwrap();
    let (nodes, peers, id) = slow_node_addition(&dir, 2, 150);
    let mut peers: Vec<Option<Peer>> = peers.into_iter().map(Some).collect();
    wait_for_copying(peers[0].as_ref().unwrap(), &id);
    let leader = leader_id(peers[0].as_ref().unwrap());
    peers[(leader - 1) as usize].take().unwrap().kill();
    let survivors: Vec<&Peer> = peers.iter().flatten().collect();
    let done = await_operation(&survivors, &id);
    assert!(done["documents_migrated"].as_u64().unwrap() > 0, "{done}");
    assert_nothing_lost_by_slow_addition(&nodes, survivors[0]);
}

/// The node a shard is copied from goes down mid-migration: the copy waits, then resumes.
#[test]
fn a_migration_waits_for_its_source_node_and_resumes() {
    let dir = TempDir::new().unwrap();
    let (nodes, peers, id) = slow_node_addition(&dir, 1, 100);
    let copying = wait_for_copying(&peers[0], &id);
    let second = admin(&peers[1], "POST", "/_miroir/nodes/meili-0/drain", None);
    assert_eq!(second.status, 409, "{}", second.body);
    assert_eq!(second.json()["code"], "miroir_topology_conflict");
    assert!(
        second.json()["message"].as_str().unwrap().contains(&id),
        "{}",
        second.body
    );
    let source = copying["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|phase| phase["state"] == "MigrationInProgress")
        .map(|phase| phase["source"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no shard in progress: {copying}"));
    let source_index: usize = source.trim_start_matches("meili-").parse().unwrap();
    nodes.set_down(source_index, true);
    let waiting = crate::process::eventually("the operation to wait for its source", || {
        let status = status(&peers[1]);
        assert_ne!(status["state"], "failed", "{status}");
        status["waiting_for"]
            .as_str()
            .is_some_and(|reason| reason.contains(&source))
            .then_some(status)
    });
    assert_eq!(waiting["state"], "in_progress", "{waiting}");
    std::thread::sleep(Duration::from_secs(2));
    nodes.set_down(source_index, false);
    let done = await_operation(&[&peers[0], &peers[1]], &id);
    assert_eq!(done["waiting_for"], "", "{done}");
    assert_nothing_lost_by_slow_addition(&nodes, &peers[2]);
}

/// Waits until operation `id` copied some documents and is still running; returns the status.
fn wait_for_copying(peer: &Peer, id: &str) -> Value {
    crate::process::eventually("the migration to be copying", || {
        let status = status(peer);
        assert_ne!(
            status["state"], "completed",
            "finished too fast to interrupt: {status}"
        );
        (status["operation_id"] == id
            && status["step"] == "copy"
            && status["documents_migrated"].as_u64().unwrap_or(0) > 0)
            .then_some(status)
    })
}

/// A node that missed writes while it was down is refilled from its replicas when it comes
/// back, and serves no read before that: every search during its return counts every hit.
#[test]
fn a_node_back_from_a_failure_is_refilled_before_it_serves_reads() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let addresses = nodes.addresses();
    let layout = Layout {
        replication_factor: 3,
        groups: vec![0, 0, 0],
    };
    let peers = start_cluster_with(
        &dir,
        &addresses,
        &layout,
        "health: {interval_ms: 200, timeout_ms: 200, unhealthy_threshold: 2, recovery_threshold: 2}\n",
    );
    create_index(&peers[0]);
    load(&peers[0], 0..600);
    nodes.set_down(2, true);
    crate::process::eventually("every peer to see meili-2 unhealthy", || {
        peers
            .iter()
            .all(|peer| {
                let topology = admin(peer, "GET", "/_miroir/topology", None).json();
                topology["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|node| node["id"] == "meili-2" && node["health"] == "unhealthy")
            })
            .then_some(())
    });
    // Writes while it is down reach the two other replicas (a write quorum of RF=3).
    load(&peers[0], 600..DOCUMENTS);

    let reader = Reader::start(
        peers[1].serving.http,
        Hits::Exactly(Arc::new(AtomicU64::new(DOCUMENTS))),
    );
    nodes.set_down(2, false);
    let refilled = crate::process::eventually("meili-2 to be re-hydrated", || {
        let status = status(&peers[2]);
        assert_ne!(status["state"], "failed", "{status}");
        (status["triggered_by"] == "re-hydrate node meili-2" && status["state"] == "completed")
            .then_some(status)
    });
    std::thread::sleep(Duration::from_millis(500));
    reader.finish().assert_clean();
    assert_eq!(node_total(addresses[2]), DOCUMENTS, "{refilled}");
    let copied = refilled["documents_migrated"].as_u64().unwrap();
    assert!(copied >= DOCUMENTS - 600, "{refilled}");
    assert_exactly_once(&peers[0], &(0..DOCUMENTS).collect());
}

/// `POST /_miroir/rebalance` refills a replica that lost documents behind Miroir's back, and
/// moves nothing in a healthy cluster.
#[test]
fn a_requested_repair_refills_a_replica_that_lost_documents() {
    let nodes = Nodes::start(2);
    let dir = TempDir::new().unwrap();
    let addresses = nodes.addresses();
    let layout = Layout {
        replication_factor: 2,
        groups: vec![0, 0],
    };
    let peers = start_cluster_with(&dir, &addresses, &layout, "");
    create_index(&peers[0]);
    load(&peers[0], 0..300);

    let healthy = submit(&peers[0], "POST", "/_miroir/rebalance", None);
    let nothing = await_operation(&[&peers[0]], &healthy);
    assert_eq!(nothing["documents_migrated"], 0, "{nothing}");
    assert_eq!(nothing["triggered_by"], "repair under-replicated shards");

    // 50 documents disappear from meili-1 without Miroir knowing.
    let lost: Vec<u64> = (0..50).collect();
    let body = serde_json::to_vec(&lost).unwrap();
    let deleted = request(
        addresses[1],
        "POST",
        &format!("/indexes/{INDEX}/documents/delete-batch"),
        Some(NODE_KEY),
        Some(("application/json", &body)),
    );
    assert_eq!(deleted.status, 202, "{}", deleted.body);
    crate::process::eventually("meili-1 to lose 50 documents", || {
        (node_total(addresses[1]) == 250).then_some(())
    });

    let repair = submit(&peers[1], "POST", "/_miroir/rebalance", None);
    let repaired = await_operation(&[&peers[0]], &repair);
    assert!(
        repaired["documents_migrated"].as_u64().unwrap() >= 50,
        "{repaired}"
    );
    assert_eq!(node_total(addresses[0]), 300);
    assert_eq!(node_total(addresses[1]), 300);
    assert_exactly_once(&peers[2], &(0..300).collect());
}
