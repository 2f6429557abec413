//! Task registry: monotonic uids, status transitions, per-node detail, deletion, pruning
//! by age and count, and Meilisearch-style listing.

use std::collections::BTreeMap;

use miroir_core::topology::NodeId;
use miroir_meta::{
    CommandV1, MetadataState, Rejection, Response, StatePolicy, TaskCommand, TaskQuery, TaskStatus,
};

use crate::support::{apply, enqueue, enqueued_uid, reject};

fn status(uid: u64, status: TaskStatus) -> CommandV1 {
    CommandV1::Task(TaskCommand::UpdateStatus {
        uid,
        status,
        details_json: None,
        error_json: None,
    })
}

fn delete(uids: Vec<u64>) -> CommandV1 {
    CommandV1::Task(TaskCommand::Delete { uids })
}

/// Uids start at 0 and count up; the record keeps what the enqueue said.
#[test]
fn enqueue_allocates_consecutive_uids() {
    let mut state = MetadataState::default();
    let uids: Vec<u64> = (0..3)
        .map(|i| enqueued_uid(apply(&mut state, 100 + i, enqueue("movies"))))
        .collect();
    assert_eq!(uids, vec![0, 1, 2]);
    let task = state.task(1).expect("retained");
    assert_eq!(task.status, TaskStatus::Enqueued);
    assert_eq!(task.enqueued_at_ms, 101);
    assert_eq!(task.index_uid.as_deref(), Some("movies"));
    assert_eq!(task.node_tasks[&NodeId::new("n0")].task_uid, 7);
    assert_eq!(state.next_task_uid(), 3);
}

/// Bad enqueues are rejected without consuming a uid.
#[test]
fn invalid_enqueue_is_rejected_without_consuming_a_uid() {
    let mut state = MetadataState::default();
    let bad = CommandV1::Task(TaskCommand::Enqueue {
        index_uid: None,
        task_type: String::new(),
        details_json: None,
        node_tasks: BTreeMap::new(),
    });
    assert!(matches!(
        reject(&mut state, 1, bad),
        Rejection::InvalidArgument { .. }
    ));
    assert_eq!(enqueued_uid(apply(&mut state, 2, enqueue("movies"))), 0);
}

/// Uids are never reused, even after the newest task is deleted.
#[test]
fn uids_are_not_reused_after_deletion() {
    let mut state = MetadataState::default();
    let uid = enqueued_uid(apply(&mut state, 1, enqueue("movies")));
    apply(&mut state, 2, status(uid, TaskStatus::Succeeded));
    assert_eq!(
        apply(&mut state, 3, delete(vec![uid])),
        Response::TasksDeleted { deleted: 1 }
    );
    assert_eq!(enqueued_uid(apply(&mut state, 4, enqueue("movies"))), 1);
}

/// enqueued → processing → succeeded records start and finish times; terminal is final.
#[test]
fn status_moves_forward_and_terminal_is_final() {
    let mut state = MetadataState::default();
    let uid = enqueued_uid(apply(&mut state, 1, enqueue("movies")));
    apply(&mut state, 5, status(uid, TaskStatus::Processing));
    assert_eq!(
        reject(&mut state, 6, status(uid, TaskStatus::Enqueued)),
        Rejection::IllegalTaskTransition {
            uid,
            from: TaskStatus::Processing,
            to: TaskStatus::Enqueued
        }
    );
    let finish = CommandV1::Task(TaskCommand::UpdateStatus {
        uid,
        status: TaskStatus::Failed,
        details_json: Some("{}".into()),
        error_json: Some(r#"{"code":"internal"}"#.into()),
    });
    apply(&mut state, 9, finish);
    let task = state.task(uid).expect("retained");
    assert_eq!(
        (task.started_at_ms, task.finished_at_ms),
        (Some(5), Some(9))
    );
    assert_eq!(task.error_json.as_deref(), Some(r#"{"code":"internal"}"#));
    assert_eq!(task.details_json.as_deref(), Some("{}"));
    assert_eq!(
        reject(&mut state, 10, status(uid, TaskStatus::Succeeded)),
        Rejection::TaskFinished {
            uid,
            status: TaskStatus::Failed
        }
    );
    assert_eq!(
        reject(&mut state, 10, status(99, TaskStatus::Succeeded)),
        Rejection::TaskNotFound(99)
    );
}

/// Per-node detail is upserted while the task runs and frozen once the node finished.
#[test]
fn node_tasks_update_until_finished() {
    let mut state = MetadataState::default();
    let uid = enqueued_uid(apply(&mut state, 1, enqueue("movies")));
    let node = |name: &str, status, error: Option<&str>| {
        CommandV1::Task(TaskCommand::UpdateNodeTask {
            uid,
            node: NodeId::new(name),
            task_uid: 40,
            status,
            error_json: error.map(str::to_owned),
        })
    };
    apply(&mut state, 2, node("n1", TaskStatus::Processing, None));
    apply(&mut state, 3, node("n0", TaskStatus::Failed, Some("{}")));
    assert_eq!(
        reject(&mut state, 4, node("n0", TaskStatus::Succeeded, None)),
        Rejection::IllegalNodeTaskTransition {
            uid,
            node: NodeId::new("n0"),
            from: TaskStatus::Failed,
            to: TaskStatus::Succeeded
        }
    );
    let task = state.task(uid).expect("retained");
    assert_eq!(task.node_tasks.len(), 2);
    assert_eq!(
        task.node_tasks[&NodeId::new("n1")].status,
        TaskStatus::Processing
    );
    assert_eq!(
        task.node_tasks[&NodeId::new("n0")].error_json.as_deref(),
        Some("{}")
    );
    apply(&mut state, 5, status(uid, TaskStatus::Canceled));
    assert_eq!(
        reject(&mut state, 6, node("n1", TaskStatus::Succeeded, None)),
        Rejection::TaskFinished {
            uid,
            status: TaskStatus::Canceled
        }
    );
}

/// Delete removes only finished tasks and ignores unknown uids.
#[test]
fn delete_skips_unfinished_and_unknown_tasks() {
    let mut state = MetadataState::default();
    let running = enqueued_uid(apply(&mut state, 1, enqueue("movies")));
    let done = enqueued_uid(apply(&mut state, 2, enqueue("movies")));
    apply(&mut state, 3, status(done, TaskStatus::Succeeded));
    assert_eq!(
        apply(&mut state, 4, delete(vec![running, done, 42])),
        Response::TasksDeleted { deleted: 1 }
    );
    assert!(state.task(running).is_some());
    assert!(state.task(done).is_none());
}

fn policy(task_ttl_ms: u64, max_retained_tasks: u64) -> CommandV1 {
    CommandV1::SetPolicy(StatePolicy {
        task_ttl_ms,
        max_retained_tasks,
        ..StatePolicy::default()
    })
}

/// Finished tasks older than the TTL are pruned at the next enqueue; running ones never.
#[test]
fn finished_tasks_past_the_ttl_are_pruned_on_enqueue() {
    let mut state = MetadataState::default();
    apply(&mut state, 0, policy(1_000, 100));
    let old_done = enqueued_uid(apply(&mut state, 0, enqueue("movies")));
    let old_running = enqueued_uid(apply(&mut state, 0, enqueue("movies")));
    let recent_done = enqueued_uid(apply(&mut state, 0, enqueue("movies")));
    apply(&mut state, 100, status(old_done, TaskStatus::Succeeded));
    apply(&mut state, 100, status(old_running, TaskStatus::Processing));
    apply(&mut state, 900, status(recent_done, TaskStatus::Failed));
    apply(&mut state, 1_100, enqueue("movies"));
    assert!(state.task(old_done).is_some(), "exactly at the ttl: kept");
    apply(&mut state, 1_101, enqueue("movies"));
    assert!(state.task(old_done).is_none());
    assert!(state.task(old_running).is_some());
    assert!(state.task(recent_done).is_some());
    assert_eq!(state.task_count(), 4);
}

/// Beyond the cap the oldest finished tasks go first; unfinished tasks stay.
#[test]
fn the_oldest_finished_tasks_go_first_beyond_the_cap() {
    let mut state = MetadataState::default();
    apply(&mut state, 0, policy(u64::MAX, 3));
    for uid in 0..3 {
        apply(&mut state, 1, enqueue("movies"));
        if uid != 1 {
            apply(&mut state, 2, status(uid, TaskStatus::Succeeded));
        }
    }
    apply(&mut state, 3, enqueue("movies"));
    let retained: Vec<u64> = (0..4).filter(|uid| state.task(*uid).is_some()).collect();
    assert_eq!(retained, vec![1, 2, 3]);
    apply(&mut state, 4, policy(u64::MAX, 1));
    let retained: Vec<u64> = (0..4).filter(|uid| state.task(*uid).is_some()).collect();
    assert_eq!(
        retained,
        vec![1, 3],
        "unfinished tasks survive a tighter cap"
    );
}

/// Listing is newest first, filtered, paginated by `from`/`limit` with `next` and `total`.
#[test]
fn listing_pages_newest_first_with_filters() {
    let mut state = MetadataState::default();
    for i in 0..5 {
        let index = if i % 2 == 0 { "movies" } else { "books" };
        apply(&mut state, i, enqueue(index));
    }
    apply(&mut state, 9, status(4, TaskStatus::Succeeded));
    let page = state.tasks(&TaskQuery {
        limit: 2,
        ..TaskQuery::default()
    });
    assert_eq!(
        page.results.iter().map(|t| t.uid).collect::<Vec<_>>(),
        vec![4, 3]
    );
    assert_eq!((page.total, page.from, page.next), (5, Some(4), Some(2)));
    let next = state.tasks(&TaskQuery {
        limit: 2,
        from: page.next,
        ..TaskQuery::default()
    });
    assert_eq!(
        next.results.iter().map(|t| t.uid).collect::<Vec<_>>(),
        vec![2, 1]
    );
    let movies_enqueued = state.tasks(&TaskQuery {
        index_uids: vec!["movies".into()],
        statuses: vec![TaskStatus::Enqueued],
        ..TaskQuery::default()
    });
    assert_eq!(
        movies_enqueued
            .results
            .iter()
            .map(|t| t.uid)
            .collect::<Vec<_>>(),
        vec![2, 0]
    );
    assert_eq!((movies_enqueued.total, movies_enqueued.next), (2, None));
    let window = state.tasks(&TaskQuery {
        after_enqueued_at_ms: Some(0),
        before_enqueued_at_ms: Some(3),
        types: vec!["documentAdditionOrUpdate".into()],
        ..TaskQuery::default()
    });
    assert_eq!(
        window.results.iter().map(|t| t.uid).collect::<Vec<_>>(),
        vec![2, 1]
    );
}

/// A cancelation marks only unfinished tasks; `canceledBy` shows once a marked task ended
/// canceled, and the `canceledBy` filter selects exactly those.
#[test]
fn canceled_by_is_recorded_for_unfinished_tasks_and_shown_once_canceled() {
    let mut state = MetadataState::default();
    let finished = enqueued_uid(apply(&mut state, 1, enqueue("movies")));
    let canceled = enqueued_uid(apply(&mut state, 2, enqueue("movies")));
    let succeeded_anyway = enqueued_uid(apply(&mut state, 3, enqueue("movies")));
    apply(&mut state, 4, status(finished, TaskStatus::Succeeded));
    apply(
        &mut state,
        5,
        CommandV1::Task(TaskCommand::SetCanceledBy {
            uids: vec![finished, canceled, succeeded_anyway, 99],
            canceled_by: 42,
        }),
    );
    assert_eq!(state.task(finished).unwrap().canceled_by, None);
    assert_eq!(state.task(canceled).unwrap().canceled_by, Some(42));
    assert_eq!(
        miroir_meta::task_json(state.task(canceled).unwrap())["canceledBy"],
        serde_json::Value::Null,
        "not canceled yet"
    );
    apply(&mut state, 6, status(canceled, TaskStatus::Canceled));
    apply(
        &mut state,
        7,
        status(succeeded_anyway, TaskStatus::Succeeded),
    );
    assert_eq!(
        miroir_meta::task_json(state.task(canceled).unwrap())["canceledBy"],
        42
    );
    assert_eq!(
        miroir_meta::task_json(state.task(succeeded_anyway).unwrap())["canceledBy"],
        serde_json::Value::Null
    );
    let query = miroir_meta::parse_task_list_query("canceledBy=42").unwrap();
    let matched: Vec<u64> = state.tasks(&query).results.iter().map(|t| t.uid).collect();
    assert_eq!(matched, [canceled]);
}

/// The counters of a cancelation or deletion read null until that task finished.
#[test]
fn bulk_action_counters_show_once_finished() {
    let mut state = MetadataState::default();
    let uid = enqueued_uid(apply(
        &mut state,
        1,
        CommandV1::Task(TaskCommand::Enqueue {
            index_uid: None,
            task_type: "taskDeletion".into(),
            details_json: Some(
                r#"{"matchedTasks":3,"deletedTasks":2,"originalFilter":"?uids=1,2,3"}"#.into(),
            ),
            node_tasks: std::collections::BTreeMap::new(),
        }),
    ));
    let shown =
        |state: &MetadataState| miroir_meta::task_json(state.task(uid).unwrap())["details"].clone();
    assert_eq!(
        shown(&state),
        serde_json::json!({"matchedTasks": 3, "deletedTasks": null, "originalFilter": "?uids=1,2,3"})
    );
    apply(
        &mut state,
        2,
        CommandV1::Task(TaskCommand::UpdateStatus {
            uid,
            status: TaskStatus::Succeeded,
            details_json: None,
            error_json: None,
        }),
    );
    assert_eq!(shown(&state)["deletedTasks"], 2);
}
