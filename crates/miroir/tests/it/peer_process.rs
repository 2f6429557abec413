//! `miroir run` and `miroir init` as processes: a lone development peer, a 3-peer cluster that
//! loses its leader, and the manual bootstrap.

use std::collections::BTreeMap;
use std::path::Path;

use tempfile::TempDir;

use crate::cluster::Nodes;
use crate::process::{
    eventually, get, initial_peers_yaml, ready_leader, released_port, run_to_end, write_config,
    Peer,
};

/// The `nodes` block of a fleet of one test node (readiness needs a reachable covering set).
fn nodes_yaml(nodes: &Nodes) -> String {
    format!(
        "nodes:\n  - {{id: meili-0, address: \"http://{}\", replica_group: 0}}\n",
        nodes.addresses()[0]
    )
}

/// A single-peer config on ephemeral ports with its store under `dir`, in front of `nodes`.
fn lone_peer_yaml(dir: &Path, nodes: &Nodes, extra_peer_fields: &str) -> String {
    format!(
        "{}server: {{bind_address: 127.0.0.1, port: 0, admin_grpc_port: 0, metrics_port: 0}}\npeer:\n  grpc_bind: \"127.0.0.1:0\"\n  data_dir: \"{}\"\n{extra_peer_fields}",
        nodes_yaml(nodes),
        dir.join("data").display()
    )
}

/// Invariant: a lone peer with the default bootstrap initialises itself, answers the probes
/// (`/health` exactly as Meilisearch, `/_miroir/ready` naming itself leader, unknown routes with
/// Meilisearch's bodiless 404), stops cleanly on SIGTERM and resumes from its store.
#[test]
fn a_lone_peer_serves_probes_stops_cleanly_and_resumes() {
    let dir = TempDir::new().unwrap();
    let nodes = Nodes::start(1);
    let config = write_config(dir.path(), "solo", &lone_peer_yaml(dir.path(), &nodes, ""));

    let peer = Peer::start(&config);
    assert_eq!(peer.serving.bootstrap, "Initialized");
    let health = get(peer.serving.http, "/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.body, r#"{"status":"available"}"#);
    assert_eq!(ready_leader(peer.serving.http), 1);
    let ready = get(peer.serving.http, "/_miroir/ready").json();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["metadata"]["role"], "Leader");
    let unknown = get(peer.serving.http, "/nonexistent-route");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body, "");
    assert!(
        !unknown
            .headers
            .to_ascii_lowercase()
            .contains("content-type"),
        "{}",
        unknown.headers
    );
    assert!(peer.terminate(), "SIGTERM leads to a successful exit");

    let peer = Peer::start(&config);
    assert_eq!(peer.serving.bootstrap, "Resumed");
    assert_eq!(ready_leader(peer.serving.http), 1);
    assert!(peer.terminate());
}

/// Invariant: three peer processes listed in each other's `initial_peers` form one cluster
/// (all ready, one agreed leader); when the leader is killed the other two elect a new one and
/// stay ready; the killed peer restarts from its store and follows the new leader.
#[test]
fn three_peer_processes_form_a_cluster_and_replace_a_killed_leader() {
    let dir = TempDir::new().unwrap();
    let nodes = Nodes::start(1);
    let grpc_ports: BTreeMap<u64, u16> = (1..=3).map(|id| (id, released_port())).collect();
    let initial_peers = initial_peers_yaml(&grpc_ports);
    let configs: BTreeMap<u64, _> = grpc_ports
        .iter()
        .map(|(id, port)| {
            let yaml = format!(
                "{}server: {{bind_address: 127.0.0.1, port: 0, admin_grpc_port: 0, metrics_port: 0}}\npeer:\n  id: {id}\n  grpc_bind: \"127.0.0.1:{port}\"\n  data_dir: \"{}\"\n  initial_peers:\n{initial_peers}",
                nodes_yaml(&nodes),
                dir.path().join(format!("data-{id}")).display()
            );
            (*id, write_config(dir.path(), &format!("peer-{id}"), &yaml))
        })
        .collect();

    let mut peers: BTreeMap<u64, Peer> = configs
        .iter()
        .map(|(id, config)| (*id, Peer::start(config)))
        .collect();
    let agreed = eventually("one agreed leader", || {
        let views: Vec<u64> = peers
            .values()
            .map(|peer| ready_leader(peer.serving.http))
            .collect();
        views
            .iter()
            .all(|view| *view == views[0])
            .then_some(views[0])
    });
    assert!(
        peers.contains_key(&agreed),
        "the leader {agreed} is one of the peers"
    );

    peers.remove(&agreed).unwrap().kill();
    let new_leader = eventually("a new leader among the survivors", || {
        let views: Vec<u64> = peers
            .values()
            .map(|peer| ready_leader(peer.serving.http))
            .collect();
        let same = views.iter().all(|view| *view == views[0]);
        (same && views[0] != agreed).then_some(views[0])
    });
    assert!(peers.contains_key(&new_leader));

    let restarted = Peer::start(&configs[&agreed]);
    assert_eq!(restarted.serving.bootstrap, "Resumed");
    eventually("the restarted peer to follow the new leader", || {
        (ready_leader(restarted.serving.http) == new_leader).then_some(())
    });
    assert!(restarted.terminate());
    for (_, peer) in peers {
        assert!(peer.terminate());
    }
}

/// Invariant: with `bootstrap: manual` a new peer does not form a cluster by itself (not
/// ready, no leader); `miroir init` writes the membership once (a second init is refused with
/// a clear message); after it the peer starts as a ready leader.
#[test]
fn manual_bootstrap_waits_for_miroir_init() {
    let dir = TempDir::new().unwrap();
    let nodes = Nodes::start(1);
    let config = write_config(
        dir.path(),
        "manual",
        &lone_peer_yaml(dir.path(), &nodes, "  bootstrap: manual\n"),
    );

    let peer = Peer::start(&config);
    assert_eq!(peer.serving.bootstrap, "AwaitingLeader");
    let ready = get(peer.serving.http, "/_miroir/ready");
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["metadata"]["leader"], serde_json::Value::Null);
    assert!(peer.terminate());

    let init = run_to_end(&["init"], &config);
    let stdout = String::from_utf8_lossy(&init.stdout);
    assert!(
        init.status.success(),
        "init failed: {stdout}\n{}",
        String::from_utf8_lossy(&init.stderr)
    );
    assert!(
        stdout.contains("initialised a new cluster") && stdout.contains("1 voter(s)"),
        "{stdout}"
    );
    let again = run_to_end(&["init"], &config);
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already holds Raft state"), "{stderr}");

    let peer = Peer::start(&config);
    assert_eq!(peer.serving.bootstrap, "Resumed");
    assert_eq!(ready_leader(peer.serving.http), 1);
    assert!(peer.terminate());
}

/// Runs `miroir probe` with `args`; returns its exit code and stderr.
fn probe(args: &[&str]) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_miroir"))
        .arg("probe")
        .args(args)
        .output()
        .unwrap();
    assert!(output.stdout.is_empty());
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Invariant: `miroir probe` (the health check of the shell-less image) exits 0 exactly when
/// the URL answers 200, without needing a configuration; otherwise it exits 1 naming the
/// answer or the failure, and 2 for a URL it cannot use.
#[test]
fn probe_exits_zero_only_for_a_200() {
    let dir = TempDir::new().unwrap();
    let nodes = Nodes::start(1);
    let config = write_config(dir.path(), "solo", &lone_peer_yaml(dir.path(), &nodes, ""));
    let peer = Peer::start(&config);
    ready_leader(peer.serving.http);
    let http = peer.serving.http;

    let ready = format!("http://{http}/_miroir/ready");
    assert_eq!(probe(&["--url", &ready]), (Some(0), String::new()));

    let missing = format!("http://{http}/nonexistent-route");
    let (code, stderr) = probe(&["--url", &missing]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr,
        format!("miroir: probe failed: {missing} answered 404\n")
    );

    let closed = format!("http://127.0.0.1:{}/_miroir/ready", released_port());
    let (code, stderr) = probe(&["--url", &closed, "--timeout-ms", "5000"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.starts_with(&format!("miroir: probe failed: {closed} unreachable: ")),
        "{stderr}"
    );

    let (code, stderr) = probe(&["--url", "https://example.invalid/"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("expected http://HOST:PORT/PATH"),
        "{stderr}"
    );
    assert!(peer.terminate());
}
