//! The task filters of `GET /tasks`, `POST /tasks/cancel` and `DELETE /tasks` (and batches):
//! parsing the query string with Meilisearch's errors, and matching tasks.

use time::OffsetDateTime;

use crate::errors::{codes, invalid, ErrorCode, NodeError, NodeResult};
use crate::json_shape::{query_boolean, query_list, query_positive_integer};
use crate::tasks::model::{Task, TASK_STATUSES, TASK_TYPES};
use crate::time_format::parse_timestamp;

/// The filter parameters (every list accepts `*` = any).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    /// `uids`.
    pub uids: Option<Vec<u32>>,
    /// `batchUids`.
    pub batch_uids: Option<Vec<u32>>,
    /// `indexUids`.
    pub index_uids: Option<Vec<String>>,
    /// `statuses`.
    pub statuses: Option<Vec<String>>,
    /// `types`.
    pub types: Option<Vec<String>>,
    /// `canceledBy`.
    pub canceled_by: Option<Vec<u32>>,
    /// `beforeEnqueuedAt`, `afterEnqueuedAt`, `beforeStartedAt`, `afterStartedAt`,
    /// `beforeFinishedAt`, `afterFinishedAt`, in that order.
    pub dates: [Option<OffsetDateTime>; 6],
}

/// `GET /tasks` parameters: filters plus `limit`, `from`, `reverse`.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskListQuery {
    /// The filters.
    pub filter: TaskFilter,
    /// Page size (default 20).
    pub limit: usize,
    /// Uid to start from (descending order unless `reverse`).
    pub from: Option<u32>,
    /// Ascending order.
    pub reverse: bool,
}

const DATE_PARAMETERS: [(&str, &str); 6] = [
    ("beforeEnqueuedAt", "invalid_task_before_enqueued_at"),
    ("afterEnqueuedAt", "invalid_task_after_enqueued_at"),
    ("beforeStartedAt", "invalid_task_before_started_at"),
    ("afterStartedAt", "invalid_task_after_started_at"),
    ("beforeFinishedAt", "invalid_task_before_finished_at"),
    ("afterFinishedAt", "invalid_task_after_finished_at"),
];

const FILTER_PARAMETERS: &[&str] = &[
    "uids",
    "batchUids",
    "indexUids",
    "statuses",
    "types",
    "canceledBy",
    "beforeEnqueuedAt",
    "afterEnqueuedAt",
    "beforeStartedAt",
    "afterStartedAt",
    "beforeFinishedAt",
    "afterFinishedAt",
];

/// Which endpoint the filters are for (it changes the accepted parameters and errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterPurpose {
    /// `GET /tasks` / `GET /batches`.
    List,
    /// `POST /tasks/cancel`.
    Cancel,
    /// `DELETE /tasks`.
    Delete,
}

impl TaskFilter {
    /// Parses the filter parameters of `pairs`; other parameters are left to the caller.
    pub fn parse(pairs: &[(String, String)]) -> NodeResult<Self> {
        let mut filter = Self::default();
        for (name, raw) in pairs {
            match name.as_str() {
                "uids" => filter.uids = parse_uids(name, raw, codes::INVALID_TASK_UIDS)?,
                "batchUids" => {
                    filter.batch_uids = parse_uids(name, raw, codes::INVALID_TASK_BATCH_UIDS)?
                }
                "canceledBy" => {
                    filter.canceled_by = parse_uids(name, raw, codes::INVALID_TASK_CANCELED_BY)?
                }
                "indexUids" => filter.index_uids = wildcard_list(raw),
                "statuses" => {
                    filter.statuses = wildcard_list(raw);
                    if let Some(unknown) = filter
                        .statuses
                        .iter()
                        .flatten()
                        .find(|status| !TASK_STATUSES.contains(&status.as_str()))
                    {
                        return Err(NodeError::new(
                            codes::INVALID_TASK_STATUSES,
                            format!(
                                "Invalid value in parameter `statuses`: `{unknown}` is not a valid task status. Available statuses are {}.",
                                backquoted(TASK_STATUSES)
                            ),
                        ));
                    }
                }
                "types" => {
                    filter.types = wildcard_list(raw);
                    if let Some(unknown) = filter
                        .types
                        .iter()
                        .flatten()
                        .find(|kind| !TASK_TYPES.contains(&kind.as_str()))
                    {
                        return Err(NodeError::new(
                            codes::INVALID_TASK_TYPES,
                            format!(
                                "Invalid value in parameter `types`: `{unknown}` is not a valid task type. Available types are {}.",
                                backquoted(TASK_TYPES)
                            ),
                        ));
                    }
                }
                _ => {
                    if let Some(position) = DATE_PARAMETERS
                        .iter()
                        .position(|(parameter, _)| parameter == name)
                    {
                        filter.dates[position] =
                            Some(parse_date(name, raw, invalid(DATE_PARAMETERS[position].1))?);
                    }
                }
            }
        }
        Ok(filter)
    }

    /// Whether no filter is set (cancel and delete refuse that).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether `task` passes every filter.
    pub fn matches(&self, task: &Task) -> bool {
        let in_list = |list: &Option<Vec<u32>>, value: Option<u32>| {
            list.as_ref()
                .is_none_or(|uids| value.is_some_and(|value| uids.contains(&value)))
        };
        let in_names = |list: &Option<Vec<String>>, value: Option<&str>| {
            list.as_ref().is_none_or(|names| {
                value.is_some_and(|value| names.iter().any(|name| name == value))
            })
        };
        let times = [
            Some(task.enqueued_at),
            Some(task.enqueued_at),
            task.started_at,
            task.started_at,
            task.finished_at,
            task.finished_at,
        ];
        let dates_match =
            self.dates
                .iter()
                .zip(times)
                .enumerate()
                .all(|(position, (bound, time))| match bound {
                    None => true,
                    Some(bound) => time.is_some_and(|time| {
                        if position % 2 == 0 {
                            time < *bound
                        } else {
                            time > *bound
                        }
                    }),
                });
        in_list(&self.uids, Some(task.uid))
            && in_list(&self.batch_uids, task.batch_uid)
            && in_list(&self.canceled_by, task.canceled_by)
            && in_names(&self.index_uids, task.index_uid.as_deref())
            && in_names(&self.statuses, Some(task.status.name()))
            && in_names(&self.types, Some(task.kind))
            && dates_match
    }
}

impl TaskListQuery {
    /// Parses `GET /tasks` (or `GET /batches`) parameters, rejecting unknown ones.
    pub fn parse(
        pairs: &[(String, String)],
        limit_code: ErrorCode,
        from_code: ErrorCode,
    ) -> NodeResult<Self> {
        let mut accepted = vec!["limit", "from", "reverse"];
        accepted.extend_from_slice(FILTER_PARAMETERS);
        reject_unknown_parameters(pairs, &accepted)?;
        let mut query = Self {
            filter: TaskFilter::parse(pairs)?,
            limit: 20,
            from: None,
            reverse: false,
        };
        for (name, raw) in pairs {
            match name.as_str() {
                "limit" => query.limit = query_positive_integer(name, raw, limit_code)?,
                "from" => {
                    let from = query_positive_integer(name, raw, from_code)?;
                    query.from = Some(u32::try_from(from).unwrap_or(u32::MAX));
                }
                "reverse" => query.reverse = query_boolean(name, raw, codes::INVALID_TASK_REVERSE)?,
                _ => {}
            }
        }
        Ok(query)
    }
}

/// Parses the filters of `POST /tasks/cancel` or `DELETE /tasks`; at least one is required.
pub fn parse_filter_for(
    purpose: FilterPurpose,
    pairs: &[(String, String)],
) -> NodeResult<TaskFilter> {
    reject_unknown_parameters(pairs, FILTER_PARAMETERS)?;
    let filter = TaskFilter::parse(pairs)?;
    if filter.is_empty() {
        let action = if purpose == FilterPurpose::Cancel {
            "cancel"
        } else {
            "delete"
        };
        return Err(NodeError::new(
            codes::MISSING_TASK_FILTERS,
            format!(
                "Query parameters to filter the tasks to {action} are missing. Available query parameters are: `uids`, `indexUids`, `statuses`, `types`, `canceledBy`, `beforeEnqueuedAt`, `afterEnqueuedAt`, `beforeStartedAt`, `afterStartedAt`, `beforeFinishedAt`, `afterFinishedAt`."
            ),
        ));
    }
    Ok(filter)
}

fn reject_unknown_parameters(pairs: &[(String, String)], accepted: &[&str]) -> NodeResult<()> {
    match pairs
        .iter()
        .find(|(name, _)| !accepted.contains(&name.as_str()))
    {
        Some((unknown, _)) => Err(NodeError::new(
            codes::BAD_REQUEST,
            format!(
                "Unknown parameter `{unknown}`: expected one of {}",
                backquoted(accepted)
            ),
        )),
        None => Ok(()),
    }
}

fn backquoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn wildcard_list(raw: &str) -> Option<Vec<String>> {
    let items = query_list(raw);
    if items.iter().any(|item| item == "*") {
        None
    } else {
        Some(items)
    }
}

fn parse_uids(name: &str, raw: &str, code: ErrorCode) -> NodeResult<Option<Vec<u32>>> {
    let Some(items) = wildcard_list(raw) else {
        return Ok(None);
    };
    let mut uids = Vec::with_capacity(items.len());
    for item in items {
        let uid = query_positive_integer(name, &item, code)?;
        uids.push(u32::try_from(uid).unwrap_or(u32::MAX));
    }
    Ok(Some(uids))
}

fn parse_date(name: &str, raw: &str, code: ErrorCode) -> NodeResult<OffsetDateTime> {
    let parsed = parse_timestamp(raw).or_else(|| parse_timestamp(&format!("{raw}T00:00:00Z")));
    parsed.ok_or_else(|| {
        NodeError::new(
            code,
            format!(
                "Invalid value in parameter `{name}`: `{raw}` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::model::TaskStatus;
    use crate::time_format::now;
    use serde_json::Map;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn task(uid: u32, status: TaskStatus, index: &str) -> Task {
        Task {
            uid,
            batch_uid: None,
            index_uid: Some(index.to_owned()),
            status,
            kind: "indexCreation",
            canceled_by: None,
            details: Map::new(),
            error: None,
            enqueued_at: now(),
            started_at: None,
            finished_at: None,
            operation: None,
        }
    }

    #[test]
    fn invalid_status_lists_the_available_ones() {
        let error = TaskFilter::parse(&pairs(&[("statuses", "bogus")])).unwrap_err();
        assert_eq!(
            error.message,
            "Invalid value in parameter `statuses`: `bogus` is not a valid task status. Available statuses are `enqueued`, `processing`, `succeeded`, `failed`, `canceled`."
        );
    }

    #[test]
    fn filters_combine_with_and_and_lists_with_or() {
        let filter = TaskFilter::parse(&pairs(&[
            ("statuses", "failed,succeeded"),
            ("indexUids", "movies"),
        ]))
        .unwrap();
        assert!(filter.matches(&task(1, TaskStatus::Failed, "movies")));
        assert!(!filter.matches(&task(2, TaskStatus::Enqueued, "movies")));
        assert!(!filter.matches(&task(3, TaskStatus::Failed, "other")));
        let wildcard = TaskFilter::parse(&pairs(&[("statuses", "*")])).unwrap();
        assert!(wildcard.is_empty());
    }

    #[test]
    fn cancel_requires_a_filter() {
        let error = parse_filter_for(FilterPurpose::Cancel, &[]).unwrap_err();
        assert_eq!(error.code, codes::MISSING_TASK_FILTERS);
        assert!(error
            .message
            .starts_with("Query parameters to filter the tasks to cancel are missing."));
        assert!(parse_filter_for(FilterPurpose::Delete, &pairs(&[("uids", "0")])).is_ok());
    }

    #[test]
    fn list_query_defaults_and_limits() {
        let query = TaskListQuery::parse(
            &pairs(&[("limit", "3"), ("from", "7")]),
            codes::INVALID_TASK_LIMIT,
            codes::INVALID_TASK_FROM,
        )
        .unwrap();
        assert_eq!(
            (query.limit, query.from, query.reverse),
            (3, Some(7), false)
        );
        assert!(TaskListQuery::parse(
            &pairs(&[("nope", "1")]),
            codes::INVALID_TASK_LIMIT,
            codes::INVALID_TASK_FROM
        )
        .is_err());
    }
}
