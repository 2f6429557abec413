//! Write deduplication by `Idempotency-Key` (§13.10): key → hash of the request body and
//! the response first given, until an expiry.
//!
//! Expired keys are dropped on every applied request (the state machine sees time only
//! through requests), and when more than `max_idempotency_keys` are held the keys closest
//! to expiry go first. A derived `(expires_at, key)` index keeps both O(dropped · log n); it
//! is rebuilt on deserialisation and never serialised.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize, Serializer};

use crate::rejection::Rejection;
use crate::response::Response;

/// What a key remembers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyEntry {
    /// SHA-256 of the original request body (32 raw bytes).
    pub body_sha256: Vec<u8>,
    /// The response first given (e.g. the task summary JSON), replayed on a retry.
    pub response: String,
    /// When the key was recorded (proposer's clock).
    pub created_at_ms: u64,
    /// When it is forgotten.
    pub expires_at_ms: u64,
}

impl IdempotencyEntry {
    /// Whether the key still deduplicates at `now_ms`.
    pub fn is_live(&self, now_ms: u64) -> bool {
        now_ms < self.expires_at_ms
    }
}

/// Changes to the idempotency cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdempotencyCommand {
    /// Records a key, or finds it already there: same body → [`Response::IdempotencyReplay`]
    /// with the first response; different body → `IdempotencyKeyReused`; new or expired key
    /// → [`Response::IdempotencyRecorded`].
    Record {
        /// The client's `Idempotency-Key`.
        key: String,
        /// SHA-256 of the request body.
        body_sha256: Vec<u8>,
        /// The response to replay on retries.
        response: String,
        /// Lifetime from the request time (> 0).
        ttl_ms: u64,
    },
}

impl IdempotencyCommand {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Record { key, .. } => format!("record_idempotency_key {key}"),
        }
    }
}

#[derive(Serialize)]
struct IdempotencyTableRef<'a> {
    entries: &'a BTreeMap<String, IdempotencyEntry>,
}

#[derive(Deserialize)]
struct IdempotencyTableData {
    entries: BTreeMap<String, IdempotencyEntry>,
}

/// Every remembered key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "IdempotencyTableData")]
pub struct IdempotencyTable {
    entries: BTreeMap<String, IdempotencyEntry>,
    by_expiry: BTreeSet<(u64, String)>,
}

impl Serialize for IdempotencyTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        IdempotencyTableRef {
            entries: &self.entries,
        }
        .serialize(serializer)
    }
}

impl From<IdempotencyTableData> for IdempotencyTable {
    fn from(data: IdempotencyTableData) -> Self {
        let by_expiry = data
            .entries
            .iter()
            .map(|(key, entry)| (entry.expires_at_ms, key.clone()))
            .collect();
        Self {
            entries: data.entries,
            by_expiry,
        }
    }
}

impl IdempotencyTable {
    /// The entry for `key` if it is still live at `now_ms`.
    pub fn get(&self, key: &str, now_ms: u64) -> Option<&IdempotencyEntry> {
        self.entries.get(key).filter(|entry| entry.is_live(now_ms))
    }

    /// Number of keys held (live or not yet pruned).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn apply(
        &mut self,
        command: &IdempotencyCommand,
        now_ms: u64,
        max_keys: u64,
    ) -> Result<Response, Rejection> {
        let IdempotencyCommand::Record {
            key,
            body_sha256,
            response,
            ttl_ms,
        } = command;
        if key.is_empty() {
            return Err(Rejection::invalid("idempotency key must not be empty"));
        }
        if *ttl_ms == 0 {
            return Err(Rejection::invalid("idempotency ttl must be positive"));
        }
        if let Some(existing) = self.get(key, now_ms) {
            if existing.body_sha256 != *body_sha256 {
                return Err(Rejection::IdempotencyKeyReused(key.clone()));
            }
            return Ok(Response::IdempotencyReplay {
                response: existing.response.clone(),
            });
        }
        self.remove(key);
        let entry = IdempotencyEntry {
            body_sha256: body_sha256.clone(),
            response: response.clone(),
            created_at_ms: now_ms,
            expires_at_ms: now_ms.saturating_add(*ttl_ms),
        };
        self.by_expiry.insert((entry.expires_at_ms, key.clone()));
        self.entries.insert(key.clone(), entry);
        let cap = usize::try_from(max_keys).unwrap_or(usize::MAX);
        while self.entries.len() > cap {
            let Some((_, soonest)) = self.by_expiry.first().cloned() else {
                break;
            };
            self.remove(&soonest);
        }
        Ok(Response::IdempotencyRecorded)
    }

    /// Drops every key expired at `now_ms`.
    pub(crate) fn prune_expired(&mut self, now_ms: u64) {
        while let Some((expires_at_ms, key)) = self.by_expiry.first().cloned() {
            if now_ms < expires_at_ms {
                break;
            }
            self.remove(&key);
        }
    }

    fn remove(&mut self, key: &str) {
        if let Some(entry) = self.entries.remove(key) {
            self.by_expiry
                .remove(&(entry.expires_at_ms, key.to_owned()));
        }
    }
}
