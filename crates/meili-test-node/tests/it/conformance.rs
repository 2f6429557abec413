//! Replays every recorded Meilisearch v1.50 exchange of `shared/meili-fixtures/` against one
//! fresh test node, in the README's group order, and compares status, content type and the
//! normalised body exactly.

use std::path::PathBuf;

use meili_test_node::conformance::{self, load_group, Replayer};
use meili_test_node::{spawn, NodeOptions};

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

/// Every fixture exchange answers exactly like the recorded Meilisearch v1.50 (after the
/// README's normalisation), replayed in order on one fresh node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_every_recorded_meilisearch_exchange() {
    let dir = fixtures_dir();
    let master_key = load_group(&dir, "health_version").unwrap().master_key;
    let node = spawn(NodeOptions {
        master_key: Some(master_key.clone()),
        ..NodeOptions::default()
    })
    .await
    .unwrap();
    let outcomes = Replayer::new(node.address(), master_key)
        .replay_all(&dir)
        .await
        .unwrap();
    node.shutdown().await;
    let mismatches: Vec<String> = outcomes
        .iter()
        .filter_map(|outcome| {
            let mismatch = outcome.mismatch.as_ref()?;
            Some(format!(
                "[{}] {}\n  request: {} {}\n  {mismatch}",
                outcome.group, outcome.note, outcome.method, outcome.path
            ))
        })
        .collect();
    assert!(outcomes.len() > 100, "only {} exchanges", outcomes.len());
    assert!(
        mismatches.is_empty(),
        "{} of {} exchanges differ:\n\n{}",
        mismatches.len(),
        outcomes.len(),
        mismatches.join("\n\n")
    );
}
