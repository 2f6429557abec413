//! Node health probing: each peer probes every node's `GET /health`, routes reads around the
//! nodes it finds unhealthy (even if they would answer searches), keeps writing to them, and
//! is ready only while it reaches a covering set.

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{call, start_cluster_with, succeed, Layout, Nodes};
use crate::process::{eventually, get, Peer};

/// Probe every 250 ms; two failed probes in a row make a node unhealthy (one slow probe on a
/// busy machine must not), one good probe heals it.
const FAST_PROBES: &str =
    "health: {interval_ms: 250, timeout_ms: 250, unhealthy_threshold: 2, recovery_threshold: 1}\n";

fn documents(ids: std::ops::Range<u64>) -> Value {
    Value::Array(
        ids.map(|id| json!({"id": id, "title": format!("probe document {id}")}))
            .collect(),
    )
}

/// Waits until `/_miroir/ready` of every peer answers `status` and reports `node_health` for
/// the first node.
fn wait_readiness(peers: &[Peer], status: u16, node_health: &str) {
    for peer in peers {
        eventually(
            &format!("readiness {status} with meili-0 {node_health}"),
            || {
                let answer = get(peer.serving.http, "/_miroir/ready");
                let body = answer.json();
                (answer.status == status && body["nodes"]["meili-0"] == node_health).then_some(())
            },
        );
    }
}

fn search_all(peer: &Peer) -> (usize, Option<String>) {
    let answer = call(
        peer,
        "POST",
        "/indexes/probed/search",
        Some(&json!({"limit": 100})),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let hits = answer.json()["hits"].as_array().unwrap().len();
    (hits, answer.header("x-miroir-degraded"))
}

#[test]
fn reads_route_around_a_node_failing_its_probes_and_come_back_when_it_recovers() {
    let dir = TempDir::new().unwrap();
    let nodes = Nodes::start(3);
    let peers = start_cluster_with(
        &dir,
        &nodes.addresses(),
        &Layout::single_group(3),
        FAST_PROBES,
    );
    wait_readiness(&peers, 200, "healthy");
    succeed(
        &peers[0],
        &peers[0],
        "POST",
        "/indexes",
        Some(&json!({"uid": "probed", "primaryKey": "id"})),
    );
    succeed(
        &peers[0],
        &peers[0],
        "POST",
        "/indexes/probed/documents",
        Some(&documents(0..60)),
    );
    assert_eq!(search_all(&peers[1]), (60, None));

    // meili-0 fails only its health probe: it would still answer searches.
    nodes
        .faults(0)
        .fail_next(u32::MAX, 503, Some("/health".to_owned()));
    wait_readiness(&peers, 503, "unhealthy");
    let (hits, degraded) = search_all(&peers[2]);
    assert!(hits < 60, "meili-0's documents were read: {hits} hits");
    let degraded = degraded.expect("a search missing meili-0's shards is degraded");
    assert!(degraded.starts_with("shards="), "{degraded}");

    // Writes still reach it: the documents written now are found once it is back.
    succeed(
        &peers[1],
        &peers[1],
        "POST",
        "/indexes/probed/documents",
        Some(&documents(60..90)),
    );

    nodes.faults(0).clear();
    wait_readiness(&peers, 200, "healthy");
    for peer in &peers {
        assert_eq!(search_all(peer), (90, None));
    }
}
