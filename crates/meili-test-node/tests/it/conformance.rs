//! Replays every recorded Meilisearch v1.50 exchange of `shared/meili-fixtures/` against one
//! fresh test node, in the README's group order, and compares status, content type and the
//! normalised body exactly.

use std::path::PathBuf;

use meili_test_node::{spawn, NodeOptions, RunningNode};
use serde_json::Value;

use crate::client::{send, HttpResponse};
use crate::normalise::normalise;

const GROUPS: &[&str] = &[
    "health_version",
    "auth_errors",
    "indexes",
    "documents",
    "settings",
    "search",
    "tasks",
    "keys",
    "stats_swap_misc",
];

/// How many times a task is polled before the replay gives up on it.
const TASK_POLL_ATTEMPTS: usize = 500;

fn fixtures_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/meili-fixtures");
    assert!(
        dir.is_dir(),
        "meili fixtures not found at {} (the repo must be checked out next to `shared/`)",
        dir.display()
    );
    dir
}

/// Values learned while replaying (the API key created by `keys.json`).
#[derive(Default)]
struct ReplayContext {
    created_key: Option<(String, String)>,
}

struct Replayer {
    node: RunningNode,
    master_key: String,
    context: ReplayContext,
}

impl Replayer {
    async fn request(
        &self,
        method: &str,
        path: &str,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> HttpResponse {
        send(self.node.address(), method, path, &headers, body.as_deref())
            .await
            .expect("request reaches the node")
    }

    async fn wait_for_task(&self, task_uid: u64) {
        let auth = vec![(
            "Authorization".to_owned(),
            format!("Bearer {}", self.master_key),
        )];
        for _ in 0..TASK_POLL_ATTEMPTS {
            let response = self
                .request("GET", &format!("/tasks/{task_uid}"), auth.clone(), None)
                .await;
            let status = response
                .json()
                .and_then(|task| task["status"].as_str().map(str::to_owned));
            if matches!(status.as_deref(), Some("succeeded" | "failed" | "canceled")) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        panic!("task {task_uid} did not finish after {TASK_POLL_ATTEMPTS} polls");
    }

    /// Replays one exchange; returns a description of the mismatch, if any.
    async fn replay(&mut self, group: &str, exchange: &Value) -> Option<String> {
        let request = &exchange["request"];
        let method = request["method"].as_str().expect("method");
        let mut path = request["path"].as_str().expect("path").to_owned();
        if let Some((recorded_uid, (actual_uid, _))) =
            recorded_key_uid(&path).zip(self.context.created_key.as_ref())
        {
            path = path.replace(&recorded_uid, actual_uid);
        }
        let mut headers: Vec<(String, String)> = request["headers"]
            .as_object()
            .map(|map| {
                map.iter()
                    .map(|(name, value)| {
                        (name.clone(), value.as_str().unwrap_or_default().to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default();
        match request["auth"].as_str() {
            Some("master") => headers.push((
                "Authorization".to_owned(),
                format!("Bearer {}", self.master_key),
            )),
            Some("other") => {
                let token = self
                    .context
                    .created_key
                    .as_ref()
                    .map_or("not-a-valid-key".to_owned(), |(_, key)| key.clone());
                headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
            }
            _ => {}
        }
        let body = match &request["body"] {
            Value::Null => None,
            Value::String(raw) => Some(raw.as_bytes().to_vec()),
            json => Some(serde_json::to_vec(json).expect("serialisable body")),
        };
        let response = self.request(method, &path, headers, body).await;
        let mut actual = response.json();
        if group == "keys" && method == "POST" && response.status == 201 {
            if let Some(created) = &actual {
                let uid = created["uid"].as_str().unwrap_or_default().to_owned();
                let key = created["key"].as_str().unwrap_or_default().to_owned();
                self.context.created_key = Some((uid, key));
            }
        }
        if let Some(task_uid) = actual
            .as_ref()
            .and_then(|body| body.get("taskUid"))
            .and_then(Value::as_u64)
        {
            self.wait_for_task(task_uid).await;
        }
        if let Some(actual) = actual.as_mut() {
            normalise(actual);
        }
        let expected_response = &exchange["response"];
        // A `null` body is empty when no content type was recorded, else the JSON value `null`.
        let mut expected = match (
            &expected_response["body"],
            expected_response["content_type"].as_str(),
        ) {
            (Value::Null, None) => None,
            (body, _) => Some(body.clone()),
        };
        if let Some(expected) = expected.as_mut() {
            normalise(expected);
        }
        let expected_status = expected_response["status"].as_u64().unwrap_or_default();
        let expected_type = expected_response["content_type"].as_str();
        let type_matches = match expected_type {
            Some(wanted) => response
                .content_type
                .as_deref()
                .is_some_and(|actual| actual.starts_with(wanted)),
            None => true,
        };
        if u64::from(response.status) == expected_status && type_matches && actual == expected {
            return None;
        }
        Some(format!(
            "[{group}] {note}\n  request: {method} {path}\n  expected: {expected_status} {expected_type:?} {expected}\n  actual:   {} {:?} {actual}",
            response.status,
            response.content_type,
            note = exchange["note"].as_str().unwrap_or_default(),
            expected = expected.map_or("<empty>".to_owned(), |body| body.to_string()),
            actual = actual.map_or("<empty>".to_owned(), |body| body.to_string()),
        ))
    }
}

/// The key uid recorded in a `keys.json` path (`/keys/<uid>`), except the all-zero uid that
/// stands for a missing key.
fn recorded_key_uid(path: &str) -> Option<String> {
    let uid = path.strip_prefix("/keys/")?;
    (uid.len() == 36 && uid != "00000000-0000-0000-0000-000000000000").then(|| uid.to_owned())
}

/// Every fixture exchange answers exactly like the recorded Meilisearch v1.50 (after the
/// README's normalisation), replayed in order on one fresh node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_every_recorded_meilisearch_exchange() {
    let dir = fixtures_dir();
    let first: Value =
        serde_json::from_slice(&std::fs::read(dir.join("health_version.json")).unwrap()).unwrap();
    let master_key = first["master_key"].as_str().expect("master_key").to_owned();
    let node = spawn(NodeOptions {
        master_key: Some(master_key.clone()),
        ..NodeOptions::default()
    })
    .await
    .unwrap();
    let mut replayer = Replayer {
        node,
        master_key,
        context: ReplayContext::default(),
    };
    let mut mismatches = Vec::new();
    let mut replayed = 0;
    for group in GROUPS {
        let path = dir.join(format!("{group}.json"));
        let fixture: Value = serde_json::from_slice(
            &std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display())),
        )
        .unwrap();
        for exchange in fixture["exchanges"].as_array().expect("exchanges") {
            replayed += 1;
            if let Some(mismatch) = replayer.replay(group, exchange).await {
                mismatches.push(mismatch);
            }
        }
    }
    replayer.node.shutdown().await;
    assert!(
        mismatches.is_empty(),
        "{} of {replayed} exchanges differ:\n\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
}
