//! Tests of the document-payload parsers. Expected errors come from real Meilisearch 1.50: the
//! recorded exchanges of `/work/shared/meili-fixtures/documents.json` (`fixtures`) and the
//! snapshot tests of Meilisearch's own suite, `crates/meilisearch/tests/documents/*.rs` at tag
//! `v1.50.0` (`meilisearch_suite`). Behaviour the sources imply but no recording shows is tested
//! per format.

mod content_type;
mod csv;
mod fixtures;
mod json;
mod meilisearch_suite;
mod ndjson;
mod round_trip;

use serde_json::{Map, Value};

use super::{parse_documents, PayloadFormat};
use crate::error::{ApiError, ErrorCode};

/// The documents of a body that must parse.
fn parse_ok(format: PayloadFormat, body: &str) -> Vec<Map<String, Value>> {
    parse_documents(format, body.as_bytes(), None)
        .unwrap_or_else(|error| panic!("{body:?} should parse as {format:?}: {error:?}"))
}

/// The error of a body that must not parse.
fn parse_err(format: PayloadFormat, body: &str) -> ApiError {
    match parse_documents(format, body.as_bytes(), None) {
        Ok(documents) => panic!("{body:?} should not parse as {format:?}, got {documents:?}"),
        Err(error) => error,
    }
}

/// Asserts an error Miroir raises has exactly this code and message.
#[track_caller]
fn assert_error(error: &ApiError, code: ErrorCode, message: &str) {
    assert_eq!(
        error,
        &ApiError::new(code, message),
        "unexpected error {error:?}"
    );
}

/// The object of a `json!` literal.
fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// The keys of a document, in order.
fn keys(document: &Map<String, Value>) -> Vec<&str> {
    document.keys().map(String::as_str).collect()
}
