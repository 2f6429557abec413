//! `application/x-ndjson` bodies, read like Meilisearch's `read_ndjson`: a stream of JSON values
//! separated by optional whitespace (so blank lines are ignored, and lines are not actually
//! required: `{"a":1} {"a":2}` is two documents). Each value must be an object; a well-formed
//! value that is not one is an `internal` error, a syntax error is a malformed payload whose
//! position counts lines and columns from the start of the body.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::errors::json_reader_error;
use super::json::document_from_raw;
use super::PayloadFormat;
use crate::error::ApiError;

pub(super) fn parse_ndjson_documents(body: &[u8]) -> Result<Vec<Map<String, Value>>, ApiError> {
    serde_json::Deserializer::from_slice(body)
        .into_iter::<&RawValue>()
        .map(|value| {
            let raw_value =
                value.map_err(|error| json_reader_error(PayloadFormat::Ndjson, &error))?;
            document_from_raw(PayloadFormat::Ndjson, raw_value)
        })
        .collect()
}
