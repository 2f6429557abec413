//! Decoding of snapshot format 1 (before task records carried `canceled_by`): the same
//! tables, with version-1 task records, converted to the current state.

use std::collections::BTreeMap;

use miroir_core::topology::NodeId;
use serde::Deserialize;

use crate::aliases::AliasTable;
use crate::idempotency::IdempotencyTable;
use crate::indexes::IndexRegistry;
use crate::jobs::JobTable;
use crate::leases::LeaseTable;
use crate::policy::StatePolicy;
use crate::settings_versions::NodeSettingsVersions;
use crate::state::MetadataState;
use crate::tasks::{NodeTask, TaskRecord, TaskStatus, TaskTable};
use crate::topology::ClusterTopology;

/// `MetadataState` as format 1 encoded it (field order is the wire order).
#[derive(Deserialize)]
pub(crate) struct MetadataStateV1 {
    policy: StatePolicy,
    topology: ClusterTopology,
    indexes: IndexRegistry,
    tasks: TaskTableV1,
    aliases: AliasTable,
    leases: LeaseTable,
    settings_versions: NodeSettingsVersions,
    jobs: JobTable,
    idempotency: IdempotencyTable,
}

#[derive(Deserialize)]
struct TaskTableV1 {
    next_uid: u64,
    records: BTreeMap<u64, TaskRecordV1>,
}

/// A task record of format 1: every field of [`TaskRecord`] but `canceled_by`.
#[derive(Deserialize)]
struct TaskRecordV1 {
    uid: u64,
    index_uid: Option<String>,
    task_type: String,
    status: TaskStatus,
    details_json: Option<String>,
    error_json: Option<String>,
    node_tasks: BTreeMap<NodeId, NodeTask>,
    enqueued_at_ms: u64,
    started_at_ms: Option<u64>,
    finished_at_ms: Option<u64>,
}

impl From<TaskRecordV1> for TaskRecord {
    fn from(record: TaskRecordV1) -> Self {
        TaskRecord {
            uid: record.uid,
            index_uid: record.index_uid,
            task_type: record.task_type,
            status: record.status,
            details_json: record.details_json,
            error_json: record.error_json,
            node_tasks: record.node_tasks,
            enqueued_at_ms: record.enqueued_at_ms,
            started_at_ms: record.started_at_ms,
            finished_at_ms: record.finished_at_ms,
            canceled_by: None,
        }
    }
}

impl From<MetadataStateV1> for MetadataState {
    fn from(state: MetadataStateV1) -> Self {
        let records = state
            .tasks
            .records
            .into_iter()
            .map(|(uid, record)| (uid, TaskRecord::from(record)))
            .collect();
        MetadataState::from_tables(
            state.policy,
            state.topology,
            state.indexes,
            TaskTable::from_records(state.tasks.next_uid, records),
            state.aliases,
            state.leases,
            state.settings_versions,
            state.jobs,
            state.idempotency,
        )
    }
}
