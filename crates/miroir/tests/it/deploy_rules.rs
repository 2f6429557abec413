//! The shipped Prometheus alert rules and Grafana dashboard (`deploy/`): `promtool` accepts them
//! (the dashboard's queries checked as recording rules), and every metric they use is in a real
//! scrape of a running cluster.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{call, start_cluster, succeed, Layout, Nodes};
use crate::process::get;

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

fn alert_rules() -> PathBuf {
    deploy_dir().join("prometheus/alerts.yaml")
}

fn dashboard() -> Value {
    let text = std::fs::read_to_string(deploy_dir().join("grafana/miroir-overview.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every PromQL expression of the dashboard's panels.
fn dashboard_queries(dashboard: &Value) -> Vec<String> {
    dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|panel| panel["targets"].as_array().unwrap().iter())
        .map(|target| target["expr"].as_str().unwrap().to_owned())
        .collect()
}

/// Every `expr` of the alert rules, each rule checked for the fields Alertmanager routes on.
fn alert_queries() -> Vec<String> {
    let text = std::fs::read_to_string(alert_rules()).unwrap();
    let rules: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    rules["groups"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|group| group["rules"].as_sequence().unwrap().iter())
        .map(|rule| {
            let alert = rule["alert"].as_str().unwrap();
            assert!(alert.starts_with("Miroir"), "{alert}");
            assert!(rule["labels"]["severity"].as_str().is_some(), "{alert}");
            assert!(rule["annotations"]["summary"].as_str().is_some(), "{alert}");
            rule["expr"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// The `miroir_*` metric names a query reads (histogram series map to their family).
fn metric_names(query: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = query.as_bytes();
    let mut start = 0;
    while let Some(found) = query[start..].find("miroir_") {
        let begin = start + found;
        let end = begin
            + query[begin..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(query.len() - begin);
        let preceded_by_word =
            begin > 0 && (bytes[begin - 1].is_ascii_alphanumeric() || bytes[begin - 1] == b'_');
        if !preceded_by_word {
            let name = &query[begin..end];
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .unwrap_or(name);
            names.insert(family.to_owned());
        }
        start = end;
    }
    names
}

/// Runs `promtool check rules <file>`; panics with its output unless it succeeds.
fn promtool_check_rules(file: &Path) {
    let output = Command::new("promtool")
        .args(["check", "rules"])
        .arg(file)
        .output()
        .unwrap_or_else(|error| {
            panic!("promtool is required (Debian package `prometheus`): {error}")
        });
    assert!(
        output.status.success(),
        "promtool rejected {}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Invariant: `promtool` accepts the alert rules (the spec's core alerts and the Raft ones are
/// all there), and every dashboard query parses (each is
/// checked as a recording rule); the dashboard's panels have unique ids and a query each.
#[test]
fn promtool_accepts_the_alerts_and_the_dashboard_queries() {
    promtool_check_rules(&alert_rules());
    let text = std::fs::read_to_string(alert_rules()).unwrap();
    for alert in [
        "MiroirNoLeader",
        "MiroirRaftCommitSlow",
        "MiroirPeerUnreachable",
        "MiroirNodeDown",
        "MiroirDegradedShards",
        "MiroirHighSearchLatency",
        "MiroirTaskStuck",
        "MiroirRebalanceStuck",
    ] {
        assert!(
            text.contains(&format!("alert: {alert}\n")),
            "{alert} missing"
        );
    }

    let dashboard = dashboard();
    let panels = dashboard["panels"].as_array().unwrap();
    let ids: BTreeSet<u64> = panels
        .iter()
        .map(|panel| panel["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), panels.len(), "panel ids must be unique");
    let queries = dashboard_queries(&dashboard);
    assert!(queries.len() >= panels.len());
    let rules: Vec<String> = queries
        .iter()
        .enumerate()
        .map(|(n, query)| {
            format!(
                "      - record: dashboard:query_{n}\n        expr: {}\n",
                json!(query)
            )
        })
        .collect();
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("dashboard-queries.yaml");
    std::fs::write(
        &file,
        format!(
            "groups:\n  - name: dashboard\n    rules:\n{}",
            rules.concat()
        ),
    )
    .unwrap();
    promtool_check_rules(&file);
}

/// Invariant: every metric the alert rules and the dashboard read is exported — found with a
/// sample in the scrapes of a 3-peer cluster that has served writes and a search.
#[test]
fn every_metric_the_alerts_and_the_dashboard_read_is_scraped() {
    let used: BTreeSet<String> = dashboard_queries(&dashboard())
        .iter()
        .chain(alert_queries().iter())
        .flat_map(|query| metric_names(query))
        .collect();
    assert!(used.len() >= 15, "{used:?}");

    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let (a, b) = (&peers[0], &peers[1]);
    succeed(
        a,
        b,
        "POST",
        "/indexes",
        Some(&json!({"uid": "movies", "primaryKey": "id"})),
    );
    let documents: Vec<Value> = (0..30)
        .map(|id| json!({"id": id, "title": format!("movie {id}")}))
        .collect();
    succeed(
        a,
        b,
        "POST",
        "/indexes/movies/documents",
        Some(&Value::Array(documents)),
    );
    let search = call(
        a,
        "POST",
        "/indexes/movies/search",
        Some(&json!({"q": "movie"})),
    );
    assert_eq!(search.status, 200, "{}", search.body);

    let mut scraped = BTreeSet::new();
    for peer in &peers {
        let scrape = get(peer.serving.metrics, "/metrics");
        assert_eq!(scrape.status, 200);
        for line in scrape.body.lines().filter(|line| !line.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap_or_default();
            scraped.extend(metric_names(name));
        }
    }
    let missing: Vec<&String> = used.difference(&scraped).collect();
    assert!(missing.is_empty(), "not in any scrape: {missing:?}");
}

#[test]
fn metric_names_are_read_from_queries() {
    assert_eq!(
        metric_names(
            "histogram_quantile(0.99, sum by (le) (rate(miroir_a_b_bucket[5m]))) / miroir_c"
        ),
        BTreeSet::from(["miroir_a_b".to_owned(), "miroir_c".to_owned()])
    );
    assert!(metric_names("dashboard:miroir_x").contains("miroir_x"));
    assert!(metric_names("not_miroir_x").is_empty());
}
