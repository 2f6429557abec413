//! Writes and searches while nodes are down: per-group write quorum with
//! `X-Miroir-Degraded`, 503 `miroir_no_quorum` when no group can take a write, and searches
//! that complete from the remaining replicas.

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{call, finished_task, hit_ids, start_cluster, succeed, Layout, Nodes};

fn book(id: usize) -> Value {
    json!({"id": id, "title": format!("book {}", word(id)), "shelf": id % 4})
}

/// A four-letter word unique to `id` (no typo tolerance, no prefix of another).
fn word(id: usize) -> String {
    let letter = |n: usize| char::from(b'a' + (n % 26) as u8);
    format!("w{}{}{}", letter(id / 676), letter(id / 26), letter(id))
}

/// Invariant: with two replica groups (RF = 1), a write while one group is down succeeds
/// with `X-Miroir-Degraded: groups=<that group>` and is searchable; with both groups down it
/// fails with 503 `miroir_no_quorum` and Meilisearch's error shape.
#[test]
fn writes_degrade_per_group_and_fail_without_any_quorum() {
    let nodes = Nodes::start(4);
    let layout = Layout {
        replication_factor: 1,
        groups: vec![0, 0, 1, 1],
    };
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &layout);
    let (a, b) = (&peers[0], &peers[1]);
    succeed(
        a,
        b,
        "POST",
        "/indexes",
        Some(&json!({"uid": "books", "primaryKey": "id"})),
    );
    let first: Vec<Value> = (0..100).map(book).collect();
    let written = call(
        a,
        "POST",
        "/indexes/books/documents",
        Some(&Value::Array(first)),
    );
    assert_eq!(written.status, 202, "{}", written.body);
    assert_eq!(written.header("x-miroir-degraded"), None);
    let task = finished_task(b, written.json()["taskUid"].as_u64().unwrap());
    assert_eq!(task["status"], "succeeded", "{task}");

    nodes.set_down(2, true);
    nodes.set_down(3, true);
    let second: Vec<Value> = (100..150).map(book).collect();
    let written = call(
        b,
        "POST",
        "/indexes/books/documents",
        Some(&Value::Array(second)),
    );
    assert_eq!(written.status, 202, "{}", written.body);
    assert_eq!(
        written.header("x-miroir-degraded").as_deref(),
        Some("groups=1")
    );
    let task = finished_task(a, written.json()["taskUid"].as_u64().unwrap());
    assert_eq!(task["status"], "succeeded", "{task}");
    for id in [100, 120, 149] {
        let found = call(
            a,
            "POST",
            "/indexes/books/search",
            Some(&json!({"q": word(id)})),
        );
        assert_eq!(
            hit_ids(&found),
            vec![id as u64],
            "book {id} written while group 1 was down"
        );
    }

    nodes.set_down(0, true);
    nodes.set_down(1, true);
    let refused = call(
        a,
        "POST",
        "/indexes/books/documents",
        Some(&json!([book(200)])),
    );
    assert_eq!(refused.status, 503, "{}", refused.body);
    let error = refused.json();
    assert_eq!(error["code"], "miroir_no_quorum", "{error}");
    assert_eq!(error["type"], "system");
    assert!(error["link"]
        .as_str()
        .unwrap()
        .ends_with("#miroir_no_quorum"));

    for peer in peers {
        assert!(peer.terminate());
    }
}

/// Invariant: with RF = 2 in one group of three nodes, searches while one node is down still
/// find every document exactly once and are not marked degraded (the other replica answers).
#[test]
fn searches_with_a_replica_down_are_complete() {
    let nodes = Nodes::start(3);
    let layout = Layout {
        replication_factor: 2,
        groups: vec![0, 0, 0],
    };
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &layout);
    let (a, b, c) = (&peers[0], &peers[1], &peers[2]);
    succeed(
        a,
        b,
        "POST",
        "/indexes",
        Some(&json!({"uid": "books", "primaryKey": "id"})),
    );
    succeed(
        a,
        c,
        "PATCH",
        "/indexes/books/settings",
        Some(&json!({"filterableAttributes": ["shelf"]})),
    );
    let books: Vec<Value> = (0..200).map(book).collect();
    succeed(
        b,
        c,
        "POST",
        "/indexes/books/documents",
        Some(&Value::Array(books)),
    );

    for down in 0..3 {
        nodes.set_down(down, true);
        for id in (0..200).step_by(23) {
            let found = call(
                c,
                "POST",
                "/indexes/books/search",
                Some(&json!({"q": word(id)})),
            );
            assert_eq!(
                found.header("x-miroir-degraded"),
                None,
                "node {down} down: {}",
                found.body
            );
            assert_eq!(
                hit_ids(&found),
                vec![id as u64],
                "node {down} down, book {id}"
            );
        }
        let faceted = call(
            a,
            "POST",
            "/indexes/books/search",
            Some(&json!({"facets": ["shelf"], "limit": 0})),
        );
        assert_eq!(faceted.header("x-miroir-degraded"), None);
        let faceted = faceted.json();
        assert_eq!(
            faceted["estimatedTotalHits"], 200,
            "node {down} down: {faceted}"
        );
        let per_shelf = faceted["facetDistribution"]["shelf"].as_object().unwrap();
        assert!(per_shelf.values().all(|count| count == 50), "{faceted}");
        let document = call(b, "GET", "/indexes/books/documents/17", None);
        assert_eq!(document.status, 200, "node {down} down: {}", document.body);
        nodes.set_down(down, false);
    }

    for peer in peers {
        assert!(peer.terminate());
    }
}
