//! Document routes: add (POST replace / PUT merge), get one, list, fetch, and the deletions
//! (one, by ids, by filter, all). Writes are tasks; payloads are parsed before enqueueing so
//! malformed bodies fail synchronously like in Meilisearch.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use serde_json::{json, Map, Value};

use crate::body::{content_type, json_body};
use crate::document_id::document_key;
use crate::errors::{codes, NodeError, NodeResult};
use crate::filtering::{DocumentFilter, ErrorPositions};
use crate::json_shape::{self, element_location, query_list, query_positive_integer};
use crate::payload::{parse_documents, Document, PayloadFormat};
use crate::routes::indexes::checked_index_uid;
use crate::routes::{accepted, AppState};
use crate::tasks::operation::TaskOperation;

/// The document restricted to `fields` (`None` or `*` = every field), in document order.
pub fn select_fields(document: &Document, fields: Option<&[String]>) -> Document {
    match fields {
        Some(fields) if !fields.iter().any(|field| field == "*") => document
            .iter()
            .filter(|(name, _)| fields.iter().any(|field| field == *name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
        _ => document.clone(),
    }
}

async fn add(
    state: AppState,
    index_uid: String,
    pairs: Vec<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
    merge: bool,
) -> NodeResult<Response> {
    checked_index_uid(&index_uid)?;
    let mut primary_key = None;
    let mut delimiter = b',';
    for (name, raw) in &pairs {
        match name.as_str() {
            "primaryKey" => primary_key = Some(raw.clone()),
            "csvDelimiter" => {
                delimiter = match raw.as_bytes() {
                    [byte] if byte.is_ascii() => *byte,
                    _ => {
                        return Err(NodeError::new(
                            codes::INVALID_DOCUMENT_CSV_DELIMITER,
                            format!("Invalid value in parameter `csvDelimiter`: expected a string of one character, but found the following string of {} characters: `{raw}`", raw.chars().count()),
                        ))
                    }
                }
            }
            "customMetadata" => {}
            other => {
                return Err(NodeError::new(
                    codes::BAD_REQUEST,
                    format!("Unknown parameter `{other}`: expected one of `primaryKey`, `csvDelimiter`, `customMetadata`"),
                ))
            }
        }
    }
    let format = PayloadFormat::from_content_type(content_type(&headers).as_deref())?;
    let documents = parse_documents(format, &body, delimiter)?;
    let task = state.enqueue(
        Some(index_uid),
        TaskOperation::DocumentAddition {
            documents,
            primary_key,
            merge,
        },
    );
    Ok(accepted(&task))
}

/// `POST /indexes/{uid}/documents`: add or replace.
pub async fn add_or_replace(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    add(state, index_uid, pairs, headers, body, false).await
}

/// `PUT /indexes/{uid}/documents`: add or update (top-level fields merged).
pub async fn add_or_update(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    add(state, index_uid, pairs, headers, body, true).await
}

/// `GET /indexes/{uid}/documents/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    Path((index_uid, document_id)): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> NodeResult<Json<Value>> {
    checked_index_uid(&index_uid)?;
    let fields = pairs
        .iter()
        .find(|(name, _)| name == "fields")
        .map(|(_, raw)| query_list(raw));
    let indexes = state.indexes.read();
    let index = indexes.get(&index_uid)?;
    let document = index.documents.get(&document_id).ok_or_else(|| {
        NodeError::new(
            codes::DOCUMENT_NOT_FOUND,
            format!("Document `{document_id}` not found."),
        )
    })?;
    Ok(Json(Value::Object(select_fields(
        document,
        fields.as_deref(),
    ))))
}

/// What `GET /documents` and `POST /documents/fetch` ask for.
struct DocumentsQuery {
    offset: usize,
    limit: usize,
    fields: Option<Vec<String>>,
    filter: Value,
    ids: Option<Vec<String>>,
}

fn browse(state: &AppState, index_uid: &str, query: DocumentsQuery) -> NodeResult<Json<Value>> {
    checked_index_uid(index_uid)?;
    let indexes = state.indexes.read();
    let index = indexes.get(index_uid)?;
    let filter = DocumentFilter::compile(
        &query.filter,
        index,
        codes::INVALID_DOCUMENT_FILTER,
        ErrorPositions::Original,
    )?;
    let selected: Vec<&Document> = match &query.ids {
        Some(ids) => ids
            .iter()
            .filter_map(|id| index.documents.get(id))
            .collect(),
        None => index.documents.values().collect(),
    };
    let matching: Vec<&Document> = selected
        .into_iter()
        .filter(|document| {
            filter
                .as_ref()
                .is_none_or(|filter| filter.matches(document))
        })
        .collect();
    let results: Vec<Value> = matching
        .iter()
        .skip(query.offset)
        .take(query.limit)
        .map(|document| Value::Object(select_fields(document, query.fields.as_deref())))
        .collect();
    Ok(Json(
        json!({"results": results, "offset": query.offset, "limit": query.limit, "total": matching.len()}),
    ))
}

/// `GET /indexes/{uid}/documents`.
pub async fn list(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> NodeResult<Json<Value>> {
    let mut query = DocumentsQuery {
        offset: 0,
        limit: 20,
        fields: None,
        filter: Value::Null,
        ids: None,
    };
    for (name, raw) in &pairs {
        match name.as_str() {
            "offset" => query.offset = query_positive_integer(name, raw, codes::INVALID_DOCUMENT_OFFSET)?,
            "limit" => query.limit = query_positive_integer(name, raw, codes::INVALID_DOCUMENT_LIMIT)?,
            "fields" => query.fields = Some(query_list(raw)),
            "filter" => query.filter = Value::String(raw.clone()),
            "ids" => query.ids = Some(query_list(raw)),
            "retrieveVectors" => {}
            other => {
                return Err(NodeError::new(
                    codes::BAD_REQUEST,
                    format!("Unknown parameter `{other}`: expected one of `offset`, `limit`, `fields`, `retrieveVectors`, `filter`, `ids`"),
                ))
            }
        }
    }
    browse(&state, &index_uid, query)
}

fn ids_from(
    value: &Value,
    location: &str,
    code: crate::errors::ErrorCode,
) -> NodeResult<Vec<String>> {
    let items = value
        .as_array()
        .ok_or_else(|| json_shape::invalid_type(location, "an array", value, code))?;
    items
        .iter()
        .enumerate()
        .map(|(position, id)| match id {
            Value::String(text) => Ok(text.clone()),
            Value::Number(_) => document_key(id).ok_or_else(|| {
                json_shape::invalid_type(
                    &element_location(location, position),
                    "a string",
                    id,
                    code,
                )
            }),
            other => Err(json_shape::invalid_type(
                &element_location(location, position),
                "a string",
                other,
                code,
            )),
        })
        .collect()
}

/// `POST /indexes/{uid}/documents/fetch`.
pub async fn fetch(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Json<Value>> {
    let value = json_body(&headers, &body)?;
    let object: &Map<String, Value> = json_shape::object(&value, "", codes::BAD_REQUEST)?;
    json_shape::reject_unknown_fields(
        object,
        &[
            "offset",
            "limit",
            "fields",
            "retrieveVectors",
            "filter",
            "ids",
            "sort",
        ],
    )?;
    let mut query = DocumentsQuery {
        offset: 0,
        limit: 20,
        fields: None,
        filter: Value::Null,
        ids: None,
    };
    for (name, field_value) in object {
        if field_value.is_null() {
            continue;
        }
        let location = format!(".{name}");
        match name.as_str() {
            "offset" => {
                query.offset = json_shape::positive_integer(
                    field_value,
                    &location,
                    codes::INVALID_DOCUMENT_OFFSET,
                )?
            }
            "limit" => {
                query.limit = json_shape::positive_integer(
                    field_value,
                    &location,
                    codes::INVALID_DOCUMENT_LIMIT,
                )?
            }
            "fields" => {
                query.fields = Some(json_shape::string_array(
                    field_value,
                    &location,
                    codes::INVALID_DOCUMENT_FIELDS,
                )?)
            }
            "filter" => query.filter = field_value.clone(),
            "ids" => {
                query.ids = Some(ids_from(
                    field_value,
                    &location,
                    codes::INVALID_DOCUMENT_IDS,
                )?)
            }
            _ => {}
        }
    }
    browse(&state, &index_uid, query)
}

/// `DELETE /indexes/{uid}/documents/{id}`.
pub async fn delete_one(
    State(state): State<AppState>,
    Path((index_uid, document_id)): Path<(String, String)>,
) -> NodeResult<Response> {
    checked_index_uid(&index_uid)?;
    let task = state.enqueue(
        Some(index_uid),
        TaskOperation::DocumentDeletionByIds {
            ids: vec![document_id],
        },
    );
    Ok(accepted(&task))
}

/// `POST /indexes/{uid}/documents/delete-batch`.
pub async fn delete_batch(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    checked_index_uid(&index_uid)?;
    let ids = ids_from(
        &json_body(&headers, &body)?,
        "",
        codes::INVALID_DOCUMENT_IDS,
    )?;
    let task = state.enqueue(
        Some(index_uid),
        TaskOperation::DocumentDeletionByIds { ids },
    );
    Ok(accepted(&task))
}

/// `POST /indexes/{uid}/documents/delete` (by filter; filterability is checked when the task
/// runs, the syntax now).
pub async fn delete_by_filter(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    checked_index_uid(&index_uid)?;
    let value = json_body(&headers, &body)?;
    let object = json_shape::object(&value, "", codes::BAD_REQUEST)?;
    json_shape::reject_unknown_fields(object, &["filter"])?;
    let filter = object
        .get("filter")
        .filter(|filter| !filter.is_null())
        .ok_or_else(|| json_shape::missing_field("", "filter", codes::MISSING_DOCUMENT_FILTER))?;
    DocumentFilter::check_syntax(filter, codes::INVALID_DOCUMENT_FILTER)?;
    let task = state.enqueue(
        Some(index_uid),
        TaskOperation::DocumentDeletionByFilter {
            filter: filter.clone(),
        },
    );
    Ok(accepted(&task))
}

/// `DELETE /indexes/{uid}/documents`: delete every document.
pub async fn clear(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
) -> NodeResult<Response> {
    checked_index_uid(&index_uid)?;
    let task = state.enqueue(Some(index_uid), TaskOperation::DocumentClear);
    Ok(accepted(&task))
}
