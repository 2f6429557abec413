//! API keys broadcast all-or-nothing, primary-key updates and index swaps that the index
//! registry follows, task cancelation and deletion over Miroir tasks, unsupported routes and
//! the operator views — through a 3-peer cluster over 3 test nodes.

use std::net::SocketAddr;

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{
    call, finished_task, hit_ids, start_cluster, succeed, Layout, Nodes, NODE_KEY,
};
use crate::process::{eventually, request, Answer, Peer};

use crate::cluster::ADMIN_KEY;

/// A request straight to a node, with the node key.
fn node_call(node: SocketAddr, method: &str, path: &str) -> Answer {
    request(node, method, path, Some(NODE_KEY), None)
}

/// The fields of a key every node must hold identically (the secret, derived by Meilisearch
/// from the uid and the node master key, and the node-local times are left out).
fn shared_fields(key: &Value) -> Value {
    json!({
        "name": key["name"], "description": key["description"], "uid": key["uid"],
        "actions": key["actions"], "indexes": key["indexes"], "expiresAt": key["expiresAt"],
    })
}

/// Invariant: a key created through one peer exists with the same uid, actions, indexes and
/// expiry on every node and is listed through another peer; an update reaches every node; a
/// creation one node cannot take leaves no node holding the key; a deletion removes it from
/// every node.
#[test]
fn keys_are_written_to_every_node_or_to_none() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let (a, b) = (&peers[0], &peers[1]);

    let created = call(
        a,
        "POST",
        "/keys",
        Some(
            &json!({"description": "search only", "actions": ["search"], "indexes": ["movies"], "expiresAt": null}),
        ),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let uid = created["uid"].as_str().unwrap().to_owned();
    assert_eq!(uuid_version(&uid), Some('4'), "a fresh UUID v4: {uid}");
    for node in nodes.addresses() {
        let held = node_call(node, "GET", &format!("/keys/{uid}"));
        assert_eq!(held.status, 200, "{node}: {}", held.body);
        assert_eq!(shared_fields(&held.json()), shared_fields(&created));
    }
    let listed = call(b, "GET", "/keys", None);
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(
        listed.json()["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|key| key["uid"] == uid.as_str()),
        "{}",
        listed.body
    );

    let updated = call(
        b,
        "PATCH",
        &format!("/keys/{uid}"),
        Some(&json!({"name": "renamed"})),
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.json()["name"], "renamed");
    for node in nodes.addresses() {
        let held = node_call(node, "GET", &format!("/keys/{uid}")).json();
        assert_eq!(held["name"], "renamed", "{node}");
    }

    nodes.set_down(2, true);
    let refused_uid = "0f7c5a0e-2b0d-4a39-9a55-3c6f1f6b7e21";
    let refused = call(
        a,
        "POST",
        "/keys",
        Some(&json!({"uid": refused_uid, "actions": ["*"], "indexes": ["*"], "expiresAt": null})),
    );
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.json()["code"], "miroir_no_quorum");
    nodes.set_down(2, false);
    for node in nodes.addresses() {
        let held = node_call(node, "GET", &format!("/keys/{refused_uid}"));
        assert_eq!(
            held.status, 404,
            "{node} kept a half-created key: {}",
            held.body
        );
    }

    let deleted = call(a, "DELETE", &format!("/keys/{uid}"), None);
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert!(deleted.body.is_empty());
    for node in nodes.addresses() {
        assert_eq!(node_call(node, "GET", &format!("/keys/{uid}")).status, 404);
    }
    let missing = call(b, "GET", &format!("/keys/{uid}"), None);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["code"], "api_key_not_found");
}

fn uuid_version(uid: &str) -> Option<char> {
    uid.split('-').nth(2).and_then(|group| group.chars().next())
}

/// The registry's view of one index, from `GET /_miroir/shards`.
fn registered(peer: &Peer, uid: &str) -> Value {
    let answer = request(
        peer.serving.http,
        "GET",
        "/_miroir/shards",
        Some(ADMIN_KEY),
        None,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|index| index["uid"] == uid)
        .cloned()
        .unwrap_or(Value::Null)
}

/// Invariant: a primary key set by `PATCH /indexes/{uid}` before any document is the one the
/// registry routes by (documents are found again by it); a swap exchanges the indexes'
/// contents on the nodes and their records in the registry (writes follow the swapped primary
/// key); swap errors are Meilisearch's; unsupported routes answer `miroir_not_supported`; the
/// operator views describe the fleet.
#[test]
fn primary_key_updates_and_swaps_move_the_registry_with_the_nodes() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let (a, b) = (&peers[0], &peers[1]);

    succeed(a, b, "POST", "/indexes", Some(&json!({"uid": "items"})));
    let task = succeed(
        b,
        a,
        "PATCH",
        "/indexes/items",
        Some(&json!({"primaryKey": "sku"})),
    );
    assert_eq!(task["type"], "indexUpdate");
    assert_eq!(task["details"], json!({"primaryKey": "sku"}));
    assert_eq!(registered(a, "items")["primary_key"], "sku");
    // `id` would be inferred; the registry routes by `sku` instead.
    let items: Vec<Value> = (0..30)
        .map(|n| json!({"id": format!("x{n}"), "sku": n, "title": format!("item {n}")}))
        .collect();
    succeed(
        a,
        b,
        "POST",
        "/indexes/items/documents",
        Some(&Value::Array(items)),
    );
    for n in 0..30 {
        let found = call(b, "GET", &format!("/indexes/items/documents/{n}"), None);
        assert_eq!(found.status, 200, "document {n}: {}", found.body);
        assert_eq!(found.json()["id"], format!("x{n}"));
    }
    let too_late = succeed_or_fail(a, "PATCH", "/indexes/items", &json!({"primaryKey": "id"}));
    assert_eq!(too_late["status"], "failed", "{too_late}");
    assert_eq!(
        too_late["error"]["code"],
        "index_primary_key_already_exists"
    );
    assert_eq!(registered(b, "items")["primary_key"], "sku");

    succeed(
        a,
        b,
        "POST",
        "/indexes",
        Some(&json!({"uid": "alpha", "primaryKey": "id"})),
    );
    succeed(
        a,
        b,
        "POST",
        "/indexes",
        Some(&json!({"uid": "beta", "primaryKey": "code"})),
    );
    succeed(
        a,
        b,
        "POST",
        "/indexes/alpha/documents",
        Some(&json!([{"id": 1, "title": "first alpha"}])),
    );
    succeed(
        a,
        b,
        "POST",
        "/indexes/beta/documents",
        Some(&json!([{"code": 2, "title": "first beta"}])),
    );
    let swapped = succeed(
        b,
        a,
        "POST",
        "/swap-indexes",
        Some(&json!([{"indexes": ["alpha", "beta"]}])),
    );
    assert_eq!(swapped["type"], "indexSwap");
    assert_eq!(swapped["indexUid"], Value::Null);
    assert_eq!(
        swapped["details"],
        json!({"swaps": [{"indexes": ["alpha", "beta"], "rename": false}]})
    );
    let search = |peer: &Peer, index: &str, q: &str| {
        call(
            peer,
            "POST",
            &format!("/indexes/{index}/search"),
            Some(&json!({ "q": q })),
        )
    };
    assert_eq!(hit_ids_by(&search(a, "alpha", "beta"), "code"), [2]);
    assert_eq!(hit_ids(&search(b, "beta", "alpha")), [1]);
    assert_eq!(registered(a, "alpha")["primary_key"], "code");
    assert_eq!(registered(a, "beta")["primary_key"], "id");
    succeed(
        a,
        b,
        "POST",
        "/indexes/alpha/documents",
        Some(&json!([{"code": 3, "title": "second beta"}])),
    );
    assert_eq!(hit_ids_by(&search(b, "alpha", "second"), "code"), [3]);

    let twice = call(
        a,
        "POST",
        "/swap-indexes",
        Some(&json!([{"indexes": ["alpha", "alpha"]}])),
    );
    assert_eq!(twice.status, 400, "{}", twice.body);
    assert_eq!(twice.json()["code"], "invalid_swap_duplicate_index_found");
    let missing = succeed_or_fail(
        a,
        "POST",
        "/swap-indexes",
        &json!([{"indexes": ["alpha", "nope"]}]),
    );
    assert_eq!(missing["status"], "failed", "{missing}");
    assert_eq!(missing["error"]["code"], "index_not_found");
    assert_eq!(
        registered(a, "alpha")["primary_key"],
        "code",
        "a failed swap leaves the registry"
    );

    let dumps = call(a, "POST", "/dumps", None);
    assert_eq!(dumps.status, 501, "{}", dumps.body);
    let dumps = dumps.json();
    assert_eq!(dumps["code"], "miroir_not_supported");
    assert_eq!(dumps["type"], "invalid_request");
    assert!(
        dumps["message"]
            .as_str()
            .unwrap()
            .starts_with("Miroir does not support dumps yet: "),
        "{dumps}"
    );
    assert_eq!(
        call(a, "GET", "/batches", None).json()["code"],
        "miroir_not_supported"
    );
    assert_eq!(call(a, "GET", "/no-such-route", None).status, 404);

    let client_key_refused = call(a, "GET", "/_miroir/topology", None);
    assert_eq!(
        client_key_refused.status, 403,
        "{}",
        client_key_refused.body
    );
    let topology = request(
        a.serving.http,
        "GET",
        "/_miroir/topology",
        Some(ADMIN_KEY),
        None,
    );
    assert_eq!(topology.status, 200, "{}", topology.body);
    let topology = topology.json();
    assert_eq!(topology["shards"], 64);
    assert_eq!(topology["replication_factor"], 1);
    let owned: u64 = topology["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["shard_count"].as_u64().unwrap())
        .sum();
    assert_eq!(owned, 64, "{topology}");
    assert_eq!(
        registered(a, "items")["shards"].as_array().unwrap().len(),
        64
    );
}

/// Sends a write that may fail on the nodes and returns its finished task.
fn succeed_or_fail(peer: &Peer, method: &str, path: &str, body: &Value) -> Value {
    let answer = call(peer, method, path, Some(body));
    assert_eq!(answer.status, 202, "{method} {path}: {}", answer.body);
    finished_task(peer, answer.json()["taskUid"].as_u64().unwrap())
}

fn hit_ids_by(answer: &Answer, field: &str) -> Vec<u64> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit[field].as_u64().unwrap())
        .collect()
}

/// Invariant: a cancelation stops the enqueued tasks it matches — they end `canceled` with
/// `canceledBy` naming it — and its details count Miroir tasks (`matchedTasks` includes the
/// finished ones, `canceledTasks` only the stopped ones); a deletion removes the finished
/// tasks it matches from every peer's registry, with its counts in its details.
#[test]
fn tasks_are_canceled_and_deleted_as_miroir_tasks() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let (a, b) = (&peers[0], &peers[1]);

    let created = succeed(
        a,
        b,
        "POST",
        "/indexes",
        Some(&json!({"uid": "queue", "primaryKey": "id"})),
    );
    let created_uid = created["uid"].as_u64().unwrap();

    nodes.set_tasks_stalled(true);
    let documents: Vec<Value> = (0..20).map(|id| json!({"id": id})).collect();
    let write = call(
        a,
        "POST",
        "/indexes/queue/documents",
        Some(&Value::Array(documents)),
    );
    assert_eq!(write.status, 202, "{}", write.body);
    let write_uid = write.json()["taskUid"].as_u64().unwrap();
    let filter = format!("uids={created_uid},{write_uid}");
    let cancel = call(b, "POST", &format!("/tasks/cancel?{filter}"), None);
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let cancel = cancel.json();
    assert_eq!(cancel["type"], "taskCancelation");
    assert_eq!(cancel["status"], "enqueued");
    assert_eq!(cancel["indexUid"], Value::Null);
    let cancel_uid = cancel["taskUid"].as_u64().unwrap();
    nodes.set_tasks_stalled(false);

    let cancelation = finished_task(a, cancel_uid);
    assert_eq!(cancelation["status"], "succeeded", "{cancelation}");
    assert_eq!(
        cancelation["details"],
        json!({"matchedTasks": 2, "canceledTasks": 1, "originalFilter": format!("?{filter}")})
    );
    let canceled = finished_task(b, write_uid);
    assert_eq!(canceled["status"], "canceled", "{canceled}");
    assert_eq!(canceled["canceledBy"], cancel_uid);
    assert_eq!(finished_task(b, created_uid)["canceledBy"], Value::Null);
    let by_canceler = call(a, "GET", &format!("/tasks?canceledBy={cancel_uid}"), None);
    let listed: Vec<u64> = by_canceler.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["uid"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, [write_uid]);

    let missing_filter = call(a, "DELETE", "/tasks", None);
    assert_eq!(missing_filter.status, 400);
    assert_eq!(missing_filter.json()["code"], "missing_task_filters");

    let delete_filter = format!("uids={created_uid},{write_uid},{cancel_uid}");
    let deletion = call(a, "DELETE", &format!("/tasks?{delete_filter}"), None);
    assert_eq!(deletion.status, 200, "{}", deletion.body);
    assert_eq!(deletion.json()["type"], "taskDeletion");
    let deletion_uid = deletion.json()["taskUid"].as_u64().unwrap();
    let deletion = finished_task(b, deletion_uid);
    assert_eq!(deletion["status"], "succeeded", "{deletion}");
    assert_eq!(
        deletion["details"],
        json!({"matchedTasks": 3, "deletedTasks": 3, "originalFilter": format!("?{delete_filter}")})
    );
    for peer in &peers {
        for uid in [created_uid, write_uid, cancel_uid] {
            let gone = eventually(&format!("task {uid} deleted on a peer"), || {
                let answer = call(peer, "GET", &format!("/tasks/{uid}"), None);
                (answer.status == 404).then_some(answer)
            });
            assert_eq!(gone.json()["code"], "task_not_found");
        }
    }
}
