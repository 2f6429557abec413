//! Task records rendered as the exact JSON Meilisearch v1.50 returns from its task API.
//!
//! ```text
//!   TaskRecord ──task_json──────────────► GET /tasks/{uid}       {uid, batchUid, …, finishedAt}
//!              ──enqueued_summary_json──► 202 of every write     {taskUid, indexUid, …}
//!   TaskPage   ──task_list_json─────────► GET /tasks             {results, total, limit, from, next}
//! ```
//!
//! Keys come out in Meilisearch's order (`serde_json` is built with `preserve_order`).
//! Times are stored as unix milliseconds and printed the way Meilisearch prints them:
//! RFC 3339 in UTC with the shortest exact fraction (`2024-05-06T07:08:09.12Z`), and
//! durations as ISO-8601 (`PT0.012S`, `PT2S`, `P1DT3.500S`).
//!
//! Miroir has no batches. A task that left `enqueued` is reported as the only task of a batch
//! whose uid is the task uid (what a Meilisearch node shows when tasks run one at a time, as
//! in the recorded fixtures); an enqueued task has `batchUid: null`, as in Meilisearch.
//! `canceledBy` names the cancelation task of a task that ended `canceled` (null otherwise).
//! The counters a task cancelation or deletion fills (`canceledTasks`, `deletedTasks`) show as
//! null until that task finished, as in Meilisearch, even when Miroir already knows them.

use miroir_core::error::ErrorCode;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::task_query::TaskPage;
use crate::tasks::{TaskRecord, TaskStatus};

/// The latest instant RFC 3339 (four-digit years) can print: `9999-12-31T23:59:59.999Z`.
const LATEST_PRINTABLE_MS: u64 = 253_402_300_799_999;
const LATEST_PRINTABLE_TEXT: &str = "9999-12-31T23:59:59.999Z";
const NANOS_PER_MS: i128 = 1_000_000;
const MS_PER_SECOND: u64 = 1_000;
const SECONDS_PER_DAY: u64 = 86_400;

/// The object `GET /tasks/{uid}` returns: `uid, batchUid, indexUid, status, type, canceledBy,
/// details, error, duration, enqueuedAt, startedAt, finishedAt`, in that order.
///
/// `details` is left out when the record has none (Meilisearch skips a missing `details`);
/// `details_json`/`error_json` text that is not JSON is treated as missing details and as an
/// `internal` error respectively, so one damaged record cannot break a listing.
pub fn task_json(task: &TaskRecord) -> Value {
    let mut object = Map::new();
    object.insert("uid".into(), task.uid.into());
    object.insert("batchUid".into(), task_batch_uid(task).into());
    object.insert("indexUid".into(), task.index_uid.clone().into());
    object.insert("status".into(), task.status.as_str().into());
    object.insert("type".into(), task.task_type.clone().into());
    object.insert("canceledBy".into(), canceled_by_value(task));
    if let Some(mut details) = details_value(task.details_json.as_deref()) {
        if !task.status.is_terminal() {
            hide_unfinished_counters(&mut details);
        }
        object.insert("details".into(), details);
    }
    object.insert("error".into(), error_value(task.error_json.as_deref()));
    object.insert("duration".into(), duration_value(task));
    object.insert(
        "enqueuedAt".into(),
        format_timestamp_ms(task.enqueued_at_ms).into(),
    );
    object.insert("startedAt".into(), optional_timestamp(task.started_at_ms));
    object.insert("finishedAt".into(), optional_timestamp(task.finished_at_ms));
    Value::Object(object)
}

/// The body a write answers with (`202 Accepted`):
/// `{taskUid, indexUid, status, type, enqueuedAt}`.
pub fn enqueued_summary_json(task: &TaskRecord) -> Value {
    let mut object = Map::new();
    object.insert("taskUid".into(), task.uid.into());
    object.insert("indexUid".into(), task.index_uid.clone().into());
    object.insert("status".into(), task.status.as_str().into());
    object.insert("type".into(), task.task_type.clone().into());
    object.insert(
        "enqueuedAt".into(),
        format_timestamp_ms(task.enqueued_at_ms).into(),
    );
    Value::Object(object)
}

/// The body of `GET /tasks`: `{results, total, limit, from, next}`, where `from` is the uid of
/// the first returned task and `next` the `from` of the following page (both null when none).
/// The page already carries the requested `limit`.
pub fn task_list_json(page: &TaskPage<'_>) -> Value {
    let results: Vec<Value> = page.results.iter().map(|task| task_json(task)).collect();
    let mut object = Map::new();
    object.insert("results".into(), Value::Array(results));
    object.insert("total".into(), page.total.into());
    object.insert("limit".into(), page.limit.into());
    object.insert("from".into(), page.from.into());
    object.insert("next".into(), page.next.into());
    Value::Object(object)
}

/// The batch a task is reported in: its own uid once it left `enqueued`, none before.
pub fn task_batch_uid(task: &TaskRecord) -> Option<u64> {
    (task.status != TaskStatus::Enqueued).then_some(task.uid)
}

/// A unix-millisecond time as Meilisearch prints timestamps: RFC 3339, UTC (`Z`), with the
/// fraction trimmed of trailing zeros (`2024-05-06T07:08:09.12Z`). Times past year 9999 print as
/// its last millisecond.
///
/// Whole seconds keep one fractional digit (`1970-01-01T00:00:00.0Z`) where Meilisearch would
/// drop the fraction: its nanosecond clock practically never lands on one, our millisecond
/// records do once in a thousand, and official SDKs (Python's `%S.%fZ`) reject a timestamp
/// without a fraction.
pub fn format_timestamp_ms(unix_ms: u64) -> String {
    let printable_ms = unix_ms.min(LATEST_PRINTABLE_MS);
    let Some(mut text) =
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(printable_ms) * NANOS_PER_MS)
            .ok()
            .and_then(|at| at.format(&Rfc3339).ok())
    else {
        return LATEST_PRINTABLE_TEXT.to_owned();
    };
    if printable_ms.is_multiple_of(MS_PER_SECOND) && text.ends_with('Z') {
        text.insert_str(text.len() - 1, ".0");
    }
    text
}

/// A millisecond duration as Meilisearch prints task durations (ISO-8601, days split off,
/// sub-second part to the millisecond): `PT0S`, `PT0.012S`, `PT61S`, `P1D`, `P1DT0.500S`.
pub fn format_duration_ms(duration_ms: u64) -> String {
    let whole_seconds = duration_ms / MS_PER_SECOND;
    let millis = duration_ms % MS_PER_SECOND;
    let days = whole_seconds / SECONDS_PER_DAY;
    let seconds = whole_seconds % SECONDS_PER_DAY;
    let mut text = String::from("P");
    if days != 0 {
        text.push_str(&format!("{days}D"));
    }
    let has_time_part = seconds != 0 || millis != 0 || days == 0;
    if has_time_part {
        if millis == 0 {
            text.push_str(&format!("T{seconds}S"));
        } else {
            text.push_str(&format!("T{seconds}.{millis:03}S"));
        }
    }
    text
}

/// The cancelation task of a task that ended canceled; null for every other task.
fn canceled_by_value(task: &TaskRecord) -> Value {
    match (task.status, task.canceled_by) {
        (TaskStatus::Canceled, Some(canceler)) => canceler.into(),
        _ => Value::Null,
    }
}

/// Counters of task cancelations and deletions that Meilisearch only fills once finished.
const FINISHED_ONLY_COUNTERS: [&str; 2] = ["canceledTasks", "deletedTasks"];

fn hide_unfinished_counters(details: &mut Value) {
    if let Some(fields) = details.as_object_mut() {
        for counter in FINISHED_ONLY_COUNTERS {
            if let Some(value) = fields.get_mut(counter) {
                *value = Value::Null;
            }
        }
    }
}

fn optional_timestamp(unix_ms: Option<u64>) -> Value {
    unix_ms.map_or(Value::Null, |at| format_timestamp_ms(at).into())
}

/// `finishedAt - startedAt`, or null while unfinished (or if the clock went backwards, which
/// Meilisearch also prints as null).
fn duration_value(task: &TaskRecord) -> Value {
    match (task.started_at_ms, task.finished_at_ms) {
        (Some(started), Some(finished)) if finished >= started => {
            format_duration_ms(finished - started).into()
        }
        _ => Value::Null,
    }
}

fn details_value(details_json: Option<&str>) -> Option<Value> {
    let details: Value = serde_json::from_str(details_json?).ok()?;
    (!details.is_null()).then_some(details)
}

fn error_value(error_json: Option<&str>) -> Value {
    let Some(text) = error_json else {
        return Value::Null;
    };
    serde_json::from_str(text).unwrap_or_else(|_| unreadable_error(text))
}

/// Stands in for a stored error that is not JSON, keeping its text for the operator.
fn unreadable_error(text: &str) -> Value {
    let code = ErrorCode::Internal;
    let mut object = Map::new();
    object.insert(
        "message".into(),
        format!("the task error could not be read: {text}").into(),
    );
    object.insert("code".into(), code.as_str().into());
    object.insert("type".into(), code.error_type().as_str().into());
    object.insert("link".into(), code.link().into());
    Value::Object(object)
}

#[cfg(test)]
#[path = "task_view_tests.rs"]
mod tests;
