//! Listing tasks the way Meilisearch's `GET /tasks` does: filters, newest first, paginated
//! by `from` (a task uid) and `limit`, with the total count of matches and the `next` uid.

use crate::tasks::{TaskRecord, TaskStatus, TaskTable};

/// Filters and page bounds of a task listing; empty filter lists match everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    /// Start at this uid (inclusive) and go down; `None` starts at the newest task.
    pub from: Option<u64>,
    /// Most tasks returned (Meilisearch default 20).
    pub limit: usize,
    /// Only these uids.
    pub uids: Vec<u64>,
    /// Only these statuses.
    pub statuses: Vec<TaskStatus>,
    /// Only these task types (Meilisearch spelling).
    pub types: Vec<String>,
    /// Only tasks about these indexes.
    pub index_uids: Vec<String>,
    /// Only tasks enqueued strictly after this time.
    pub after_enqueued_at_ms: Option<u64>,
    /// Only tasks enqueued strictly before this time.
    pub before_enqueued_at_ms: Option<u64>,
}

impl Default for TaskQuery {
    fn default() -> Self {
        Self {
            from: None,
            limit: 20,
            uids: Vec::new(),
            statuses: Vec::new(),
            types: Vec::new(),
            index_uids: Vec::new(),
            after_enqueued_at_ms: None,
            before_enqueued_at_ms: None,
        }
    }
}

impl TaskQuery {
    /// Whether `task` passes every filter (page bounds aside).
    pub fn matches(&self, task: &TaskRecord) -> bool {
        let index_matches = self.index_uids.is_empty()
            || task
                .index_uid
                .as_ref()
                .is_some_and(|uid| self.index_uids.contains(uid));
        (self.uids.is_empty() || self.uids.contains(&task.uid))
            && (self.statuses.is_empty() || self.statuses.contains(&task.status))
            && (self.types.is_empty() || self.types.contains(&task.task_type))
            && index_matches
            && self
                .after_enqueued_at_ms
                .is_none_or(|after| task.enqueued_at_ms > after)
            && self
                .before_enqueued_at_ms
                .is_none_or(|before| task.enqueued_at_ms < before)
    }
}

/// One page of a task listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPage<'a> {
    /// Matching tasks, newest first.
    pub results: Vec<&'a TaskRecord>,
    /// Matching tasks in the whole registry, ignoring `from` and `limit`.
    pub total: u64,
    /// The `limit` asked for.
    pub limit: usize,
    /// uid of the first returned task.
    pub from: Option<u64>,
    /// uid to pass as `from` for the next page, if there is one.
    pub next: Option<u64>,
}

impl TaskTable {
    /// Runs a listing query against the retained tasks.
    pub fn query(&self, query: &TaskQuery) -> TaskPage<'_> {
        let total = self.iter().filter(|task| query.matches(task)).count();
        let mut page: Vec<&TaskRecord> = self
            .newest_first(query.from)
            .filter(|task| query.matches(task))
            .take(query.limit.saturating_add(1))
            .collect();
        let next = if page.len() > query.limit {
            page.pop().map(|task| task.uid)
        } else {
            None
        };
        TaskPage {
            from: page.first().map(|task| task.uid),
            results: page,
            total: u64::try_from(total).unwrap_or(u64::MAX),
            limit: query.limit,
            next,
        }
    }
}
