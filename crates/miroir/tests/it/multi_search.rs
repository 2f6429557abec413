//! `POST /multi-search` (plain and federated) and `POST /indexes/{uid}/facet-search` through a
//! 3-peer Miroir cluster over 3 test nodes (RF = 1), against a reference: one plain test node
//! holding both whole indexes.

use std::net::SocketAddr;

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{call, start_cluster, succeed, Layout, Nodes, NODE_KEY};
use crate::process::{eventually, request, Answer, Peer};

const WORDS: [&str; 5] = ["alpha", "beta", "gamma", "delta", "omega"];
const GENRES: [&str; 4] = ["drama", "comedy", "horror", "documentary"];

/// A document whose three title words and genre vary with `id`, so queries rank documents in
/// several buckets (with ties broken by id).
fn document(id: usize, salt: usize) -> Value {
    let word = |n: usize| WORDS[n % WORDS.len()];
    json!({
        "id": id,
        "title": format!("{} {} {}", word(id + salt), word(id / 5), word(id / 25 + salt)),
        "genre": GENRES[(id + salt) % GENRES.len()],
    })
}

fn corpus(index_uid: &str) -> Vec<Value> {
    match index_uid {
        "movies" => (0..200).map(|id| document(id, 0)).collect(),
        _ => (0..150).map(|id| document(id, 2)).collect(),
    }
}

fn reference_call(reference: SocketAddr, method: &str, path: &str, body: &Value) -> Answer {
    let bytes = body.to_string();
    request(
        reference,
        method,
        path,
        Some(NODE_KEY),
        Some(("application/json", bytes.as_bytes())),
    )
}

/// Both indexes, with `genre` filterable, in the cluster and in the reference node.
fn load_corpus(a: &Peer, b: &Peer, reference: SocketAddr) {
    let settings = json!({"filterableAttributes": ["genre"]});
    for index_uid in ["movies", "books"] {
        let create = json!({"uid": index_uid, "primaryKey": "id"});
        let settings_path = format!("/indexes/{index_uid}/settings");
        let documents_path = format!("/indexes/{index_uid}/documents");
        let documents = Value::Array(corpus(index_uid));
        succeed(a, b, "POST", "/indexes", Some(&create));
        succeed(a, b, "PATCH", &settings_path, Some(&settings));
        succeed(a, b, "POST", &documents_path, Some(&documents));
        for (method, path, body) in [
            ("POST", "/indexes".to_owned(), &create),
            ("PATCH", settings_path, &settings),
            ("POST", documents_path, &documents),
        ] {
            let answer = reference_call(reference, method, &path, body);
            assert_eq!(answer.status, 202, "{}", answer.body);
        }
        eventually("the reference node to index", || {
            let stats = request(
                reference,
                "GET",
                &format!("/indexes/{index_uid}/stats"),
                Some(NODE_KEY),
                None,
            );
            let expected = corpus(index_uid).len();
            (stats.status == 200 && stats.json()["numberOfDocuments"] == expected).then_some(())
        });
    }
}

/// `answer` as JSON without what differs from run to run.
fn comparable(answer: &Answer) -> Value {
    assert_eq!(answer.status, 200, "{}", answer.body);
    let mut body = answer.json();
    strip_volatile(&mut body);
    body
}

fn strip_volatile(value: &mut Value) {
    if let Value::Object(fields) = value {
        fields.remove("processingTimeMs");
        fields.remove("requestUid");
        if let Some(Value::Array(results)) = fields.get_mut("results") {
            results.iter_mut().for_each(strip_volatile);
        }
    }
}

fn ids(body: &Value) -> Vec<u64> {
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_u64().unwrap())
        .collect()
}

/// Invariants: a plain multi-search answers, in query order, exactly the per-index searches
/// through Miroir; a federated multi-search (weights, two indexes, two queries on one index)
/// answers the reference node's hits, `_federation` data, totals and facets; federated paging
/// slices the bigger page; facet-search counts equal the reference's and `_miroir_shard` is not
/// facet-searchable; invalid queries get the reference node's exact status and body.
#[test]
fn multi_search_and_facet_search_answer_like_one_node() {
    let nodes = Nodes::start(4);
    let addresses = nodes.addresses();
    let (cluster_nodes, reference) = (&addresses[..3], addresses[3]);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, cluster_nodes, &Layout::single_group(3));
    let (a, b, c) = (&peers[0], &peers[1], &peers[2]);
    load_corpus(a, b, reference);

    // Plain multi-search: each result is the per-index search, in query order.
    let queries = [
        json!({"indexUid": "movies", "q": "alpha beta", "limit": 7}),
        json!({"indexUid": "books", "q": "gamma", "filter": "genre = drama"}),
        json!({"indexUid": "movies", "q": "", "offset": 3, "limit": 5, "facets": ["genre"]}),
    ];
    let plain = json!({"queries": queries});
    let through_miroir = comparable(&call(c, "POST", "/multi-search", Some(&plain)));
    let results = through_miroir["results"].as_array().unwrap();
    assert_eq!(results.len(), queries.len());
    for (result, query) in results.iter().zip(&queries) {
        let index_uid = query["indexUid"].as_str().unwrap();
        let mut search = query.clone();
        search.as_object_mut().unwrap().remove("indexUid");
        let single = call(
            b,
            "POST",
            &format!("/indexes/{index_uid}/search"),
            Some(&search),
        );
        let mut expected = json!({"indexUid": index_uid});
        expected
            .as_object_mut()
            .unwrap()
            .extend(comparable(&single).as_object().unwrap().clone());
        assert_eq!(*result, expected, "query {query}");
    }
    let direct = comparable(&reference_call(reference, "POST", "/multi-search", &plain));
    for (result, reference_result) in results.iter().zip(direct["results"].as_array().unwrap()) {
        assert_eq!(ids(result), ids(reference_result));
        assert_eq!(
            result["estimatedTotalHits"],
            reference_result["estimatedTotalHits"]
        );
    }
    assert_eq!(
        results[2]["facetDistribution"],
        direct["results"][2]["facetDistribution"]
    );

    // Federated multi-search: same hits in the same order, same totals and facets.
    let federated = |federation: Value| {
        json!({"federation": federation, "queries": [
            {"indexUid": "movies", "q": "alpha beta"},
            {"indexUid": "movies", "q": "gamma", "federationOptions": {"weight": 0.5}},
            {"indexUid": "books", "q": "alpha", "federationOptions": {"weight": 2.0},
             "attributesToRetrieve": ["title"], "showRankingScore": true},
        ]})
    };
    for federation in [
        json!({"limit": 40}),
        json!({"offset": 5, "limit": 7}),
        json!({"page": 2, "hitsPerPage": 6}),
        json!({"limit": 10, "facetsByIndex": {"movies": ["genre"], "books": ["genre"]}}),
        json!({"limit": 10, "facetsByIndex": {"movies": ["genre"], "books": ["genre"]},
               "mergeFacets": {}}),
    ] {
        let body = federated(federation.clone());
        let through_miroir = call(a, "POST", "/multi-search", Some(&body));
        let direct = reference_call(reference, "POST", "/multi-search", &body);
        assert_eq!(
            comparable(&through_miroir),
            comparable(&direct),
            "federation {federation}"
        );
    }
    let big_page = comparable(&call(
        b,
        "POST",
        "/multi-search",
        Some(&federated(json!({"limit": 60}))),
    ));
    assert_eq!(big_page["hits"].as_array().unwrap().len(), 60, "{big_page}");
    let hits = big_page["hits"].as_array().unwrap();
    for (offset, limit) in [(0, 10), (10, 10), (17, 5), (35, 10)] {
        let page = comparable(&call(
            c,
            "POST",
            "/multi-search",
            Some(&federated(json!({"offset": offset, "limit": limit}))),
        ));
        let expected: Vec<Value> = hits.iter().skip(offset).take(limit).cloned().collect();
        assert_eq!(page["hits"], Value::Array(expected), "offset {offset}");
    }

    // Facet search: counts equal the reference's; `_miroir_shard` is not facet-searchable.
    for body in [
        json!({"facetName": "genre", "facetQuery": "d"}),
        json!({"facetName": "genre", "q": "alpha"}),
        json!({"facetName": "genre", "filter": "genre != horror"}),
    ] {
        let through_miroir = call(b, "POST", "/indexes/movies/facet-search", Some(&body));
        let direct = reference_call(reference, "POST", "/indexes/movies/facet-search", &body);
        assert_eq!(comparable(&through_miroir), comparable(&direct), "{body}");
    }

    // Errors: exactly the reference node's status and body.
    for (path, body) in [
        (
            "/multi-search",
            json!({"queries": [{"indexUid": "movies", "q": "x"},
                               {"indexUid": "books", "limit": "ten"}]}),
        ),
        (
            "/multi-search",
            json!({"queries": [{"indexUid": "movies"}, {"indexUid": "missing", "q": "x"}]}),
        ),
        (
            "/multi-search",
            json!({"queries": [{"indexUid": "movies", "filter": "title = x"}]}),
        ),
        (
            "/multi-search",
            json!({"federation": {}, "queries": [{"indexUid": "missing"}]}),
        ),
        (
            "/multi-search",
            json!({"federation": {}, "queries": [{"indexUid": "movies", "limit": 3}]}),
        ),
        (
            "/indexes/movies/facet-search",
            json!({"facetName": "_miroir_shard"}),
        ),
        (
            "/indexes/missing/facet-search",
            json!({"facetName": "genre"}),
        ),
    ] {
        let through_miroir = call(a, "POST", path, Some(&body));
        let direct = reference_call(reference, "POST", path, &body);
        assert!(
            through_miroir.status >= 400,
            "{body}: {}",
            through_miroir.body
        );
        assert_eq!(
            (through_miroir.status, through_miroir.json()),
            (direct.status, direct.json()),
            "{path} {body}"
        );
    }

    for peer in peers {
        assert!(peer.terminate());
    }
}
