//! Task and batch routes: list with filters and paging, get one, cancel, delete.

use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::errors::{codes, ErrorCode, NodeError, NodeResult};
use crate::json_shape::query_positive_integer;
use crate::routes::AppState;
use crate::tasks::operation::TaskOperation;
use crate::tasks::query::{parse_filter_for, FilterPurpose, TaskListQuery};
use crate::time_format::now;

fn parse_uid(name: &str, raw: &str, code: ErrorCode) -> NodeResult<u32> {
    let uid = query_positive_integer(name, raw, code)?;
    Ok(u32::try_from(uid).unwrap_or(u32::MAX))
}

/// `GET /tasks`.
pub async fn list(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> NodeResult<Json<Value>> {
    let query = TaskListQuery::parse(&pairs, codes::INVALID_TASK_LIMIT, codes::INVALID_TASK_FROM)?;
    Ok(Json(state.tasks.lock().list(&query)))
}

/// `GET /tasks/{uid}`.
pub async fn get_one(
    State(state): State<AppState>,
    Path(raw_uid): Path<String>,
) -> NodeResult<Json<Value>> {
    let uid = parse_uid("taskUid", &raw_uid, codes::INVALID_TASK_UIDS)?;
    let tasks = state.tasks.lock();
    let task = tasks
        .get(uid)
        .ok_or_else(|| NodeError::new(codes::TASK_NOT_FOUND, format!("Task `{uid}` not found.")))?;
    Ok(Json(task.to_json()))
}

fn register_task_operation(
    state: &AppState,
    purpose: FilterPurpose,
    pairs: &[(String, String)],
    raw_query: Option<String>,
) -> NodeResult<Response> {
    let filter = parse_filter_for(purpose, pairs)?;
    let original_filter = format!("?{}", raw_query.unwrap_or_default());
    let task = {
        let mut tasks = state.tasks.lock();
        let matched = tasks.matching_uids(&filter, u32::MAX);
        let operation = match purpose {
            FilterPurpose::Cancel => TaskOperation::TaskCancelation {
                matched,
                original_filter,
            },
            _ => TaskOperation::TaskDeletion {
                matched,
                original_filter,
            },
        };
        tasks.register(None, operation, now())
    };
    state.task_wakeup.notify_one();
    Ok(Json(task.summary_json()).into_response())
}

/// `POST /tasks/cancel` (200 with the summary, like Meilisearch).
pub async fn cancel(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
    RawQuery(raw_query): RawQuery,
) -> NodeResult<Response> {
    register_task_operation(&state, FilterPurpose::Cancel, &pairs, raw_query)
}

/// `DELETE /tasks` (200 with the summary).
pub async fn delete(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
    RawQuery(raw_query): RawQuery,
) -> NodeResult<Response> {
    register_task_operation(&state, FilterPurpose::Delete, &pairs, raw_query)
}

/// `GET /batches`.
pub async fn list_batches(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> NodeResult<Json<Value>> {
    let query = TaskListQuery::parse(
        &pairs,
        codes::INVALID_BATCH_LIMIT,
        codes::INVALID_BATCH_FROM,
    )?;
    Ok(Json(state.tasks.lock().list_batches(&query)))
}

/// `GET /batches/{uid}`.
pub async fn get_batch(
    State(state): State<AppState>,
    Path(raw_uid): Path<String>,
) -> NodeResult<Json<Value>> {
    let uid = parse_uid("batchUid", &raw_uid, codes::INVALID_TASK_BATCH_UIDS)?;
    state
        .tasks
        .lock()
        .batch_json(uid)
        .map(Json)
        .ok_or_else(|| NodeError::new(codes::BATCH_NOT_FOUND, format!("Batch `{uid}` not found.")))
}
