//! Prometheus metrics of a peer: the metrics listener's `GET /metrics` (no key) and
//! `/_miroir/metrics` (admin key) after a search through a 3-peer cluster over 3 nodes.

use std::collections::BTreeMap;

use serde_json::json;
use tempfile::tempdir;

use crate::cluster::{call, start_cluster, succeed, Layout, Nodes, ADMIN_KEY};
use crate::process::{get, request, Peer};

/// One sample of the text format: family (or series) name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Every sample of a scrape (comment lines skipped).
fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.strip_suffix('}').unwrap()),
                None => (series, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once("=\"").unwrap();
                    (key.to_owned(), value.trim_end_matches('"').to_owned())
                })
                .collect();
            Sample {
                name: name.to_owned(),
                labels,
                value: value.parse().unwrap(),
            }
        })
        .collect()
}

/// `GET /metrics` on `peer`'s metrics listener, checked for status and content type.
fn scrape(peer: &Peer) -> Vec<Sample> {
    let answer = get(peer.serving.metrics, "/metrics");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4")
    );
    samples(&answer.body)
}

/// The value of the unlabelled series `name`.
fn value(samples: &[Sample], name: &str) -> f64 {
    samples
        .iter()
        .find(|sample| sample.name == name && sample.labels.is_empty())
        .unwrap_or_else(|| panic!("no sample of {name}"))
        .value
}

/// Every family of this slice: each must have a sample after a search.
const FAMILIES: &[&str] = &[
    "miroir_requests_total",
    "miroir_request_duration_seconds_count",
    "miroir_requests_in_flight",
    "miroir_scatter_fan_out_size_count",
    "miroir_node_request_duration_seconds_count",
    "miroir_node_errors_total",
    "miroir_node_healthy",
    "miroir_raft_is_leader",
    "miroir_raft_term",
    "miroir_raft_last_log_index",
    "miroir_raft_last_applied_index",
    "miroir_raft_snapshot_index",
    "miroir_task_registry_size",
];

/// Families present (with a sample) in a scrape.
fn families_of(samples: &[Sample]) -> Vec<&'static str> {
    FAMILIES
        .iter()
        .copied()
        .filter(|family| samples.iter().any(|sample| sample.name == *family))
        .collect()
}

#[test]
fn a_search_through_three_nodes_shows_in_every_family() {
    let nodes = Nodes::start(3);
    let dir = tempdir().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let (a, b) = (&peers[0], &peers[1]);
    let create = json!({"uid": "movies", "primaryKey": "id"});
    succeed(a, b, "POST", "/indexes", Some(&create));
    let documents = json!([
        {"id": 1, "title": "Carol"},
        {"id": 2, "title": "Wonder Woman"},
        {"id": 3, "title": "Life of Pi"},
        {"id": 4, "title": "Mad Max"}
    ]);
    succeed(a, b, "POST", "/indexes/movies/documents", Some(&documents));

    let before = scrape(a);
    let search = call(
        a,
        "POST",
        "/indexes/movies/search",
        Some(&json!({"q": "carol"})),
    );
    assert_eq!(search.status, 200, "{}", search.body);
    let after = scrape(a);

    assert_eq!(families_of(&after), FAMILIES);
    // Exactly one fan-out was observed by the search, and it was to 3 nodes.
    let fan_out = |samples: &[Sample]| {
        (
            value(samples, "miroir_scatter_fan_out_size_count"),
            value(samples, "miroir_scatter_fan_out_size_sum"),
        )
    };
    let (count_before, sum_before) = fan_out(&before);
    let (count_after, sum_after) = fan_out(&after);
    assert_eq!(
        (count_after - count_before, sum_after - sum_before),
        (1.0, 3.0)
    );

    // Route templates only: the index uid never becomes a label value.
    let templates: Vec<&str> = after
        .iter()
        .filter_map(|sample| sample.labels.get("path_template").map(String::as_str))
        .collect();
    assert!(
        templates.contains(&"/indexes/{uid}/search"),
        "{templates:?}"
    );
    assert!(
        templates
            .iter()
            .all(|template| !template.contains("movies")),
        "{templates:?}"
    );
    let search_count = after
        .iter()
        .find(|sample| {
            sample.name == "miroir_requests_total"
                && sample.labels.get("path_template").map(String::as_str)
                    == Some("/indexes/{uid}/search")
                && sample.labels.get("method").map(String::as_str) == Some("POST")
                && sample.labels.get("status").map(String::as_str) == Some("200")
        })
        .map(|sample| sample.value);
    assert_eq!(search_count, Some(1.0));

    // Node series are labelled with the configured node ids.
    let node_ids: Vec<&str> = after
        .iter()
        .filter(|sample| sample.name == "miroir_node_healthy")
        .filter_map(|sample| sample.labels.get("node_id").map(String::as_str))
        .collect();
    assert_eq!(node_ids, ["meili-0", "meili-1", "meili-2"]);

    // Exactly one peer leads.
    let leaders: f64 = peers
        .iter()
        .map(|peer| value(&scrape(peer), "miroir_raft_is_leader"))
        .sum();
    assert_eq!(leaders, 1.0);
    assert!(value(&after, "miroir_task_registry_size") >= 2.0);
    assert!(value(&after, "miroir_raft_last_applied_index") >= 1.0);

    // The metrics listener serves nothing else.
    assert_eq!(get(a.serving.metrics, "/other").status, 404);

    // The same text on the HTTP port, behind the admin key.
    let refused = get(a.serving.http, "/_miroir/metrics");
    assert_eq!(refused.status, 401, "{}", refused.body);
    let admin = request(
        a.serving.http,
        "GET",
        "/_miroir/metrics",
        Some(ADMIN_KEY),
        None,
    );
    assert_eq!(admin.status, 200, "{}", admin.body);
    assert_eq!(
        admin.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4")
    );
    assert_eq!(families_of(&samples(&admin.body)), FAMILIES);
}
