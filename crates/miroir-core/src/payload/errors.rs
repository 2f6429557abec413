//! The errors a document-write body can raise, with Meilisearch 1.50's exact codes and messages
//! (`MeilisearchHttpError` and `DocumentFormatError` in Meilisearch's sources; the recorded
//! exchanges of `documents.json` pin the ones observed on a real node).

use std::fmt::Display;

use serde_json::error::Category;

use super::PayloadFormat;
use crate::error::{ApiError, ErrorCode};

/// The `Content-Type` values document writes accept, in the order Meilisearch lists them.
pub const ACCEPTED_CONTENT_TYPES: [&str; 3] =
    ["application/json", "application/x-ndjson", "text/csv"];

/// "Accepted values for the Content-Type header are: `application/json`, …".
fn accepted_content_types_sentence() -> String {
    let quoted: Vec<String> = ACCEPTED_CONTENT_TYPES
        .iter()
        .map(|content_type| format!("`{content_type}`"))
        .collect();
    format!(
        "Accepted values for the Content-Type header are: {}",
        quoted.join(", ")
    )
}

pub(super) fn missing_content_type() -> ApiError {
    ApiError::new(
        ErrorCode::MissingContentType,
        format!(
            "A Content-Type header is missing. {}",
            accepted_content_types_sentence()
        ),
    )
}

/// `shown` is the raw header when it does not parse, else its `type/subtype`.
pub(super) fn invalid_content_type(shown: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidContentType,
        format!(
            "The Content-Type `{shown}` is invalid. {}",
            accepted_content_types_sentence()
        ),
    )
}

/// Meilisearch names the canonical content type here, whatever the header's spelling.
pub(super) fn csv_delimiter_with_wrong_content_type(format: PayloadFormat) -> ApiError {
    let content_type = match format {
        PayloadFormat::Json => ACCEPTED_CONTENT_TYPES[0],
        PayloadFormat::Ndjson => ACCEPTED_CONTENT_TYPES[1],
        PayloadFormat::Csv => ACCEPTED_CONTENT_TYPES[2],
    };
    ApiError::new(
        ErrorCode::InvalidContentType,
        format!(
            "The Content-Type `{content_type}` does not support the use of a csv delimiter. \
             The csv delimiter can only be used with the Content-Type `text/csv`."
        ),
    )
}

pub(super) fn csv_delimiter_empty() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidDocumentCsvDelimiter,
        "Invalid value in parameter `csvDelimiter`: expected a string of one character, but \
         found an empty string",
    )
}

pub(super) fn csv_delimiter_too_long(param: &str) -> ApiError {
    let character_count = param.chars().count();
    ApiError::new(
        ErrorCode::InvalidDocumentCsvDelimiter,
        format!(
            "Invalid value in parameter `csvDelimiter`: expected a string of one character, but \
             found the following string of {character_count} characters: `{param}`"
        ),
    )
}

pub(super) fn csv_delimiter_not_ascii(delimiter: char) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidDocumentCsvDelimiter,
        format!("csv delimiter must be an ascii character. Found: `{delimiter}`"),
    )
}

pub(super) fn missing_payload(format: PayloadFormat) -> ApiError {
    ApiError::new(
        ErrorCode::MissingPayload,
        format!("A {} payload is missing.", format.name()),
    )
}

/// A JSON or NDJSON syntax error, or a JSON body that is neither an object nor an array.
pub(super) fn malformed_json(format: PayloadFormat, error: &serde_json::Error) -> ApiError {
    let detail = if error.classify() == Category::Data {
        "data are neither an object nor a list of objects".to_owned()
    } else {
        error.to_string()
    };
    ApiError::new(
        ErrorCode::MalformedPayload,
        format!(
            "The `{}` payload provided is malformed. `Couldn't serialize document value: {detail}`.",
            format.name()
        ),
    )
}

/// An error of the streaming JSON / NDJSON readers: Meilisearch turns serde's data errors
/// ("invalid type: …, expected a map") into an I/O error, which it reports as `internal`
/// with serde's bare message; everything else is a malformed payload.
pub(super) fn json_reader_error(format: PayloadFormat, error: &serde_json::Error) -> ApiError {
    if error.classify() == Category::Data {
        return ApiError::new(ErrorCode::Internal, error.to_string());
    }
    malformed_json(format, error)
}

/// A CSV error (bad record, bad UTF-8, bad typed cell); note the colon where JSON has a period.
pub(super) fn malformed_csv(detail: impl Display) -> ApiError {
    ApiError::new(
        ErrorCode::MalformedPayload,
        format!(
            "The `{}` payload provided is malformed: `{detail}`.",
            PayloadFormat::Csv.name()
        ),
    )
}
