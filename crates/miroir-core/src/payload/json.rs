//! `application/json` bodies, read in the same two passes as Meilisearch's `read_json`:
//!
//! ```text
//!   body ──1. as a sequence──► [ raw element, … ] ──each──► object?  yes: document
//!     │         │                                         no: stop; `internal` (500)
//!     │         └─ syntax / EOF error ──► malformed_payload
//!     └─ not a sequence ──2. as one object──► document | malformed_payload
//! ```
//!
//! Pass 1 walks the array with serde's sequence protocol, taking each element as raw JSON
//! text. It stops at the first element that is not an object; serde then still checks that the
//! array ends there, so `[1]` is an `internal` error while `[1, 2]` is a malformed payload
//! ("trailing characters"). Bytes after the closing `]` are ignored. Pass 2 only runs when the
//! body is well-formed but not an array; it needs the whole body to be one object.

use std::fmt;

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::error::Category;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::errors::{json_reader_error, malformed_json};
use super::PayloadFormat;
use crate::error::ApiError;

pub(super) fn parse_json_documents(body: &[u8]) -> Result<Vec<Map<String, Value>>, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match deserializer.deserialize_seq(DocumentArrayVisitor) {
        Ok(array_result) => array_result,
        Err(error) if error.classify() == Category::Data => parse_single_object(body),
        Err(error) => Err(json_reader_error(PayloadFormat::Json, &error)),
    }
}

fn parse_single_object(body: &[u8]) -> Result<Vec<Map<String, Value>>, ApiError> {
    serde_json::from_slice::<Map<String, Value>>(body)
        .map(|document| vec![document])
        .map_err(|error| malformed_json(PayloadFormat::Json, &error))
}

/// One document from the raw text of a JSON-array element or NDJSON value: only an object is
/// a document.
pub(super) fn document_from_raw(
    format: PayloadFormat,
    raw: &RawValue,
) -> Result<Map<String, Value>, ApiError> {
    serde_json::from_str(raw.get()).map_err(|error| json_reader_error(format, &error))
}

/// Collects the elements of the top-level array as documents. Its value is the outcome of the
/// collection; serde's own error channel is left to syntax errors, which must surface even after
/// a non-object element (see the module doc).
struct DocumentArrayVisitor;

impl<'de> Visitor<'de> for DocumentArrayVisitor {
    type Value = Result<Vec<Map<String, Value>>, ApiError>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a sequence of documents")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut elements: A) -> Result<Self::Value, A::Error> {
        let mut documents = Vec::with_capacity(elements.size_hint().unwrap_or(0));
        while let Some(raw_element) = elements.next_element::<&'de RawValue>()? {
            match document_from_raw(PayloadFormat::Json, raw_element) {
                Ok(document) => documents.push(document),
                Err(not_a_document) => return Ok(Err(not_a_document)),
            }
        }
        Ok(Ok(documents))
    }
}
