//! The single background worker: takes enqueued tasks one at a time, applies them off the
//! async threads, and records the outcome. It waits (without polling) while there is nothing
//! to do or while task processing is stalled by fault injection.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Map, Value};
use tokio::sync::watch;

use crate::state::NodeState;
use crate::tasks::operation::{apply_to_indexes, TaskOperation};
use crate::tasks::store::{TakenTask, TaskOutcome};
use crate::time_format::now;

/// Runs until `shutdown` turns true.
pub async fn run_worker(state: Arc<NodeState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        let taken = if state.faults.tasks_stalled() {
            None
        } else {
            state.tasks.lock().take_next(now())
        };
        let Some(taken) = taken else {
            tokio::select! {
                _ = state.task_wakeup.notified() => {}
                _ = shutdown.changed() => {}
            }
            continue;
        };
        let worker_state = state.clone();
        let processed = tokio::task::spawn_blocking(move || process(&worker_state, taken)).await;
        if processed.is_err() {
            return;
        }
    }
}

fn micros(started: Instant) -> String {
    format!("{:.2}µs", started.elapsed().as_secs_f64() * 1_000_000.0)
}

/// Applies one task and records its outcome.
fn process(state: &NodeState, taken: TakenTask) {
    let started = Instant::now();
    let TakenTask {
        uid,
        index_uid,
        operation,
    } = taken;
    let kind = operation.kind();
    let failure_details = operation.failure_details();
    let mut details = Map::new();
    let mut trace = Map::new();
    let error = match operation {
        TaskOperation::TaskCancelation { matched, .. } => {
            let retrieved = micros(started);
            let canceled = state.tasks.lock().cancel(&matched, uid, now());
            trace.insert(
                "processing tasks > retrieving tasks > task".to_owned(),
                json!(retrieved),
            );
            trace.insert(
                "processing tasks > retrieving tasks".to_owned(),
                json!(retrieved),
            );
            let updated = micros(started);
            trace.insert(
                "processing tasks > updating tasks > task".to_owned(),
                json!(updated),
            );
            trace.insert(
                "processing tasks > updating tasks".to_owned(),
                json!(updated),
            );
            details.insert("canceledTasks".to_owned(), json!(canceled));
            None
        }
        TaskOperation::TaskDeletion { matched, .. } => {
            let deletable: Vec<u32> = matched
                .into_iter()
                .filter(|matched_uid| *matched_uid != uid)
                .collect();
            let deleted = state.tasks.lock().delete(&deletable);
            details.insert("deletedTasks".to_owned(), json!(deleted));
            None
        }
        TaskOperation::IndexSwap { swaps } => {
            let result = apply_to_indexes(
                TaskOperation::IndexSwap {
                    swaps: swaps.clone(),
                },
                None,
                &mut state.indexes.write(),
                now(),
            );
            if result.is_ok() {
                let mut tasks = state.tasks.lock();
                for swap in &swaps {
                    tasks.relabel_index(&swap.indexes[0], &swap.indexes[1], !swap.rename);
                }
            }
            result.err()
        }
        operation => {
            let result = apply_to_indexes(
                operation,
                index_uid.as_deref(),
                &mut state.indexes.write(),
                now(),
            );
            match result {
                Ok(applied) => {
                    details = applied;
                    None
                }
                Err(error) => Some(error),
            }
        }
    };
    if error.is_some() {
        details = failure_details;
    }
    let processing = micros(started);
    trace.insert(
        format!("processing tasks > {kind}"),
        Value::String(processing.clone()),
    );
    if kind == "taskCancelation" {
        trace.shift_remove(&format!("processing tasks > {kind}"));
    }
    trace.insert("processing tasks".to_owned(), json!(processing));
    let writing = Instant::now();
    let mut tasks = state.tasks.lock();
    trace.insert(
        "writing tasks to disk > task".to_owned(),
        json!(micros(writing)),
    );
    trace.insert("writing tasks to disk".to_owned(), json!(micros(writing)));
    tasks.finish(uid, TaskOutcome { details, error }, trace, now());
}
