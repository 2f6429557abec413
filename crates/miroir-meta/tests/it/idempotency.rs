//! Idempotency keys: replay on same body, conflict on different body, expiry, bounded size.

use miroir_meta::{CommandV1, IdempotencyCommand, MetadataState, Rejection, Response, StatePolicy};

use crate::support::{apply, reject};

fn record(key: &str, body: u8, response: &str, ttl_ms: u64) -> CommandV1 {
    CommandV1::Idempotency(IdempotencyCommand::Record {
        key: key.into(),
        body_sha256: vec![body; 32],
        response: response.into(),
        ttl_ms,
    })
}

/// Same key + same body replays the first response; a different body conflicts.
#[test]
fn same_body_replays_and_different_body_conflicts() {
    let mut state = MetadataState::default();
    assert_eq!(
        apply(&mut state, 0, record("k", 1, "task 5", 100)),
        Response::IdempotencyRecorded
    );
    assert_eq!(
        apply(&mut state, 50, record("k", 1, "task 6", 100)),
        Response::IdempotencyReplay {
            response: "task 5".into()
        }
    );
    assert_eq!(
        reject(&mut state, 50, record("k", 2, "task 7", 100)),
        Rejection::IdempotencyKeyReused("k".into())
    );
    assert_eq!(
        state.idempotency("k", 99).map(|e| e.expires_at_ms),
        Some(100)
    );
}

/// Lookups respect expiry and expired keys are dropped by later writes.
#[test]
fn expired_keys_are_invisible_then_pruned() {
    let mut state = MetadataState::default();
    apply(&mut state, 0, record("old", 1, "a", 10));
    apply(&mut state, 0, record("young", 1, "b", 1_000));
    assert!(state.idempotency("old", 10).is_none());
    assert_eq!(state.idempotency_key_count(), 2);
    assert_eq!(
        apply(&mut state, 10, record("old", 2, "c", 10)),
        Response::IdempotencyRecorded,
        "an expired key can be reused with any body"
    );
    apply(&mut state, 20, record("other", 1, "d", 10));
    assert_eq!(state.idempotency_key_count(), 2, "`old` expired at 20");
    assert!(state.idempotency("young", 20).is_some());
}

/// Beyond `max_idempotency_keys` the soonest-expiring keys are evicted.
#[test]
fn the_cache_is_bounded() {
    let mut state = MetadataState::with_policy(StatePolicy {
        max_idempotency_keys: 2,
        ..StatePolicy::default()
    });
    apply(&mut state, 0, record("short", 1, "a", 10));
    apply(&mut state, 0, record("long", 1, "b", 1_000));
    apply(&mut state, 0, record("mid", 1, "c", 100));
    assert_eq!(state.idempotency_key_count(), 2);
    assert!(state.idempotency("short", 1).is_none());
    assert!(state.idempotency("mid", 1).is_some());
    assert!(state.idempotency("long", 1).is_some());
}

/// Empty keys and zero ttl are invalid.
#[test]
fn invalid_records_are_rejected() {
    let mut state = MetadataState::default();
    for command in [record("", 1, "a", 10), record("k", 1, "a", 0)] {
        assert!(matches!(
            reject(&mut state, 1, command),
            Rejection::InvalidArgument { .. }
        ));
    }
}
