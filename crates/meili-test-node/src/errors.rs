//! The node's own Meilisearch error table: every error code it can answer with, mapped to the
//! HTTP status and error `type` Meilisearch uses. Independent of miroir-core's catalogue on
//! purpose: the test node is an oracle for Miroir, so it must not share Miroir's assumptions.
//!
//! An error renders as Meilisearch's body `{message, code, type, link}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// One Meilisearch error code with its HTTP status and error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// The `code` field, e.g. `index_not_found`.
    pub name: &'static str,
    /// The HTTP status answered when the error is synchronous.
    pub status: StatusCode,
    /// The `type` field: `invalid_request`, `auth`, `internal` or `system`.
    pub kind: &'static str,
}

pub(crate) const fn invalid(name: &'static str) -> ErrorCode {
    ErrorCode {
        name,
        status: StatusCode::BAD_REQUEST,
        kind: "invalid_request",
    }
}

const fn with_status(name: &'static str, status: StatusCode, kind: &'static str) -> ErrorCode {
    ErrorCode { name, status, kind }
}

/// Every error code the node answers with (one line per code, like Meilisearch's table).
#[allow(missing_docs)]
pub mod codes {
    use super::{invalid, with_status, ErrorCode};
    use axum::http::StatusCode;

    pub const MISSING_AUTHORIZATION_HEADER: ErrorCode = with_status(
        "missing_authorization_header",
        StatusCode::UNAUTHORIZED,
        "auth",
    );
    pub const INVALID_API_KEY: ErrorCode =
        with_status("invalid_api_key", StatusCode::FORBIDDEN, "auth");
    pub const MISSING_MASTER_KEY: ErrorCode =
        with_status("missing_master_key", StatusCode::UNAUTHORIZED, "auth");
    pub const BAD_REQUEST: ErrorCode = invalid("bad_request");
    pub const MALFORMED_PAYLOAD: ErrorCode = invalid("malformed_payload");
    pub const MISSING_PAYLOAD: ErrorCode = invalid("missing_payload");
    pub const INVALID_CONTENT_TYPE: ErrorCode = with_status(
        "invalid_content_type",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "invalid_request",
    );
    pub const MISSING_CONTENT_TYPE: ErrorCode = with_status(
        "missing_content_type",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "invalid_request",
    );
    pub const INDEX_NOT_FOUND: ErrorCode =
        with_status("index_not_found", StatusCode::NOT_FOUND, "invalid_request");
    pub const INDEX_ALREADY_EXISTS: ErrorCode = with_status(
        "index_already_exists",
        StatusCode::CONFLICT,
        "invalid_request",
    );
    pub const INVALID_INDEX_UID: ErrorCode = invalid("invalid_index_uid");
    pub const MISSING_INDEX_UID: ErrorCode = invalid("missing_index_uid");
    pub const INVALID_INDEX_PRIMARY_KEY: ErrorCode = invalid("invalid_index_primary_key");
    pub const INVALID_INDEX_LIMIT: ErrorCode = invalid("invalid_index_limit");
    pub const INVALID_INDEX_OFFSET: ErrorCode = invalid("invalid_index_offset");
    pub const INDEX_PRIMARY_KEY_ALREADY_EXISTS: ErrorCode =
        invalid("index_primary_key_already_exists");
    pub const INDEX_PRIMARY_KEY_NO_CANDIDATE_FOUND: ErrorCode =
        invalid("index_primary_key_no_candidate_found");
    pub const INDEX_PRIMARY_KEY_MULTIPLE_CANDIDATES_FOUND: ErrorCode =
        invalid("index_primary_key_multiple_candidates_found");
    pub const DOCUMENT_NOT_FOUND: ErrorCode = with_status(
        "document_not_found",
        StatusCode::NOT_FOUND,
        "invalid_request",
    );
    pub const MISSING_DOCUMENT_ID: ErrorCode = invalid("missing_document_id");
    pub const INVALID_DOCUMENT_ID: ErrorCode = invalid("invalid_document_id");
    pub const INVALID_DOCUMENT_FIELDS: ErrorCode = invalid("invalid_document_fields");
    pub const INVALID_DOCUMENT_LIMIT: ErrorCode = invalid("invalid_document_limit");
    pub const INVALID_DOCUMENT_OFFSET: ErrorCode = invalid("invalid_document_offset");
    pub const INVALID_DOCUMENT_FILTER: ErrorCode = invalid("invalid_document_filter");
    pub const INVALID_DOCUMENT_IDS: ErrorCode = invalid("invalid_document_ids");
    pub const INVALID_DOCUMENT_CSV_DELIMITER: ErrorCode = invalid("invalid_document_csv_delimiter");
    pub const MISSING_DOCUMENT_FILTER: ErrorCode = invalid("missing_document_filter");
    pub const INVALID_SEARCH_FILTER: ErrorCode = invalid("invalid_search_filter");
    pub const INVALID_SEARCH_SORT: ErrorCode = invalid("invalid_search_sort");
    pub const INVALID_SEARCH_FACETS: ErrorCode = invalid("invalid_search_facets");
    pub const INVALID_FACET_SEARCH_FACET_NAME: ErrorCode =
        invalid("invalid_facet_search_facet_name");
    pub const MISSING_FACET_SEARCH_FACET_NAME: ErrorCode =
        invalid("missing_facet_search_facet_name");
    pub const INVALID_FACET_SEARCH_FACET_QUERY: ErrorCode =
        invalid("invalid_facet_search_facet_query");
    pub const FACET_SEARCH_DISABLED: ErrorCode = invalid("facet_search_disabled");
    pub const INVALID_MULTI_SEARCH_QUERIES: ErrorCode = invalid("invalid_multi_search_queries");
    pub const INVALID_MULTI_SEARCH_FEDERATED: ErrorCode = invalid("invalid_multi_search_federated");
    pub const INVALID_MULTI_SEARCH_FEDERATION_OPTIONS: ErrorCode =
        invalid("invalid_multi_search_federation_options");
    pub const INVALID_MULTI_SEARCH_WEIGHT: ErrorCode = invalid("invalid_multi_search_weight");
    pub const TASK_NOT_FOUND: ErrorCode =
        with_status("task_not_found", StatusCode::NOT_FOUND, "invalid_request");
    pub const BATCH_NOT_FOUND: ErrorCode =
        with_status("batch_not_found", StatusCode::NOT_FOUND, "invalid_request");
    pub const MISSING_TASK_FILTERS: ErrorCode = invalid("missing_task_filters");
    pub const INVALID_TASK_STATUSES: ErrorCode = invalid("invalid_task_statuses");
    pub const INVALID_TASK_TYPES: ErrorCode = invalid("invalid_task_types");
    pub const INVALID_TASK_UIDS: ErrorCode = invalid("invalid_task_uids");
    pub const INVALID_TASK_BATCH_UIDS: ErrorCode = invalid("invalid_task_batch_uids");
    pub const INVALID_TASK_INDEX_UIDS: ErrorCode = invalid("invalid_task_index_uids");
    pub const INVALID_TASK_CANCELED_BY: ErrorCode = invalid("invalid_task_canceled_by");
    pub const INVALID_TASK_LIMIT: ErrorCode = invalid("invalid_task_limit");
    pub const INVALID_TASK_FROM: ErrorCode = invalid("invalid_task_from");
    pub const INVALID_TASK_REVERSE: ErrorCode = invalid("invalid_task_reverse");
    pub const INVALID_BATCH_LIMIT: ErrorCode = invalid("invalid_batch_limit");
    pub const INVALID_BATCH_FROM: ErrorCode = invalid("invalid_batch_from");
    pub const API_KEY_NOT_FOUND: ErrorCode = with_status(
        "api_key_not_found",
        StatusCode::NOT_FOUND,
        "invalid_request",
    );
    pub const API_KEY_ALREADY_EXISTS: ErrorCode = with_status(
        "api_key_already_exists",
        StatusCode::CONFLICT,
        "invalid_request",
    );
    pub const INVALID_API_KEY_ACTIONS: ErrorCode = invalid("invalid_api_key_actions");
    pub const INVALID_API_KEY_INDEXES: ErrorCode = invalid("invalid_api_key_indexes");
    pub const INVALID_API_KEY_EXPIRES_AT: ErrorCode = invalid("invalid_api_key_expires_at");
    pub const INVALID_API_KEY_DESCRIPTION: ErrorCode = invalid("invalid_api_key_description");
    pub const INVALID_API_KEY_NAME: ErrorCode = invalid("invalid_api_key_name");
    pub const INVALID_API_KEY_UID: ErrorCode = invalid("invalid_api_key_uid");
    pub const INVALID_API_KEY_LIMIT: ErrorCode = invalid("invalid_api_key_limit");
    pub const INVALID_API_KEY_OFFSET: ErrorCode = invalid("invalid_api_key_offset");
    pub const MISSING_API_KEY_ACTIONS: ErrorCode = invalid("missing_api_key_actions");
    pub const MISSING_API_KEY_INDEXES: ErrorCode = invalid("missing_api_key_indexes");
    pub const MISSING_API_KEY_EXPIRES_AT: ErrorCode = invalid("missing_api_key_expires_at");
    pub const IMMUTABLE_API_KEY_ACTIONS: ErrorCode = invalid("immutable_api_key_actions");
    pub const IMMUTABLE_API_KEY_INDEXES: ErrorCode = invalid("immutable_api_key_indexes");
    pub const IMMUTABLE_API_KEY_EXPIRES_AT: ErrorCode = invalid("immutable_api_key_expires_at");
    pub const IMMUTABLE_API_KEY_UID: ErrorCode = invalid("immutable_api_key_uid");
    pub const IMMUTABLE_API_KEY_KEY: ErrorCode = invalid("immutable_api_key_key");
    pub const IMMUTABLE_API_KEY_CREATED_AT: ErrorCode = invalid("immutable_api_key_created_at");
    pub const IMMUTABLE_API_KEY_UPDATED_AT: ErrorCode = invalid("immutable_api_key_updated_at");
    pub const INVALID_SWAP_INDEXES: ErrorCode = invalid("invalid_swap_indexes");
    pub const INVALID_SWAP_DUPLICATE_INDEX_FOUND: ErrorCode =
        invalid("invalid_swap_duplicate_index_found");
    pub const INVALID_SWAP_RENAME: ErrorCode = invalid("invalid_swap_rename");
    pub const INJECTED_FAULT: ErrorCode =
        with_status("injected_fault", StatusCode::SERVICE_UNAVAILABLE, "system");
}

/// A Meilisearch error: a code from [`codes`] and its human message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct NodeError {
    /// Which Meilisearch error this is.
    pub code: ErrorCode,
    /// The `message` field, exactly as Meilisearch words it.
    pub message: String,
}

/// Result alias of the node's handlers and stores.
pub type NodeResult<T> = Result<T, NodeError>;

impl NodeError {
    /// An error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `Index `{uid}` not found.`
    pub fn index_not_found(index_uid: &str) -> Self {
        Self::new(
            codes::INDEX_NOT_FOUND,
            format!("Index `{index_uid}` not found."),
        )
    }

    /// `Unknown field `{field}`: expected one of ...` (`bad_request`).
    pub fn unknown_field(field: &str, accepted: &[&str]) -> Self {
        let expected: Vec<String> = accepted.iter().map(|name| format!("`{name}`")).collect();
        Self::new(
            codes::BAD_REQUEST,
            format!(
                "Unknown field `{field}`: expected one of {}",
                expected.join(", ")
            ),
        )
    }

    /// The same error with `prefix` put before its message (used by multi-search).
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}{}", self.message);
        self
    }

    /// The body Meilisearch answers with (also the `error` object of a failed task).
    pub fn to_json(&self) -> Value {
        json!({
            "message": self.message,
            "code": self.code.name,
            "type": self.code.kind,
            "link": format!("https://docs.meilisearch.com/errors#{}", self.code.name),
        })
    }
}

impl IntoResponse for NodeError {
    fn into_response(self) -> Response {
        (self.code.status, axum::Json(self.to_json())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_meilisearch_shape_and_link() {
        let body = NodeError::index_not_found("movies").to_json();
        assert_eq!(
            body,
            json!({"message": "Index `movies` not found.", "code": "index_not_found",
                   "type": "invalid_request", "link": "https://docs.meilisearch.com/errors#index_not_found"})
        );
    }

    #[test]
    fn unknown_field_lists_every_accepted_field() {
        let error = NodeError::unknown_field("x", &["uid", "primaryKey"]);
        assert_eq!(
            error.message,
            "Unknown field `x`: expected one of `uid`, `primaryKey`"
        );
        assert_eq!(error.code.status, StatusCode::BAD_REQUEST);
    }
}
