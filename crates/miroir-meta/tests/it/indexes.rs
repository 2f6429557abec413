//! Index registry commands: create, life-cycle, primary key, settings version, delete.

use miroir_meta::{CommandV1, IndexCommand, IndexState, MetadataState, Rejection, Response};

use crate::support::{apply, create_index, reject};

fn index(command: IndexCommand) -> CommandV1 {
    CommandV1::Index(command)
}

/// A created index starts `Creating` at settings version 0 with its creation time.
#[test]
fn create_registers_a_creating_index() {
    let mut state = MetadataState::default();
    assert_eq!(
        apply(&mut state, 10, create_index("movies")),
        Response::Applied
    );
    let record = state.index("movies").expect("registered");
    assert_eq!(record.state, IndexState::Creating);
    assert_eq!(record.shards, 4);
    assert_eq!(record.settings_version, 0);
    assert_eq!(record.created_at_ms, 10);
    assert_eq!(
        reject(&mut state, 11, create_index("movies")),
        Rejection::IndexExists("movies".into())
    );
    for bad in [
        IndexCommand::Create {
            uid: String::new(),
            shards: 4,
            primary_key: None,
        },
        IndexCommand::Create {
            uid: "x".into(),
            shards: 0,
            primary_key: None,
        },
        IndexCommand::Create {
            uid: "x".into(),
            shards: 4,
            primary_key: Some(String::new()),
        },
    ] {
        assert!(matches!(
            reject(&mut state, 12, index(bad)),
            Rejection::InvalidArgument { .. }
        ));
    }
}

/// States move creating → ready → deleting and never back.
#[test]
fn index_state_moves_forward_only() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, create_index("movies"));
    let set = |state| {
        index(IndexCommand::SetState {
            uid: "movies".into(),
            state,
        })
    };
    apply(&mut state, 2, set(IndexState::Ready));
    assert_eq!(
        reject(&mut state, 3, set(IndexState::Creating)),
        Rejection::IllegalIndexTransition {
            uid: "movies".into(),
            from: IndexState::Ready,
            to: IndexState::Creating
        }
    );
    apply(&mut state, 4, set(IndexState::Deleting));
    assert_eq!(
        state.index("movies").map(|r| (r.state, r.updated_at_ms)),
        Some((IndexState::Deleting, 4))
    );
}

/// The primary key can be set once (re-setting the same value is accepted).
#[test]
fn primary_key_is_set_once() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, create_index("movies"));
    let set_pk = |pk: &str| {
        index(IndexCommand::SetPrimaryKey {
            uid: "movies".into(),
            primary_key: pk.into(),
        })
    };
    assert_eq!(apply(&mut state, 2, set_pk("id")), Response::Applied);
    assert_eq!(apply(&mut state, 3, set_pk("id")), Response::Applied);
    assert_eq!(
        reject(&mut state, 4, set_pk("sku")),
        Rejection::PrimaryKeyAlreadySet {
            uid: "movies".into(),
            primary_key: "id".into()
        }
    );
    assert_eq!(
        state.index("movies").and_then(|r| r.primary_key.clone()),
        Some("id".into())
    );
}

/// Settings versions count up by one per bump.
#[test]
fn settings_version_bumps_by_one() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, create_index("movies"));
    let bump = || {
        index(IndexCommand::BumpSettingsVersion {
            uid: "movies".into(),
        })
    };
    assert_eq!(
        apply(&mut state, 2, bump()),
        Response::SettingsVersion { version: 1 }
    );
    assert_eq!(
        apply(&mut state, 3, bump()),
        Response::SettingsVersion { version: 2 }
    );
}

/// Unknown uids are rejected by every command; delete forgets the index.
#[test]
fn unknown_indexes_are_rejected_and_delete_forgets() {
    let mut state = MetadataState::default();
    let missing = Rejection::IndexNotFound("ghost".into());
    for command in [
        IndexCommand::SetState {
            uid: "ghost".into(),
            state: IndexState::Ready,
        },
        IndexCommand::SetPrimaryKey {
            uid: "ghost".into(),
            primary_key: "id".into(),
        },
        IndexCommand::BumpSettingsVersion {
            uid: "ghost".into(),
        },
        IndexCommand::Delete {
            uid: "ghost".into(),
        },
    ] {
        assert_eq!(reject(&mut state, 1, index(command)), missing);
    }
    apply(&mut state, 2, create_index("movies"));
    apply(
        &mut state,
        3,
        index(IndexCommand::Delete {
            uid: "movies".into(),
        }),
    );
    assert!(state.index("movies").is_none());
    assert_eq!(state.indexes().count(), 0);
}
