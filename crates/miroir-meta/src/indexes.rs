//! The index registry: what each logical index is (shard count, primary key, settings
//! version) and where it is in its life.
//!
//! ```text
//!   (new) ─► Creating ─► Ready ─► Deleting ─► (record deleted)
//!               │                    ▲
//!               └── creation failed ─┘
//! ```

use std::collections::BTreeMap;
use std::fmt;

use miroir_core::config::MAX_SHARDS;
use serde::{Deserialize, Serialize};

use crate::rejection::Rejection;
use crate::response::Response;

/// Where an index is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IndexState {
    /// Being created on the nodes; not yet usable.
    Creating,
    /// Created everywhere; serves reads and writes.
    Ready,
    /// Being deleted from the nodes.
    Deleting,
}

impl IndexState {
    /// Whether an index may move from `self` to `next`.
    pub fn can_transition_to(self, next: IndexState) -> bool {
        use IndexState::*;
        matches!(
            (self, next),
            (Creating, Ready) | (Creating, Deleting) | (Ready, Deleting)
        )
    }
}

impl fmt::Display for IndexState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            IndexState::Creating => "creating",
            IndexState::Ready => "ready",
            IndexState::Deleting => "deleting",
        };
        f.write_str(name)
    }
}

/// One registered index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexRecord {
    /// Meilisearch index uid.
    pub uid: String,
    /// Logical shard count S the index was created with.
    pub shards: u32,
    /// Primary key, once known.
    pub primary_key: Option<String>,
    /// Grows by one on every settings change accepted cluster-wide.
    pub settings_version: u64,
    /// Life-cycle state.
    pub state: IndexState,
    /// When the index was registered (proposer's clock).
    pub created_at_ms: u64,
    /// When the record last changed (proposer's clock).
    pub updated_at_ms: u64,
}

/// Changes to the index registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexCommand {
    /// Registers a new index in state `Creating` with settings version 0.
    Create {
        /// Index uid, not already an index or alias.
        uid: String,
        /// Logical shard count (1..=4096).
        shards: u32,
        /// Primary key, if the creator named one.
        primary_key: Option<String>,
    },
    /// Moves an index along [`IndexState::can_transition_to`].
    SetState {
        /// The index.
        uid: String,
        /// Its next state.
        state: IndexState,
    },
    /// Sets the primary key; refused if a different one is already set.
    SetPrimaryKey {
        /// The index.
        uid: String,
        /// The primary key attribute.
        primary_key: String,
    },
    /// Increments the settings version; answers [`Response::SettingsVersion`].
    BumpSettingsVersion {
        /// The index.
        uid: String,
    },
    /// Forgets the index (and its per-node settings versions).
    Delete {
        /// The index.
        uid: String,
    },
    /// Replaces the primary key, whatever it was (`PATCH /indexes/{uid}`, which Meilisearch
    /// only accepts while the index holds no document).
    ReplacePrimaryKey {
        /// The index.
        uid: String,
        /// The new primary key; `None` forgets it.
        primary_key: Option<String>,
    },
    /// Applies `POST /swap-indexes`, all swaps or none: a swap exchanges two records' contents
    /// (shard count, primary key, settings version, per-node settings versions); a rename
    /// moves a record to an unused uid.
    Swap {
        /// The swaps, in request order.
        swaps: Vec<IndexSwap>,
    },
}

/// One entry of `POST /swap-indexes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSwap {
    /// The first index.
    pub first: String,
    /// The second index.
    pub second: String,
    /// Rename `first` to `second` (which must not exist) instead of swapping.
    pub rename: bool,
}

impl IndexCommand {
    /// The index uid the command is about.
    pub fn uid(&self) -> &str {
        match self {
            Self::Create { uid, .. }
            | Self::SetState { uid, .. }
            | Self::SetPrimaryKey { uid, .. }
            | Self::BumpSettingsVersion { uid }
            | Self::Delete { uid }
            | Self::ReplacePrimaryKey { uid, .. } => uid,
            Self::Swap { swaps } => swaps.first().map_or("", |swap| swap.first.as_str()),
        }
    }

    pub(crate) fn describe(&self) -> String {
        let verb = match self {
            Self::Create { .. } => "create_index",
            Self::SetState { .. } => "set_index_state",
            Self::SetPrimaryKey { .. } => "set_primary_key",
            Self::BumpSettingsVersion { .. } => "bump_settings_version",
            Self::Delete { .. } => "delete_index",
            Self::ReplacePrimaryKey { .. } => "replace_primary_key",
            Self::Swap { swaps } => return format!("swap_indexes count={}", swaps.len()),
        };
        format!("{verb} {}", self.uid())
    }
}

/// Every registered index by uid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexRegistry {
    records: BTreeMap<String, IndexRecord>,
}

impl IndexRegistry {
    /// One index by uid.
    pub fn get(&self, uid: &str) -> Option<&IndexRecord> {
        self.records.get(uid)
    }

    /// Every index, ascending by uid.
    pub fn iter(&self) -> impl Iterator<Item = &IndexRecord> {
        self.records.values()
    }

    /// Whether `uid` is registered.
    pub fn contains(&self, uid: &str) -> bool {
        self.records.contains_key(uid)
    }

    pub(crate) fn apply(
        &mut self,
        command: &IndexCommand,
        now_ms: u64,
    ) -> Result<Response, Rejection> {
        match command {
            IndexCommand::Create {
                uid,
                shards,
                primary_key,
            } => self.create(uid, *shards, primary_key.as_deref(), now_ms),
            IndexCommand::SetState { uid, state } => {
                let record = self.record_mut(uid)?;
                if !record.state.can_transition_to(*state) {
                    return Err(Rejection::IllegalIndexTransition {
                        uid: uid.clone(),
                        from: record.state,
                        to: *state,
                    });
                }
                record.state = *state;
                record.updated_at_ms = now_ms;
                Ok(Response::Applied)
            }
            IndexCommand::SetPrimaryKey { uid, primary_key } => {
                if primary_key.is_empty() {
                    return Err(Rejection::invalid("primary key must not be empty"));
                }
                let record = self.record_mut(uid)?;
                if let Some(existing) = &record.primary_key {
                    if existing != primary_key {
                        return Err(Rejection::PrimaryKeyAlreadySet {
                            uid: uid.clone(),
                            primary_key: existing.clone(),
                        });
                    }
                }
                record.primary_key = Some(primary_key.clone());
                record.updated_at_ms = now_ms;
                Ok(Response::Applied)
            }
            IndexCommand::BumpSettingsVersion { uid } => {
                let record = self.record_mut(uid)?;
                record.settings_version = record.settings_version.saturating_add(1);
                record.updated_at_ms = now_ms;
                Ok(Response::SettingsVersion {
                    version: record.settings_version,
                })
            }
            IndexCommand::Delete { uid } => match self.records.remove(uid) {
                Some(_) => Ok(Response::Applied),
                None => Err(Rejection::IndexNotFound(uid.clone())),
            },
            IndexCommand::ReplacePrimaryKey { uid, primary_key } => {
                if primary_key.as_deref() == Some("") {
                    return Err(Rejection::invalid("primary key must not be empty"));
                }
                let record = self.record_mut(uid)?;
                record.primary_key = primary_key.clone();
                record.updated_at_ms = now_ms;
                Ok(Response::Applied)
            }
            IndexCommand::Swap { swaps } => {
                self.swap(swaps, now_ms)?;
                Ok(Response::Applied)
            }
        }
    }

    /// Applies every swap in order on a copy, then keeps the copy: all or nothing.
    fn swap(&mut self, swaps: &[IndexSwap], now_ms: u64) -> Result<(), Rejection> {
        let mut records = self.records.clone();
        for swap in swaps {
            if swap.first == swap.second {
                return Err(Rejection::invalid(format!(
                    "index `{}` cannot be swapped with itself",
                    swap.first
                )));
            }
            let mut first = records
                .remove(&swap.first)
                .ok_or_else(|| Rejection::IndexNotFound(swap.first.clone()))?;
            let second = records.remove(&swap.second);
            match (swap.rename, second) {
                (true, None) => {
                    first.uid = swap.second.clone();
                    first.updated_at_ms = now_ms;
                    records.insert(swap.second.clone(), first);
                }
                (true, Some(_)) => return Err(Rejection::IndexExists(swap.second.clone())),
                (false, Some(mut second)) => {
                    std::mem::swap(&mut first.uid, &mut second.uid);
                    first.updated_at_ms = now_ms;
                    second.updated_at_ms = now_ms;
                    records.insert(first.uid.clone(), first);
                    records.insert(second.uid.clone(), second);
                }
                (false, None) => return Err(Rejection::IndexNotFound(swap.second.clone())),
            }
        }
        self.records = records;
        Ok(())
    }

    fn record_mut(&mut self, uid: &str) -> Result<&mut IndexRecord, Rejection> {
        self.records
            .get_mut(uid)
            .ok_or_else(|| Rejection::IndexNotFound(uid.to_owned()))
    }

    fn create(
        &mut self,
        uid: &str,
        shards: u32,
        primary_key: Option<&str>,
        now_ms: u64,
    ) -> Result<Response, Rejection> {
        if uid.is_empty() {
            return Err(Rejection::invalid("index uid must not be empty"));
        }
        if shards == 0 || shards > MAX_SHARDS {
            return Err(Rejection::invalid(format!(
                "shards must be in 1..={MAX_SHARDS}"
            )));
        }
        if primary_key == Some("") {
            return Err(Rejection::invalid("primary key must not be empty"));
        }
        if self.records.contains_key(uid) {
            return Err(Rejection::IndexExists(uid.to_owned()));
        }
        let record = IndexRecord {
            uid: uid.to_owned(),
            shards,
            primary_key: primary_key.map(str::to_owned),
            settings_version: 0,
            state: IndexState::Creating,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        };
        self.records.insert(uid.to_owned(), record);
        Ok(Response::Applied)
    }
}
