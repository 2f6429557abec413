//! Listing tasks the way Meilisearch's `GET /tasks` does: filters, newest first (oldest first
//! with `reverse`), paginated by `from` (a task uid) and `limit`, with the total count of
//! matches and the `next` uid.
//!
//! Miroir has no batches: a task that left `enqueued` counts as its own batch, whose uid is
//! the task uid (see `task_view`). A `canceled_by` filter matches tasks that ended `canceled`
//! through one of the listed cancelation tasks.

use crate::tasks::{TaskRecord, TaskStatus, TaskTable};

/// Filters and page bounds of a task listing; empty filter lists match everything.
///
/// Not part of the replicated log: built per request (e.g. by `parse_task_list_query`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    /// Start at this uid (inclusive) and go down (up with `reverse`); `None` starts at the
    /// newest (oldest with `reverse`) task.
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
    /// List oldest first instead of newest first.
    pub reverse: bool,
    /// Only tasks in these batches: in Miroir, tasks that left `enqueued` whose uid is listed.
    pub batch_uids: Vec<u64>,
    /// Only tasks canceled by one of these cancelation tasks.
    pub canceled_by: Vec<u64>,
    /// Only tasks started strictly after this time (unix ms; negative is before 1970).
    pub after_started_at_ms: Option<i64>,
    /// Only tasks started strictly before this time (unix ms).
    pub before_started_at_ms: Option<i64>,
    /// Only tasks finished strictly after this time (unix ms).
    pub after_finished_at_ms: Option<i64>,
    /// Only tasks finished strictly before this time (unix ms).
    pub before_finished_at_ms: Option<i64>,
    /// Match no task at all: set when a filter list was given with no item (`uids=`), which
    /// Meilisearch treats as an empty set rather than as "any".
    pub matches_none: bool,
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
            reverse: false,
            batch_uids: Vec::new(),
            canceled_by: Vec::new(),
            after_started_at_ms: None,
            before_started_at_ms: None,
            after_finished_at_ms: None,
            before_finished_at_ms: None,
            matches_none: false,
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
        let batch_matches = self.batch_uids.is_empty()
            || (task.status != TaskStatus::Enqueued && self.batch_uids.contains(&task.uid));
        let canceled_by_matches = self.canceled_by.is_empty()
            || (task.status == TaskStatus::Canceled
                && task
                    .canceled_by
                    .is_some_and(|canceler| self.canceled_by.contains(&canceler)));
        !self.matches_none
            && canceled_by_matches
            && batch_matches
            && (self.uids.is_empty() || self.uids.contains(&task.uid))
            && (self.statuses.is_empty() || self.statuses.contains(&task.status))
            && (self.types.is_empty() || self.types.contains(&task.task_type))
            && index_matches
            && self
                .after_enqueued_at_ms
                .is_none_or(|after| task.enqueued_at_ms > after)
            && self
                .before_enqueued_at_ms
                .is_none_or(|before| task.enqueued_at_ms < before)
            && within(
                task.started_at_ms,
                self.after_started_at_ms,
                self.before_started_at_ms,
            )
            && within(
                task.finished_at_ms,
                self.after_finished_at_ms,
                self.before_finished_at_ms,
            )
    }
}

/// Whether `at` passes strict `after`/`before` bounds; a missing time fails any bound.
fn within(at: Option<u64>, after: Option<i64>, before: Option<i64>) -> bool {
    if after.is_none() && before.is_none() {
        return true;
    }
    let Some(at) = at else {
        return false;
    };
    let at = i128::from(at);
    after.is_none_or(|after| at > i128::from(after))
        && before.is_none_or(|before| at < i128::from(before))
}

/// One page of a task listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPage<'a> {
    /// Matching tasks, newest first (oldest first with `reverse`).
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
        let page_with_one_more = query.limit.saturating_add(1);
        let mut page: Vec<&TaskRecord> = if query.reverse {
            let from = query.from.unwrap_or(0);
            self.iter()
                .skip_while(|task| task.uid < from)
                .filter(|task| query.matches(task))
                .take(page_with_one_more)
                .collect()
        } else {
            self.newest_first(query.from)
                .filter(|task| query.matches(task))
                .take(page_with_one_more)
                .collect()
        };
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
