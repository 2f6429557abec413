//! The two-phase settings rollout (§13.5) end to end: a change verified on every node
//! commits exactly one settings version, visible through every peer; a change a node cannot
//! take fails with per-node detail and leaves every node on the previous settings; a node
//! back within the repair attempts is repaired and the change commits.

use std::net::SocketAddr;

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{call, cluster_configs, finished_task, succeed, Layout, Nodes, NODE_KEY};
use crate::process::{eventually, ready_leader, request, Answer, Peer};

const INDEX: &str = "books";

/// Three peers in front of `nodes` (one group, RF = 1) whose rollouts wait `verify_timeout_s:
/// 10`, repair `retries` times and back off from 20 ms.
fn start_peers(dir: &TempDir, nodes: &Nodes, retries: u32) -> Vec<Peer> {
    let configs = cluster_configs(dir, &nodes.addresses(), &Layout::single_group(3));
    let peers: Vec<Peer> = configs
        .values()
        .map(|path| {
            let mut yaml = std::fs::read_to_string(path).unwrap();
            yaml.push_str(&format!(
                "settings_broadcast: {{verify_timeout_s: 10, max_repair_retries: {retries}, repair_backoff_ms: 20}}\n"
            ));
            std::fs::write(path, yaml).unwrap();
            Peer::start(path)
        })
        .collect();
    for peer in &peers {
        ready_leader(peer.serving.http);
    }
    succeed(
        &peers[0],
        &peers[1],
        "POST",
        "/indexes",
        Some(&json!({"uid": INDEX, "primaryKey": "id"})),
    );
    peers
}

fn settings_path() -> String {
    format!("/indexes/{INDEX}/settings")
}

/// The settings version `answer` carries.
fn version_of(answer: &Answer) -> Option<u64> {
    answer
        .header("x-miroir-settings-version")
        .map(|version| version.parse().unwrap())
}

/// Waits until `peer` reports a settings version of at least `floor`; returns it.
fn version_at_least(peer: &Peer, floor: u64) -> u64 {
    eventually(&format!("settings version >= {floor}"), || {
        let answer = call(peer, "GET", &settings_path(), None);
        assert_eq!(answer.status, 200, "{}", answer.body);
        version_of(&answer).filter(|version| *version >= floor)
    })
}

/// The settings as node `address` holds them.
fn node_settings(address: SocketAddr) -> Value {
    let answer = request(address, "GET", &settings_path(), Some(NODE_KEY), None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn patch_synonyms(peer: &Peer, synonyms: &Value) -> u64 {
    let answer = call(
        peer,
        "PATCH",
        &settings_path(),
        Some(&json!({ "synonyms": synonyms })),
    );
    assert_eq!(answer.status, 202, "{}", answer.body);
    answer.json()["taskUid"].as_u64().unwrap()
}

/// Invariant: a synonym change through one peer is verified on every node and commits the
/// settings version exactly once; another peer then reports the new version on settings reads
/// and searches, and every node holds the synonym with `_miroir_shard` still filterable.
#[test]
fn a_verified_change_commits_one_settings_version() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_peers(&dir, &nodes, 3);
    let (a, b, c) = (&peers[0], &peers[1], &peers[2]);
    let before = version_at_least(c, 0);

    let synonyms = json!({"tome": ["book"]});
    let task = finished_task(b, patch_synonyms(a, &synonyms));
    assert_eq!(task["status"], "succeeded", "{task}");
    assert_eq!(task["type"], "settingsUpdate");
    assert_eq!(task["details"], json!({ "synonyms": synonyms }));

    let after = version_at_least(c, before + 1);
    assert_eq!(after, before + 1, "one change, one version");
    let read = call(c, "GET", &settings_path(), None);
    assert_eq!(read.json()["synonyms"], synonyms);
    assert_eq!(read.header("x-miroir-settings-inconsistent"), None);
    let search = call(
        c,
        "POST",
        &format!("/indexes/{INDEX}/search"),
        Some(&json!({"q": "tome"})),
    );
    assert_eq!(search.status, 200, "{}", search.body);
    assert_eq!(version_of(&search), Some(after));
    for address in nodes.addresses() {
        let on_node = node_settings(address);
        assert_eq!(on_node["synonyms"], synonyms, "node {address}");
        assert!(
            on_node["filterableAttributes"]
                .as_array()
                .unwrap()
                .contains(&json!("_miroir_shard")),
            "node {address}: {on_node}"
        );
    }
}

/// Invariant: with a node down for the whole repair window, the change ends as a failed task
/// whose `miroir_settings_divergence` error names that node; the settings version does not
/// move; and once the node is back, every node holds the previous settings (the nodes that
/// took the change were restored).
#[test]
fn a_change_a_node_cannot_take_fails_and_is_rolled_back() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_peers(&dir, &nodes, 2);
    let (a, b) = (&peers[0], &peers[1]);
    let old = json!({"tome": ["book"]});
    let task = finished_task(b, patch_synonyms(a, &old));
    assert_eq!(task["status"], "succeeded", "{task}");
    let committed = version_at_least(b, 1);

    nodes.set_down(2, true);
    let task = finished_task(b, patch_synonyms(a, &json!({"novel": ["book"]})));
    assert_eq!(task["status"], "failed", "{task}");
    let error = &task["error"];
    assert_eq!(error["code"], "miroir_settings_divergence", "{task}");
    assert_eq!(error["type"], "system", "{task}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("node `meili-2`: unreachable"), "{message}");
    assert!(
        message.contains("Previous settings restored on `meili-0`, `meili-1`."),
        "{message}"
    );
    assert!(!message.contains("meili-0`: "), "{message}");
    // The task's final status is replicated after any commit would have been.
    let read = call(b, "GET", &settings_path(), None);
    assert_eq!(
        version_of(&read),
        Some(committed),
        "no version for a failed change"
    );

    nodes.set_down(2, false);
    for address in nodes.addresses() {
        assert_eq!(node_settings(address)["synonyms"], old, "node {address}");
    }
    assert_eq!(
        call(a, "GET", &settings_path(), None).json()["synonyms"],
        old
    );
}

/// Invariant: a node unreachable when the change is proposed but back before the repair
/// attempts run out is repaired: the task succeeds, the version commits once, every node holds
/// the change; while the node is down, reads through the rolling-out peer are marked
/// inconsistent.
#[test]
fn a_node_back_within_the_repair_window_is_repaired() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    // 8 repairs from 20 ms: about 5 s of attempts, far more than the node stays down.
    let peers = start_peers(&dir, &nodes, 8);
    let (a, b) = (&peers[0], &peers[1]);
    let before = version_at_least(b, 0);

    nodes.set_down(1, true);
    let synonyms = json!({"tome": ["book", "volume"]});
    let task_uid = patch_synonyms(a, &synonyms);
    let during = call(a, "GET", &settings_path(), None);
    assert_eq!(
        during.header("x-miroir-settings-inconsistent").as_deref(),
        Some("true"),
        "the rollout cannot finish while a node is down"
    );
    nodes.set_down(1, false);

    let task = finished_task(b, task_uid);
    assert_eq!(task["status"], "succeeded", "{task}");
    assert_eq!(version_at_least(b, before + 1), before + 1);
    for address in nodes.addresses() {
        assert_eq!(
            node_settings(address)["synonyms"],
            synonyms,
            "node {address}"
        );
    }
}
