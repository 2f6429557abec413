//! The peer's logs: one JSON object per stdout line, the request id of every response findable
//! in them, and no key, document or query text in them.

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{call, finished_task, Nodes, ADMIN_KEY, CLIENT_KEY, NODE_KEY};
use crate::process::{ready_leader, write_config, Peer};

/// Invariant: during a short end-to-end run at `info` (an index created, documents written, a
/// search), every line the peer writes on stdout is a JSON object with `timestamp`, `level` and
/// `message`; the search's `X-Request-Id` appears as `request_id` in the "search completed"
/// line, which names the index, the node count and the hits; unauthenticated probe answers
/// carry a request id too; no line contains a key, a document value or the query text.
#[test]
fn every_line_is_json_and_carries_the_request_id() {
    let dir = TempDir::new().unwrap();
    let nodes = Nodes::start(3);
    let node_list: String = nodes
        .addresses()
        .iter()
        .enumerate()
        .map(|(n, addr)| {
            format!("  - {{id: meili-{n}, address: \"http://{addr}\", replica_group: 0}}\n")
        })
        .collect();
    let yaml = format!(
        "nodes:\n{node_list}master_key: {CLIENT_KEY}\nnode_master_key: {NODE_KEY}\nadmin_api_key: {ADMIN_KEY}\n\
         server: {{bind_address: 127.0.0.1, port: 0, admin_grpc_port: 0, metrics_port: 0}}\n\
         peer:\n  grpc_bind: \"127.0.0.1:0\"\n  data_dir: \"{}\"\n",
        dir.path().join("data").display()
    );
    let peer = Peer::start_logging(&write_config(dir.path(), "logs", &yaml), "info");
    ready_leader(peer.serving.http);

    let created = call(
        &peer,
        "POST",
        "/indexes",
        Some(&json!({"uid": "films", "primaryKey": "id"})),
    );
    assert_eq!(created.status, 202, "{}", created.body);
    finished_task(&peer, created.json()["taskUid"].as_u64().unwrap());
    let documents = json!([
        {"id": 1, "title": "zanzibar lighthouse keeper"},
        {"id": 2, "title": "zanzibar night train"}
    ]);
    let added = call(&peer, "POST", "/indexes/films/documents", Some(&documents));
    assert_eq!(added.status, 202, "{}", added.body);
    finished_task(&peer, added.json()["taskUid"].as_u64().unwrap());
    let search = call(
        &peer,
        "POST",
        "/indexes/films/search",
        Some(&json!({"q": "zanzibar"})),
    );
    assert_eq!(search.status, 200, "{}", search.body);
    let request_id = search
        .header("x-request-id")
        .expect("X-Request-Id on the response");
    assert_eq!(search.json()["estimatedTotalHits"], 2);

    let probe = crate::process::get(peer.serving.http, "/health");
    assert!(probe.header("x-request-id").is_some(), "{}", probe.headers);

    let lines = peer.stdout_lines();
    assert!(lines.len() >= 2, "{lines:?}");
    let mut search_line = None;
    for line in &lines {
        let entry: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("not a JSON log line ({error}): {line}"));
        for field in ["timestamp", "level", "message"] {
            assert!(entry[field].is_string(), "no {field}: {line}");
        }
        for secret in [CLIENT_KEY, NODE_KEY, ADMIN_KEY, "zanzibar", "lighthouse"] {
            assert!(!line.contains(secret), "{secret} logged: {line}");
        }
        if entry["span"]["request_id"] == request_id.as_str()
            && entry["message"] == "search completed"
        {
            search_line = Some(entry);
        }
    }
    let search_line = search_line
        .unwrap_or_else(|| panic!("no search line with request id {request_id} in {lines:#?}"));
    assert_eq!(search_line["index"], "films");
    assert_eq!(search_line["node_count"], 3);
    assert_eq!(search_line["estimated_hits"], 2);
    assert_eq!(search_line["degraded"], false);
    assert_eq!(search_line["level"], "INFO");
    assert!(search_line["duration_ms"].is_u64());
}
