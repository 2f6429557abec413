//! The task and batch registry: registration, the worker's take/finish transitions,
//! cancelation, deletion, listing with Meilisearch's `from`/`limit`/`next`/`total` paging.
//!
//! Each processed task gets its own batch (`batchUid`), so task and batch uids advance together
//! unless tasks are canceled or deleted.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::errors::NodeError;
use crate::tasks::model::{Task, TaskStatus};
use crate::tasks::operation::TaskOperation;
use crate::tasks::query::{TaskFilter, TaskListQuery};
use crate::time_format::{iso_duration, timestamp, timestamp_json};

/// A batch: the unit of work the worker processed (one task here).
#[derive(Debug, Clone)]
pub struct Batch {
    /// Batch uid.
    pub uid: u32,
    /// The task it processed.
    pub task_uid: u32,
    /// When processing started.
    pub started_at: OffsetDateTime,
    /// When it finished.
    pub finished_at: Option<OffsetDateTime>,
    /// The measured steps (`progressTrace`), filled when finished.
    pub progress_trace: Map<String, Value>,
}

/// The result of applying one task.
#[derive(Debug, Clone)]
pub struct TaskOutcome {
    /// Details fields to overwrite (e.g. `indexedDocuments`).
    pub details: Map<String, Value>,
    /// The error, when the task failed.
    pub error: Option<NodeError>,
}

/// All tasks and batches.
#[derive(Debug, Default)]
pub struct TaskStore {
    tasks: BTreeMap<u32, Task>,
    batches: BTreeMap<u32, Batch>,
    next_task_uid: u32,
    next_batch_uid: u32,
}

/// A task the worker took: its uid, index and what to apply.
#[derive(Debug)]
pub struct TakenTask {
    /// Task uid.
    pub uid: u32,
    /// Target index.
    pub index_uid: Option<String>,
    /// What to apply.
    pub operation: TaskOperation,
}

impl TaskStore {
    /// Registers an enqueued task and returns it.
    pub fn register(
        &mut self,
        index_uid: Option<String>,
        operation: TaskOperation,
        now: OffsetDateTime,
    ) -> Task {
        let uid = self.next_task_uid;
        self.next_task_uid += 1;
        let task = Task {
            uid,
            batch_uid: None,
            index_uid,
            status: TaskStatus::Enqueued,
            kind: operation.kind(),
            canceled_by: None,
            details: operation.enqueued_details(),
            error: None,
            enqueued_at: now,
            started_at: None,
            finished_at: None,
            operation: Some(operation),
        };
        self.tasks.insert(uid, task.clone());
        task
    }

    /// The task `uid`.
    pub fn get(&self, uid: u32) -> Option<&Task> {
        self.tasks.get(&uid)
    }

    /// Takes the next enqueued task (cancelations first, then the lowest uid), marks it
    /// processing and opens its batch.
    pub fn take_next(&mut self, now: OffsetDateTime) -> Option<TakenTask> {
        let enqueued = || {
            self.tasks
                .values()
                .filter(|task| task.status == TaskStatus::Enqueued)
        };
        let uid = enqueued()
            .find(|task| task.kind == "taskCancelation")
            .or_else(|| enqueued().next())
            .map(|task| task.uid)?;
        let batch_uid = self.next_batch_uid;
        self.next_batch_uid += 1;
        let task = self.tasks.get_mut(&uid)?;
        let operation = task.operation.take()?;
        task.status = TaskStatus::Processing;
        task.started_at = Some(now);
        task.batch_uid = Some(batch_uid);
        self.batches.insert(
            batch_uid,
            Batch {
                uid: batch_uid,
                task_uid: uid,
                started_at: now,
                finished_at: None,
                progress_trace: Map::new(),
            },
        );
        Some(TakenTask {
            uid,
            index_uid: task.index_uid.clone(),
            operation,
        })
    }

    /// Records the outcome of a processed task and closes its batch.
    pub fn finish(
        &mut self,
        uid: u32,
        outcome: TaskOutcome,
        progress_trace: Map<String, Value>,
        now: OffsetDateTime,
    ) {
        let Some(task) = self.tasks.get_mut(&uid) else {
            return;
        };
        debug_assert_eq!(task.status, TaskStatus::Processing);
        task.status = if outcome.error.is_some() {
            TaskStatus::Failed
        } else {
            TaskStatus::Succeeded
        };
        task.details.extend(outcome.details);
        task.error = outcome.error;
        task.finished_at = Some(now);
        if let Some(batch) = task
            .batch_uid
            .and_then(|batch_uid| self.batches.get_mut(&batch_uid))
        {
            batch.finished_at = Some(now);
            batch.progress_trace = progress_trace;
        }
    }

    /// Uids of the tasks (registered before `before_uid`) matching `filter`.
    pub fn matching_uids(&self, filter: &TaskFilter, before_uid: u32) -> Vec<u32> {
        self.tasks
            .range(..before_uid)
            .filter(|(_, task)| filter.matches(task))
            .map(|(uid, _)| *uid)
            .collect()
    }

    /// Cancels the still-enqueued tasks among `uids`; returns how many were canceled.
    pub fn cancel(&mut self, uids: &[u32], canceled_by: u32, now: OffsetDateTime) -> usize {
        let batch_uid = self.tasks.get(&canceled_by).and_then(|task| task.batch_uid);
        let mut canceled = 0;
        for uid in uids {
            if let Some(task) = self.tasks.get_mut(uid) {
                if task.status == TaskStatus::Enqueued {
                    task.status = TaskStatus::Canceled;
                    task.canceled_by = Some(canceled_by);
                    task.started_at = Some(now);
                    task.finished_at = Some(now);
                    task.batch_uid = batch_uid;
                    task.operation = None;
                    canceled += 1;
                }
            }
        }
        canceled
    }

    /// Deletes the finished tasks among `uids`; returns how many were deleted.
    pub fn delete(&mut self, uids: &[u32]) -> usize {
        let before = self.tasks.len();
        for uid in uids {
            if self
                .tasks
                .get(uid)
                .is_some_and(|task| task.status.is_finished())
            {
                self.tasks.remove(uid);
            }
        }
        before - self.tasks.len()
    }

    /// Whether `index_uid` has enqueued or processing tasks (`isIndexing`).
    pub fn is_indexing(&self, index_uid: &str) -> bool {
        self.tasks
            .values()
            .any(|task| !task.status.is_finished() && task.index_uid.as_deref() == Some(index_uid))
    }

    /// The finish time of the latest finished task (`lastUpdate` of `/stats`).
    pub fn last_update(&self) -> Option<OffsetDateTime> {
        self.tasks
            .values()
            .filter_map(|task| task.finished_at)
            .max()
    }

    /// Renames `from` to `to` in the history (index swaps relabel past tasks, both ways when
    /// `both_ways`).
    pub fn relabel_index(&mut self, from: &str, to: &str, both_ways: bool) {
        for task in self.tasks.values_mut() {
            match task.index_uid.as_deref() {
                Some(uid) if uid == from => task.index_uid = Some(to.to_owned()),
                Some(uid) if both_ways && uid == to => task.index_uid = Some(from.to_owned()),
                _ => {}
            }
        }
    }

    /// The page of `GET /tasks`.
    pub fn list(&self, query: &TaskListQuery) -> Value {
        let matching: Vec<&Task> = self
            .tasks
            .values()
            .filter(|task| query.filter.matches(task))
            .collect();
        let ordered = ordered_page(&matching, |task| task.uid, query);
        paged_json(
            ordered.results.iter().map(|task| task.to_json()).collect(),
            matching.len(),
            query.limit,
            ordered.from,
            ordered.next,
        )
    }

    /// The batch `uid` as JSON.
    pub fn batch_json(&self, uid: u32) -> Option<Value> {
        self.batches.get(&uid).map(|batch| self.render_batch(batch))
    }

    /// The page of `GET /batches` (filters apply to the batch's task).
    pub fn list_batches(&self, query: &TaskListQuery) -> Value {
        let matching: Vec<&Batch> = self
            .batches
            .values()
            .filter(|batch| {
                self.tasks
                    .get(&batch.task_uid)
                    .is_none_or(|task| query.filter.matches(task))
            })
            .collect();
        let ordered = ordered_page(&matching, |batch| batch.uid, query);
        paged_json(
            ordered
                .results
                .iter()
                .map(|batch| self.render_batch(batch))
                .collect(),
            matching.len(),
            query.limit,
            ordered.from,
            ordered.next,
        )
    }

    fn render_batch(&self, batch: &Batch) -> Value {
        let task = self.tasks.get(&batch.task_uid);
        let kind = task.map_or("unknown", |task| task.kind);
        let status = task.map_or("succeeded", |task| task.status.name());
        let index_uids: Map<String, Value> = task
            .and_then(|task| task.index_uid.clone())
            .map(|uid| (uid, json!(1)))
            .into_iter()
            .collect();
        let duration = batch.finished_at.map(|finished| {
            iso_duration(Duration::try_from(finished - batch.started_at).unwrap_or_default())
        });
        let progress = if batch.finished_at.is_some() {
            Value::Null
        } else {
            json!({"steps": [], "percentage": 0.0})
        };
        json!({
            "uid": batch.uid,
            "progress": progress,
            "details": task.map(|task| task.details.clone()).unwrap_or_default(),
            "stats": {
                "totalNbTasks": 1,
                "status": {status: 1},
                "types": {kind: 1},
                "indexUids": index_uids,
                "progressTrace": batch.progress_trace,
            },
            "duration": duration,
            "startedAt": timestamp(batch.started_at),
            "finishedAt": timestamp_json(batch.finished_at),
            "batchStrategy": batch_strategy(batch.task_uid, kind, task.and_then(|task| task.index_uid.as_deref())),
        })
    }
}

/// Meilisearch's explanation of why a batch holds what it holds.
fn batch_strategy(task_uid: u32, kind: &str, index_uid: Option<&str>) -> String {
    match (kind, index_uid) {
        ("documentAdditionOrUpdate" | "documentDeletion" | "settingsUpdate" | "indexDeletion", Some(index)) => {
            format!("batched all enqueued tasks for index `{index}`")
        }
        _ => format!(
            "created batch containing only task with id {task_uid} of type `{kind}` that cannot be batched with any other task."
        ),
    }
}

struct Page<'a, T> {
    results: Vec<&'a T>,
    from: Option<u32>,
    next: Option<u32>,
}

/// Orders `items` (ascending by uid) newest first unless `reverse`, starts at `from`, cuts
/// `limit`, and finds the uid that starts the next page.
fn ordered_page<'a, T>(
    items: &[&'a T],
    uid_of: impl Fn(&T) -> u32,
    query: &TaskListQuery,
) -> Page<'a, T> {
    let mut ordered: Vec<&'a T> = items.to_vec();
    if !query.reverse {
        ordered.reverse();
    }
    let after_from: Vec<&'a T> = ordered
        .into_iter()
        .filter(|item| match query.from {
            None => true,
            Some(from) if query.reverse => uid_of(item) >= from,
            Some(from) => uid_of(item) <= from,
        })
        .collect();
    let results: Vec<&'a T> = after_from.iter().take(query.limit).copied().collect();
    let from = results.first().map(|item| uid_of(item));
    let next = after_from.get(query.limit).map(|item| uid_of(item));
    Page {
        results,
        from,
        next,
    }
}

fn paged_json(
    results: Vec<Value>,
    total: usize,
    limit: usize,
    from: Option<u32>,
    next: Option<u32>,
) -> Value {
    json!({"results": results, "total": total, "limit": limit, "from": from, "next": next})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::codes;
    use crate::time_format::now;

    fn store_with(count: u32) -> TaskStore {
        let mut store = TaskStore::default();
        for position in 0..count {
            store.register(
                Some(format!("index{position}")),
                TaskOperation::IndexCreation { primary_key: None },
                now(),
            );
        }
        store
    }

    fn list(store: &TaskStore, pairs: &[(&str, &str)]) -> Value {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        store.list(
            &TaskListQuery::parse(&pairs, codes::INVALID_TASK_LIMIT, codes::INVALID_TASK_FROM)
                .unwrap(),
        )
    }

    #[test]
    fn tasks_go_enqueued_processing_succeeded() {
        let mut store = store_with(1);
        assert_eq!(store.get(0).unwrap().status, TaskStatus::Enqueued);
        let taken = store.take_next(now()).unwrap();
        assert_eq!(taken.uid, 0);
        assert_eq!(store.get(0).unwrap().status, TaskStatus::Processing);
        assert_eq!(store.get(0).unwrap().batch_uid, Some(0));
        assert!(
            store.take_next(now()).is_none(),
            "a processing task is not taken twice"
        );
        store.finish(
            0,
            TaskOutcome {
                details: Map::new(),
                error: None,
            },
            Map::new(),
            now(),
        );
        let task = store.get(0).unwrap();
        assert_eq!(task.status, TaskStatus::Succeeded);
        assert!(task.finished_at.is_some() && task.operation.is_none());
    }

    #[test]
    fn failed_outcome_records_the_error() {
        let mut store = store_with(1);
        store.take_next(now()).unwrap();
        let error = NodeError::index_not_found("x");
        store.finish(
            0,
            TaskOutcome {
                details: Map::new(),
                error: Some(error.clone()),
            },
            Map::new(),
            now(),
        );
        assert_eq!(store.get(0).unwrap().status, TaskStatus::Failed);
        assert_eq!(store.get(0).unwrap().to_json()["error"], error.to_json());
    }

    #[test]
    fn cancelation_only_touches_enqueued_tasks() {
        let mut store = store_with(2);
        store.take_next(now()).unwrap();
        let canceled = store.cancel(&[0, 1], 9, now());
        assert_eq!(canceled, 1);
        assert_eq!(store.get(0).unwrap().status, TaskStatus::Processing);
        assert_eq!(store.get(1).unwrap().status, TaskStatus::Canceled);
        assert_eq!(store.get(1).unwrap().canceled_by, Some(9));
    }

    #[test]
    fn listing_pages_newest_first_with_next_cursor() {
        let store = store_with(5);
        let page = list(&store, &[("limit", "2")]);
        assert_eq!(page["results"].as_array().unwrap().len(), 2);
        assert_eq!(
            (
                page["total"].clone(),
                page["from"].clone(),
                page["next"].clone()
            ),
            (json!(5), json!(4), json!(2))
        );
        let page = list(&store, &[("from", "1"), ("limit", "2")]);
        assert_eq!(
            (page["from"].clone(), page["next"].clone()),
            (json!(1), Value::Null)
        );
        let page = list(&store, &[("reverse", "true"), ("limit", "1")]);
        assert_eq!(
            (page["from"].clone(), page["next"].clone()),
            (json!(0), json!(1))
        );
    }

    #[test]
    fn only_finished_tasks_are_deleted() {
        let mut store = store_with(2);
        store.take_next(now()).unwrap();
        store.finish(
            0,
            TaskOutcome {
                details: Map::new(),
                error: None,
            },
            Map::new(),
            now(),
        );
        assert_eq!(store.delete(&[0, 1]), 1);
        assert!(store.get(0).is_none() && store.get(1).is_some());
    }
}
