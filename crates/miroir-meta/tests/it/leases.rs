//! Leases: one live holder, expiry on the request clock, fencing tokens.

use miroir_meta::{CommandV1, LeaseCommand, MetadataState, Rejection, Response};

use crate::support::{apply, reject};

fn acquire(holder: &str, ttl_ms: u64) -> CommandV1 {
    CommandV1::Lease(LeaseCommand::Acquire {
        name: "rebalancer".into(),
        holder: holder.into(),
        ttl_ms,
    })
}

fn renew(holder: &str, ttl_ms: u64) -> CommandV1 {
    CommandV1::Lease(LeaseCommand::Renew {
        name: "rebalancer".into(),
        holder: holder.into(),
        ttl_ms,
    })
}

fn release(holder: &str) -> CommandV1 {
    CommandV1::Lease(LeaseCommand::Release {
        name: "rebalancer".into(),
        holder: holder.into(),
    })
}

/// A live lease refuses other holders; once expired anyone may take it with a new token.
#[test]
fn acquire_succeeds_only_when_free_or_expired() {
    let mut state = MetadataState::default();
    assert_eq!(
        apply(&mut state, 100, acquire("peer-a", 10)),
        Response::LeaseGranted {
            token: 1,
            expires_at_ms: 110
        }
    );
    assert_eq!(
        reject(&mut state, 109, acquire("peer-b", 10)),
        Rejection::LeaseHeld {
            name: "rebalancer".into(),
            holder: "peer-a".into(),
            expires_at_ms: 110
        }
    );
    assert_eq!(
        apply(&mut state, 105, acquire("peer-a", 10)),
        Response::LeaseGranted {
            token: 1,
            expires_at_ms: 115
        },
        "re-acquiring one's own live lease extends it under the same token"
    );
    assert_eq!(
        apply(&mut state, 115, acquire("peer-b", 10)),
        Response::LeaseGranted {
            token: 2,
            expires_at_ms: 125
        }
    );
    let lease = state.lease("rebalancer").expect("held");
    assert_eq!(
        (lease.holder.as_str(), lease.acquired_at_ms),
        ("peer-b", 115)
    );
    assert!(lease.is_live(124) && !lease.is_live(125));
}

/// Only the live holder renews; only the holder releases; tokens keep growing after release.
#[test]
fn renew_and_release_are_for_the_holder() {
    let mut state = MetadataState::default();
    apply(&mut state, 0, acquire("peer-a", 10));
    let not_held = |holder: &str| Rejection::LeaseNotHeld {
        name: "rebalancer".into(),
        holder: holder.into(),
    };
    assert_eq!(
        reject(&mut state, 5, renew("peer-b", 10)),
        not_held("peer-b")
    );
    assert_eq!(
        apply(&mut state, 5, renew("peer-a", 10)),
        Response::LeaseGranted {
            token: 1,
            expires_at_ms: 15
        }
    );
    assert_eq!(
        reject(&mut state, 15, renew("peer-a", 10)),
        not_held("peer-a")
    );
    assert_eq!(
        reject(&mut state, 16, release("peer-b")),
        not_held("peer-b")
    );
    assert_eq!(apply(&mut state, 16, release("peer-a")), Response::Applied);
    assert!(state.lease("rebalancer").is_none());
    assert_eq!(
        apply(&mut state, 17, acquire("peer-b", 10)),
        Response::LeaseGranted {
            token: 2,
            expires_at_ms: 27
        }
    );
}

/// Zero ttl and empty names are invalid.
#[test]
fn invalid_leases_are_rejected() {
    let mut state = MetadataState::default();
    for command in [acquire("peer-a", 0), acquire("", 10)] {
        assert!(matches!(
            reject(&mut state, 1, command),
            Rejection::InvalidArgument { .. }
        ));
    }
}
