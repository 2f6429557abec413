//! Aliases: single and multi-target, repoint with bounded history, ownership of
//! multi-target aliases, name clashes with indexes.

use miroir_meta::{
    AliasCommand, AliasTarget, CommandV1, MetadataState, Rejection, Response, StatePolicy,
};

use crate::support::{apply, create_index, reject};

fn single(uid: &str) -> AliasTarget {
    AliasTarget::Single(uid.into())
}

fn multi(uids: &[&str]) -> AliasTarget {
    AliasTarget::Multi(uids.iter().map(|uid| (*uid).to_owned()).collect())
}

fn create(name: &str, target: AliasTarget, owner: Option<&str>) -> CommandV1 {
    CommandV1::Alias(AliasCommand::Create {
        name: name.into(),
        target,
        owner: owner.map(str::to_owned),
    })
}

fn repoint(name: &str, target: AliasTarget, actor: Option<&str>) -> CommandV1 {
    CommandV1::Alias(AliasCommand::Repoint {
        name: name.into(),
        target,
        actor: actor.map(str::to_owned),
    })
}

fn delete(name: &str, actor: Option<&str>) -> CommandV1 {
    CommandV1::Alias(AliasCommand::Delete {
        name: name.into(),
        actor: actor.map(str::to_owned),
    })
}

fn with_indexes(uids: &[&str]) -> MetadataState {
    let mut state = MetadataState::default();
    for uid in uids {
        apply(&mut state, 0, create_index(uid));
    }
    state
}

/// A single-target alias is created at version 1 and repointing bumps the version.
#[test]
fn single_target_alias_repoints_with_versions() {
    let mut state = with_indexes(&["v1", "v2"]);
    assert_eq!(
        apply(&mut state, 1, create("movies", single("v1"), None)),
        Response::AliasVersion { version: 1 }
    );
    assert_eq!(
        apply(&mut state, 2, repoint("movies", single("v2"), None)),
        Response::AliasVersion { version: 2 }
    );
    let alias = state.alias("movies").expect("exists");
    assert_eq!(alias.target, single("v2"));
    assert!(alias.target.is_writable());
    assert_eq!(alias.history.len(), 1);
    assert_eq!(alias.history[0].target, single("v1"));
    assert_eq!(alias.history[0].version, 1);
    assert_eq!(alias.history[0].replaced_at_ms, 2);
}

/// Existing names, index names, missing targets and empty targets are refused.
#[test]
fn create_validates_name_and_targets() {
    let mut state = with_indexes(&["v1"]);
    apply(&mut state, 1, create("movies", single("v1"), None));
    assert_eq!(
        reject(&mut state, 2, create("movies", single("v1"), None)),
        Rejection::AliasExists("movies".into())
    );
    assert_eq!(
        reject(&mut state, 2, create("v1", single("v1"), None)),
        Rejection::AliasNameIsIndex("v1".into())
    );
    assert_eq!(
        reject(&mut state, 2, create("films", single("nope"), None)),
        Rejection::AliasTargetNotFound {
            alias: "films".into(),
            target: "nope".into()
        }
    );
    for bad in [multi(&[]), multi(&["v1", "v1"]), single("")] {
        assert!(matches!(
            reject(&mut state, 2, create("films", bad, None)),
            Rejection::InvalidArgument { .. }
        ));
    }
    assert_eq!(
        reject(&mut state, 3, create_index("movies")),
        Rejection::IndexUidIsAlias("movies".into())
    );
}

/// With `alias_requires_existing_target` off, targets need not exist yet.
#[test]
fn target_existence_check_follows_the_policy() {
    let mut state = MetadataState::with_policy(StatePolicy {
        alias_requires_existing_target: false,
        ..StatePolicy::default()
    });
    assert_eq!(
        apply(&mut state, 1, create("movies", single("later"), None)),
        Response::AliasVersion { version: 1 }
    );
}

/// The history keeps the last `alias_history_retention` flips: the 11th evicts the oldest.
#[test]
fn history_is_bounded_by_the_retention() {
    let uids: Vec<String> = (0..12).map(|i| format!("v{i}")).collect();
    let uid_refs: Vec<&str> = uids.iter().map(String::as_str).collect();
    let mut state = with_indexes(&uid_refs);
    apply(&mut state, 0, create("movies", single("v0"), None));
    for (at, uid) in uids.iter().enumerate().skip(1) {
        apply(&mut state, at as u64, repoint("movies", single(uid), None));
    }
    let alias = state.alias("movies").expect("exists");
    assert_eq!(alias.version, 12);
    assert_eq!(alias.history.len(), 10);
    assert_eq!(
        alias.history.front().map(|f| f.target.clone()),
        Some(single("v1"))
    );
    assert_eq!(
        alias.history.back().map(|f| f.target.clone()),
        Some(single("v10"))
    );
}

/// Multi-target aliases are not writable and only their owner may change or delete them.
#[test]
fn multi_target_aliases_belong_to_their_owner() {
    let mut state = with_indexes(&["logs-1", "logs-2", "logs-3"]);
    apply(
        &mut state,
        1,
        create(
            "logs-search",
            multi(&["logs-1", "logs-2"]),
            Some("ilm:logs"),
        ),
    );
    let alias = state.alias("logs-search").expect("exists");
    assert!(!alias.target.is_writable());
    assert_eq!(alias.target.index_uids().len(), 2);
    let not_writable = Rejection::MultiAliasNotWritable {
        alias: "logs-search".into(),
        owner: Some("ilm:logs".into()),
    };
    assert_eq!(
        reject(
            &mut state,
            2,
            repoint("logs-search", multi(&["logs-3"]), None)
        ),
        not_writable
    );
    assert_eq!(
        reject(&mut state, 2, delete("logs-search", Some("ops"))),
        not_writable
    );
    assert_eq!(
        apply(
            &mut state,
            3,
            repoint(
                "logs-search",
                multi(&["logs-2", "logs-3"]),
                Some("ilm:logs")
            )
        ),
        Response::AliasVersion { version: 2 }
    );
    assert_eq!(
        reject(
            &mut state,
            4,
            repoint("logs-search", single("logs-3"), Some("ilm:logs"))
        ),
        Rejection::AliasKindMismatch("logs-search".into())
    );
    assert_eq!(
        apply(&mut state, 5, delete("logs-search", Some("ilm:logs"))),
        Response::Applied
    );
    assert!(state.alias("logs-search").is_none());
}

/// An index some alias resolves to cannot be deleted until the alias lets go of it.
#[test]
fn aliased_indexes_cannot_be_deleted() {
    let mut state = with_indexes(&["v1", "v2"]);
    apply(&mut state, 1, create("movies", single("v1"), None));
    let delete_v1 = || CommandV1::Index(miroir_meta::IndexCommand::Delete { uid: "v1".into() });
    assert_eq!(
        reject(&mut state, 2, delete_v1()),
        Rejection::IndexIsAliasTarget {
            uid: "v1".into(),
            alias: "movies".into()
        }
    );
    apply(&mut state, 3, repoint("movies", single("v2"), None));
    assert_eq!(apply(&mut state, 4, delete_v1()), Response::Applied);
    assert_eq!(state.alias("movies").map(|a| a.history.len()), Some(1));
}

/// Unknown aliases are rejected; deleting an alias leaves its index alone.
#[test]
fn unknown_aliases_and_delete() {
    let mut state = with_indexes(&["v1"]);
    assert_eq!(
        reject(&mut state, 1, repoint("ghost", single("v1"), None)),
        Rejection::AliasNotFound("ghost".into())
    );
    assert_eq!(
        reject(&mut state, 1, delete("ghost", None)),
        Rejection::AliasNotFound("ghost".into())
    );
    apply(&mut state, 2, create("movies", single("v1"), None));
    apply(&mut state, 3, delete("movies", None));
    assert!(state.alias("movies").is_none());
    assert!(state.index("v1").is_some());
    assert_eq!(state.aliases().count(), 0);
}
