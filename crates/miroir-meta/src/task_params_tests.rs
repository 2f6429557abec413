use std::collections::BTreeMap;
use std::path::PathBuf;

use miroir_core::topology::NodeId;
use serde_json::Value;

use super::*;
use crate::policy::StatePolicy;
use crate::tasks::{TaskCommand, TaskRecord, TaskTable};

/// The endpoint a query string is sent to.
#[derive(Debug, Clone, Copy)]
enum Endpoint {
    List,
    Cancel,
    Delete,
}

fn run(endpoint: Endpoint, query: &str) -> Result<TaskQuery, TaskParamError> {
    match endpoint {
        Endpoint::List => parse_task_list_query(query),
        Endpoint::Cancel => parse_task_filter_for_delete_or_cancel(query, TaskBulkAction::Cancel),
        Endpoint::Delete => parse_task_filter_for_delete_or_cancel(query, TaskBulkAction::Delete),
    }
}

fn list(query: &str) -> TaskQuery {
    parse_task_list_query(query).unwrap()
}

fn list_error(query: &str) -> (String, String) {
    let error = parse_task_list_query(query).unwrap_err();
    (error.code().to_owned(), error.message().to_owned())
}

// ---- recorded Meilisearch 1.50 exchanges ------------------------------------------------

/// The endpoint and raw query string of a recorded request, if it is a task query.
fn task_query_request(method: &str, path: &str) -> Option<(Endpoint, String)> {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let endpoint = match (method, route) {
        ("GET", "/tasks") => Endpoint::List,
        ("POST", "/tasks/cancel") => Endpoint::Cancel,
        ("DELETE", "/tasks") => Endpoint::Delete,
        _ => return None,
    };
    Some((endpoint, query.to_owned()))
}

/// `(endpoint, query, status, body)` of every recorded task query, from every fixture file.
fn recorded_task_queries() -> Vec<(Endpoint, String, u64, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/meili-fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut queries = Vec::new();
    for file in files {
        let group: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for exchange in group["exchanges"].as_array().unwrap() {
            let request = &exchange["request"];
            let method = request["method"].as_str().unwrap();
            let path = request["path"].as_str().unwrap();
            if let Some((endpoint, query)) = task_query_request(method, path) {
                let response = &exchange["response"];
                let status = response["status"].as_u64().unwrap();
                queries.push((endpoint, query, status, response["body"].clone()));
            }
        }
    }
    queries
}

/// Every task-query error recorded from Meilisearch is reproduced: same code and message,
/// and the same full `{message, code, type, link}` body with status 400.
#[test]
fn recorded_task_query_errors_are_reproduced_exactly() {
    let mut errors_checked = 0;
    for (endpoint, query, status, body) in recorded_task_queries() {
        if status != 400 {
            continue;
        }
        let error = run(endpoint, &query).expect_err(&query);
        assert_eq!(error.code(), body["code"], "{endpoint:?} ?{query}");
        assert_eq!(error.message(), body["message"], "{endpoint:?} ?{query}");
        assert_eq!(error.http_status(), 400);
        assert_eq!(
            serde_json::to_value(error.to_error_body()).unwrap(),
            body,
            "{endpoint:?} ?{query}"
        );
        errors_checked += 1;
    }
    assert!(errors_checked >= 3, "only {errors_checked} recorded errors");
}

/// Every task query Meilisearch accepted in the recordings is accepted too.
#[test]
fn recorded_accepted_task_queries_parse() {
    let mut accepted = 0;
    for (endpoint, query, status, _) in recorded_task_queries() {
        if status == 200 {
            assert!(run(endpoint, &query).is_ok(), "{endpoint:?} ?{query}");
            accepted += 1;
        }
    }
    assert!(accepted >= 4, "only {accepted} accepted queries");
}

/// Expectations of Meilisearch v1.50's own task-route error tests
/// (`crates/meilisearch/tests/tasks/errors.rs`): `(endpoint, query, code, message)`.
const MEILISEARCH_ERROR_EXPECTATIONS: &[(Endpoint, &str, &str, &str)] = &[
    (
        Endpoint::List,
        "uids=doggo",
        "invalid_task_uids",
        r#"Invalid value in parameter `uids`: could not parse `doggo` as a positive integer"#,
    ),
    (
        Endpoint::Cancel,
        "uids=doggo",
        "invalid_task_uids",
        r#"Invalid value in parameter `uids`: could not parse `doggo` as a positive integer"#,
    ),
    (
        Endpoint::Delete,
        "uids=doggo",
        "invalid_task_uids",
        r#"Invalid value in parameter `uids`: could not parse `doggo` as a positive integer"#,
    ),
    (
        Endpoint::Delete,
        "uids=1,dogo",
        "invalid_task_uids",
        r#"Invalid value in parameter `uids[1]`: could not parse `dogo` as a positive integer"#,
    ),
    (
        Endpoint::List,
        "canceledBy=doggo",
        "invalid_task_canceled_by",
        r#"Invalid value in parameter `canceledBy`: could not parse `doggo` as a positive integer"#,
    ),
    (
        Endpoint::Cancel,
        "canceledBy=doggo",
        "invalid_task_canceled_by",
        r#"Invalid value in parameter `canceledBy`: could not parse `doggo` as a positive integer"#,
    ),
    (
        Endpoint::Delete,
        "canceledBy=doggo",
        "invalid_task_canceled_by",
        r#"Invalid value in parameter `canceledBy`: could not parse `doggo` as a positive integer"#,
    ),
    (
        Endpoint::List,
        "types=doggo",
        "invalid_task_types",
        r#"Invalid value in parameter `types`: `doggo` is not a valid task type. Available types are `documentAdditionOrUpdate`, `documentEdition`, `documentDeletion`, `settingsUpdate`, `indexCreation`, `indexDeletion`, `indexUpdate`, `indexSwap`, `taskCancelation`, `taskDeletion`, `dumpCreation`, `snapshotCreation`, `export`, `upgradeDatabase`, `indexCompaction`, `networkTopologyChange`, `dsrUpdate`, `dsrClear`."#,
    ),
    (
        Endpoint::Cancel,
        "types=doggo",
        "invalid_task_types",
        r#"Invalid value in parameter `types`: `doggo` is not a valid task type. Available types are `documentAdditionOrUpdate`, `documentEdition`, `documentDeletion`, `settingsUpdate`, `indexCreation`, `indexDeletion`, `indexUpdate`, `indexSwap`, `taskCancelation`, `taskDeletion`, `dumpCreation`, `snapshotCreation`, `export`, `upgradeDatabase`, `indexCompaction`, `networkTopologyChange`, `dsrUpdate`, `dsrClear`."#,
    ),
    (
        Endpoint::Delete,
        "types=doggo",
        "invalid_task_types",
        r#"Invalid value in parameter `types`: `doggo` is not a valid task type. Available types are `documentAdditionOrUpdate`, `documentEdition`, `documentDeletion`, `settingsUpdate`, `indexCreation`, `indexDeletion`, `indexUpdate`, `indexSwap`, `taskCancelation`, `taskDeletion`, `dumpCreation`, `snapshotCreation`, `export`, `upgradeDatabase`, `indexCompaction`, `networkTopologyChange`, `dsrUpdate`, `dsrClear`."#,
    ),
    (
        Endpoint::List,
        "statuses=doggo",
        "invalid_task_statuses",
        r#"Invalid value in parameter `statuses`: `doggo` is not a valid task status. Available statuses are `enqueued`, `processing`, `succeeded`, `failed`, `canceled`."#,
    ),
    (
        Endpoint::Cancel,
        "statuses=doggo",
        "invalid_task_statuses",
        r#"Invalid value in parameter `statuses`: `doggo` is not a valid task status. Available statuses are `enqueued`, `processing`, `succeeded`, `failed`, `canceled`."#,
    ),
    (
        Endpoint::Delete,
        "statuses=doggo",
        "invalid_task_statuses",
        r#"Invalid value in parameter `statuses`: `doggo` is not a valid task status. Available statuses are `enqueued`, `processing`, `succeeded`, `failed`, `canceled`."#,
    ),
    (
        Endpoint::List,
        "indexUids=the%20good%20doggo",
        "invalid_index_uid",
        r#"Invalid value in parameter `indexUids`: `the good doggo` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes."#,
    ),
    (
        Endpoint::Cancel,
        "indexUids=the%20good%20doggo",
        "invalid_index_uid",
        r#"Invalid value in parameter `indexUids`: `the good doggo` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes."#,
    ),
    (
        Endpoint::Delete,
        "indexUids=the%20good%20doggo",
        "invalid_index_uid",
        r#"Invalid value in parameter `indexUids`: `the good doggo` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes."#,
    ),
    (
        Endpoint::List,
        "limit=doggo",
        "invalid_task_limit",
        r#"Invalid value in parameter `limit`: could not parse `doggo` as a positive integer"#,
    ),
    (
        Endpoint::Cancel,
        "limit=doggo",
        "bad_request",
        r#"Unknown parameter `limit`: expected one of `uids`, `batchUids`, `canceledBy`, `types`, `statuses`, `indexUids`, `afterEnqueuedAt`, `beforeEnqueuedAt`, `afterStartedAt`, `beforeStartedAt`, `afterFinishedAt`, `beforeFinishedAt`"#,
    ),
    (
        Endpoint::Delete,
        "limit=doggo",
        "bad_request",
        r#"Unknown parameter `limit`: expected one of `uids`, `batchUids`, `canceledBy`, `types`, `statuses`, `indexUids`, `afterEnqueuedAt`, `beforeEnqueuedAt`, `afterStartedAt`, `beforeStartedAt`, `afterFinishedAt`, `beforeFinishedAt`"#,
    ),
    (
        Endpoint::List,
        "from=doggo",
        "invalid_task_from",
        r#"Invalid value in parameter `from`: could not parse `doggo` as a positive integer"#,
    ),
    (
        Endpoint::Cancel,
        "from=doggo",
        "bad_request",
        r#"Unknown parameter `from`: expected one of `uids`, `batchUids`, `canceledBy`, `types`, `statuses`, `indexUids`, `afterEnqueuedAt`, `beforeEnqueuedAt`, `afterStartedAt`, `beforeStartedAt`, `afterFinishedAt`, `beforeFinishedAt`"#,
    ),
    (
        Endpoint::Delete,
        "from=doggo",
        "bad_request",
        r#"Unknown parameter `from`: expected one of `uids`, `batchUids`, `canceledBy`, `types`, `statuses`, `indexUids`, `afterEnqueuedAt`, `beforeEnqueuedAt`, `afterStartedAt`, `beforeStartedAt`, `afterFinishedAt`, `beforeFinishedAt`"#,
    ),
    (
        Endpoint::List,
        "reverse=doggo",
        "invalid_task_reverse",
        r#"Invalid value in parameter `reverse`: could not parse `doggo` as a boolean, expected either `true` or `false`"#,
    ),
    (
        Endpoint::List,
        "reverse=*",
        "invalid_task_reverse",
        r#"Invalid value in parameter `reverse`: could not parse `*` as a boolean, expected either `true` or `false`"#,
    ),
    (
        Endpoint::Cancel,
        "reverse=doggo",
        "bad_request",
        r#"Unknown parameter `reverse`: expected one of `uids`, `batchUids`, `canceledBy`, `types`, `statuses`, `indexUids`, `afterEnqueuedAt`, `beforeEnqueuedAt`, `afterStartedAt`, `beforeStartedAt`, `afterFinishedAt`, `beforeFinishedAt`"#,
    ),
    (
        Endpoint::Delete,
        "reverse=doggo",
        "bad_request",
        r#"Unknown parameter `reverse`: expected one of `uids`, `batchUids`, `canceledBy`, `types`, `statuses`, `indexUids`, `afterEnqueuedAt`, `beforeEnqueuedAt`, `afterStartedAt`, `beforeStartedAt`, `afterFinishedAt`, `beforeFinishedAt`"#,
    ),
    (
        Endpoint::List,
        "afterEnqueuedAt=doggo",
        "invalid_task_after_enqueued_at",
        r#"Invalid value in parameter `afterEnqueuedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Cancel,
        "afterEnqueuedAt=doggo",
        "invalid_task_after_enqueued_at",
        r#"Invalid value in parameter `afterEnqueuedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Delete,
        "afterEnqueuedAt=doggo",
        "invalid_task_after_enqueued_at",
        r#"Invalid value in parameter `afterEnqueuedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::List,
        "beforeEnqueuedAt=doggo",
        "invalid_task_before_enqueued_at",
        r#"Invalid value in parameter `beforeEnqueuedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Cancel,
        "beforeEnqueuedAt=doggo",
        "invalid_task_before_enqueued_at",
        r#"Invalid value in parameter `beforeEnqueuedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Delete,
        "beforeEnqueuedAt=doggo",
        "invalid_task_before_enqueued_at",
        r#"Invalid value in parameter `beforeEnqueuedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::List,
        "afterStartedAt=doggo",
        "invalid_task_after_started_at",
        r#"Invalid value in parameter `afterStartedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Cancel,
        "afterStartedAt=doggo",
        "invalid_task_after_started_at",
        r#"Invalid value in parameter `afterStartedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Delete,
        "afterStartedAt=doggo",
        "invalid_task_after_started_at",
        r#"Invalid value in parameter `afterStartedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::List,
        "beforeStartedAt=doggo",
        "invalid_task_before_started_at",
        r#"Invalid value in parameter `beforeStartedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Cancel,
        "beforeStartedAt=doggo",
        "invalid_task_before_started_at",
        r#"Invalid value in parameter `beforeStartedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Delete,
        "beforeStartedAt=doggo",
        "invalid_task_before_started_at",
        r#"Invalid value in parameter `beforeStartedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::List,
        "afterFinishedAt=doggo",
        "invalid_task_after_finished_at",
        r#"Invalid value in parameter `afterFinishedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Cancel,
        "afterFinishedAt=doggo",
        "invalid_task_after_finished_at",
        r#"Invalid value in parameter `afterFinishedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Delete,
        "afterFinishedAt=doggo",
        "invalid_task_after_finished_at",
        r#"Invalid value in parameter `afterFinishedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::List,
        "beforeFinishedAt=doggo",
        "invalid_task_before_finished_at",
        r#"Invalid value in parameter `beforeFinishedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Cancel,
        "beforeFinishedAt=doggo",
        "invalid_task_before_finished_at",
        r#"Invalid value in parameter `beforeFinishedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
    (
        Endpoint::Delete,
        "beforeFinishedAt=doggo",
        "invalid_task_before_finished_at",
        r#"Invalid value in parameter `beforeFinishedAt`: `doggo` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format."#,
    ),
];

#[test]
fn meilisearch_test_suite_errors_are_reproduced_exactly() {
    for &(endpoint, query, code, message) in MEILISEARCH_ERROR_EXPECTATIONS {
        let error = run(endpoint, query).expect_err(query);
        assert_eq!(
            (error.code(), error.message()),
            (code, message),
            "{endpoint:?} ?{query}"
        );
    }
}

// ---- parameters and values ----------------------------------------------------------------

#[test]
fn empty_query_is_the_default_listing() {
    assert_eq!(list(""), TaskQuery::default());
}

#[test]
fn page_bounds_and_order_are_read() {
    let query = list("limit=3&from=17&reverse=true");
    assert_eq!(
        (query.limit, query.from, query.reverse),
        (3, Some(17), true)
    );
    assert_eq!(list("limit=0").limit, 0);
    assert_eq!(
        list("from=%2B5").from,
        Some(5),
        "Rust integer syntax, as Meilisearch"
    );
    assert_eq!(
        list_error("from=+5").1,
        "Invalid value in parameter `from`: could not parse ` 5` as a positive integer",
        "`+` decodes to a space"
    );
    assert_eq!(
        list_error("limit=4294967296"),
        (
            "invalid_task_limit".into(),
            "Invalid value in parameter `limit`: could not parse `4294967296` as a positive integer".into()
        )
    );
    assert_eq!(
        list_error("from=-1").1,
        "Invalid value in parameter `from`: could not parse `-1` as a positive integer"
    );
    assert_eq!(
        list_error("reverse=TRUE").1,
        "Invalid value in parameter `reverse`: could not parse `TRUE` as a boolean, expected either `true` or `false`"
    );
    assert_eq!(
        list_error("reverse").1,
        "Invalid value in parameter `reverse`: could not parse `` as a boolean, expected either `true` or `false`"
    );
}

#[test]
fn lists_split_on_commas_and_drop_empty_items() {
    let query = list("uids=3,,1&batchUids=4&canceledBy=9&indexUids=movies,books-2_x");
    assert_eq!(query.uids, [3, 1]);
    assert_eq!(query.batch_uids, [4]);
    assert_eq!(query.canceled_by, [9]);
    assert_eq!(query.index_uids, ["movies", "books-2_x"]);
    assert!(!query.matches_none);
    assert_eq!(
        list_error("uids=,1,,x").1,
        "Invalid value in parameter `uids[1]`: could not parse `x` as a positive integer",
        "positions count non-empty items"
    );
    assert_eq!(
        list_error("batchUids=x"),
        (
            "invalid_batch_uids".into(),
            "Invalid value in parameter `batchUids`: could not parse `x` as a positive integer"
                .into()
        )
    );
}

#[test]
fn statuses_and_types_are_case_insensitive_and_canonicalised() {
    let query = list("statuses=FAILED,Succeeded&types=SETTINGSUPDATE,dsrclear");
    assert_eq!(query.statuses, [TaskStatus::Failed, TaskStatus::Succeeded]);
    assert_eq!(query.types, ["settingsUpdate", "dsrClear"]);
}

#[test]
fn star_means_any_but_other_items_are_still_checked() {
    let query = list("uids=1,*&statuses=*&types=*&indexUids=*&batchUids=*&canceledBy=*");
    assert_eq!(query, TaskQuery::default());
    assert_eq!(
        list_error("statuses=*,bogus").1,
        "Invalid value in parameter `statuses[1]`: `bogus` is not a valid task status. Available statuses are `enqueued`, `processing`, `succeeded`, `failed`, `canceled`."
    );
    let dates = list("afterEnqueuedAt=*&beforeFinishedAt=*");
    assert_eq!(dates, TaskQuery::default());
}

#[test]
fn a_list_with_no_item_matches_nothing() {
    for empty in [
        "uids=",
        "statuses=,",
        "types=",
        "indexUids=",
        "batchUids=",
        "canceledBy=",
    ] {
        assert!(list(empty).matches_none, "{empty}");
    }
}

#[test]
fn index_uids_follow_meilisearch_rules() {
    let longest = "a".repeat(400);
    assert_eq!(list(&format!("indexUids={longest}")).index_uids, [longest]);
    let too_long = "a".repeat(401);
    assert_eq!(
        list_error(&format!("indexUids={too_long}")).0,
        "invalid_index_uid"
    );
    assert_eq!(
        list_error("indexUids=movies,caf%C3%A9").1,
        "Invalid value in parameter `indexUids[1]`: `café` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes."
    );
    assert_eq!(
        list_error("indexUids=a+b").1,
        "Invalid value in parameter `indexUids`: `a b` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes.",
        "`+` decodes to a space"
    );
}

#[test]
fn unknown_parameters_list_the_accepted_ones_with_a_suggestion() {
    assert_eq!(
        list_error("lol=pied"),
        (
            "bad_request".into(),
            "Unknown parameter `lol`: expected one of `limit`, `from`, `reverse`, `batchUids`, `uids`, `canceledBy`, `types`, `statuses`, `indexUids`, `afterEnqueuedAt`, `beforeEnqueuedAt`, `afterStartedAt`, `beforeStartedAt`, `afterFinishedAt`, `beforeFinishedAt`".into()
        )
    );
    assert_eq!(
        list_error("statuse=failed").1,
        "Unknown parameter `statuse`: did you mean `statuses`? expected one of `limit`, `from`, `reverse`, `batchUids`, `uids`, `canceledBy`, `types`, `statuses`, `indexUids`, `afterEnqueuedAt`, `beforeEnqueuedAt`, `afterStartedAt`, `beforeStartedAt`, `afterFinishedAt`, `beforeFinishedAt`"
    );
    assert!(list_error("index_uids=x")
        .1
        .starts_with("Unknown parameter `index_uids`: did you mean `indexUids`? expected"));
    assert!(
        list_error("Limit=1")
            .1
            .starts_with("Unknown parameter `Limit`: did you mean `limit`? expected"),
        "names are case-sensitive"
    );
}

#[test]
fn suggestions_need_four_bytes_and_pick_the_closest_first() {
    assert_eq!(did_you_mean("uid", &["uids"]), "");
    assert_eq!(did_you_mean("uidz", &["uids"]), "did you mean `uids`? ");
    assert_eq!(
        did_you_mean("uidss", &["uids", "uidsss"]),
        "did you mean `uids`? "
    );
    assert_eq!(did_you_mean("abcdefgh", &["uids"]), "");
    assert_eq!(
        did_you_mean("tpyes", &["types"]),
        "did you mean `types`? ",
        "transposition"
    );
}

#[test]
fn first_error_in_query_order_wins_and_repeats_keep_the_last_value() {
    assert_eq!(list_error("limit=x&uids=y").0, "invalid_task_limit");
    assert_eq!(list_error("uids=y&limit=x").0, "invalid_task_uids");
    assert_eq!(list_error("nope=1&limit=x").0, "bad_request");
    assert_eq!(list("uids=x&uids=4").uids, [4], "last value wins");
    assert_eq!(
        list_error("uids=1&limit=x&uids=y").0,
        "invalid_task_uids",
        "a repeated name keeps its first position"
    );
}

// ---- dates --------------------------------------------------------------------------------

const MS_2024_01_01: i64 = 1_704_067_200_000;
const MS_PER_DAY: i64 = 86_400_000;

#[test]
fn rfc_3339_dates_become_strict_millisecond_bounds() {
    let query = list(
        "afterEnqueuedAt=2024-01-01T00:00:00Z&beforeEnqueuedAt=2024-01-01T00:00:00.250%2B00:00\
         &afterStartedAt=2024-01-01T01:00:00%2B01:00&beforeStartedAt=2024-01-01T00:00:00.0000001Z\
         &afterFinishedAt=2024-01-01T00:00:00.0009Z&beforeFinishedAt=2023-12-31T23:59:59.9999Z",
    );
    let at = u64::try_from(MS_2024_01_01).unwrap();
    assert_eq!(query.after_enqueued_at_ms, Some(at));
    assert_eq!(query.before_enqueued_at_ms, Some(at + 250));
    assert_eq!(
        query.after_started_at_ms,
        Some(MS_2024_01_01),
        "offsets are honoured"
    );
    assert_eq!(
        query.before_started_at_ms,
        Some(MS_2024_01_01 + 1),
        "a `before` bound rounds up: a task at .000 ms is before .0000001"
    );
    assert_eq!(
        query.after_finished_at_ms,
        Some(MS_2024_01_01),
        "an `after` bound rounds down: only tasks from .001 ms are after .0009"
    );
    assert_eq!(query.before_finished_at_ms, Some(MS_2024_01_01));
}

#[test]
fn plain_dates_are_midnight_and_after_skips_the_whole_day() {
    let query = list("beforeStartedAt=2024-01-01&afterStartedAt=2024-01-01");
    assert_eq!(query.before_started_at_ms, Some(MS_2024_01_01));
    assert_eq!(query.after_started_at_ms, Some(MS_2024_01_01 + MS_PER_DAY));
}

#[test]
fn dates_before_1970_are_legal_bounds() {
    let query = list("afterEnqueuedAt=1969-12-31T23:59:59.5Z&beforeEnqueuedAt=1960-01-01");
    assert_eq!(
        query.after_enqueued_at_ms, None,
        "every enqueue time is after 1969"
    );
    assert_eq!(
        query.before_enqueued_at_ms,
        Some(0),
        "no enqueue time is before 1960"
    );
    let started = list("afterStartedAt=1969-12-31T23:59:59.5Z");
    assert_eq!(started.after_started_at_ms, Some(-500));
}

#[test]
fn malformed_dates_are_refused() {
    for bad in [
        "2024-13-01",
        "2024-01-01T00:00:00",
        "2024-1-1",
        "yesterday",
        "",
        "10000-01-01",
    ] {
        let (code, message) = list_error(&format!("beforeFinishedAt={bad}"));
        assert_eq!(code, "invalid_task_before_finished_at");
        assert_eq!(
            message,
            format!("Invalid value in parameter `beforeFinishedAt`: `{bad}` is an invalid date-time. It should follow the YYYY-MM-DD or RFC 3339 date-time format.")
        );
    }
}

// ---- cancel and delete --------------------------------------------------------------------

#[test]
fn cancel_and_delete_need_a_filter_and_have_no_page_bound() {
    for (action, verb) in [
        (TaskBulkAction::Cancel, "cancel"),
        (TaskBulkAction::Delete, "delete"),
    ] {
        let error = parse_task_filter_for_delete_or_cancel("", action).unwrap_err();
        assert_eq!(error.code(), "missing_task_filters");
        assert!(error.message().starts_with(&format!(
            "Query parameters to filter the tasks to {verb} are missing."
        )));
        let query = parse_task_filter_for_delete_or_cancel("statuses=succeeded", action).unwrap();
        assert_eq!(query.statuses, [TaskStatus::Succeeded]);
        assert_eq!(query.limit, usize::MAX);
    }
}

#[test]
fn a_star_is_a_filter_for_cancel_and_delete() {
    for star in ["uids=*", "batchUids=*", "afterEnqueuedAt=*", "statuses=*"] {
        let query = parse_task_filter_for_delete_or_cancel(star, TaskBulkAction::Delete).unwrap();
        assert_eq!(
            query,
            TaskQuery {
                limit: usize::MAX,
                ..TaskQuery::default()
            },
            "{star}"
        );
    }
    let unknown_first =
        parse_task_filter_for_delete_or_cancel("foo=1", TaskBulkAction::Cancel).unwrap_err();
    assert_eq!(
        unknown_first.code(),
        "bad_request",
        "unknown parameters are refused first"
    );
}

// ---- parsed queries run against the task table ----------------------------------------------

/// Six tasks, uids 0..=5, enqueued at 1000·uid ms on index `movies` (`books` for uid 3);
/// uids 0..=2 finished (0 succeeded, 1 failed, 2 canceled), 3 processing, 4 and 5 enqueued.
fn table() -> TaskTable {
    let policy = StatePolicy::default();
    let mut table = TaskTable::default();
    for uid in 0..6u64 {
        let enqueue = TaskCommand::Enqueue {
            index_uid: Some(if uid == 3 { "books" } else { "movies" }.into()),
            task_type: "documentAdditionOrUpdate".into(),
            details_json: None,
            node_tasks: BTreeMap::from([(NodeId::new("n1"), uid)]),
        };
        table.apply(&enqueue, uid * 1_000, &policy).unwrap();
    }
    let transitions = [
        (0, TaskStatus::Processing, 10_000),
        (0, TaskStatus::Succeeded, 10_500),
        (1, TaskStatus::Failed, 11_000),
        (2, TaskStatus::Canceled, 12_000),
        (3, TaskStatus::Processing, 13_000),
    ];
    for (uid, status, at_ms) in transitions {
        let update = TaskCommand::UpdateStatus {
            uid,
            status,
            details_json: None,
            error_json: None,
        };
        table.apply(&update, at_ms, &policy).unwrap();
    }
    table
}

fn uids(table: &TaskTable, query: &str) -> Vec<u64> {
    table
        .query(&list(query))
        .results
        .iter()
        .map(|task: &&TaskRecord| task.uid)
        .collect()
}

#[test]
fn parsed_filters_select_like_meilisearch() {
    let table = table();
    assert_eq!(uids(&table, ""), [5, 4, 3, 2, 1, 0]);
    assert_eq!(uids(&table, "statuses=enqueued,failed"), [5, 4, 1]);
    assert_eq!(uids(&table, "indexUids=books"), [3]);
    assert_eq!(uids(&table, "uids=1,4"), [4, 1]);
    assert_eq!(uids(&table, "uids="), Vec::<u64>::new());
    assert_eq!(
        uids(&table, "batchUids=0,3,4"),
        [3, 0],
        "enqueued tasks have no batch"
    );
    assert_eq!(uids(&table, "canceledBy=17"), Vec::<u64>::new());
    assert_eq!(uids(&table, "afterStartedAt=1970-01-01T00:00:11Z"), [3, 2]);
    assert_eq!(uids(&table, "beforeStartedAt=1970-01-01T00:00:11Z"), [0]);
    assert_eq!(
        uids(&table, "afterFinishedAt=1970-01-01T00:00:10.5Z"),
        [2, 1]
    );
    assert_eq!(
        uids(&table, "beforeFinishedAt=1970-01-01T00:00:10.5000001Z"),
        [0]
    );
    assert_eq!(uids(&table, "afterEnqueuedAt=1970-01-01T00:00:03Z"), [5, 4]);
    assert_eq!(uids(&table, "beforeEnqueuedAt=1970-01-01T00:00:01Z"), [0]);
}

#[test]
fn reverse_lists_oldest_first_from_the_given_uid() {
    let table = table();
    let page = table.query(&list("reverse=true&limit=2&from=1"));
    let listed: Vec<u64> = page.results.iter().map(|task| task.uid).collect();
    assert_eq!(listed, [1, 2]);
    assert_eq!((page.total, page.from, page.next), (6, Some(1), Some(3)));
    assert_eq!(uids(&table, "reverse=true&statuses=enqueued"), [4, 5]);
    assert_eq!(uids(&table, "reverse=true&from=9"), Vec::<u64>::new());
    let newest_first = table.query(&list("limit=2&from=4"));
    assert_eq!((newest_first.from, newest_first.next), (Some(4), Some(2)));
}
