//! Bodies of document-write requests (`POST`/`PUT /indexes/{uid}/documents`), parsed exactly as
//! Meilisearch 1.50 parses them, so that Miroir can route every document to its shard by primary
//! key and refuse a bad body with the very error a single node would have returned.
//!
//! ```text
//!   Content-Type header ─┐
//!                        ├─ PayloadFormat::negotiate ──► Json | Ndjson | Csv
//!   ?csvDelimiter= ──────┘   (parse_csv_delimiter first)         │
//!   body bytes ────────────────────────── parse_documents ◄──────┘──► Vec<document>
//! ```
//!
//! What each format accepts (the readers of `meilisearch-types`' `document_formats.rs`):
//!
//! | format   | body                                         | empty (0 bytes)   |
//! |----------|----------------------------------------------|-------------------|
//! | `json`   | an array of objects, or one object           | `missing_payload` |
//! | `ndjson` | a stream of objects (blank lines ignored)    | `missing_payload` |
//! | `csv`    | header row (`name`, `name:number`, `name:boolean`, `name:string`) + rows | `missing_payload` |
//!
//! Errors, as Meilisearch raises them:
//!
//! - no / unparsable / unsupported `Content-Type` → `missing_content_type` / `invalid_content_type`
//!   (415); a `csvDelimiter` with JSON or NDJSON → `invalid_content_type` (415);
//! - a bad `csvDelimiter` → `invalid_document_csv_delimiter` (400);
//! - a body of zero bytes → `missing_payload` (400); a body of only whitespace is *not* missing;
//! - bad syntax, a bad CSV number or boolean → `malformed_payload` (400);
//! - a JSON-array element or NDJSON value that is well-formed but not an object → `internal`
//!   (500): Meilisearch classifies serde's "invalid type" there as an I/O error.
//!
//! Documents keep the key order of the body (`preserve_order`); a key repeated in one object keeps
//! its first position and its last value, as in Meilisearch's `RawMap`.

mod content_type;
mod csv;
mod errors;
mod json;
mod ndjson;
mod request_json;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

use crate::error::ApiError;

pub use self::errors::ACCEPTED_CONTENT_TYPES;
pub use self::request_json::parse_json_request;

/// The delimiter of a CSV body when the request has no `csvDelimiter` parameter.
pub const DEFAULT_CSV_DELIMITER: u8 = b',';

/// The three body formats the document-write routes accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadFormat {
    /// `application/json`: an array of objects, or a single object.
    Json,
    /// `application/x-ndjson`: one object after another, usually one per line.
    Ndjson,
    /// `text/csv`: a header row naming (and optionally typing) the fields, then one row per
    /// document.
    Csv,
}

impl PayloadFormat {
    /// The format named by a request's raw `Content-Type` header value, parameters included
    /// (`application/json; charset=utf-8` is JSON).
    ///
    /// The value is read like actix-web's `mime` parser reads it: type and subtype are
    /// case-insensitive, a `+suffix` is not part of the subtype (`application/json+x` is JSON,
    /// `application/ld+json` is `application/ld`), parameters must be well-formed. A value that
    /// does not parse is echoed verbatim in the `invalid_content_type` message; one that parses
    /// is echoed as `type/subtype`.
    pub fn from_content_type(content_type: Option<&str>) -> Result<PayloadFormat, ApiError> {
        let Some(header_value) = content_type else {
            return Err(errors::missing_content_type());
        };
        let Some(media_type) = content_type::parse_media_type(header_value) else {
            return Err(errors::invalid_content_type(header_value));
        };
        match (media_type.top_level.as_str(), media_type.subtype.as_str()) {
            ("application", "json") => Ok(PayloadFormat::Json),
            ("application", "x-ndjson") => Ok(PayloadFormat::Ndjson),
            ("text", "csv") => Ok(PayloadFormat::Csv),
            (top_level, subtype) => Err(errors::invalid_content_type(&format!(
                "{top_level}/{subtype}"
            ))),
        }
    }

    /// The format of a document write given both its `Content-Type` and its already parsed
    /// `csvDelimiter` query parameter (see [`parse_csv_delimiter`]): a content-type error comes
    /// first, then a delimiter on a JSON or NDJSON body is refused (`invalid_content_type`).
    pub fn negotiate(
        content_type: Option<&str>,
        csv_delimiter: Option<u8>,
    ) -> Result<PayloadFormat, ApiError> {
        let format = PayloadFormat::from_content_type(content_type)?;
        if csv_delimiter.is_some() && format != PayloadFormat::Csv {
            return Err(errors::csv_delimiter_with_wrong_content_type(format));
        }
        Ok(format)
    }

    /// The word Meilisearch uses for this format in its messages (`json`, `ndjson`, `csv`).
    pub const fn name(self) -> &'static str {
        match self {
            PayloadFormat::Json => "json",
            PayloadFormat::Ndjson => "ndjson",
            PayloadFormat::Csv => "csv",
        }
    }
}

/// The value of the `csvDelimiter` query parameter (already percent-decoded; an empty string
/// when the parameter has no `=value`) as the delimiter byte: exactly one ASCII character,
/// else `invalid_document_csv_delimiter` with Meilisearch's message.
pub fn parse_csv_delimiter(param: &str) -> Result<u8, ApiError> {
    let mut characters = param.chars();
    match (characters.next(), characters.next()) {
        (None, _) => Err(errors::csv_delimiter_empty()),
        (Some(_), Some(_)) => Err(errors::csv_delimiter_too_long(param)),
        (Some(delimiter), None) => u8::try_from(delimiter)
            .ok()
            .filter(u8::is_ascii)
            .ok_or_else(|| errors::csv_delimiter_not_ascii(delimiter)),
    }
}

/// Parses the body of a document write into its documents, in body order.
///
/// `csv_delimiter` is the parsed `csvDelimiter` parameter; it only applies to CSV (default
/// [`DEFAULT_CSV_DELIMITER`]) and is ignored otherwise — use [`PayloadFormat::negotiate`] to
/// refuse it on other formats. A body of zero bytes is `missing_payload`; a body of only
/// whitespace yields no document for NDJSON and CSV and is malformed JSON.
pub fn parse_documents(
    format: PayloadFormat,
    body: &[u8],
    csv_delimiter: Option<u8>,
) -> Result<Vec<Map<String, Value>>, ApiError> {
    if body.is_empty() {
        return Err(errors::missing_payload(format));
    }
    match format {
        PayloadFormat::Json => json::parse_json_documents(body),
        PayloadFormat::Ndjson => ndjson::parse_ndjson_documents(body),
        PayloadFormat::Csv => {
            csv::parse_csv_documents(body, csv_delimiter.unwrap_or(DEFAULT_CSV_DELIMITER))
        }
    }
}
