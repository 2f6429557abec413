//! The refusals operators see before anything changes.

use miroir_meta::{CommandV1, JobCommand, Request, Response, TopologyCommand};

use super::*;

fn spec(id: &str, group: GroupId) -> NodeSpec {
    NodeSpec {
        id: NodeId::new(id),
        address: format!("http://{id}:7700"),
        replica_group: group,
    }
}

fn apply(state: &mut MetadataState, command: CommandV1) {
    let response = state.apply(&Request::v1(1_000, command));
    assert!(!matches!(response, Response::Rejected(_)), "{response:?}");
}

/// Two nodes in group 0, one in group 1, RF 1.
fn cluster() -> MetadataState {
    with_nodes(vec![spec("a", 0), spec("b", 0), spec("c", 1)])
}

/// A cluster of `nodes`, RF 1.
fn with_nodes(nodes: Vec<NodeSpec>) -> MetadataState {
    let mut state = MetadataState::default();
    apply(
        &mut state,
        CommandV1::Topology(TopologyCommand::Init {
            shards: 8,
            replication_factor: 1,
            nodes,
        }),
    );
    state
}

fn conflict(result: Result<(), Refusal>) -> String {
    match result {
        Err(Refusal::Conflict(message)) => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn invalid(result: Result<(), Refusal>) -> String {
    match result {
        Err(Refusal::Invalid(message)) => message,
        other => panic!("expected an invalid request, got {other:?}"),
    }
}

#[test]
fn adding_a_node_needs_a_fresh_id_an_address_and_an_active_group() {
    let state = cluster();
    let add = |node| TopologyOperation::AddNode { node };
    assert_eq!(check(&state, &add(spec("d", 0)), false), Ok(()));
    assert!(invalid(check(&state, &add(spec("a", 0)), false)).contains("already part"));
    assert!(invalid(check(&state, &add(spec("d", 7)), false)).contains("does not exist"));
    let mut no_scheme = spec("d", 0);
    no_scheme.address = "d:7700".into();
    assert!(invalid(check(&state, &add(no_scheme), false)).contains("http://"));
}

#[test]
fn removing_an_active_node_asks_for_a_drain_first() {
    let mut state = cluster();
    let remove = TopologyOperation::RemoveNode {
        node: NodeId::new("a"),
        force: false,
    };
    assert!(conflict(check(&state, &remove, false)).contains("drain it first"));
    apply(
        &mut state,
        CommandV1::Topology(TopologyCommand::SetNodeState {
            node: NodeId::new("a"),
            state: NodeState::Draining,
        }),
    );
    assert_eq!(check(&state, &remove, false), Ok(()));
}

#[test]
fn draining_the_last_replica_of_the_data_needs_force() {
    let state = with_nodes(vec![spec("a", 0)]);
    let drain = TopologyOperation::DrainNode {
        node: NodeId::new("a"),
    };
    assert!(conflict(check(&state, &drain, false)).contains("force"));
    assert_eq!(check(&state, &drain, true), Ok(()));
    // In a group with another node, or with another active group, no force is needed.
    let state = cluster();
    let drain_c = TopologyOperation::DrainNode {
        node: NodeId::new("c"),
    };
    assert_eq!(check(&state, &drain_c, false), Ok(()));
}

#[test]
fn the_last_active_group_is_removed_only_by_force() {
    let state = cluster();
    let remove = |group| TopologyOperation::RemoveGroup { group };
    assert_eq!(check(&state, &remove(1), false), Ok(()));
    let single = with_nodes(vec![spec("a", 0)]);
    assert!(conflict(check(&single, &remove(0), false)).contains("last active group"));
    assert_eq!(check(&single, &remove(0), true), Ok(()));
    assert!(invalid(check(&state, &remove(9), false)).contains("does not exist"));
}

#[test]
fn a_new_group_needs_its_own_new_nodes() {
    let state = cluster();
    let add = |group, nodes| TopologyOperation::AddGroup { group, nodes };
    assert_eq!(check(&state, &add(2, vec![spec("d", 2)]), false), Ok(()));
    assert!(invalid(check(&state, &add(1, vec![spec("d", 1)]), false)).contains("exists"));
    assert!(invalid(check(&state, &add(2, vec![]), false)).contains("at least one"));
    assert!(invalid(check(&state, &add(2, vec![spec("d", 3)]), false)).contains("names group"));
    assert!(invalid(check(
        &state,
        &add(2, vec![spec("d", 2), spec("d", 2)]),
        false
    ))
    .contains("twice"));
}

#[test]
fn one_operation_runs_at_a_time() {
    let mut state = cluster();
    apply(
        &mut state,
        CommandV1::Job(JobCommand::Create {
            id: "op-1".into(),
            kind: JOB_KIND.into(),
            payload: "{}".into(),
        }),
    );
    assert!(has_unfinished_operation(&state));
    let add = TopologyOperation::AddNode { node: spec("d", 0) };
    assert!(conflict(check(&state, &add, false)).contains("op-1"));
    assert_eq!(
        latest_operation(&state).map(|job| job.id.as_str()),
        Some("op-1")
    );
}

#[test]
fn operations_and_progress_round_trip_as_json() {
    let operation = TopologyOperation::AddGroup {
        group: 2,
        nodes: vec![spec("d", 2)],
    };
    let json = serde_json::to_string(&operation).unwrap();
    assert!(json.contains("\"operation\":\"add_group\""), "{json}");
    assert_eq!(
        serde_json::from_str::<TopologyOperation>(&json).unwrap(),
        operation
    );
    let progress = OperationProgress {
        step: Step::Copy,
        documents_copied: 7,
        ..OperationProgress::default()
    };
    let job = JobRecord {
        id: "op".into(),
        kind: JOB_KIND.into(),
        payload: json,
        state: miroir_meta::JobState::InProgress,
        claim: None,
        cursor: 7,
        progress_json: Some(serde_json::to_string(&progress).unwrap()),
        attempts: 1,
        error: None,
        created_at_ms: 1,
        updated_at_ms: 2,
    };
    assert_eq!(OperationProgress::of(&job), progress);
}

#[test]
fn only_finished_operations_beyond_the_most_recent_are_pruned() {
    let mut state = cluster();
    for n in 0..4 {
        let response = state.apply(&Request::v1(
            1_000 + n,
            CommandV1::Job(JobCommand::Create {
                id: format!("op-{n}"),
                kind: JOB_KIND.into(),
                payload: "{}".into(),
            }),
        ));
        assert!(!matches!(response, Response::Rejected(_)), "{response:?}");
    }
    for n in 0..3 {
        let id = format!("op-{n}");
        apply(
            &mut state,
            CommandV1::Job(JobCommand::Claim {
                id: id.clone(),
                holder: "peer-1".into(),
                ttl_ms: 60_000,
            }),
        );
        apply(
            &mut state,
            CommandV1::Job(JobCommand::Complete {
                id,
                holder: "peer-1".into(),
            }),
        );
    }
    assert_eq!(prunable_operations(&state, 1), ["op-0", "op-1"]);
    assert!(prunable_operations(&state, 3).is_empty());
    assert_eq!(
        prunable_operations(&state, 0),
        ["op-0", "op-1", "op-2"],
        "the unfinished op-3 is never pruned"
    );
}
