//! The whole replicated metadata and the deterministic `apply` that changes it.
//!
//! ```text
//!   Request { issued_at_ms, Command::V1(..) }
//!        │
//!        ▼
//!   MetadataState::apply ── drop expired idempotency keys (time = issued_at_ms)
//!        │               └─ dispatch to the table; cross-table checks happen here
//!        ▼
//!   Response (typed success or Rejected(..) with the table left unchanged)
//! ```
//!
//! Only `BTreeMap`s and `BTreeSet`s: iteration, encoding and digests are identical on every
//! replica. No clock, no randomness, no I/O.

use miroir_core::topology::NodeId;
use serde::{Deserialize, Serialize};

use crate::aliases::{AliasCommand, AliasContext, AliasRecord, AliasTable};
use crate::idempotency::{IdempotencyEntry, IdempotencyTable};
use crate::indexes::{IndexCommand, IndexRecord, IndexRegistry};
use crate::jobs::{JobRecord, JobTable};
use crate::leases::{LeaseRecord, LeaseTable};
use crate::policy::StatePolicy;
use crate::rejection::Rejection;
use crate::request::{Command, CommandV1, Request};
use crate::response::Response;
use crate::settings_versions::{NodeSettingsVersions, SettingsVersionCommand};
use crate::task_query::{TaskPage, TaskQuery};
use crate::tasks::{TaskRecord, TaskTable};
use crate::topology::ClusterTopology;

/// All shared metadata of a Miroir cluster, as every peer's state machine holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetadataState {
    policy: StatePolicy,
    topology: ClusterTopology,
    indexes: IndexRegistry,
    tasks: TaskTable,
    aliases: AliasTable,
    leases: LeaseTable,
    settings_versions: NodeSettingsVersions,
    jobs: JobTable,
    idempotency: IdempotencyTable,
}

impl MetadataState {
    /// Reassembles a state decoded from an older snapshot format.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_tables(
        policy: StatePolicy,
        topology: ClusterTopology,
        indexes: IndexRegistry,
        tasks: TaskTable,
        aliases: AliasTable,
        leases: LeaseTable,
        settings_versions: NodeSettingsVersions,
        jobs: JobTable,
        idempotency: IdempotencyTable,
    ) -> Self {
        Self {
            policy,
            topology,
            indexes,
            tasks,
            aliases,
            leases,
            settings_versions,
            jobs,
            idempotency,
        }
    }

    /// A fresh state enforcing `policy` (e.g. [`StatePolicy::from_config`]).
    pub fn with_policy(policy: StatePolicy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// Applies one committed request. Never panics: a bad command yields
    /// [`Response::Rejected`] and leaves every table unchanged, except that idempotency
    /// keys expired at `issued_at_ms` are dropped before any command runs.
    pub fn apply(&mut self, request: &Request) -> Response {
        let now_ms = request.issued_at_ms;
        self.idempotency.prune_expired(now_ms);
        let Command::V1(command) = &request.command;
        self.apply_v1(command, now_ms)
            .unwrap_or_else(Response::Rejected)
    }

    fn apply_v1(&mut self, command: &CommandV1, now_ms: u64) -> Result<Response, Rejection> {
        match command {
            CommandV1::Topology(command) => self.topology.apply(command),
            CommandV1::Index(command) => self.apply_index(command, now_ms),
            CommandV1::Task(command) => self.tasks.apply(command, now_ms, &self.policy),
            CommandV1::Alias(command) => self.apply_alias(command, now_ms),
            CommandV1::Lease(command) => self.leases.apply(command, now_ms),
            CommandV1::SettingsVersion(command) => self.apply_settings_version(command),
            CommandV1::Job(command) => self.jobs.apply(command, now_ms),
            CommandV1::Idempotency(command) => {
                self.idempotency
                    .apply(command, now_ms, self.policy.max_idempotency_keys)
            }
            CommandV1::SetPolicy(policy) => {
                self.policy = policy.clone();
                self.tasks.prune(now_ms, &self.policy);
                Ok(Response::Applied)
            }
        }
    }

    fn apply_index(&mut self, command: &IndexCommand, now_ms: u64) -> Result<Response, Rejection> {
        match command {
            IndexCommand::Create { uid, .. } if self.aliases.contains(uid) => {
                return Err(Rejection::IndexUidIsAlias(uid.clone()));
            }
            IndexCommand::Delete { uid } => self.refuse_alias_target(uid)?,
            IndexCommand::Swap { swaps } => {
                for swap in swaps.iter().filter(|swap| swap.rename) {
                    self.refuse_alias_target(&swap.first)?;
                    if self.aliases.contains(&swap.second) {
                        return Err(Rejection::IndexUidIsAlias(swap.second.clone()));
                    }
                }
            }
            _ => {}
        }
        let response = self.indexes.apply(command, now_ms)?;
        match command {
            IndexCommand::Delete { uid } => self.settings_versions.remove_index(uid),
            IndexCommand::Swap { swaps } => {
                for swap in swaps {
                    self.settings_versions
                        .follow_swap(&swap.first, &swap.second, swap.rename);
                }
            }
            _ => {}
        }
        Ok(response)
    }

    /// Refuses to make `uid` disappear while an alias points at it.
    fn refuse_alias_target(&self, uid: &str) -> Result<(), Rejection> {
        let targeting = self
            .aliases
            .iter()
            .find(|alias| alias.target.index_uids().iter().any(|target| target == uid));
        match targeting {
            Some(alias) => Err(Rejection::IndexIsAliasTarget {
                uid: uid.to_owned(),
                alias: alias.name.clone(),
            }),
            None => Ok(()),
        }
    }

    fn apply_alias(&mut self, command: &AliasCommand, now_ms: u64) -> Result<Response, Rejection> {
        let indexes = &self.indexes;
        let index_exists = |uid: &str| indexes.contains(uid);
        let context = AliasContext {
            index_exists: &index_exists,
            require_existing_target: self.policy.alias_requires_existing_target,
            history_retention: self.policy.alias_history_retention,
        };
        self.aliases.apply(command, now_ms, &context)
    }

    fn apply_settings_version(
        &mut self,
        command: &SettingsVersionCommand,
    ) -> Result<Response, Rejection> {
        let SettingsVersionCommand::Set {
            index_uid, node, ..
        } = command;
        if !self.indexes.contains(index_uid) {
            return Err(Rejection::IndexNotFound(index_uid.clone()));
        }
        let node_known = self
            .topology
            .layout()
            .is_some_and(|layout| layout.node(node).is_some());
        if !node_known {
            return Err(Rejection::UnknownNode(node.clone()));
        }
        self.settings_versions.apply(command)
    }

    /// The retention and validation policy in force.
    pub fn policy(&self) -> &StatePolicy {
        &self.policy
    }

    /// Nodes, groups, their states and the topology version.
    pub fn topology(&self) -> &ClusterTopology {
        &self.topology
    }

    /// One index by uid.
    pub fn index(&self, uid: &str) -> Option<&IndexRecord> {
        self.indexes.get(uid)
    }

    /// Every index, ascending by uid.
    pub fn indexes(&self) -> impl Iterator<Item = &IndexRecord> {
        self.indexes.iter()
    }

    /// One task by uid (absent once deleted or pruned).
    pub fn task(&self, uid: u64) -> Option<&TaskRecord> {
        self.tasks.get(uid)
    }

    /// A filtered page of tasks, newest first, like Meilisearch's `GET /tasks`.
    pub fn tasks(&self, query: &TaskQuery) -> TaskPage<'_> {
        self.tasks.query(query)
    }

    /// The uid the next enqueued task will receive.
    pub fn next_task_uid(&self) -> u64 {
        self.tasks.next_uid()
    }

    /// Number of retained tasks (the `miroir_task_registry_size` gauge).
    pub fn task_count(&self) -> usize {
        self.tasks.len()
    }

    /// One alias by name.
    pub fn alias(&self, name: &str) -> Option<&AliasRecord> {
        self.aliases.get(name)
    }

    /// Every alias, ascending by name.
    pub fn aliases(&self) -> impl Iterator<Item = &AliasRecord> {
        self.aliases.iter()
    }

    /// One lease by name, live or expired (see [`LeaseRecord::is_live`]).
    pub fn lease(&self, name: &str) -> Option<&LeaseRecord> {
        self.leases.get(name)
    }

    /// One job by id.
    pub fn job(&self, id: &str) -> Option<&JobRecord> {
        self.jobs.get(id)
    }

    /// Every job, ascending by id.
    pub fn jobs(&self) -> impl Iterator<Item = &JobRecord> {
        self.jobs.iter()
    }

    /// Jobs a peer could claim at `now_ms` (the background queue).
    pub fn claimable_jobs(&self, now_ms: u64) -> impl Iterator<Item = &JobRecord> {
        self.jobs.claimable(now_ms)
    }

    /// The idempotency entry for `key` if still live at `now_ms`.
    pub fn idempotency(&self, key: &str, now_ms: u64) -> Option<&IdempotencyEntry> {
        self.idempotency.get(key, now_ms)
    }

    /// Number of idempotency keys held (the `miroir_idempotency_cache_size` gauge).
    pub fn idempotency_key_count(&self) -> usize {
        self.idempotency.len()
    }

    /// The settings version `node` confirmed for `index_uid`, if any.
    pub fn settings_version(&self, index_uid: &str, node: &NodeId) -> Option<u64> {
        self.settings_versions.get(index_uid, node)
    }

    /// Every node's confirmed settings version of `index_uid`, ascending by node id.
    pub fn settings_versions<'a>(
        &'a self,
        index_uid: &'a str,
    ) -> impl Iterator<Item = (&'a NodeId, u64)> {
        self.settings_versions.for_index(index_uid)
    }
}
