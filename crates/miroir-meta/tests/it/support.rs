//! Shared helpers: a state driven by `(time, command)` pairs and short command builders.

use std::collections::BTreeMap;

use miroir_core::topology::NodeId;
use miroir_meta::{
    CommandV1, IndexCommand, MetadataState, NodeSpec, Rejection, Request, Response, TaskCommand,
    TopologyCommand,
};

/// Applies `command` at `at_ms`.
pub fn apply(state: &mut MetadataState, at_ms: u64, command: CommandV1) -> Response {
    state.apply(&Request::v1(at_ms, command))
}

/// Applies `command` at `at_ms` and expects a rejection.
pub fn reject(state: &mut MetadataState, at_ms: u64, command: CommandV1) -> Rejection {
    let before = state.clone();
    match apply(state, at_ms, command) {
        Response::Rejected(rejection) => {
            assert_eq!(
                *state, before,
                "a rejected command must not change the state"
            );
            rejection
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// A node spec `id` in `group`.
pub fn node_spec(id: &str, group: u32) -> NodeSpec {
    NodeSpec {
        id: NodeId::new(id),
        address: format!("http://{id}:7700"),
        replica_group: group,
    }
}

/// Init with nodes `n0` (group 0) and `n1` (group 1), 8 shards, RF 1.
pub fn init_two_groups() -> CommandV1 {
    CommandV1::Topology(TopologyCommand::Init {
        shards: 8,
        replication_factor: 1,
        nodes: vec![node_spec("n0", 0), node_spec("n1", 1)],
    })
}

/// Creates index `uid` with 4 shards and no primary key.
pub fn create_index(uid: &str) -> CommandV1 {
    CommandV1::Index(IndexCommand::Create {
        uid: uid.to_owned(),
        shards: 4,
        primary_key: None,
    })
}

/// Enqueues a `documentAdditionOrUpdate` task on `index` fanned out to `n0`.
pub fn enqueue(index: &str) -> CommandV1 {
    CommandV1::Task(TaskCommand::Enqueue {
        index_uid: Some(index.to_owned()),
        task_type: "documentAdditionOrUpdate".to_owned(),
        details_json: Some(r#"{"receivedDocuments":1}"#.to_owned()),
        node_tasks: BTreeMap::from([(NodeId::new("n0"), 7)]),
    })
}

/// The uid an enqueue response carries.
pub fn enqueued_uid(response: Response) -> u64 {
    match response {
        Response::TaskEnqueued { task_uid } => task_uid,
        other => panic!("expected an enqueued task, got {other:?}"),
    }
}
