//! Meilisearch v1.50's task query parameters, parsed into a [`TaskQuery`] with Meilisearch's
//! exact error codes and messages.
//!
//! ```text
//!   "statuses=failed&limit=2" ─decode (form-urlencoded)─► [(name, value)] ─dedupe─► per name:
//!       unknown name      → bad_request "Unknown parameter `x`: [did you mean `y`? ]expected one of …"
//!       bad value         → invalid_task_* "Invalid value in parameter `name[i]`: …"
//!   then, for DELETE /tasks and POST /tasks/cancel only: no filter at all → missing_task_filters
//! ```
//!
//! Rules copied from Meilisearch's behaviour (not its code):
//! - a repeated parameter keeps its first position and its last value;
//! - parameters are checked in query order and the first error wins;
//! - lists are comma-separated, empty items are dropped, `*` anywhere means "any" (items are
//!   still validated); an error in a list of several items names the item, `uids[1]`;
//! - a list with no item (`uids=`) matches no task;
//! - a date is RFC 3339 or `YYYY-MM-DD` (midnight UTC; an `after*` date then means "after
//!   that whole day"); bounds are strict;
//! - statuses and types are case-insensitive;
//! - a `*` value still counts as a filter for delete/cancel (`DELETE /tasks?uids=*` deletes
//!   every finished task).

use std::borrow::Cow;
use std::collections::HashMap;

use miroir_core::error::{ApiError, ErrorBody, ErrorType, MEILISEARCH_ERRORS_DOC_BASE};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, Time};

use self::BoundSide::{After, Before};
use self::TimeField::{Enqueued, Finished, Started};
use crate::task_query::TaskQuery;
use crate::tasks::TaskStatus;

/// A task query parameter Meilisearch refuses, with its wire code and exact message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TaskParamError {
    code: &'static str,
    message: String,
}

impl TaskParamError {
    fn new(code: &'static str, message: String) -> Self {
        Self { code, message }
    }

    /// Meilisearch's error code, e.g. `invalid_task_statuses`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Meilisearch's exact message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status Meilisearch answers with (every task parameter error is a 400).
    pub fn http_status(&self) -> u16 {
        400
    }

    /// The `{message, code, type, link}` body Meilisearch answers with.
    pub fn to_error_body(&self) -> ErrorBody {
        ErrorBody {
            message: self.message.clone(),
            code: self.code.to_owned(),
            error_type: ErrorType::InvalidRequest.as_str().to_owned(),
            link: format!("{MEILISEARCH_ERRORS_DOC_BASE}#{}", self.code),
        }
    }
}

impl From<TaskParamError> for ApiError {
    /// The Meilisearch error a server answers with.
    fn from(error: TaskParamError) -> Self {
        ApiError::from_node(error.http_status(), error.to_error_body())
    }
}

/// Which bulk endpoint a filter is for; it changes the `missing_task_filters` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskBulkAction {
    /// `POST /tasks/cancel`.
    Cancel,
    /// `DELETE /tasks`.
    Delete,
}

/// Parses the query string of `GET /tasks` (what follows `?`, still percent-encoded).
/// Unset parameters keep [`TaskQuery::default`] (newest first, 20 per page, no filter).
pub fn parse_task_list_query(query_string: &str) -> Result<TaskQuery, TaskParamError> {
    let every_parameter: Vec<&str> = PARAMETERS.iter().map(|parameter| parameter.name).collect();
    Ok(parse(query_string, &every_parameter)?.query)
}

/// Parses the query string of `POST /tasks/cancel` or `DELETE /tasks`. At least one filter
/// is required (`missing_task_filters` otherwise); `limit`, `from` and `reverse` are unknown
/// parameters there. The returned query has no page bound (`limit` is `usize::MAX`), so
/// listing with it yields every matching task.
pub fn parse_task_filter_for_delete_or_cancel(
    query_string: &str,
    action: TaskBulkAction,
) -> Result<TaskQuery, TaskParamError> {
    let parsed = parse(query_string, &BULK_FILTER_NAMES)?;
    if !parsed.has_filter {
        let verb = match action {
            TaskBulkAction::Cancel => "cancel",
            TaskBulkAction::Delete => "delete",
        };
        return Err(TaskParamError::new(
            "missing_task_filters",
            format!(
                "Query parameters to filter the tasks to {verb} are missing. Available query parameters are: `uids`, `indexUids`, `statuses`, `types`, `canceledBy`, `beforeEnqueuedAt`, `afterEnqueuedAt`, `beforeStartedAt`, `afterStartedAt`, `beforeFinishedAt`, `afterFinishedAt`."
            ),
        ));
    }
    Ok(TaskQuery {
        limit: usize::MAX,
        ..parsed.query
    })
}

/// What one parameter sets.
#[derive(Debug, Clone, Copy)]
enum Target {
    Limit,
    From,
    Reverse,
    BatchUids,
    Uids,
    CanceledBy,
    Types,
    Statuses,
    IndexUids,
    Date(TimeField, BoundSide),
}

#[derive(Debug, Clone, Copy)]
enum TimeField {
    Enqueued,
    Started,
    Finished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BoundSide {
    After,
    Before,
}

/// A parameter: its name, what it sets and the code of its value errors.
struct Parameter {
    name: &'static str,
    target: Target,
    code: &'static str,
}

const fn parameter(name: &'static str, target: Target, code: &'static str) -> Parameter {
    Parameter { name, target, code }
}

const fn date(
    name: &'static str,
    field: TimeField,
    side: BoundSide,
    code: &'static str,
) -> Parameter {
    parameter(name, Target::Date(field, side), code)
}

/// Every parameter, in the order Meilisearch lists them for `GET /tasks` (which accepts all).
#[rustfmt::skip]
const PARAMETERS: &[Parameter] = &[
    parameter("limit", Target::Limit, "invalid_task_limit"),
    parameter("from", Target::From, "invalid_task_from"),
    parameter("reverse", Target::Reverse, "invalid_task_reverse"),
    parameter("batchUids", Target::BatchUids, "invalid_batch_uids"),
    parameter("uids", Target::Uids, "invalid_task_uids"),
    parameter("canceledBy", Target::CanceledBy, "invalid_task_canceled_by"),
    parameter("types", Target::Types, "invalid_task_types"),
    parameter("statuses", Target::Statuses, "invalid_task_statuses"),
    parameter("indexUids", Target::IndexUids, "invalid_index_uid"),
    date("afterEnqueuedAt", Enqueued, After, "invalid_task_after_enqueued_at"),
    date("beforeEnqueuedAt", Enqueued, Before, "invalid_task_before_enqueued_at"),
    date("afterStartedAt", Started, After, "invalid_task_after_started_at"),
    date("beforeStartedAt", Started, Before, "invalid_task_before_started_at"),
    date("afterFinishedAt", Finished, After, "invalid_task_after_finished_at"),
    date("beforeFinishedAt", Finished, Before, "invalid_task_before_finished_at"),
];

/// `POST /tasks/cancel` and `DELETE /tasks` accept the filters only, listed in this order.
const BULK_FILTER_NAMES: [&str; 12] = [
    "uids",
    "batchUids",
    "canceledBy",
    "types",
    "statuses",
    "indexUids",
    "afterEnqueuedAt",
    "beforeEnqueuedAt",
    "afterStartedAt",
    "beforeStartedAt",
    "afterFinishedAt",
    "beforeFinishedAt",
];

const STATUSES: [TaskStatus; 5] = [
    TaskStatus::Enqueued,
    TaskStatus::Processing,
    TaskStatus::Succeeded,
    TaskStatus::Failed,
    TaskStatus::Canceled,
];

/// Every task type Meilisearch v1.50 knows, in its order.
const TASK_TYPES: [&str; 18] = [
    "documentAdditionOrUpdate",
    "documentEdition",
    "documentDeletion",
    "settingsUpdate",
    "indexCreation",
    "indexDeletion",
    "indexUpdate",
    "indexSwap",
    "taskCancelation",
    "taskDeletion",
    "dumpCreation",
    "snapshotCreation",
    "export",
    "upgradeDatabase",
    "indexCompaction",
    "networkTopologyChange",
    "dsrUpdate",
    "dsrClear",
];

/// Longest index uid Meilisearch accepts, in bytes (its message says 512; it checks 400).
const MAX_INDEX_UID_BYTES: usize = 400;
const NANOS_PER_MS: i128 = 1_000_000;

/// A parsed query plus whether any filter parameter (not a page bound) was given.
struct Parsed {
    query: TaskQuery,
    has_filter: bool,
}

fn parse(query_string: &str, accepted: &[&str]) -> Result<Parsed, TaskParamError> {
    let mut parsed = Parsed {
        query: TaskQuery::default(),
        has_filter: false,
    };
    for (name, raw) in decode_pairs(query_string) {
        let known = accepted.contains(&name.as_str());
        let Some(parameter) = PARAMETERS
            .iter()
            .find(|parameter| known && parameter.name == name)
        else {
            return Err(unknown_parameter(&name, accepted));
        };
        if !matches!(
            parameter.target,
            Target::Limit | Target::From | Target::Reverse
        ) {
            parsed.has_filter = true;
        }
        apply(&mut parsed.query, parameter, &raw)?;
    }
    Ok(parsed)
}

/// Form-decodes the query; a repeated name keeps its first position and its last value.
fn decode_pairs(query_string: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut position_by_name: HashMap<String, usize> = HashMap::new();
    for (name, value) in form_urlencoded::parse(query_string.as_bytes()) {
        match position_by_name.get(name.as_ref()) {
            Some(&position) => {
                if let Some((_, previous)) = pairs.get_mut(position) {
                    *previous = value.into_owned();
                }
            }
            None => {
                position_by_name.insert(name.to_string(), pairs.len());
                pairs.push((name.into_owned(), value.into_owned()));
            }
        }
    }
    pairs
}

fn apply(query: &mut TaskQuery, parameter: &Parameter, raw: &str) -> Result<(), TaskParamError> {
    let name = parameter.name;
    let code = parameter.code;
    match parameter.target {
        Target::Limit => {
            let limit = parse_u32(name, raw, code)?;
            query.limit = usize::try_from(limit).unwrap_or(usize::MAX);
        }
        Target::From => query.from = Some(u64::from(parse_u32(name, raw, code)?)),
        Target::Reverse => query.reverse = parse_bool(name, raw, code)?,
        Target::BatchUids => store_list(
            parse_uids(parameter, raw)?,
            &mut query.batch_uids,
            &mut query.matches_none,
        ),
        Target::Uids => store_list(
            parse_uids(parameter, raw)?,
            &mut query.uids,
            &mut query.matches_none,
        ),
        Target::CanceledBy => store_list(
            parse_uids(parameter, raw)?,
            &mut query.canceled_by,
            &mut query.matches_none,
        ),
        Target::Types => {
            let types = parse_list(parameter, raw, |item| {
                canonical_type(item).map(str::to_owned).ok_or_else(|| {
                    format!(
                        "`{item}` is not a valid task type. Available types are {}.",
                        backquoted(TASK_TYPES.iter().copied())
                    )
                })
            })?;
            store_list(types, &mut query.types, &mut query.matches_none);
        }
        Target::Statuses => {
            let statuses = parse_list(parameter, raw, |item| {
                STATUSES
                    .into_iter()
                    .find(|status| status.as_str().eq_ignore_ascii_case(item))
                    .ok_or_else(|| {
                        format!(
                            "`{item}` is not a valid task status. Available statuses are {}.",
                            backquoted(STATUSES.iter().map(|status| status.as_str()))
                        )
                    })
            })?;
            store_list(statuses, &mut query.statuses, &mut query.matches_none);
        }
        Target::IndexUids => {
            let index_uids = parse_list(parameter, raw, |item| {
                if is_valid_index_uid(item) {
                    Ok(item.to_owned())
                } else {
                    Err(format!(
                        "`{item}` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes."
                    ))
                }
            })?;
            store_list(index_uids, &mut query.index_uids, &mut query.matches_none);
        }
        Target::Date(field, side) => {
            if raw != "*" {
                let at_nanos = parse_date_nanos(raw, side).ok_or_else(|| {
                    invalid_value(
                        code,
                        name,
                        &format!(
                            "`{raw}` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."
                        ),
                    )
                })?;
                set_time_bound(query, field, side, at_nanos);
            }
        }
    }
    Ok(())
}

/// A parsed list parameter: `*` (any) or the listed items.
enum ListFilter<T> {
    Any,
    Items(Vec<T>),
}

/// Stores a list filter in `field` (left empty, i.e. any, for `*`); a list with no item
/// makes the whole query match nothing.
fn store_list<T>(list: ListFilter<T>, field: &mut Vec<T>, matches_none: &mut bool) {
    match list {
        ListFilter::Any => field.clear(),
        ListFilter::Items(items) => {
            *matches_none |= items.is_empty();
            *field = items;
        }
    }
}

/// Splits a comma-separated list, drops empty items and parses every other item; the first
/// bad one fails the whole parameter.
fn parse_list<T>(
    parameter: &Parameter,
    raw: &str,
    mut parse_item: impl FnMut(&str) -> Result<T, String>,
) -> Result<ListFilter<T>, TaskParamError> {
    let items: Vec<&str> = raw.split(',').filter(|item| !item.is_empty()).collect();
    let mut any = false;
    let mut parsed = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        if *item == "*" {
            any = true;
            continue;
        }
        match parse_item(item) {
            Ok(value) => parsed.push(value),
            Err(reason) => {
                let location = if items.len() > 1 {
                    Cow::Owned(format!("{}[{position}]", parameter.name))
                } else {
                    Cow::Borrowed(parameter.name)
                };
                return Err(invalid_value(parameter.code, &location, &reason));
            }
        }
    }
    Ok(if any {
        ListFilter::Any
    } else {
        ListFilter::Items(parsed)
    })
}

fn parse_uids(parameter: &Parameter, raw: &str) -> Result<ListFilter<u64>, TaskParamError> {
    parse_list(parameter, raw, |item| {
        item.parse::<u32>()
            .map(u64::from)
            .map_err(|_| not_a_positive_integer(item))
    })
}

fn parse_u32(name: &str, raw: &str, code: &'static str) -> Result<u32, TaskParamError> {
    raw.parse::<u32>()
        .map_err(|_| invalid_value(code, name, &not_a_positive_integer(raw)))
}

fn parse_bool(name: &str, raw: &str, code: &'static str) -> Result<bool, TaskParamError> {
    raw.parse::<bool>().map_err(|_| {
        invalid_value(
            code,
            name,
            &format!("could not parse `{raw}` as a boolean, expected either `true` or `false`"),
        )
    })
}

fn not_a_positive_integer(raw: &str) -> String {
    format!("could not parse `{raw}` as a positive integer")
}

fn invalid_value(code: &'static str, location: &str, reason: &str) -> TaskParamError {
    TaskParamError::new(
        code,
        format!("Invalid value in parameter `{location}`: {reason}"),
    )
}

fn canonical_type(name: &str) -> Option<&'static str> {
    TASK_TYPES
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(name))
}

fn is_valid_index_uid(uid: &str) -> bool {
    !uid.is_empty()
        && uid.len() <= MAX_INDEX_UID_BYTES
        && uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An RFC 3339 date-time, or a `YYYY-MM-DD` date at midnight UTC (the next midnight for an
/// `after` bound, so the whole day is excluded), as unix nanoseconds.
fn parse_date_nanos(raw: &str, side: BoundSide) -> Option<i128> {
    if let Ok(at) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Some(at.unix_timestamp_nanos());
    }
    let day = Date::parse(
        raw,
        format_description!("[year repr:full base:calendar]-[month repr:numerical]-[day]"),
    )
    .ok()?;
    let midnight = day.with_time(Time::MIDNIGHT).assume_utc();
    let at = match side {
        BoundSide::Before => midnight,
        BoundSide::After => midnight.checked_add(Duration::days(1)).unwrap_or(midnight),
    };
    Some(at.unix_timestamp_nanos())
}

/// Stores a strict bound given in nanoseconds as the equivalent bound on millisecond times:
/// `t_ms·10⁶ > b ⇔ t_ms > ⌊b/10⁶⌋` and `t_ms·10⁶ < b ⇔ t_ms < ⌈b/10⁶⌉`.
fn set_time_bound(query: &mut TaskQuery, field: TimeField, side: BoundSide, at_nanos: i128) {
    let bound_ms = match side {
        BoundSide::After => at_nanos.div_euclid(NANOS_PER_MS),
        BoundSide::Before => -(-at_nanos).div_euclid(NANOS_PER_MS),
    };
    let signed_ms =
        i64::try_from(bound_ms).unwrap_or(if bound_ms < 0 { i64::MIN } else { i64::MAX });
    match (field, side) {
        // Enqueue times always exist and are never negative: a pre-1970 `after` keeps every
        // task and a `before` at or under 0 keeps none (no u64 is below 0).
        (TimeField::Enqueued, BoundSide::After) => {
            query.after_enqueued_at_ms = u64::try_from(signed_ms).ok();
        }
        (TimeField::Enqueued, BoundSide::Before) => {
            query.before_enqueued_at_ms = Some(u64::try_from(signed_ms).unwrap_or(0));
        }
        (TimeField::Started, BoundSide::After) => query.after_started_at_ms = Some(signed_ms),
        (TimeField::Started, BoundSide::Before) => query.before_started_at_ms = Some(signed_ms),
        (TimeField::Finished, BoundSide::After) => query.after_finished_at_ms = Some(signed_ms),
        (TimeField::Finished, BoundSide::Before) => query.before_finished_at_ms = Some(signed_ms),
    }
}

fn unknown_parameter(name: &str, accepted: &[&str]) -> TaskParamError {
    TaskParamError::new(
        "bad_request",
        format!(
            "Unknown parameter `{name}`: {}expected one of {}",
            did_you_mean(name, accepted),
            backquoted(accepted.iter().copied())
        ),
    )
}

/// `did you mean `x`? ` for the closest accepted name within a typo budget that grows with
/// the length of what was received (none under 4 bytes), or nothing.
fn did_you_mean(received: &str, accepted: &[&str]) -> String {
    let allowed_typos = match received.len() {
        0..=3 => return String::new(),
        4..=7 => 1,
        8..=12 => 2,
        13..=17 => 3,
        18..=24 => 4,
        _ => 5,
    };
    accepted
        .iter()
        .map(|candidate| (candidate, strsim::damerau_levenshtein(received, candidate)))
        .filter(|(_, distance)| *distance <= allowed_typos)
        .min_by_key(|(_, distance)| *distance)
        .map(|(candidate, _)| format!("did you mean `{candidate}`? "))
        .unwrap_or_default()
}

fn backquoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "task_params_tests.rs"]
mod tests;
