//! The replicated log entry: a versioned [`Command`] plus the proposer's wall-clock time.
//!
//! Every variant of [`CommandV1`] and of the per-family command enums it wraps is frozen
//! once released: a change of shape needs a new `Command::V2` (old log entries keep
//! decoding as `V1`). `FORMAT.md` in this crate logs the versions; `tests/it/frozen_bytes.rs`
//! pins the bytes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::aliases::AliasCommand;
use crate::codec::{self, CodecError};
use crate::idempotency::IdempotencyCommand;
use crate::indexes::IndexCommand;
use crate::jobs::JobCommand;
use crate::leases::LeaseCommand;
use crate::policy::StatePolicy;
use crate::settings_versions::SettingsVersionCommand;
use crate::tasks::TaskCommand;
use crate::topology::TopologyCommand;

/// The replicated log entry payload: a command plus the proposer's wall-clock time.
///
/// The state machine never reads a clock: expiries, ages and timestamps all derive from
/// `issued_at_ms`, so every replica computes the same result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Milliseconds since the Unix epoch on the proposing peer.
    pub issued_at_ms: u64,
    /// What to change.
    pub command: Command,
}

impl Request {
    /// Wraps a version-1 command.
    pub fn v1(issued_at_ms: u64, command: CommandV1) -> Self {
        Self {
            issued_at_ms,
            command: Command::V1(command),
        }
    }

    /// The request's bincode bytes (the log entry payload).
    pub fn to_bytes(&self) -> Result<Vec<u8>, CodecError> {
        codec::encode(self)
    }

    /// Decodes a request written by [`Request::to_bytes`] (any released version).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CodecError> {
        codec::decode(bytes)
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} @{}", self.command, self.issued_at_ms)
    }
}

/// A state-machine command, tagged by format version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Format version 1.
    V1(CommandV1),
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::V1(command) => fmt::Display::fmt(command, f),
        }
    }
}

/// Version-1 commands, one variant per table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CommandV1 {
    /// Nodes, groups and their administrative states.
    Topology(TopologyCommand),
    /// The index registry.
    Index(IndexCommand),
    /// The task registry.
    Task(TaskCommand),
    /// Index aliases.
    Alias(AliasCommand),
    /// Singleton leases.
    Lease(LeaseCommand),
    /// Per-(index, node) settings versions.
    SettingsVersion(SettingsVersionCommand),
    /// Background jobs.
    Job(JobCommand),
    /// Idempotency keys.
    Idempotency(IdempotencyCommand),
    /// Replaces the retention/validation policy and prunes tasks to it.
    SetPolicy(StatePolicy),
}

impl fmt::Display for CommandV1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            CommandV1::Topology(command) => command.describe(),
            CommandV1::Index(command) => command.describe(),
            CommandV1::Task(command) => command.describe(),
            CommandV1::Alias(command) => command.describe(),
            CommandV1::Lease(command) => command.describe(),
            CommandV1::SettingsVersion(command) => command.describe(),
            CommandV1::Job(command) => command.describe(),
            CommandV1::Idempotency(command) => command.describe(),
            CommandV1::SetPolicy(_) => "set_policy".to_owned(),
        };
        f.write_str(&text)
    }
}
