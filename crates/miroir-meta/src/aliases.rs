//! Index aliases (§13.7): a name resolving to one index (single-target, readable and
//! writable) or to several (multi-target, read-only fan-out, owned by the component that
//! created it, e.g. an ILM policy).
//!
//! Every repoint bumps the alias version and pushes the previous target onto a history
//! bounded by the policy's `alias_history_retention` (oldest evicted first).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::rejection::Rejection;
use crate::response::Response;

/// What an alias resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AliasTarget {
    /// One index: reads and writes go there.
    Single(String),
    /// Several indexes: reads fan out, writes are refused.
    Multi(Vec<String>),
}

impl AliasTarget {
    /// Whether writes through the alias are allowed.
    pub fn is_writable(&self) -> bool {
        matches!(self, AliasTarget::Single(_))
    }

    /// The index uids the alias resolves to.
    pub fn index_uids(&self) -> &[String] {
        match self {
            AliasTarget::Single(uid) => std::slice::from_ref(uid),
            AliasTarget::Multi(uids) => uids,
        }
    }

    fn same_kind(&self, other: &AliasTarget) -> bool {
        self.is_writable() == other.is_writable()
    }
}

/// A previous target of an alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasFlip {
    /// The alias version that had this target.
    pub version: u64,
    /// The replaced target.
    pub target: AliasTarget,
    /// When it was replaced (proposer's clock).
    pub replaced_at_ms: u64,
}

/// One alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasRecord {
    /// Alias name.
    pub name: String,
    /// Current target.
    pub target: AliasTarget,
    /// `1` at creation, +1 per repoint.
    pub version: u64,
    /// Component owning a multi-target alias (only it may repoint or delete it).
    pub owner: Option<String>,
    /// Previous targets, oldest first, at most `alias_history_retention` long.
    pub history: VecDeque<AliasFlip>,
    /// When the alias was created (proposer's clock).
    pub created_at_ms: u64,
    /// When it was last repointed.
    pub updated_at_ms: u64,
}

/// Changes to the alias table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AliasCommand {
    /// Creates an alias at version 1; answers [`Response::AliasVersion`].
    Create {
        /// New alias name, not an index uid.
        name: String,
        /// What it resolves to.
        target: AliasTarget,
        /// Owning component; meaningful for multi-target aliases.
        owner: Option<String>,
    },
    /// Atomically points an alias elsewhere (same kind); answers [`Response::AliasVersion`].
    Repoint {
        /// The alias.
        name: String,
        /// Its new target.
        target: AliasTarget,
        /// Who asks; must equal the owner of a multi-target alias.
        actor: Option<String>,
    },
    /// Deletes an alias (never the indexes it targets).
    Delete {
        /// The alias.
        name: String,
        /// Who asks; must equal the owner of a multi-target alias.
        actor: Option<String>,
    },
}

impl AliasCommand {
    /// The alias name the command is about.
    pub fn name(&self) -> &str {
        match self {
            Self::Create { name, .. } | Self::Repoint { name, .. } | Self::Delete { name, .. } => {
                name
            }
        }
    }

    pub(crate) fn describe(&self) -> String {
        let verb = match self {
            Self::Create { .. } => "create_alias",
            Self::Repoint { .. } => "repoint_alias",
            Self::Delete { .. } => "delete_alias",
        };
        format!("{verb} {}", self.name())
    }
}

/// What alias commands need to know about the rest of the state.
pub(crate) struct AliasContext<'a> {
    /// Whether an index uid is registered.
    pub index_exists: &'a dyn Fn(&str) -> bool,
    /// Refuse targets that are not registered indexes.
    pub require_existing_target: bool,
    /// History length bound.
    pub history_retention: u32,
}

/// Every alias by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasTable {
    records: BTreeMap<String, AliasRecord>,
}

impl AliasTable {
    /// One alias by name.
    pub fn get(&self, name: &str) -> Option<&AliasRecord> {
        self.records.get(name)
    }

    /// Every alias, ascending by name.
    pub fn iter(&self) -> impl Iterator<Item = &AliasRecord> {
        self.records.values()
    }

    /// Whether `name` is an alias.
    pub fn contains(&self, name: &str) -> bool {
        self.records.contains_key(name)
    }

    pub(crate) fn apply(
        &mut self,
        command: &AliasCommand,
        now_ms: u64,
        context: &AliasContext<'_>,
    ) -> Result<Response, Rejection> {
        match command {
            AliasCommand::Create {
                name,
                target,
                owner,
            } => {
                if name.is_empty() {
                    return Err(Rejection::invalid("alias name must not be empty"));
                }
                if self.records.contains_key(name) {
                    return Err(Rejection::AliasExists(name.clone()));
                }
                if (context.index_exists)(name) {
                    return Err(Rejection::AliasNameIsIndex(name.clone()));
                }
                validate_target(name, target, context)?;
                let record = AliasRecord {
                    name: name.clone(),
                    target: target.clone(),
                    version: 1,
                    owner: owner.clone(),
                    history: VecDeque::new(),
                    created_at_ms: now_ms,
                    updated_at_ms: now_ms,
                };
                self.records.insert(name.clone(), record);
                Ok(Response::AliasVersion { version: 1 })
            }
            AliasCommand::Repoint {
                name,
                target,
                actor,
            } => {
                let record = self.writable_record(name, actor)?;
                if !record.target.same_kind(target) {
                    return Err(Rejection::AliasKindMismatch(name.clone()));
                }
                validate_target(name, target, context)?;
                let previous = std::mem::replace(&mut record.target, target.clone());
                record.history.push_back(AliasFlip {
                    version: record.version,
                    target: previous,
                    replaced_at_ms: now_ms,
                });
                let retention = usize::try_from(context.history_retention).unwrap_or(usize::MAX);
                while record.history.len() > retention {
                    record.history.pop_front();
                }
                record.version = record.version.saturating_add(1);
                record.updated_at_ms = now_ms;
                Ok(Response::AliasVersion {
                    version: record.version,
                })
            }
            AliasCommand::Delete { name, actor } => {
                self.writable_record(name, actor)?;
                self.records.remove(name);
                Ok(Response::Applied)
            }
        }
    }

    /// The alias if `actor` may change it: anyone for single-target, only the owner for
    /// multi-target.
    fn writable_record(
        &mut self,
        name: &str,
        actor: &Option<String>,
    ) -> Result<&mut AliasRecord, Rejection> {
        let record = self
            .records
            .get_mut(name)
            .ok_or_else(|| Rejection::AliasNotFound(name.to_owned()))?;
        if !record.target.is_writable() && record.owner != *actor {
            return Err(Rejection::MultiAliasNotWritable {
                alias: name.to_owned(),
                owner: record.owner.clone(),
            });
        }
        Ok(record)
    }
}

fn validate_target(
    alias: &str,
    target: &AliasTarget,
    context: &AliasContext<'_>,
) -> Result<(), Rejection> {
    let uids = target.index_uids();
    if uids.is_empty() {
        return Err(Rejection::invalid(
            "a multi-target alias needs at least one index",
        ));
    }
    for (position, uid) in uids.iter().enumerate() {
        if uid.is_empty() {
            return Err(Rejection::invalid("alias target must not be empty"));
        }
        if uids[..position].contains(uid) {
            return Err(Rejection::invalid(format!(
                "alias target `{uid}` is listed twice"
            )));
        }
        if uid == alias {
            return Err(Rejection::invalid("an alias cannot target itself"));
        }
        if context.require_existing_target && !(context.index_exists)(uid) {
            return Err(Rejection::AliasTargetNotFound {
                alias: alias.to_owned(),
                target: uid.clone(),
            });
        }
    }
    Ok(())
}
