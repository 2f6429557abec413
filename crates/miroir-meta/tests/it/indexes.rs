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

fn swap(first: &str, second: &str, rename: bool) -> miroir_meta::IndexSwap {
    miroir_meta::IndexSwap {
        first: first.into(),
        second: second.into(),
        rename,
    }
}

/// `ReplacePrimaryKey` overwrites a set key (what `SetPrimaryKey` refuses) or clears it.
#[test]
fn replace_primary_key_overwrites_or_clears() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, create_index("movies"));
    apply(
        &mut state,
        2,
        index(IndexCommand::SetPrimaryKey {
            uid: "movies".into(),
            primary_key: "id".into(),
        }),
    );
    let replace = |primary_key: Option<&str>| {
        index(IndexCommand::ReplacePrimaryKey {
            uid: "movies".into(),
            primary_key: primary_key.map(str::to_owned),
        })
    };
    assert_eq!(
        apply(&mut state, 3, replace(Some("sku"))),
        Response::Applied
    );
    assert_eq!(
        state.index("movies").unwrap().primary_key.as_deref(),
        Some("sku")
    );
    assert_eq!(state.index("movies").unwrap().updated_at_ms, 3);
    apply(&mut state, 4, replace(None));
    assert_eq!(state.index("movies").unwrap().primary_key, None);
    assert!(matches!(
        reject(&mut state, 5, replace(Some(""))),
        Rejection::InvalidArgument { .. }
    ));
    assert_eq!(
        reject(
            &mut state,
            6,
            index(IndexCommand::ReplacePrimaryKey {
                uid: "nope".into(),
                primary_key: None
            })
        ),
        Rejection::IndexNotFound("nope".into())
    );
}

/// A swap exchanges the records under their uids, per-node settings versions included.
#[test]
fn swap_exchanges_records_and_settings_versions() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, crate::support::init_two_groups());
    apply(&mut state, 2, create_index("movies"));
    apply(
        &mut state,
        3,
        index(IndexCommand::Create {
            uid: "movies_v2".into(),
            shards: 8,
            primary_key: Some("sku".into()),
        }),
    );
    apply(
        &mut state,
        4,
        index(IndexCommand::BumpSettingsVersion {
            uid: "movies".into(),
        }),
    );
    let n0 = miroir_core::topology::NodeId::new("n0");
    apply(
        &mut state,
        5,
        CommandV1::SettingsVersion(miroir_meta::SettingsVersionCommand::Set {
            index_uid: "movies".into(),
            node: n0.clone(),
            version: 1,
        }),
    );
    let before_movies = state.index("movies").unwrap().clone();
    apply(
        &mut state,
        6,
        index(IndexCommand::Swap {
            swaps: vec![swap("movies", "movies_v2", false)],
        }),
    );
    let movies = state.index("movies").unwrap();
    assert_eq!(
        (movies.shards, movies.primary_key.as_deref()),
        (8, Some("sku"))
    );
    let v2 = state.index("movies_v2").unwrap();
    assert_eq!(v2.shards, before_movies.shards);
    assert_eq!(v2.settings_version, 1);
    assert_eq!(v2.primary_key, before_movies.primary_key);
    assert_eq!(state.settings_version("movies_v2", &n0), Some(1));
    assert_eq!(state.settings_version("movies", &n0), None);
}

/// Swaps are all or nothing; a rename moves a record to a free uid only.
#[test]
fn swap_is_atomic_and_rename_needs_a_free_uid() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, create_index("a"));
    apply(&mut state, 2, create_index("b"));
    let before = state.clone();
    assert_eq!(
        reject(
            &mut state,
            3,
            index(IndexCommand::Swap {
                swaps: vec![swap("a", "b", false), swap("a", "missing", false)],
            })
        ),
        Rejection::IndexNotFound("missing".into())
    );
    assert_eq!(state, before, "nothing applied");
    assert_eq!(
        reject(
            &mut state,
            4,
            index(IndexCommand::Swap {
                swaps: vec![swap("a", "b", true)],
            })
        ),
        Rejection::IndexExists("b".into())
    );
    apply(
        &mut state,
        5,
        index(IndexCommand::Swap {
            swaps: vec![swap("a", "c", true)],
        }),
    );
    assert!(state.index("a").is_none());
    assert_eq!(state.index("c").unwrap().uid, "c");
}
