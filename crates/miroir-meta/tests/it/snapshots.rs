//! Snapshots: round-trip, version header, refusal of bad bytes, digest.

use miroir_meta::{CodecError, MetadataState, TaskStatus, SNAPSHOT_FORMAT_VERSION};

use crate::support::{apply, create_index, enqueue, init_two_groups};

fn populated() -> MetadataState {
    let mut state = MetadataState::default();
    apply(&mut state, 1, init_two_groups());
    apply(&mut state, 2, create_index("movies"));
    apply(&mut state, 3, enqueue("movies"));
    apply(
        &mut state,
        4,
        miroir_meta::CommandV1::Task(miroir_meta::TaskCommand::UpdateStatus {
            uid: 0,
            status: TaskStatus::Succeeded,
            details_json: None,
            error_json: None,
        }),
    );
    state
}

/// A restored snapshot equals the original, digest included, and keeps pruning indexes.
#[test]
fn snapshot_round_trips() {
    let state = populated();
    let bytes = state.to_snapshot_bytes().expect("encodes");
    assert_eq!(bytes[..4], SNAPSHOT_FORMAT_VERSION.to_le_bytes());
    let restored = MetadataState::from_snapshot_bytes(&bytes).expect("decodes");
    assert_eq!(restored, state);
    assert_eq!(restored.digest(), state.digest());
}

/// The digest changes with the content.
#[test]
fn digest_tracks_content() {
    let state = populated();
    let mut changed = state.clone();
    apply(&mut changed, 5, enqueue("movies"));
    assert_ne!(state.digest(), changed.digest());
    assert_ne!(state.digest(), MetadataState::default().digest());
}

/// Short input, unknown versions, garbage and trailing bytes are errors, not panics.
#[test]
fn bad_snapshots_are_refused() {
    assert!(matches!(
        MetadataState::from_snapshot_bytes(&[1, 0]),
        Err(CodecError::Truncated(2))
    ));
    let mut bytes = populated().to_snapshot_bytes().expect("encodes");
    let mut future = bytes.clone();
    future[..4].copy_from_slice(&99u32.to_le_bytes());
    assert!(matches!(
        MetadataState::from_snapshot_bytes(&future),
        Err(CodecError::UnsupportedVersion(99))
    ));
    assert!(matches!(
        MetadataState::from_snapshot_bytes(&bytes[..bytes.len() - 3]),
        Err(CodecError::Decode(_))
    ));
    bytes.push(0);
    assert!(matches!(
        MetadataState::from_snapshot_bytes(&bytes),
        Err(CodecError::Decode(_))
    ));
}
