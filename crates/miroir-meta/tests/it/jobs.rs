//! Background jobs: claims with expiry, heartbeats, claimant-only progress with a monotonic
//! cursor, completion, failure, pause and resume.

use miroir_meta::{CommandV1, JobCommand, JobState, MetadataState, Rejection, Response};

use crate::support::{apply, reject};

fn job(command: JobCommand) -> CommandV1 {
    CommandV1::Job(command)
}

fn create() -> CommandV1 {
    job(JobCommand::Create {
        id: "rebalance-1".into(),
        kind: "rebalance".into(),
        payload: r#"{"shard":3}"#.into(),
    })
}

fn claim(holder: &str, ttl_ms: u64) -> CommandV1 {
    job(JobCommand::Claim {
        id: "rebalance-1".into(),
        holder: holder.into(),
        ttl_ms,
    })
}

fn progress(holder: &str, cursor: u64) -> CommandV1 {
    job(JobCommand::Progress {
        id: "rebalance-1".into(),
        holder: holder.into(),
        cursor,
        progress_json: Some(format!(r#"{{"migrated":{cursor}}}"#)),
    })
}

fn id() -> String {
    "rebalance-1".into()
}

/// A lapsed claim lets another peer take over at the committed cursor.
#[test]
fn a_lapsed_claim_is_taken_over_at_the_cursor() {
    let mut state = MetadataState::default();
    apply(&mut state, 0, create());
    assert_eq!(reject(&mut state, 0, create()), Rejection::JobExists(id()));
    assert_eq!(state.claimable_jobs(0).count(), 1);
    assert_eq!(
        apply(&mut state, 10, claim("peer-a", 30)),
        Response::JobClaimed {
            expires_at_ms: 40,
            cursor: 0,
            attempt: 1
        }
    );
    assert_eq!(state.claimable_jobs(20).count(), 0);
    assert_eq!(
        reject(&mut state, 20, claim("peer-b", 30)),
        Rejection::JobClaimedByOther {
            id: id(),
            holder: "peer-a".into(),
            expires_at_ms: 40
        }
    );
    apply(&mut state, 20, progress("peer-a", 500));
    assert_eq!(
        apply(&mut state, 30, claim("peer-a", 30)),
        Response::JobClaimed {
            expires_at_ms: 60,
            cursor: 500,
            attempt: 1
        },
        "a heartbeat extends the claim without a new attempt"
    );
    assert_eq!(state.claimable_jobs(60).count(), 1);
    assert_eq!(
        apply(&mut state, 60, claim("peer-b", 30)),
        Response::JobClaimed {
            expires_at_ms: 90,
            cursor: 500,
            attempt: 2
        }
    );
    assert_eq!(
        reject(&mut state, 61, progress("peer-a", 600)),
        Rejection::JobNotClaimedBy {
            id: id(),
            holder: "peer-a".into()
        }
    );
}

/// The cursor never goes back; progress detail is stored.
#[test]
fn cursor_is_monotonic() {
    let mut state = MetadataState::default();
    apply(&mut state, 0, create());
    apply(&mut state, 0, claim("peer-a", 100));
    apply(&mut state, 1, progress("peer-a", 10));
    apply(&mut state, 2, progress("peer-a", 10));
    assert_eq!(
        reject(&mut state, 3, progress("peer-a", 9)),
        Rejection::CursorRegressed {
            id: id(),
            current: 10,
            proposed: 9
        }
    );
    let record = state.job("rebalance-1").expect("exists");
    assert_eq!(record.cursor, 10);
    assert_eq!(record.progress_json.as_deref(), Some(r#"{"migrated":10}"#));
    assert_eq!(record.updated_at_ms, 2);
}

/// Completion and failure are for the claimant and final; only finished jobs are deleted.
#[test]
fn complete_fail_and_delete() {
    let mut state = MetadataState::default();
    apply(&mut state, 0, create());
    let complete = |holder: &str| {
        job(JobCommand::Complete {
            id: id(),
            holder: holder.into(),
        })
    };
    let delete = || job(JobCommand::Delete { id: id() });
    assert_eq!(
        reject(&mut state, 1, complete("peer-a")),
        Rejection::JobNotClaimedBy {
            id: id(),
            holder: "peer-a".into()
        }
    );
    assert_eq!(
        reject(&mut state, 1, delete()),
        Rejection::JobStateForbids {
            id: id(),
            state: JobState::Queued
        }
    );
    apply(&mut state, 1, claim("peer-a", 100));
    apply(&mut state, 2, complete("peer-a"));
    let record = state.job("rebalance-1").expect("exists");
    assert_eq!(
        (record.state, record.claim.clone()),
        (JobState::Completed, None)
    );
    assert_eq!(
        reject(&mut state, 3, claim("peer-b", 100)),
        Rejection::JobStateForbids {
            id: id(),
            state: JobState::Completed
        }
    );
    apply(&mut state, 4, delete());
    assert!(state.job("rebalance-1").is_none());

    apply(&mut state, 5, create());
    apply(&mut state, 5, claim("peer-a", 100));
    apply(
        &mut state,
        6,
        job(JobCommand::Fail {
            id: id(),
            holder: "peer-a".into(),
            error: "node unreachable".into(),
        }),
    );
    let record = state.job("rebalance-1").expect("exists");
    assert_eq!(record.state, JobState::Failed);
    assert_eq!(record.error.as_deref(), Some("node unreachable"));
}

/// Pausing drops the claim and keeps the cursor; resuming re-queues.
#[test]
fn pause_and_resume() {
    let mut state = MetadataState::default();
    apply(&mut state, 0, create());
    apply(&mut state, 0, claim("peer-a", 100));
    apply(&mut state, 1, progress("peer-a", 42));
    apply(&mut state, 2, job(JobCommand::Pause { id: id() }));
    assert_eq!(
        reject(&mut state, 3, claim("peer-b", 100)),
        Rejection::JobStateForbids {
            id: id(),
            state: JobState::Paused
        }
    );
    assert_eq!(
        reject(&mut state, 3, job(JobCommand::Pause { id: id() })),
        Rejection::JobStateForbids {
            id: id(),
            state: JobState::Paused
        }
    );
    apply(&mut state, 4, job(JobCommand::Resume { id: id() }));
    assert_eq!(
        reject(&mut state, 5, job(JobCommand::Resume { id: id() })),
        Rejection::JobStateForbids {
            id: id(),
            state: JobState::Queued
        }
    );
    assert_eq!(
        apply(&mut state, 5, claim("peer-b", 100)),
        Response::JobClaimed {
            expires_at_ms: 105,
            cursor: 42,
            attempt: 2
        }
    );
}

/// Unknown jobs and invalid claims are rejected.
#[test]
fn unknown_jobs_and_invalid_claims() {
    let mut state = MetadataState::default();
    assert_eq!(
        reject(&mut state, 0, claim("peer-a", 10)),
        Rejection::JobNotFound(id())
    );
    apply(&mut state, 0, create());
    for bad in [claim("peer-a", 0), claim("", 10)] {
        assert!(matches!(
            reject(&mut state, 1, bad),
            Rejection::InvalidArgument { .. }
        ));
    }
}
