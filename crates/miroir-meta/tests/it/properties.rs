//! Properties of the whole state machine over random command sequences.

use std::collections::BTreeMap;

use miroir_core::topology::{NodeId, NodeState};
use miroir_meta::{
    AliasCommand, AliasTarget, CommandV1, GroupState, IdempotencyCommand, IndexCommand, IndexState,
    JobCommand, LeaseCommand, MetadataState, NodeSpec, Request, Response, SettingsVersionCommand,
    StatePolicy, TaskCommand, TaskStatus, TopologyCommand,
};
use proptest::prelude::*;

fn name(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(pool).prop_map(str::to_owned)
}

fn node_id() -> impl Strategy<Value = NodeId> {
    name(&["n0", "n1", "n2", "n3", "n4", ""]).prop_map(NodeId::new)
}

fn node_spec() -> impl Strategy<Value = NodeSpec> {
    (node_id(), 0u32..4).prop_map(|(id, replica_group)| NodeSpec {
        address: format!("http://{id}:7700"),
        id,
        replica_group,
    })
}

fn node_state() -> impl Strategy<Value = NodeState> {
    prop::sample::select(vec![
        NodeState::Joining,
        NodeState::Active,
        NodeState::Draining,
        NodeState::Removed,
    ])
}

fn topology_command() -> impl Strategy<Value = TopologyCommand> {
    prop_oneof![
        4 => (1u32..20, 1u32..3, prop::collection::btree_map(
            name(&["n0", "n1", "n2", "n3"]),
            0u32..3,
            1..4
        ))
            .prop_map(|(shards, replication_factor, nodes)| TopologyCommand::Init {
                shards,
                replication_factor,
                nodes: nodes
                    .into_iter()
                    .map(|(id, replica_group)| NodeSpec {
                        address: format!("http://{id}:7700"),
                        id: NodeId::new(id),
                        replica_group,
                    })
                    .collect(),
            }),
        1 => (0u32..20, 0u32..3, prop::collection::vec(node_spec(), 0..4)).prop_map(
            |(shards, replication_factor, nodes)| TopologyCommand::Init {
                shards,
                replication_factor,
                nodes
            }
        ),
        1 => (0u32..5).prop_map(|group| TopologyCommand::AddGroup { group }),
        2 => (
            0u32..5,
            prop::sample::select(vec![
                GroupState::Initializing,
                GroupState::Active,
                GroupState::Removed
            ])
        )
            .prop_map(|(group, state)| TopologyCommand::SetGroupState { group, state }),
        2 => node_spec().prop_map(|node| TopologyCommand::AddNode { node }),
        1 => (0u32..5).prop_map(|group| TopologyCommand::RemoveGroup { group }),
        1 => (node_id(), "[a-z:/0-9]{0,12}")
            .prop_map(|(node, address)| TopologyCommand::SetNodeAddress { node, address }),
        4 => (node_id(), node_state())
            .prop_map(|(node, state)| TopologyCommand::SetNodeState { node, state }),
    ]
}

const INDEXES: &[&str] = &["a", "b", "c", ""];

fn index_command() -> impl Strategy<Value = IndexCommand> {
    let state = prop::sample::select(vec![
        IndexState::Creating,
        IndexState::Ready,
        IndexState::Deleting,
    ]);
    prop_oneof![
        (
            name(INDEXES),
            0u32..6,
            prop::option::of(name(&["id", "sku", ""]))
        )
            .prop_map(|(uid, shards, primary_key)| IndexCommand::Create {
                uid,
                shards,
                primary_key
            }),
        (name(INDEXES), state).prop_map(|(uid, state)| IndexCommand::SetState { uid, state }),
        (name(INDEXES), name(&["id", "sku"]))
            .prop_map(|(uid, primary_key)| IndexCommand::SetPrimaryKey { uid, primary_key }),
        name(INDEXES).prop_map(|uid| IndexCommand::BumpSettingsVersion { uid }),
        name(INDEXES).prop_map(|uid| IndexCommand::Delete { uid }),
    ]
}

fn task_status() -> impl Strategy<Value = TaskStatus> {
    prop::sample::select(vec![
        TaskStatus::Enqueued,
        TaskStatus::Processing,
        TaskStatus::Succeeded,
        TaskStatus::Failed,
        TaskStatus::Canceled,
    ])
}

fn task_command() -> impl Strategy<Value = TaskCommand> {
    prop_oneof![
        3 => (
            prop::option::of(name(INDEXES)),
            name(&["documentAdditionOrUpdate", "settingsUpdate", ""]),
            prop::collection::btree_map(node_id(), any::<u64>(), 0..3),
        )
            .prop_map(|(index_uid, task_type, node_tasks)| TaskCommand::Enqueue {
                index_uid,
                task_type,
                details_json: Some("{}".into()),
                node_tasks,
            }),
        3 => (0u64..8, task_status(), prop::option::of(name(&["{}", "{\"e\":1}"]))).prop_map(
            |(uid, status, error_json)| TaskCommand::UpdateStatus {
                uid,
                status,
                details_json: None,
                error_json
            }
        ),
        1 => (0u64..8, node_id(), any::<u64>(), task_status()).prop_map(
            |(uid, node, task_uid, status)| TaskCommand::UpdateNodeTask {
                uid,
                node,
                task_uid,
                status,
                error_json: None
            }
        ),
        1 => prop::collection::vec(0u64..8, 0..4).prop_map(|uids| TaskCommand::Delete { uids }),
    ]
}

fn alias_target() -> impl Strategy<Value = AliasTarget> {
    let targets = &["a", "b", "c"];
    prop_oneof![
        4 => name(targets).prop_map(AliasTarget::Single),
        3 => prop::collection::btree_set(name(targets), 1..3)
            .prop_map(|uids| AliasTarget::Multi(uids.into_iter().collect())),
        1 => prop::collection::vec(name(INDEXES), 0..3).prop_map(AliasTarget::Multi),
    ]
}

fn alias_command() -> impl Strategy<Value = AliasCommand> {
    let names = &["x", "y", "a"];
    let actor = || prop::option::of(name(&["ilm", "ops"]));
    prop_oneof![
        (name(names), alias_target(), actor()).prop_map(|(name, target, owner)| {
            AliasCommand::Create {
                name,
                target,
                owner,
            }
        }),
        (name(names), alias_target(), actor()).prop_map(|(name, target, actor)| {
            AliasCommand::Repoint {
                name,
                target,
                actor,
            }
        }),
        (name(names), actor()).prop_map(|(name, actor)| AliasCommand::Delete { name, actor }),
    ]
}

fn lease_command() -> impl Strategy<Value = LeaseCommand> {
    let holders = &["peer-a", "peer-b", ""];
    prop_oneof![
        (name(&["l1", "l2"]), name(holders), 0u64..2_000).prop_map(|(name, holder, ttl_ms)| {
            LeaseCommand::Acquire {
                name,
                holder,
                ttl_ms,
            }
        }),
        (name(&["l1", "l2"]), name(holders), 0u64..2_000).prop_map(|(name, holder, ttl_ms)| {
            LeaseCommand::Renew {
                name,
                holder,
                ttl_ms,
            }
        }),
        (name(&["l1", "l2"]), name(holders))
            .prop_map(|(name, holder)| LeaseCommand::Release { name, holder }),
    ]
}

fn job_command() -> impl Strategy<Value = JobCommand> {
    let ids = &["j1", "j2"];
    let holders = &["peer-a", "peer-b"];
    prop_oneof![
        2 => name(ids).prop_map(|id| JobCommand::Create {
            id,
            kind: "rebalance".into(),
            payload: "{}".into()
        }),
        3 => (name(ids), name(holders), 0u64..2_000)
            .prop_map(|(id, holder, ttl_ms)| JobCommand::Claim { id, holder, ttl_ms }),
        4 => (name(ids), name(holders), 0u64..1_000).prop_map(|(id, holder, cursor)| {
            JobCommand::Progress {
                id,
                holder,
                cursor,
                progress_json: None,
            }
        }),
        1 => (name(ids), name(holders)).prop_map(|(id, holder)| JobCommand::Complete { id, holder }),
        1 => (name(ids), name(holders)).prop_map(|(id, holder)| JobCommand::Fail {
            id,
            holder,
            error: "boom".into()
        }),
        1 => name(ids).prop_map(|id| JobCommand::Pause { id }),
        1 => name(ids).prop_map(|id| JobCommand::Resume { id }),
        1 => name(ids).prop_map(|id| JobCommand::Delete { id }),
    ]
}

fn command() -> impl Strategy<Value = CommandV1> {
    prop_oneof![
        2 => topology_command().prop_map(CommandV1::Topology),
        2 => index_command().prop_map(CommandV1::Index),
        4 => task_command().prop_map(CommandV1::Task),
        2 => alias_command().prop_map(CommandV1::Alias),
        1 => lease_command().prop_map(CommandV1::Lease),
        1 => (name(INDEXES), node_id(), 0u64..5).prop_map(|(index_uid, node, version)| {
            CommandV1::SettingsVersion(SettingsVersionCommand::Set { index_uid, node, version })
        }),
        3 => job_command().prop_map(CommandV1::Job),
        1 => (name(&["k1", "k2", "k3"]), 0u8..2, 0u64..500).prop_map(|(key, body, ttl_ms)| {
            CommandV1::Idempotency(IdempotencyCommand::Record {
                key,
                body_sha256: vec![body; 32],
                response: format!("r{body}"),
                ttl_ms,
            })
        }),
        1 => (0u64..200, 0u64..8, 0u32..3, any::<bool>(), 0u64..3).prop_map(
            |(task_ttl_ms, max_retained_tasks, alias_history_retention, require, max_keys)| {
                CommandV1::SetPolicy(StatePolicy {
                    task_ttl_ms,
                    max_retained_tasks,
                    alias_history_retention,
                    alias_requires_existing_target: require,
                    max_idempotency_keys: max_keys,
                })
            }
        ),
    ]
}

/// Requests with a mostly-forward clock (occasionally stepping back, as a new leader's
/// clock may).
fn requests(max_len: usize) -> impl Strategy<Value = Vec<Request>> {
    prop::collection::vec((-5i64..40, command()), 0..max_len).prop_map(|steps| {
        let mut now: u64 = 1_000;
        steps
            .into_iter()
            .map(|(step, command)| {
                now = now.saturating_add_signed(step);
                Request::v1(now, command)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A replica restored from a snapshot taken midway ends in the same state, with the same
    /// digest and the same responses, as one that applied the whole log.
    #[test]
    fn snapshot_restore_midway_converges(requests in requests(120), cut in any::<prop::sample::Index>()) {
        let split = cut.index(requests.len() + 1);
        let mut whole = MetadataState::default();
        let whole_responses: Vec<Response> = requests.iter().map(|r| whole.apply(r)).collect();

        let mut first = MetadataState::default();
        for request in &requests[..split] {
            first.apply(request);
        }
        let bytes = first.to_snapshot_bytes().expect("encodes");
        let mut restored = MetadataState::from_snapshot_bytes(&bytes).expect("decodes");
        prop_assert_eq!(&restored, &first);
        let tail_responses: Vec<Response> =
            requests[split..].iter().map(|r| restored.apply(r)).collect();

        prop_assert_eq!(&tail_responses[..], &whole_responses[split..]);
        prop_assert_eq!(&restored, &whole);
        prop_assert_eq!(restored.digest(), whole.digest());
        prop_assert_eq!(
            restored.to_snapshot_bytes().expect("encodes"),
            whole.to_snapshot_bytes().expect("encodes")
        );
    }

    /// Enqueued task uids strictly increase and stay below the counter, whatever else happens.
    #[test]
    fn task_uids_strictly_increase(requests in requests(150)) {
        let mut state = MetadataState::default();
        let mut last: Option<u64> = None;
        for request in &requests {
            if let Response::TaskEnqueued { task_uid } = state.apply(request) {
                prop_assert!(last.is_none_or(|last| task_uid > last));
                prop_assert!(task_uid < state.next_task_uid());
                last = Some(task_uid);
            }
        }
    }

    /// Any command at any time is answered (rejections leave the state as it was, apart from
    /// the idempotency keys that expired by then).
    #[test]
    fn apply_never_panics_and_rejections_change_nothing(
        requests in requests(80),
        wild in prop::collection::vec((any::<u64>(), command()), 0..20),
    ) {
        let mut state = MetadataState::default();
        let wild = wild.into_iter().map(|(at, command)| Request::v1(at, command));
        for request in requests.into_iter().chain(wild) {
            let mut expected_if_rejected = state.clone();
            expected_if_rejected.apply(&Request::v1(
                request.issued_at_ms,
                CommandV1::Task(TaskCommand::Delete { uids: Vec::new() }),
            ));
            let response = state.apply(&request);
            if response.rejection().is_some() {
                prop_assert_eq!(&state, &expected_if_rejected, "{}", request);
            }
        }
    }

    /// Every request survives its own encoding.
    #[test]
    fn requests_round_trip_through_bytes(requests in requests(30)) {
        for request in requests {
            let bytes = request.to_bytes().expect("encodes");
            prop_assert_eq!(Request::from_bytes(&bytes).expect("decodes"), request);
        }
    }
}

/// Enqueues with a huge clock jump and a tiny cap keep the registry bounded by the cap
/// (all tasks finished) — pruning is count-driven even when nothing is old.
#[test]
fn count_pruning_bounds_finished_tasks() {
    let mut state = MetadataState::with_policy(StatePolicy {
        max_retained_tasks: 5,
        ..StatePolicy::default()
    });
    for uid in 0..50u64 {
        state.apply(&Request::v1(
            uid,
            CommandV1::Task(TaskCommand::Enqueue {
                index_uid: None,
                task_type: "dumpCreation".into(),
                details_json: None,
                node_tasks: BTreeMap::new(),
            }),
        ));
        state.apply(&Request::v1(
            uid,
            CommandV1::Task(TaskCommand::UpdateStatus {
                uid,
                status: TaskStatus::Succeeded,
                details_json: None,
                error_json: None,
            }),
        ));
    }
    assert!(state.task_count() <= 6);
    assert!(state.task(49).is_some());
    assert_eq!(state.next_task_uid(), 50);
}
