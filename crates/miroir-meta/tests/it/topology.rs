//! Topology commands: init once, groups and nodes only along legal transitions, removed
//! node ids never reused, a version that grows with every accepted change.

use miroir_core::topology::{NodeId, NodeState};
use miroir_meta::{CommandV1, GroupState, MetadataState, Rejection, Response, TopologyCommand};

use crate::support::{apply, init_two_groups, node_spec, reject};

fn topo(command: TopologyCommand) -> CommandV1 {
    CommandV1::Topology(command)
}

fn set_node(id: &str, state: NodeState) -> CommandV1 {
    topo(TopologyCommand::SetNodeState {
        node: NodeId::new(id),
        state,
    })
}

/// Init builds an all-active topology at version 1 and can happen only once.
#[test]
fn init_happens_once_with_every_node_and_group_active() {
    let mut state = MetadataState::default();
    assert_eq!(state.topology().version(), 0);
    assert_eq!(
        apply(&mut state, 1, init_two_groups()),
        Response::TopologyChanged { version: 1 }
    );
    let layout = state.topology().layout().expect("initialised");
    assert_eq!(layout.shards().get(), 8);
    assert!(layout.nodes().all(|node| node.state == NodeState::Active));
    assert_eq!(
        state.topology().groups().collect::<Vec<_>>(),
        vec![(0, GroupState::Active), (1, GroupState::Active)]
    );
    assert_eq!(
        reject(&mut state, 2, init_two_groups()),
        Rejection::TopologyAlreadyInitialized
    );
}

/// Bad init parameters are rejected, not panicked on.
#[test]
fn init_validates_its_parameters() {
    let mut state = MetadataState::default();
    let init = |shards, replication_factor, nodes| {
        topo(TopologyCommand::Init {
            shards,
            replication_factor,
            nodes,
        })
    };
    for command in [
        init(0, 1, vec![node_spec("a", 0)]),
        init(5000, 1, vec![node_spec("a", 0)]),
        init(4, 0, vec![node_spec("a", 0)]),
        init(4, 1, vec![]),
        init(4, 1, vec![node_spec("", 0)]),
    ] {
        assert!(matches!(
            reject(&mut state, 1, command),
            Rejection::InvalidArgument { .. }
        ));
    }
    assert_eq!(
        reject(
            &mut state,
            1,
            init(4, 1, vec![node_spec("a", 0), node_spec("a", 1)])
        ),
        Rejection::DuplicateNode(NodeId::new("a"))
    );
}

/// Nothing but init is accepted before init.
#[test]
fn changes_before_init_are_rejected() {
    let mut state = MetadataState::default();
    for command in [
        topo(TopologyCommand::AddGroup { group: 3 }),
        topo(TopologyCommand::AddNode {
            node: node_spec("x", 0),
        }),
        topo(TopologyCommand::SetGroupState {
            group: 0,
            state: GroupState::Active,
        }),
        set_node("x", NodeState::Active),
    ] {
        assert_eq!(
            reject(&mut state, 1, command),
            Rejection::TopologyNotInitialized
        );
    }
}

/// A node joins an existing group as `Joining` and moves only along legal transitions.
#[test]
fn nodes_join_and_move_only_along_legal_transitions() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, init_two_groups());
    assert_eq!(
        apply(
            &mut state,
            2,
            topo(TopologyCommand::AddNode {
                node: node_spec("n2", 0)
            })
        ),
        Response::TopologyChanged { version: 2 }
    );
    let n2 = NodeId::new("n2");
    let node_state = |state: &MetadataState| {
        state
            .topology()
            .layout()
            .and_then(|layout| layout.node(&n2))
            .map(|node| node.state)
    };
    assert_eq!(node_state(&state), Some(NodeState::Joining));
    assert_eq!(
        reject(&mut state, 3, set_node("n2", NodeState::Draining)),
        Rejection::IllegalTransition {
            node: n2.clone(),
            from: NodeState::Joining,
            to: NodeState::Draining
        }
    );
    apply(&mut state, 4, set_node("n2", NodeState::Active));
    assert_eq!(node_state(&state), Some(NodeState::Active));
    assert_eq!(state.topology().version(), 3);
    assert_eq!(
        reject(&mut state, 5, set_node("ghost", NodeState::Active)),
        Rejection::UnknownNode(NodeId::new("ghost"))
    );
}

/// Duplicate ids, unknown or removed groups are refused; a removed node's id stays retired.
#[test]
fn add_node_refuses_duplicates_retired_ids_and_bad_groups() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, init_two_groups());
    let add = |id: &str, group| {
        topo(TopologyCommand::AddNode {
            node: node_spec(id, group),
        })
    };
    assert_eq!(
        reject(&mut state, 2, add("n0", 1)),
        Rejection::DuplicateNode(NodeId::new("n0"))
    );
    assert_eq!(
        reject(&mut state, 2, add("n9", 9)),
        Rejection::UnknownGroup(9)
    );
    apply(&mut state, 3, set_node("n1", NodeState::Draining));
    apply(&mut state, 4, set_node("n1", NodeState::Removed));
    assert_eq!(
        reject(&mut state, 5, add("n1", 0)),
        Rejection::NodeIdRetired(NodeId::new("n1"))
    );
    apply(
        &mut state,
        6,
        topo(TopologyCommand::SetGroupState {
            group: 1,
            state: GroupState::Removed,
        }),
    );
    assert_eq!(
        reject(&mut state, 7, add("n5", 1)),
        Rejection::GroupRemoved(1)
    );
}

/// A new group starts initializing, becomes active, and is removable only once empty.
#[test]
fn groups_follow_their_life_cycle() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, init_two_groups());
    apply(&mut state, 2, topo(TopologyCommand::AddGroup { group: 2 }));
    assert_eq!(
        state.topology().group_state(2),
        Some(GroupState::Initializing)
    );
    assert_eq!(
        reject(&mut state, 3, topo(TopologyCommand::AddGroup { group: 2 })),
        Rejection::GroupExists(2)
    );
    let set_group = |group, state| topo(TopologyCommand::SetGroupState { group, state });
    apply(&mut state, 4, set_group(2, GroupState::Active));
    assert_eq!(
        reject(&mut state, 5, set_group(2, GroupState::Initializing)),
        Rejection::IllegalGroupTransition {
            group: 2,
            from: GroupState::Active,
            to: GroupState::Initializing
        }
    );
    assert_eq!(
        reject(&mut state, 5, set_group(0, GroupState::Removed)),
        Rejection::GroupHasLiveNodes {
            group: 0,
            live_nodes: 1
        }
    );
    assert_eq!(
        reject(&mut state, 5, set_group(7, GroupState::Active)),
        Rejection::UnknownGroup(7)
    );
    apply(&mut state, 6, set_group(2, GroupState::Removed));
    assert_eq!(state.topology().group_state(2), Some(GroupState::Removed));
}

/// Removing a group takes all of its nodes out of routing in one command, once.
#[test]
fn remove_group_retires_every_node_of_the_group_at_once() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, init_two_groups());
    let version = state.topology().version();
    assert_eq!(
        apply(
            &mut state,
            2,
            topo(TopologyCommand::RemoveGroup { group: 1 })
        ),
        Response::TopologyChanged {
            version: version + 1
        }
    );
    assert_eq!(state.topology().group_state(1), Some(GroupState::Removed));
    let layout = state.topology().layout().expect("initialised");
    assert!(layout
        .group_nodes(1)
        .iter()
        .all(|node| node.state == NodeState::Removed));
    assert!(layout
        .group_nodes(0)
        .iter()
        .all(|node| node.state == NodeState::Active));
    assert_eq!(
        reject(
            &mut state,
            3,
            topo(TopologyCommand::RemoveGroup { group: 1 })
        ),
        Rejection::GroupRemoved(1)
    );
    assert_eq!(
        reject(
            &mut state,
            3,
            topo(TopologyCommand::RemoveGroup { group: 9 })
        ),
        Rejection::UnknownGroup(9)
    );
}

/// A node's address can change; its id, state and group stay; removed or unknown nodes and
/// empty addresses are refused.
#[test]
fn node_addresses_follow_the_configuration() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, init_two_groups());
    let node = NodeId::new("n0");
    let set = |node: &NodeId, address: &str| {
        topo(TopologyCommand::SetNodeAddress {
            node: node.clone(),
            address: address.to_owned(),
        })
    };
    apply(&mut state, 2, set(&node, "http://elsewhere:7700"));
    let layout = state.topology().layout().expect("initialised");
    let moved = layout.node(&node).expect("still there");
    assert_eq!(moved.address, "http://elsewhere:7700");
    assert_eq!(moved.state, NodeState::Active);
    assert!(matches!(
        reject(&mut state, 3, set(&node, "")),
        Rejection::InvalidArgument { .. }
    ));
    assert_eq!(
        reject(&mut state, 3, set(&NodeId::new("zz"), "http://x")),
        Rejection::UnknownNode(NodeId::new("zz"))
    );
}
