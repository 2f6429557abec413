//! Handlers of the Meilisearch API: parse the request, call the service layer, render.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;
use miroir_core::error::{ApiError, ErrorCode};

use super::body::{read_limited, MeiliJson};
use super::error::{render, ApiResult};
use super::AppState;
use crate::proxy::{DocumentWrite, WriteMode};

/// `POST /indexes`.
pub async fn create_index(State(state): State<AppState>, MeiliJson(body): MeiliJson) -> Response {
    render(state.proxy.create_index(body).await)
}

/// `GET /indexes`.
pub async fn list_indexes(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    render(
        state
            .proxy
            .read_from_any_node(with_query("/indexes", query))
            .await,
    )
}

/// `GET /indexes/{uid}`.
pub async fn get_index(State(state): State<AppState>, Path(uid): Path<String>) -> Response {
    render(
        state
            .proxy
            .read_from_any_node(format!("/indexes/{uid}"))
            .await,
    )
}

/// `DELETE /indexes/{uid}`.
pub async fn delete_index(State(state): State<AppState>, Path(uid): Path<String>) -> Response {
    render(state.proxy.delete_index(&uid).await)
}

/// `POST /indexes/{uid}/documents` (add or replace).
pub async fn replace_documents(
    state: State<AppState>,
    uid: Path<String>,
    query: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    render(write_documents(state, uid, query, headers, body, WriteMode::Replace).await)
}

/// `PUT /indexes/{uid}/documents` (add or update).
pub async fn update_documents(
    state: State<AppState>,
    uid: Path<String>,
    query: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    render(write_documents(state, uid, query, headers, body, WriteMode::Update).await)
}

async fn write_documents(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
    mode: WriteMode,
) -> ApiResult {
    let body = read_limited(body, state.max_body_bytes).await?;
    let parameters = query_pairs(query.as_deref());
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let write = DocumentWrite {
        index_uid,
        mode,
        content_type,
        primary_key: parameter(&parameters, "primaryKey"),
        csv_delimiter: parameter(&parameters, "csvDelimiter"),
        body,
    };
    state.proxy.write_documents(write).await
}

/// `GET /indexes/{uid}/documents/{id}`.
pub async fn get_document(
    State(state): State<AppState>,
    Path((uid, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    render(state.proxy.get_document(&uid, &id, query.as_deref()).await)
}

/// `POST /indexes/{uid}/search`.
pub async fn search(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    MeiliJson(body): MeiliJson,
) -> Response {
    render(state.proxy.search(&uid, body).await)
}

/// `GET /indexes/{uid}/search`.
pub async fn search_get(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    render(state.proxy.search_get(&uid, query.as_deref()).await)
}

/// `GET /indexes/{uid}/documents`.
pub async fn list_documents(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    render(state.proxy.list_documents(&uid, query.as_deref()).await)
}

/// `POST /indexes/{uid}/documents/fetch`.
pub async fn fetch_documents(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    MeiliJson(body): MeiliJson,
) -> Response {
    render(state.proxy.fetch_documents(&uid, body).await)
}

/// `DELETE /indexes/{uid}/documents/{id}`.
pub async fn delete_document(
    State(state): State<AppState>,
    Path((uid, id)): Path<(String, String)>,
) -> Response {
    render(state.proxy.delete_document(&uid, &id).await)
}

/// `DELETE /indexes/{uid}/documents`.
pub async fn delete_all_documents(
    State(state): State<AppState>,
    Path(uid): Path<String>,
) -> Response {
    render(state.proxy.delete_all_documents(&uid).await)
}

/// `POST /indexes/{uid}/documents/delete-batch`.
pub async fn delete_documents_by_ids(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    MeiliJson(ids): MeiliJson,
) -> Response {
    render(state.proxy.delete_documents_by_ids(&uid, ids).await)
}

/// `POST /indexes/{uid}/documents/delete`.
pub async fn delete_documents_by_filter(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    MeiliJson(filter): MeiliJson,
) -> Response {
    render(state.proxy.delete_documents_by_filter(&uid, filter).await)
}

/// `GET /indexes/{uid}/settings`.
pub async fn get_settings(State(state): State<AppState>, Path(uid): Path<String>) -> Response {
    render(state.proxy.get_settings(&uid, None).await)
}

/// `PATCH /indexes/{uid}/settings`.
pub async fn update_settings(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    MeiliJson(body): MeiliJson,
) -> Response {
    render(
        state
            .proxy
            .update_settings(&uid, None, Method::PATCH, body)
            .await,
    )
}

/// `DELETE /indexes/{uid}/settings`.
pub async fn reset_settings(State(state): State<AppState>, Path(uid): Path<String>) -> Response {
    render(state.proxy.reset_settings(&uid, None).await)
}

/// `GET /indexes/{uid}/settings/{name}`.
pub async fn get_setting(
    State(state): State<AppState>,
    Path((uid, name)): Path<(String, String)>,
) -> Response {
    render(state.proxy.get_settings(&uid, Some(&name)).await)
}

/// `PUT`/`PATCH /indexes/{uid}/settings/{name}`.
pub async fn update_setting(
    State(state): State<AppState>,
    method: Method,
    Path((uid, name)): Path<(String, String)>,
    MeiliJson(body): MeiliJson,
) -> Response {
    render(
        state
            .proxy
            .update_settings(&uid, Some(&name), method, body)
            .await,
    )
}

/// `DELETE /indexes/{uid}/settings/{name}`.
pub async fn reset_setting(
    State(state): State<AppState>,
    Path((uid, name)): Path<(String, String)>,
) -> Response {
    render(state.proxy.reset_settings(&uid, Some(&name)).await)
}

/// `GET /indexes/{uid}/stats`.
pub async fn index_stats(State(state): State<AppState>, Path(uid): Path<String>) -> Response {
    render(state.proxy.index_stats(&uid).await)
}

/// `GET /stats`.
pub async fn global_stats(State(state): State<AppState>) -> Response {
    render(state.proxy.global_stats().await)
}

/// `GET /tasks/{uid}`.
pub async fn get_task(State(state): State<AppState>, Path(uid): Path<String>) -> Response {
    render(get_task_outcome(&state, &uid).await)
}

async fn get_task_outcome(state: &AppState, uid: &str) -> ApiResult {
    let Ok(task_uid) = uid.parse::<u64>() else {
        return Err(ApiError::new(
            ErrorCode::InvalidTaskUids,
            format!("Task uid `{uid}` is invalid. It should only contain numeric characters."),
        )
        .into());
    };
    state.proxy.get_task(task_uid).await?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::TaskNotFound,
            format!("Task `{task_uid}` not found."),
        )
        .into()
    })
}

/// `GET /tasks`.
pub async fn list_tasks(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    render(list_tasks_outcome(&state, query.as_deref().unwrap_or_default()).await)
}

async fn list_tasks_outcome(state: &AppState, query: &str) -> ApiResult {
    let query = miroir_meta::parse_task_list_query(query).map_err(ApiError::from)?;
    state.proxy.list_tasks(query).await
}

/// `GET /version`: the nodes' Meilisearch version.
pub async fn version(State(state): State<AppState>) -> Response {
    render(state.proxy.read_from_any_node("/version".to_owned()).await)
}

/// The body as JSON; a body that is not JSON gets Meilisearch's `bad_request` answer.
fn with_query(path: &str, query: Option<String>) -> String {
    match query {
        Some(query) if !query.is_empty() => format!("{path}?{query}"),
        _ => path.to_owned(),
    }
}

/// Decoded `name=value` pairs of a query string.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|query| {
            form_urlencoded::parse(query.as_bytes())
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn parameter(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}
