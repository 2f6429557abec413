//! The replayer: sends each recorded request as recorded (auth, headers, raw body), waits for
//! the task it enqueued, and compares status, content type and the normalised body with the
//! recorded response.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::http::{send, HttpResponse};
use super::normalise::normalise;

/// The fixture groups, in the order the README says they must be replayed (later groups
/// depend on indexes, documents and settings created by earlier ones).
pub const GROUPS: &[&str] = &[
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
const TASK_POLL_ATTEMPTS: usize = 1_000;
/// Pause between two polls of an unfinished task.
const TASK_POLL_INTERVAL: Duration = Duration::from_millis(10);
/// The uid a `keys.json` path uses for a key that does not exist.
const MISSING_KEY_UID: &str = "00000000-0000-0000-0000-000000000000";

/// Why a replay could not run (as opposed to a response that differs, which is an outcome).
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A fixture file could not be read.
    #[error("cannot read fixture {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A fixture file is not the recorded JSON format.
    #[error("fixture {path} is malformed: {reason}")]
    Malformed {
        /// The file (or group) at fault.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The target could not be reached or answered something that is not HTTP.
    #[error("{method} {path}: {source}")]
    Transport {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
        /// The transport error.
        source: std::io::Error,
    },
    /// A task the target enqueued never reached a terminal state.
    #[error("task {0} did not finish after {TASK_POLL_ATTEMPTS} polls")]
    TaskNeverFinished(u64),
}

/// One fixture file: its master key and its exchanges in recording order.
#[derive(Debug, Clone)]
pub struct FixtureGroup {
    /// The group name (file stem).
    pub name: String,
    /// The master key the recording ran with.
    pub master_key: String,
    /// `{note, request, response}` objects, in order.
    pub exchanges: Vec<Value>,
}

/// The recorded fixtures of a checkout: `shared/meili-fixtures/` beside the repository.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/meili-fixtures")
}

/// Reads group `name` from the fixture directory `dir`.
pub fn load_group(dir: &Path, name: &str) -> Result<FixtureGroup, ReplayError> {
    let path = dir.join(format!("{name}.json"));
    let bytes = std::fs::read(&path).map_err(|source| ReplayError::Read {
        path: path.clone(),
        source,
    })?;
    let malformed = |reason: String| ReplayError::Malformed {
        path: path.clone(),
        reason,
    };
    let fixture: Value =
        serde_json::from_slice(&bytes).map_err(|error| malformed(error.to_string()))?;
    let master_key = fixture["master_key"]
        .as_str()
        .ok_or_else(|| malformed("no `master_key`".into()))?
        .to_owned();
    let exchanges = fixture["exchanges"]
        .as_array()
        .ok_or_else(|| malformed("no `exchanges` array".into()))?
        .clone();
    Ok(FixtureGroup {
        name: name.to_owned(),
        master_key,
        exchanges,
    })
}

/// What one replayed exchange gave.
#[derive(Debug, Clone)]
pub struct ExchangeOutcome {
    /// The fixture group.
    pub group: String,
    /// The recording's note about the exchange.
    pub note: String,
    /// The request method.
    pub method: String,
    /// The request path as sent.
    pub path: String,
    /// The status Meilisearch answered.
    pub expected_status: u16,
    /// A description of the difference, or `None` when the answer matched exactly.
    pub mismatch: Option<String>,
}

impl ExchangeOutcome {
    /// Whether the recorded answer is an error (status 4xx or 5xx).
    pub fn expects_error(&self) -> bool {
        self.expected_status >= 400
    }
}

/// Replays fixture exchanges, in order, against one target.
pub struct Replayer {
    target: SocketAddr,
    master_key: String,
    /// `(uid, key)` of the API key created by `keys.json`'s `POST /keys`.
    created_key: Option<(String, String)>,
}

impl Replayer {
    /// A replayer sending to `target`, presenting `master_key` where the recording presented
    /// its master key.
    pub fn new(target: SocketAddr, master_key: impl Into<String>) -> Self {
        Self {
            target,
            master_key: master_key.into(),
            created_key: None,
        }
    }

    /// Replays every group of `dir` in [`GROUPS`] order.
    pub async fn replay_all(&mut self, dir: &Path) -> Result<Vec<ExchangeOutcome>, ReplayError> {
        let mut outcomes = Vec::new();
        for name in GROUPS {
            let group = load_group(dir, name)?;
            for exchange in &group.exchanges {
                outcomes.push(self.replay(&group.name, exchange).await?);
            }
        }
        Ok(outcomes)
    }

    /// Replays one exchange: sends it, waits for the task it enqueued, compares.
    pub async fn replay(
        &mut self,
        group: &str,
        exchange: &Value,
    ) -> Result<ExchangeOutcome, ReplayError> {
        let request = &exchange["request"];
        let method = request["method"].as_str().unwrap_or("GET").to_owned();
        let path = self.actual_path(request["path"].as_str().unwrap_or("/"));
        let headers = self.headers(request);
        let body = match &request["body"] {
            Value::Null => None,
            Value::String(raw) => Some(raw.as_bytes().to_vec()),
            json => Some(json.to_string().into_bytes()),
        };
        let response = self.send(&method, &path, &headers, body.as_deref()).await?;
        let actual = response.json();
        if let Ok(Some(answer)) = &actual {
            self.learn_created_key(group, &method, response.status, answer);
            if let Some(task_uid) = answer.get("taskUid").and_then(Value::as_u64) {
                self.wait_for_task(task_uid).await?;
            }
        }
        let recorded = &exchange["response"];
        let expected_status = recorded["status"]
            .as_u64()
            .and_then(|status| u16::try_from(status).ok())
            .unwrap_or_default();
        let mismatch = compare(recorded, &response, actual);
        Ok(ExchangeOutcome {
            group: group.to_owned(),
            note: exchange["note"].as_str().unwrap_or_default().to_owned(),
            method,
            path,
            expected_status,
            mismatch,
        })
    }

    /// The recorded path with the recording's key uid replaced by the one created here.
    fn actual_path(&self, recorded: &str) -> String {
        let recorded_uid = recorded
            .strip_prefix("/keys/")
            .filter(|uid| uid.len() == 36 && *uid != MISSING_KEY_UID);
        match (recorded_uid, &self.created_key) {
            (Some(uid), Some((actual_uid, _))) => recorded.replace(uid, actual_uid),
            _ => recorded.to_owned(),
        }
    }

    /// The recorded headers plus the `Authorization` the recording's `auth` stands for.
    fn headers(&self, request: &Value) -> Vec<(String, String)> {
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
        let token = match request["auth"].as_str() {
            Some("master") => Some(self.master_key.clone()),
            Some("other") => Some(
                self.created_key
                    .as_ref()
                    .map_or_else(|| "not-a-valid-key".to_owned(), |(_, key)| key.clone()),
            ),
            _ => None,
        };
        if let Some(token) = token {
            headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
        }
        headers
    }

    fn learn_created_key(&mut self, group: &str, method: &str, status: u16, answer: &Value) {
        if group == "keys" && method == "POST" && status == 201 {
            let field = |name: &str| answer[name].as_str().unwrap_or_default().to_owned();
            self.created_key = Some((field("uid"), field("key")));
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<HttpResponse, ReplayError> {
        send(self.target, method, path, headers, body)
            .await
            .map_err(|source| ReplayError::Transport {
                method: method.to_owned(),
                path: path.to_owned(),
                source,
            })
    }

    async fn wait_for_task(&self, task_uid: u64) -> Result<(), ReplayError> {
        let auth = [(
            "Authorization".to_owned(),
            format!("Bearer {}", self.master_key),
        )];
        let path = format!("/tasks/{task_uid}");
        for _ in 0..TASK_POLL_ATTEMPTS {
            let response = self.send("GET", &path, &auth, None).await?;
            let status = response
                .json()
                .ok()
                .flatten()
                .and_then(|task| task["status"].as_str().map(str::to_owned));
            if matches!(status.as_deref(), Some("succeeded" | "failed" | "canceled")) {
                return Ok(());
            }
            tokio::time::sleep(TASK_POLL_INTERVAL).await;
        }
        Err(ReplayError::TaskNeverFinished(task_uid))
    }
}

/// `None` when `response` matches the `recorded` response (status, content type, normalised
/// body), else a description of both.
fn compare(
    recorded: &Value,
    response: &HttpResponse,
    actual: Result<Option<Value>, serde_json::Error>,
) -> Option<String> {
    // A `null` body is empty when no content type was recorded, else the JSON value `null`.
    let mut expected = match (&recorded["body"], recorded["content_type"].as_str()) {
        (Value::Null, None) => None,
        (body, _) => Some(body.clone()),
    };
    if let Some(expected) = expected.as_mut() {
        normalise(expected);
    }
    let expected_status = recorded["status"].as_u64().unwrap_or_default();
    let expected_type = recorded["content_type"].as_str();
    let type_matches = expected_type.is_none_or(|wanted| {
        response
            .content_type
            .as_deref()
            .is_some_and(|actual| actual.starts_with(wanted))
    });
    let actual_text = match actual {
        Ok(mut actual) => {
            if let Some(actual) = actual.as_mut() {
                normalise(actual);
            }
            if u64::from(response.status) == expected_status && type_matches && actual == expected {
                return None;
            }
            actual.map_or_else(|| "<empty>".to_owned(), |body| body.to_string())
        }
        Err(_) => format!("<not JSON> {}", String::from_utf8_lossy(&response.body)),
    };
    Some(format!(
        "expected: {expected_status} {expected_type:?} {}\n  actual:   {} {:?} {actual_text}",
        expected.map_or_else(|| "<empty>".to_owned(), |body| body.to_string()),
        response.status,
        response.content_type,
    ))
}
