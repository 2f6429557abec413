//! The Meilisearch API through a 3-peer Miroir cluster in front of 3 test nodes (RF = 1, one
//! replica group): writes through one peer, reads and searches through the others.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{
    call, cluster_configs, finished_task, hit_ids, start_cluster, succeed, Layout, Nodes, NODE_KEY,
};
use crate::process::{eventually, ready_leader, request, Peer};

const DOCUMENTS: usize = 1_000;
const GENRES: [&str; 3] = ["drama", "comedy", "horror"];

/// A word unique to document `id`: four letters, too short for typo tolerance and all of one
/// length, so no keyword is a prefix of another.
fn keyword(id: usize) -> String {
    let letter = |n: usize| char::from(b'a' + (n % 26) as u8);
    format!("q{}{}{}", letter(id / 676), letter(id / 26), letter(id))
}

fn movie(id: usize) -> Value {
    json!({
        "id": id,
        "title": format!("movie {}", keyword(id)),
        "genre": GENRES[id % GENRES.len()],
        "year": 1950 + (id % 70),
    })
}

fn node_document_count(node: SocketAddr) -> u64 {
    let stats = request(node, "GET", "/indexes/movies/stats", Some(NODE_KEY), None);
    assert_eq!(stats.status, 200, "{}", stats.body);
    stats.json()["numberOfDocuments"].as_u64().unwrap()
}

/// Invariant: 1 000 documents written through peer 1 are each retrievable by id through
/// peers 2 and 3 (without `_miroir_shard`), spread so that every node holds at least 20 %;
/// task uids handed out by one peer are readable through the others; a unique keyword finds
/// its document exactly once; facet counts sum to the total; five pages of 10 equal one page
/// of 50.
#[test]
fn documents_written_through_one_peer_are_served_by_all() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let (a, b, c) = (&peers[0], &peers[1], &peers[2]);

    let created = call(
        a,
        "POST",
        "/indexes",
        Some(&json!({"uid": "movies", "primaryKey": "id"})),
    );
    assert_eq!(created.status, 202, "{}", created.body);
    let created = created.json();
    assert_eq!(created["status"], "enqueued");
    assert_eq!(created["type"], "indexCreation");
    let task = finished_task(b, created["taskUid"].as_u64().unwrap());
    assert_eq!(task["status"], "succeeded", "{task}");

    let settings = json!(["genre"]);
    for node in nodes.addresses() {
        // Facets need a filterable attribute; settings go through Miroir in a later step.
        let body = settings.to_string();
        let answer = request(
            node,
            "PUT",
            "/indexes/movies/settings/filterable-attributes",
            Some(NODE_KEY),
            Some(("application/json", body.as_bytes())),
        );
        assert_eq!(answer.status, 202, "{}", answer.body);
    }

    let movies: Vec<Value> = (0..DOCUMENTS).map(movie).collect();
    let added = call(
        a,
        "POST",
        "/indexes/movies/documents",
        Some(&Value::Array(movies)),
    );
    assert_eq!(added.status, 202, "{}", added.body);
    assert_eq!(added.header("x-miroir-degraded"), None);
    let uid = added.json()["taskUid"].as_u64().unwrap();
    let task = finished_task(c, uid);
    assert_eq!(task["status"], "succeeded", "{task}");
    assert_eq!(task["details"]["receivedDocuments"], DOCUMENTS);
    assert_eq!(task["details"]["indexedDocuments"], DOCUMENTS);

    for id in 0..DOCUMENTS {
        let via = if id % 2 == 0 { b } else { c };
        let document = call(via, "GET", &format!("/indexes/movies/documents/{id}"), None);
        assert_eq!(document.status, 200, "document {id}: {}", document.body);
        assert_eq!(
            document.json(),
            movie(id),
            "document {id} comes back as written"
        );
    }
    let counts: Vec<u64> = nodes
        .addresses()
        .into_iter()
        .map(node_document_count)
        .collect();
    assert_eq!(counts.iter().sum::<u64>(), DOCUMENTS as u64, "{counts:?}");
    for count in &counts {
        assert!(
            *count >= (DOCUMENTS / 5) as u64,
            "every node holds ≥ 20 %: {counts:?}"
        );
    }

    for id in (0..DOCUMENTS).step_by(37) {
        let found = call(
            b,
            "POST",
            "/indexes/movies/search",
            Some(&json!({"q": keyword(id)})),
        );
        assert_eq!(found.status, 200, "{}", found.body);
        let found = found.json();
        let ids: Vec<u64> = found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, vec![id as u64], "keyword {}: {found}", keyword(id));
        assert!(found["hits"][0].get("_miroir_shard").is_none());
    }

    let faceted = call(
        c,
        "POST",
        "/indexes/movies/search",
        Some(&json!({"facets": ["genre"], "limit": 0})),
    );
    assert_eq!(faceted.status, 200, "{}", faceted.body);
    let faceted = faceted.json();
    let distribution = faceted["facetDistribution"]["genre"].as_object().unwrap();
    let summed: u64 = distribution
        .values()
        .map(|count| count.as_u64().unwrap())
        .sum();
    assert_eq!(summed, DOCUMENTS as u64, "{faceted}");
    assert_eq!(faceted["estimatedTotalHits"], DOCUMENTS);

    let one_page = call(
        b,
        "POST",
        "/indexes/movies/search",
        Some(&json!({"q": "movie", "limit": 50})),
    );
    let one_page: Vec<Value> = one_page.json()["hits"].as_array().unwrap().clone();
    let mut paged = Vec::new();
    for page in 0..5 {
        let answer = call(
            c,
            "POST",
            "/indexes/movies/search",
            Some(&json!({"q": "movie", "offset": page * 10, "limit": 10})),
        );
        paged.extend(answer.json()["hits"].as_array().unwrap().clone());
    }
    assert_eq!(paged.len(), 50);
    assert_eq!(paged, one_page, "five pages of 10 equal one page of 50");
    let distinct: BTreeSet<String> = one_page.iter().map(|hit| hit["id"].to_string()).collect();
    assert_eq!(distinct.len(), 50);

    for peer in peers {
        assert!(peer.terminate());
    }
}

/// Invariant: the Meilisearch API refuses a missing or wrong key exactly as Meilisearch does,
/// while `/health` needs none; an unknown task is Meilisearch's `task_not_found`.
#[test]
fn keys_are_enforced_like_meilisearch() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let configs = cluster_configs(&dir, &nodes.addresses(), &Layout::single_group(3));
    let peer = Peer::start(&configs[&1]);
    let others: Vec<Peer> = [2, 3].iter().map(|id| Peer::start(&configs[id])).collect();
    ready_leader(peer.serving.http);

    let missing = request(peer.serving.http, "GET", "/indexes", None, None);
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.body,
        r#"{"message":"The Authorization header is missing. It must use the bearer authorization method.","code":"missing_authorization_header","type":"auth","link":"https://docs.meilisearch.com/errors#missing_authorization_header"}"#
    );
    let wrong = request(
        peer.serving.http,
        "GET",
        "/indexes",
        Some("not-the-key"),
        None,
    );
    assert_eq!(wrong.status, 403);
    assert_eq!(
        wrong.body,
        r#"{"message":"The provided API key is invalid.","code":"invalid_api_key","type":"auth","link":"https://docs.meilisearch.com/errors#invalid_api_key"}"#
    );
    let health = request(peer.serving.http, "GET", "/health", None, None);
    assert_eq!(health.status, 200);
    let unknown_task = call(&peer, "GET", "/tasks/99999", None);
    assert_eq!(unknown_task.status, 404);
    assert_eq!(
        unknown_task.body,
        r#"{"message":"Task `99999` not found.","code":"task_not_found","type":"invalid_request","link":"https://docs.meilisearch.com/errors#task_not_found"}"#
    );
    assert!(peer.terminate());
    for other in others {
        assert!(other.terminate());
    }
}

/// Invariant: settings set through Miroir reach every node with `_miroir_shard` kept
/// filterable and hidden from clients; sorted searches return the order one node holding the
/// whole corpus returns; GET search equals POST search; stats count logical documents; deletions
/// by id, by batch, by filter and of everything report logical counts and take effect.
#[test]
fn settings_sorting_stats_and_deletions_through_the_cluster() {
    let nodes = Nodes::start(4);
    let addresses = nodes.addresses();
    let (cluster_nodes, reference) = (&addresses[..3], addresses[3]);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, cluster_nodes, &Layout::single_group(3));
    let (a, b, c) = (&peers[0], &peers[1], &peers[2]);

    succeed(
        a,
        b,
        "POST",
        "/indexes",
        Some(&json!({"uid": "movies", "primaryKey": "id"})),
    );
    let settings = json!({"filterableAttributes": ["genre"], "sortableAttributes": ["year", "id"]});
    let task = succeed(a, c, "PATCH", "/indexes/movies/settings", Some(&settings));
    assert_eq!(task["type"], "settingsUpdate");
    assert_eq!(task["details"], settings);
    let seen = call(
        b,
        "GET",
        "/indexes/movies/settings/filterable-attributes",
        None,
    );
    assert_eq!(
        seen.json(),
        json!(["genre"]),
        "clients never see _miroir_shard"
    );
    let whole = call(c, "GET", "/indexes/movies/settings", None).json();
    assert_eq!(whole["filterableAttributes"], json!(["genre"]));
    for node in cluster_nodes {
        let on_node = request(
            *node,
            "GET",
            "/indexes/movies/settings/filterable-attributes",
            Some(NODE_KEY),
            None,
        );
        let mut names: Vec<String> = serde_json::from_str(&on_node.body).unwrap();
        names.sort();
        assert_eq!(names, ["_miroir_shard", "genre"], "node {node}");
    }

    let movies: Vec<Value> = (0..300).map(movie).collect();
    succeed(
        a,
        b,
        "POST",
        "/indexes/movies/documents",
        Some(&Value::Array(movies.clone())),
    );

    // The reference: one plain node holding the whole corpus with the same settings.
    let setup = [
        (
            "POST",
            "/indexes",
            json!({"uid": "movies", "primaryKey": "id"}),
        ),
        ("PATCH", "/indexes/movies/settings", settings.clone()),
        ("POST", "/indexes/movies/documents", Value::Array(movies)),
    ];
    for (method, path, body) in setup {
        let bytes = body.to_string();
        let answer = request(
            reference,
            method,
            path,
            Some(NODE_KEY),
            Some(("application/json", bytes.as_bytes())),
        );
        assert_eq!(answer.status, 202, "{}", answer.body);
    }
    eventually("the reference node to index", || {
        let count = request(
            reference,
            "GET",
            "/indexes/movies/stats",
            Some(NODE_KEY),
            None,
        );
        (count.status == 200 && count.json()["numberOfDocuments"] == 300).then_some(())
    });
    for sort in [
        json!(["year:asc", "id:asc"]),
        json!(["year:desc", "id:desc"]),
    ] {
        let query = json!({"q": "movie", "sort": sort, "limit": 40, "offset": 15});
        let through_miroir = hit_ids(&call(b, "POST", "/indexes/movies/search", Some(&query)));
        let body = query.to_string();
        let direct = hit_ids(&request(
            reference,
            "POST",
            "/indexes/movies/search",
            Some(NODE_KEY),
            Some(("application/json", body.as_bytes())),
        ));
        assert_eq!(through_miroir, direct, "sort {sort}");
    }
    let get = hit_ids(&call(
        c,
        "GET",
        "/indexes/movies/search?q=movie&sort=year:asc,id:asc&limit=7&filter=genre%20%3D%20drama",
        None,
    ));
    let post = hit_ids(&call(
        a,
        "POST",
        "/indexes/movies/search",
        Some(
            &json!({"q": "movie", "sort": ["year:asc", "id:asc"], "limit": 7, "filter": "genre = drama"}),
        ),
    ));
    assert_eq!(get, post, "GET search equals POST search");
    assert_eq!(get.len(), 7);

    let stats = call(b, "GET", "/indexes/movies/stats", None).json();
    assert_eq!(stats["numberOfDocuments"], 300, "{stats}");
    assert!(
        stats["fieldDistribution"].get("_miroir_shard").is_none(),
        "{stats}"
    );
    assert_eq!(stats["fieldDistribution"]["title"], 300);

    let task = succeed(a, b, "DELETE", "/indexes/movies/documents/5", None);
    assert_eq!(
        task["details"],
        json!({"providedIds": 1, "deletedDocuments": 1, "originalFilter": null})
    );
    let gone = call(c, "GET", "/indexes/movies/documents/5", None);
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["code"], "document_not_found");
    let task = succeed(
        b,
        c,
        "POST",
        "/indexes/movies/documents/delete-batch",
        Some(&json!([6, 7, "8"])),
    );
    assert_eq!(task["details"]["deletedDocuments"], 3, "{task}");
    let horror = (0..300)
        .filter(|id| id % 3 == 2 && ![5, 8].contains(id))
        .count();
    let task = succeed(
        c,
        a,
        "POST",
        "/indexes/movies/documents/delete",
        Some(&json!({"filter": "genre = horror"})),
    );
    assert_eq!(task["details"]["deletedDocuments"], horror, "{task}");
    assert_eq!(task["details"]["originalFilter"], "\"genre = horror\"");
    let remaining = 300 - 4 - horror;
    let stats = call(a, "GET", "/stats", None).json();
    assert_eq!(
        stats["indexes"]["movies"]["numberOfDocuments"], remaining,
        "{stats}"
    );
    let task = succeed(a, b, "DELETE", "/indexes/movies/documents", None);
    assert_eq!(task["details"], json!({"deletedDocuments": remaining}));
    let stats = call(c, "GET", "/indexes/movies/stats", None).json();
    assert_eq!(stats["numberOfDocuments"], 0);

    for peer in peers {
        assert!(peer.terminate());
    }
}
