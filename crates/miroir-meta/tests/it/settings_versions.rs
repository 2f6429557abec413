//! Node settings versions: per (index, node), only moving forward.

use miroir_core::topology::NodeId;
use miroir_meta::{
    CommandV1, IndexCommand, MetadataState, Rejection, Response, SettingsVersionCommand,
};

use crate::support::{apply, create_index, init_two_groups, reject};

fn set(index_uid: &str, node: &str, version: u64) -> CommandV1 {
    CommandV1::SettingsVersion(SettingsVersionCommand::Set {
        index_uid: index_uid.into(),
        node: NodeId::new(node),
        version,
    })
}

/// Versions are recorded per node, never go back, and vanish with their index.
#[test]
fn versions_are_monotonic_per_index_and_node() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, init_two_groups());
    apply(&mut state, 1, create_index("movies"));
    assert_eq!(
        apply(&mut state, 2, set("movies", "n0", 3)),
        Response::SettingsVersion { version: 3 }
    );
    apply(&mut state, 2, set("movies", "n1", 1));
    apply(&mut state, 3, set("movies", "n0", 3));
    assert_eq!(
        reject(&mut state, 4, set("movies", "n0", 2)),
        Rejection::StaleSettingsVersion {
            index_uid: "movies".into(),
            node: NodeId::new("n0"),
            current: 3,
            proposed: 2
        }
    );
    assert_eq!(
        state.settings_version("movies", &NodeId::new("n0")),
        Some(3)
    );
    assert_eq!(
        state
            .settings_versions("movies")
            .map(|(node, version)| (node.as_str().to_owned(), version))
            .collect::<Vec<_>>(),
        vec![("n0".to_owned(), 3), ("n1".to_owned(), 1)]
    );
    apply(
        &mut state,
        5,
        CommandV1::Index(IndexCommand::Delete {
            uid: "movies".into(),
        }),
    );
    assert_eq!(state.settings_version("movies", &NodeId::new("n0")), None);
}

/// Unknown indexes and nodes are rejected.
#[test]
fn unknown_index_or_node_is_rejected() {
    let mut state = MetadataState::default();
    apply(&mut state, 1, init_two_groups());
    assert_eq!(
        reject(&mut state, 2, set("ghost", "n0", 1)),
        Rejection::IndexNotFound("ghost".into())
    );
    apply(&mut state, 3, create_index("movies"));
    assert_eq!(
        reject(&mut state, 4, set("movies", "n9", 1)),
        Rejection::UnknownNode(NodeId::new("n9"))
    );
}
