//! Frozen bytes of every value type the store writes. A failure here means stored data from an
//! earlier build would no longer decode (e.g. after an openraft upgrade): bump
//! `codec::FORMAT_VERSION` and migrate instead of editing these bytes.

use std::collections::BTreeSet;

use openraft::alias::{EntryOf, LogIdOf, SnapshotMetaOf, VoteOf};
use openraft::entry::RaftEntry;
use openraft::testing::{log_id, membership_ent};
use openraft::StoredMembership;

use super::codec::{decode, encode};
use crate::types::TypeConfig;

/// Log id `(term 2, node 1, index 5)`.
fn sample_log_id() -> LogIdOf<TypeConfig> {
    log_id::<TypeConfig>(2, 1, 5)
}

/// `term 2, node 1` as fixed-width little-endian u64s: the leader id inside every log id.
const LEADER_2_1: [u8; 16] = [2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
/// Index 5 as a little-endian u64.
const INDEX_5: [u8; 8] = [5, 0, 0, 0, 0, 0, 0, 0];
/// A `u64` of value 1 (a collection length, a node id).
const ONE: [u8; 8] = [1, 0, 0, 0, 0, 0, 0, 0];
/// A `u64` of value 0 (an empty string's length).
const ZERO: [u8; 8] = [0; 8];

/// Concatenates byte pieces.
fn bytes(pieces: &[&[u8]]) -> Vec<u8> {
    pieces.concat()
}

/// Asserts `value` encodes to `expected` and decodes back to itself.
fn assert_frozen<T>(value: &T, expected: &[u8])
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    assert_eq!(encode(value).unwrap(), expected);
    assert_eq!(&decode::<T>(expected).unwrap(), value);
}

#[test]
fn vote_layout_is_frozen() {
    let vote = VoteOf::<TypeConfig>::new_committed(2, 1);
    assert_frozen(&vote, &bytes(&[&[1], &LEADER_2_1, &[1]]));
}

#[test]
fn log_id_and_committed_layouts_are_frozen() {
    assert_frozen(&sample_log_id(), &bytes(&[&[1], &LEADER_2_1, &INDEX_5]));
    assert_frozen(
        &Some(sample_log_id()),
        &bytes(&[&[1, 1], &LEADER_2_1, &INDEX_5]),
    );
}

#[test]
fn membership_entry_and_snapshot_meta_layouts_are_frozen() {
    let entry = membership_ent::<TypeConfig>(2, 1, 5, vec![BTreeSet::from([1])]);
    // configs: one set holding node 1; nodes: node 1 -> PeerNode with three empty strings.
    let membership: &[&[u8]] = &[&ONE, &ONE, &ONE, &ONE, &ONE, &ZERO, &ZERO, &ZERO];
    let payload_tag_membership: &[u8] = &[2, 0, 0, 0];
    let mut entry_bytes = bytes(&[&[1], &LEADER_2_1, &INDEX_5, payload_tag_membership]);
    entry_bytes.extend(membership.concat());
    assert_eq!(encode(&entry).unwrap(), entry_bytes);
    assert_eq!(
        decode::<EntryOf<TypeConfig>>(&entry_bytes)
            .unwrap()
            .log_id(),
        entry.log_id()
    );

    let stored = entry.get_membership().unwrap().clone();
    let meta = SnapshotMetaOf::<TypeConfig> {
        last_log_id: Some(sample_log_id()),
        last_membership: StoredMembership::new(Some(sample_log_id()), stored),
    };
    // last_log_id, then the stored membership's log id and config, then openraft's reserved
    // (always empty) snapshot-id string.
    let mut meta_bytes = bytes(&[&[1, 1], &LEADER_2_1, &INDEX_5, &[1], &LEADER_2_1, &INDEX_5]);
    meta_bytes.extend(membership.concat());
    meta_bytes.extend(ZERO);
    assert_frozen(&meta, &meta_bytes);
}
