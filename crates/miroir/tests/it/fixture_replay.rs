//! Every error case recorded from a real Meilisearch v1.50 (`shared/meili-fixtures/`) answers
//! with the same status and body through a Miroir cluster as Meilisearch gave: the whole
//! recording is replayed, in order, through one peer of 3 in front of 3 test nodes.

use std::path::PathBuf;

use meili_test_node::conformance::{self, ExchangeOutcome, Replayer};
use tempfile::TempDir;

use crate::cluster::{start_cluster, Layout, Nodes, CLIENT_KEY};

/// The fixtures directory, which must exist next to the repository.
fn fixtures_dir() -> PathBuf {
    let dir = conformance::fixtures_dir();
    assert!(
        dir.is_dir(),
        "meili fixtures not found at {} (the repo must be checked out next to `shared/`)",
        dir.display()
    );
    dir
}

fn describe(outcome: &ExchangeOutcome) -> String {
    format!(
        "[{}] {}\n  request: {} {}\n  {}",
        outcome.group,
        outcome.note,
        outcome.method,
        outcome.path,
        outcome.mismatch.as_deref().unwrap_or("matches")
    )
}

#[test]
fn recorded_meilisearch_errors_answer_identically_through_miroir() {
    let dir = TempDir::new().unwrap();
    let nodes = Nodes::start(3);
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let outcomes = runtime
        .block_on(Replayer::new(peers[0].serving.http, CLIENT_KEY).replay_all(&fixtures_dir()))
        .unwrap();
    let errors: Vec<&ExchangeOutcome> = outcomes
        .iter()
        .filter(|outcome| outcome.expects_error())
        .collect();
    let differing: Vec<String> = errors
        .iter()
        .filter(|outcome| outcome.mismatch.is_some())
        .map(|outcome| describe(outcome))
        .collect();
    assert!(errors.len() >= 30, "only {} error exchanges", errors.len());
    assert!(
        differing.is_empty(),
        "{} of {} recorded errors differ through Miroir:\n\n{}",
        differing.len(),
        errors.len(),
        differing.join("\n\n")
    );
}
