//! Pure conversions between Meilisearch's task JSON (what `GET /tasks` answers) and the admin
//! API's task messages, and from admin filters to Meilisearch query strings.

use miroir_admin_proto::v1 as pb;
use serde_json::Value;

/// A task message from a task object of `GET /tasks/{uid}`.
pub fn task_message(task: &Value) -> pb::Task {
    let text = |name: &str| task[name].as_str().unwrap_or_default().to_owned();
    pb::Task {
        uid: task["uid"].as_u64().unwrap_or_default(),
        index_uid: text("indexUid"),
        status: text("status"),
        r#type: text("type"),
        enqueued_at: text("enqueuedAt"),
        started_at: text("startedAt"),
        finished_at: text("finishedAt"),
        error_code: task["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        error_message: task["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        details_json: task.get("details").unwrap_or(&Value::Null).to_string(),
        canceled_by: task["canceledBy"].as_u64(),
        json: task.to_string(),
    }
}

/// A task list from a `GET /tasks` page.
pub fn task_list(page: &Value) -> pb::TaskList {
    pb::TaskList {
        tasks: page["results"]
            .as_array()
            .map(|tasks| tasks.iter().map(task_message).collect())
            .unwrap_or_default(),
        total: page["total"].as_u64().unwrap_or_default(),
        next: page["next"].as_u64(),
    }
}

/// The `GET /tasks` query string of a list request.
pub fn list_query(request: &pb::ListTasksRequest) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    append_filters(
        &mut query,
        &[
            ("statuses", &request.statuses),
            ("types", &request.types),
            ("indexUids", &request.index_uids),
        ],
    );
    if request.limit > 0 {
        query.append_pair("limit", &request.limit.to_string());
    }
    if let Some(from) = request.from {
        query.append_pair("from", &from.to_string());
    }
    query.finish()
}

/// The `POST /tasks/cancel` query string of a cancel request.
pub fn cancel_query(request: &pb::CancelTasksRequest) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    append_filters(
        &mut query,
        &[
            ("uids", &request.uids),
            ("statuses", &request.statuses),
            ("types", &request.types),
            ("indexUids", &request.index_uids),
        ],
    );
    query.finish()
}

/// Appends the non-empty filters (comma-separated lists, passed on as they are).
fn append_filters(
    query: &mut form_urlencoded::Serializer<'_, String>,
    filters: &[(&str, &String)],
) {
    for (name, value) in filters {
        if !value.trim().is_empty() {
            query.append_pair(name, value.trim());
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_failed_task_keeps_its_error_details_and_whole_body() {
        let body = json!({
            "uid": 12, "batchUid": 12, "indexUid": "movies", "status": "failed",
            "type": "documentAdditionOrUpdate", "canceledBy": null,
            "details": {"receivedDocuments": 2, "indexedDocuments": 0},
            "error": {"message": "bad", "code": "invalid_document_id", "type": "invalid_request", "link": "x"},
            "duration": "PT0.1S", "enqueuedAt": "2026-11-23T10:00:00.0Z",
            "startedAt": "2026-11-23T10:00:00.1Z", "finishedAt": "2026-11-23T10:00:00.2Z"
        });
        let task = task_message(&body);
        assert_eq!(task.uid, 12);
        assert_eq!(task.index_uid, "movies");
        assert_eq!(task.status, "failed");
        assert_eq!(task.r#type, "documentAdditionOrUpdate");
        assert_eq!(task.error_code, "invalid_document_id");
        assert_eq!(task.error_message, "bad");
        assert_eq!(task.canceled_by, None);
        assert_eq!(
            serde_json::from_str::<Value>(&task.details_json).unwrap(),
            body["details"]
        );
        assert_eq!(serde_json::from_str::<Value>(&task.json).unwrap(), body);
    }

    #[test]
    fn an_enqueued_task_has_empty_times_and_a_cancelation_names_its_canceler() {
        let task = task_message(&json!({
            "uid": 3, "indexUid": null, "status": "canceled", "type": "settingsUpdate",
            "canceledBy": 4, "details": null, "error": null,
            "enqueuedAt": "2026-11-23T10:00:00.0Z", "startedAt": null, "finishedAt": null
        }));
        assert_eq!(task.index_uid, "");
        assert_eq!(task.started_at, "");
        assert_eq!(task.canceled_by, Some(4));
        assert_eq!(task.details_json, "null");
    }

    #[test]
    fn pages_keep_total_and_next() {
        let list = task_list(&json!({
            "results": [{"uid": 5}, {"uid": 4}], "total": 9, "limit": 2, "from": 5, "next": 3
        }));
        assert_eq!(
            list.tasks.iter().map(|task| task.uid).collect::<Vec<_>>(),
            [5, 4]
        );
        assert_eq!((list.total, list.next), (9, Some(3)));
        assert_eq!(
            task_list(&json!({"results": [], "total": 0, "next": null})).next,
            None
        );
    }

    #[test]
    fn filters_become_meilisearch_query_strings() {
        let list = pb::ListTasksRequest {
            statuses: "processing,enqueued".into(),
            types: String::new(),
            index_uids: " movies ".into(),
            limit: 5,
            from: Some(10),
        };
        assert_eq!(
            list_query(&list),
            "statuses=processing%2Cenqueued&indexUids=movies&limit=5&from=10"
        );
        assert_eq!(list_query(&pb::ListTasksRequest::default()), "");
        let cancel = pb::CancelTasksRequest {
            uids: "1,2".into(),
            ..pb::CancelTasksRequest::default()
        };
        assert_eq!(cancel_query(&cancel), "uids=1%2C2");
    }
}
