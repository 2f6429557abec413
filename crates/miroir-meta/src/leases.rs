//! Named leases for singleton work (§14.5 Mode B): one holder at a time until an expiry on
//! the proposer's clock. Every fresh acquisition gets a new fencing token from one
//! counter that only grows, so work started under a stale lease can be told apart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rejection::Rejection;
use crate::response::Response;

/// A lease and its current (possibly expired) holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRecord {
    /// Who holds it (a peer id).
    pub holder: String,
    /// Fencing token of this acquisition; renewals keep it.
    pub token: u64,
    /// When this acquisition happened.
    pub acquired_at_ms: u64,
    /// When it lapses unless renewed.
    pub expires_at_ms: u64,
}

impl LeaseRecord {
    /// Whether the lease is still held at `now_ms`.
    pub fn is_live(&self, now_ms: u64) -> bool {
        now_ms < self.expires_at_ms
    }
}

/// Changes to the lease table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeaseCommand {
    /// Takes a free or expired lease (or extends one's own); answers [`Response::LeaseGranted`].
    Acquire {
        /// Lease name.
        name: String,
        /// Would-be holder.
        holder: String,
        /// Lifetime from the request time (> 0).
        ttl_ms: u64,
    },
    /// Extends a live lease; only its holder may.
    Renew {
        /// Lease name.
        name: String,
        /// Current holder.
        holder: String,
        /// New lifetime from the request time (> 0).
        ttl_ms: u64,
    },
    /// Gives a lease up; only its holder may.
    Release {
        /// Lease name.
        name: String,
        /// Current holder.
        holder: String,
    },
}

impl LeaseCommand {
    /// The lease name the command is about.
    pub fn name(&self) -> &str {
        match self {
            Self::Acquire { name, .. } | Self::Renew { name, .. } | Self::Release { name, .. } => {
                name
            }
        }
    }

    pub(crate) fn describe(&self) -> String {
        let (verb, holder) = match self {
            Self::Acquire { holder, .. } => ("acquire_lease", holder),
            Self::Renew { holder, .. } => ("renew_lease", holder),
            Self::Release { holder, .. } => ("release_lease", holder),
        };
        format!("{verb} {} by {holder}", self.name())
    }
}

/// Every lease by name, plus the fencing-token counter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseTable {
    last_token: u64,
    records: BTreeMap<String, LeaseRecord>,
}

impl LeaseTable {
    /// One lease by name, live or expired.
    pub fn get(&self, name: &str) -> Option<&LeaseRecord> {
        self.records.get(name)
    }

    pub(crate) fn apply(
        &mut self,
        command: &LeaseCommand,
        now_ms: u64,
    ) -> Result<Response, Rejection> {
        match command {
            LeaseCommand::Acquire {
                name,
                holder,
                ttl_ms,
            } => {
                validate(name, holder)?;
                let expires_at_ms = expiry(now_ms, *ttl_ms)?;
                if let Some(current) = self.records.get_mut(name) {
                    if current.is_live(now_ms) {
                        if current.holder != *holder {
                            return Err(Rejection::LeaseHeld {
                                name: name.clone(),
                                holder: current.holder.clone(),
                                expires_at_ms: current.expires_at_ms,
                            });
                        }
                        current.expires_at_ms = expires_at_ms;
                        return Ok(Response::LeaseGranted {
                            token: current.token,
                            expires_at_ms,
                        });
                    }
                }
                self.last_token = self.last_token.saturating_add(1);
                let record = LeaseRecord {
                    holder: holder.clone(),
                    token: self.last_token,
                    acquired_at_ms: now_ms,
                    expires_at_ms,
                };
                self.records.insert(name.clone(), record);
                Ok(Response::LeaseGranted {
                    token: self.last_token,
                    expires_at_ms,
                })
            }
            LeaseCommand::Renew {
                name,
                holder,
                ttl_ms,
            } => {
                let expires_at_ms = expiry(now_ms, *ttl_ms)?;
                let record = self
                    .records
                    .get_mut(name)
                    .filter(|record| record.holder == *holder && record.is_live(now_ms))
                    .ok_or_else(|| not_held(name, holder))?;
                record.expires_at_ms = expires_at_ms;
                Ok(Response::LeaseGranted {
                    token: record.token,
                    expires_at_ms,
                })
            }
            LeaseCommand::Release { name, holder } => {
                match self.records.get(name) {
                    Some(record) if record.holder == *holder => {}
                    _ => return Err(not_held(name, holder)),
                }
                self.records.remove(name);
                Ok(Response::Applied)
            }
        }
    }
}

fn validate(name: &str, holder: &str) -> Result<(), Rejection> {
    if name.is_empty() || holder.is_empty() {
        return Err(Rejection::invalid(
            "lease name and holder must not be empty",
        ));
    }
    Ok(())
}

fn expiry(now_ms: u64, ttl_ms: u64) -> Result<u64, Rejection> {
    if ttl_ms == 0 {
        return Err(Rejection::invalid("lease ttl must be positive"));
    }
    Ok(now_ms.saturating_add(ttl_ms))
}

fn not_held(name: &str, holder: &str) -> Rejection {
    Rejection::LeaseNotHeld {
        name: name.to_owned(),
        holder: holder.to_owned(),
    }
}
