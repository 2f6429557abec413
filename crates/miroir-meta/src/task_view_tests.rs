use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::*;

fn record(uid: u64, status: TaskStatus) -> TaskRecord {
    TaskRecord {
        uid,
        index_uid: Some("movies".into()),
        task_type: "documentAdditionOrUpdate".into(),
        status,
        details_json: Some(r#"{"receivedDocuments":2,"indexedDocuments":null}"#.into()),
        error_json: None,
        node_tasks: BTreeMap::new(),
        enqueued_at_ms: 1_715_000_000_000,
        started_at_ms: None,
        finished_at_ms: None,
        canceled_by: None,
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn enqueued_task_has_null_batch_duration_and_times() {
    let task = record(7, TaskStatus::Enqueued);
    assert_eq!(
        compact(&task_json(&task)),
        r#"{"uid":7,"batchUid":null,"indexUid":"movies","status":"enqueued","type":"documentAdditionOrUpdate","canceledBy":null,"details":{"receivedDocuments":2,"indexedDocuments":null},"error":null,"duration":null,"enqueuedAt":"2024-05-06T12:53:20.0Z","startedAt":null,"finishedAt":null}"#
    );
}

#[test]
fn succeeded_task_reports_its_own_batch_and_duration() {
    let mut task = record(8, TaskStatus::Succeeded);
    task.details_json = Some(r#"{"receivedDocuments":2,"indexedDocuments":2}"#.into());
    task.started_at_ms = Some(1_715_000_000_005);
    task.finished_at_ms = Some(1_715_000_000_017);
    assert_eq!(
        compact(&task_json(&task)),
        r#"{"uid":8,"batchUid":8,"indexUid":"movies","status":"succeeded","type":"documentAdditionOrUpdate","canceledBy":null,"details":{"receivedDocuments":2,"indexedDocuments":2},"error":null,"duration":"PT0.012S","enqueuedAt":"2024-05-06T12:53:20.0Z","startedAt":"2024-05-06T12:53:20.005Z","finishedAt":"2024-05-06T12:53:20.017Z"}"#
    );
}

#[test]
fn failed_task_carries_its_error_object_verbatim() {
    let mut task = record(9, TaskStatus::Failed);
    task.index_uid = None;
    task.task_type = "indexSwap".into();
    task.details_json = None;
    task.error_json = Some(
        r#"{"message":"Index `x` not found.","code":"index_not_found","type":"invalid_request","link":"https://docs.meilisearch.com/errors#index_not_found"}"#
            .into(),
    );
    task.started_at_ms = Some(1_715_000_000_100);
    task.finished_at_ms = Some(1_715_000_002_100);
    assert_eq!(
        compact(&task_json(&task)),
        r#"{"uid":9,"batchUid":9,"indexUid":null,"status":"failed","type":"indexSwap","canceledBy":null,"error":{"message":"Index `x` not found.","code":"index_not_found","type":"invalid_request","link":"https://docs.meilisearch.com/errors#index_not_found"},"duration":"PT2S","enqueuedAt":"2024-05-06T12:53:20.0Z","startedAt":"2024-05-06T12:53:20.1Z","finishedAt":"2024-05-06T12:53:22.1Z"}"#
    );
}

#[test]
fn processing_task_has_a_batch_but_no_duration() {
    let mut task = record(3, TaskStatus::Processing);
    task.started_at_ms = Some(1_715_000_000_250);
    let json = task_json(&task);
    assert_eq!(json["batchUid"], json!(3));
    assert_eq!(json["duration"], Value::Null);
    assert_eq!(json["startedAt"], json!("2024-05-06T12:53:20.25Z"));
    assert_eq!(json["finishedAt"], Value::Null);
}

#[test]
fn unreadable_stored_json_degrades_instead_of_failing() {
    let mut task = record(4, TaskStatus::Failed);
    task.details_json = Some("{not json".into());
    task.error_json = Some("boom".into());
    let json = task_json(&task);
    assert!(json.get("details").is_none(), "{json}");
    assert_eq!(json["error"]["code"], json!("internal"));
    assert_eq!(json["error"]["type"], json!("internal"));
    assert_eq!(
        json["error"]["link"],
        json!("https://docs.meilisearch.com/errors#internal")
    );
    assert!(json["error"]["message"].as_str().unwrap().contains("boom"));
    task.details_json = Some("null".into());
    assert!(task_json(&task).get("details").is_none());
}

#[test]
fn clock_going_backwards_prints_a_null_duration() {
    let mut task = record(5, TaskStatus::Succeeded);
    task.started_at_ms = Some(2_000);
    task.finished_at_ms = Some(1_999);
    assert_eq!(task_json(&task)["duration"], Value::Null);
}

#[test]
fn summary_is_the_five_write_fields_in_order() {
    let task = record(12, TaskStatus::Enqueued);
    assert_eq!(
        compact(&enqueued_summary_json(&task)),
        r#"{"taskUid":12,"indexUid":"movies","status":"enqueued","type":"documentAdditionOrUpdate","enqueuedAt":"2024-05-06T12:53:20.0Z"}"#
    );
}

#[test]
fn list_wraps_results_with_page_bounds() {
    let newer = record(6, TaskStatus::Enqueued);
    let older = record(5, TaskStatus::Enqueued);
    let page = TaskPage {
        results: vec![&newer, &older],
        total: 9,
        limit: 2,
        from: Some(6),
        next: Some(4),
    };
    let json = task_list_json(&page);
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["results", "total", "limit", "from", "next"]);
    assert_eq!(json["results"][0], task_json(&newer));
    assert_eq!(json["results"][1]["uid"], json!(5));
    assert_eq!(
        (&json["total"], &json["limit"], &json["from"], &json["next"]),
        (&json!(9), &json!(2), &json!(6), &json!(4))
    );
    let empty = TaskPage {
        results: Vec::new(),
        total: 0,
        limit: 20,
        from: None,
        next: None,
    };
    assert_eq!(
        compact(&task_list_json(&empty)),
        r#"{"results":[],"total":0,"limit":20,"from":null,"next":null}"#
    );
}

#[test]
fn timestamps_print_the_shortest_exact_fraction_never_none() {
    let cases = [
        (0, "1970-01-01T00:00:00.0Z"),
        (1, "1970-01-01T00:00:00.001Z"),
        (10, "1970-01-01T00:00:00.01Z"),
        (100, "1970-01-01T00:00:00.1Z"),
        (120, "1970-01-01T00:00:00.12Z"),
        (999, "1970-01-01T00:00:00.999Z"),
        (1_000, "1970-01-01T00:00:01.0Z"),
        (951_782_400_000, "2000-02-29T00:00:00.0Z"),
        (1_715_000_000_123, "2024-05-06T12:53:20.123Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (253_402_300_800_000, "9999-12-31T23:59:59.999Z"),
        (u64::MAX, "9999-12-31T23:59:59.999Z"),
    ];
    for (unix_ms, expected) in cases {
        assert_eq!(format_timestamp_ms(unix_ms), expected, "{unix_ms} ms");
    }
}

#[test]
fn durations_use_meilisearch_iso_8601_shape() {
    let cases = [
        (0, "PT0S"),
        (1, "PT0.001S"),
        (10, "PT0.010S"),
        (12, "PT0.012S"),
        (500, "PT0.500S"),
        (1_000, "PT1S"),
        (61_000, "PT61S"),
        (3_600_000, "PT3600S"),
        (86_400_000, "P1D"),
        (86_400_500, "P1DT0.500S"),
        (90_061_001, "P1DT3661.001S"),
        (172_800_000, "P2D"),
    ];
    for (duration_ms, expected) in cases {
        assert_eq!(
            format_duration_ms(duration_ms),
            expected,
            "{duration_ms} ms"
        );
    }
}

// ---- recorded Meilisearch 1.50 responses -------------------------------------------------

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/meili-fixtures")
}

/// Every `(path, response body)` of every recorded group.
fn recorded_bodies() -> Vec<(String, Value)> {
    let mut bodies = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    for file in files {
        let group: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for exchange in group["exchanges"].as_array().unwrap() {
            let path = exchange["request"]["path"].as_str().unwrap().to_owned();
            bodies.push((path, exchange["response"]["body"].clone()));
        }
    }
    bodies
}

fn is_task_object(value: &Value) -> bool {
    value.get("uid").is_some() && value.get("canceledBy").is_some()
}

fn parse_status(name: &str) -> TaskStatus {
    [
        TaskStatus::Enqueued,
        TaskStatus::Processing,
        TaskStatus::Succeeded,
        TaskStatus::Failed,
        TaskStatus::Canceled,
    ]
    .into_iter()
    .find(|status| status.as_str() == name)
    .unwrap()
}

/// The record Miroir would hold for a recorded task (times are arbitrary; they are
/// normalised away like the fixture's).
fn record_from_fixture(task: &Value) -> TaskRecord {
    let uid = task.get("uid").or(task.get("taskUid")).unwrap();
    let has = |field: &str| task.get(field).is_some_and(|value| !value.is_null());
    TaskRecord {
        uid: uid.as_u64().unwrap(),
        index_uid: task["indexUid"].as_str().map(str::to_owned),
        task_type: task["type"].as_str().unwrap().to_owned(),
        status: parse_status(task["status"].as_str().unwrap()),
        details_json: task.get("details").map(|details| details.to_string()),
        error_json: has("error").then(|| task["error"].to_string()),
        node_tasks: BTreeMap::new(),
        enqueued_at_ms: 1_715_000_000_000,
        started_at_ms: has("startedAt").then_some(1_715_000_000_004),
        finished_at_ms: has("finishedAt").then_some(1_715_000_000_021),
        canceled_by: task["canceledBy"].as_u64(),
    }
}

/// Replaces timestamps and durations the way the fixture README says, checking that what is
/// replaced really has the expected shape.
fn normalise(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, field) in object.iter_mut() {
                let Some(text) = field.as_str() else {
                    normalise(field);
                    continue;
                };
                if ["enqueuedAt", "startedAt", "finishedAt"].contains(&key.as_str()) {
                    assert!(OffsetDateTime::parse(text, &Rfc3339).is_ok(), "{text}");
                    *field = json!("<timestamp>");
                } else if key == "duration" {
                    assert!(text.starts_with('P') && text.ends_with('S'), "{text}");
                    *field = json!("<duration>");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

fn assert_same_bytes(mut rendered: Value, recorded: &Value, path: &str) {
    normalise(&mut rendered);
    assert_eq!(compact(&rendered), compact(recorded), "{path}");
}

#[test]
fn rendered_tasks_match_every_recorded_task_object() {
    let mut checked = 0;
    for (path, body) in recorded_bodies() {
        if is_task_object(&body) {
            assert_same_bytes(task_json(&record_from_fixture(&body)), &body, &path);
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} recorded tasks found");
}

#[test]
fn rendered_summaries_match_every_recorded_write_answer() {
    let mut checked = 0;
    for (path, body) in recorded_bodies() {
        if body.get("taskUid").is_some() {
            let task = record_from_fixture(&body);
            assert_same_bytes(enqueued_summary_json(&task), &body, &path);
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} recorded summaries found");
}

#[test]
fn rendered_lists_match_every_recorded_task_listing() {
    let mut checked = 0;
    for (path, body) in recorded_bodies() {
        let Some(results) = body.get("results").and_then(Value::as_array) else {
            continue;
        };
        if !path.starts_with("/tasks") || !results.iter().all(is_task_object) {
            continue;
        }
        let records: Vec<TaskRecord> = results.iter().map(record_from_fixture).collect();
        let as_u64 = |field: &str| body[field].as_u64();
        let page = TaskPage {
            results: records.iter().collect(),
            total: as_u64("total").unwrap(),
            limit: usize::try_from(as_u64("limit").unwrap()).unwrap(),
            from: as_u64("from"),
            next: as_u64("next"),
        };
        assert_same_bytes(task_list_json(&page), &body, &path);
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} recorded listings found");
}
