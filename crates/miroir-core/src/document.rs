//! Write-path checks on client documents, and the `_miroir_*` fields Miroir adds and removes.
//!
//! ```text
//!   client batch ──validate_batch──► ids (hash → shard) ──inject_shard──► nodes
//!   node response ──strip_reserved──► client
//! ```
//!
//! A batch is checked as a whole before any node sees it, and rejected on its first bad
//! document (nothing is written anywhere). Per document:
//!
//! 1. **Reserved fields** → `miroir_reserved_field` (400). `_miroir_shard` is always reserved;
//!    `_miroir_updated_at` and `_miroir_expires_at` only while anti-entropy / TTL is on (when off
//!    they pass through to the nodes like any field).
//! 2. **Primary key.** A document *without* the primary-key field is `miroir_primary_key_required`
//!    (spec P2.2: Miroir must hash the key before routing, so it cannot defer this to a node task
//!    the way Meilisearch's `missing_document_id` does); the message keeps Meilisearch's wording.
//!    A key that is present but *invalid* keeps Meilisearch's own `invalid_document_id` code and
//!    message, now raised synchronously. A nested primary key is `invalid_index_primary_key`.
//!
//! On the way back, [`strip_reserved`] removes every field starting with `_miroir_` — including
//! a `_miroir_updated_at`/`_miroir_expires_at` a client stored while that feature was off, which
//! is therefore stored but never returned.

use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};
use crate::primary_key::{extract_document_id, DocumentId, PrimaryKeyError};

/// Prefix of every field name Miroir may add to a document; such fields never reach a client.
pub const RESERVED_FIELD_PREFIX: &str = "_miroir_";

/// The shard a document is stored on; written by Miroir on every document, always reserved.
pub const SHARD_FIELD: &str = "_miroir_shard";

/// Last-write timestamp stamped by anti-entropy; reserved while anti-entropy is on.
pub const UPDATED_AT_FIELD: &str = "_miroir_updated_at";

/// Expiry timestamp used by document TTL; reserved while TTL is on.
pub const EXPIRES_AT_FIELD: &str = "_miroir_expires_at";

/// Which field names clients may not write, given the enabled features.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReservedFields {
    updated_at: bool,
    expires_at: bool,
}

impl ReservedFields {
    /// The reserved set when anti-entropy (`_miroir_updated_at`) and TTL (`_miroir_expires_at`)
    /// are on or off; `_miroir_shard` is reserved in every case.
    pub const fn new(anti_entropy_enabled: bool, ttl_enabled: bool) -> Self {
        ReservedFields {
            updated_at: anti_entropy_enabled,
            expires_at: ttl_enabled,
        }
    }

    /// Whether a client document may not contain `field`.
    pub fn is_reserved(&self, field: &str) -> bool {
        match field {
            SHARD_FIELD => true,
            UPDATED_AT_FIELD => self.updated_at,
            EXPIRES_AT_FIELD => self.expires_at,
            _ => false,
        }
    }
}

/// Why one document cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// The document sets a field Miroir reserves.
    #[error(
        "The field `{field}` is reserved by Miroir and cannot be set in a document. Rename the \
         field."
    )]
    ReservedField {
        /// The offending field name.
        field: String,
    },
    /// The primary key is missing, invalid, or nested.
    #[error(transparent)]
    PrimaryKey(#[from] PrimaryKeyError),
}

impl DocumentError {
    /// The catalogue code a client receives; a missing primary key is
    /// `miroir_primary_key_required` (see the module documentation).
    pub fn error_code(&self) -> ErrorCode {
        match self {
            DocumentError::ReservedField { .. } => ErrorCode::MiroirReservedField,
            DocumentError::PrimaryKey(PrimaryKeyError::MissingDocumentId { .. }) => {
                ErrorCode::MiroirPrimaryKeyRequired
            }
            DocumentError::PrimaryKey(other) => other.error_code(),
        }
    }
}

impl From<DocumentError> for ApiError {
    fn from(error: DocumentError) -> Self {
        ApiError::new(error.error_code(), error.to_string())
    }
}

/// Why a write batch was rejected: the first bad document, by its 0-based position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Document {position} of the batch (counting from 0) was rejected: {reason}")]
pub struct BatchError {
    /// 0-based position of the document in the batch.
    pub position: usize,
    /// What is wrong with it.
    pub reason: DocumentError,
}

impl BatchError {
    /// The catalogue code a client receives (that of the document's error).
    pub fn error_code(&self) -> ErrorCode {
        self.reason.error_code()
    }
}

impl From<BatchError> for ApiError {
    fn from(error: BatchError) -> Self {
        ApiError::new(error.error_code(), error.to_string())
    }
}

/// Checks one client document for a write and returns its identifier: reserved fields first
/// (the first one in document order is reported), then the primary key.
pub fn validate_for_write(
    document: &Map<String, Value>,
    primary_key: &str,
    reserved: &ReservedFields,
) -> Result<DocumentId, DocumentError> {
    if let Some(field) = document.keys().find(|field| reserved.is_reserved(field)) {
        return Err(DocumentError::ReservedField {
            field: field.clone(),
        });
    }
    extract_document_id(document, primary_key).map_err(DocumentError::from)
}

/// Checks a whole batch; the identifiers come back in batch order. The first bad document
/// rejects the batch.
pub fn validate_batch(
    documents: &[Map<String, Value>],
    primary_key: &str,
    reserved: &ReservedFields,
) -> Result<Vec<DocumentId>, BatchError> {
    documents
        .iter()
        .enumerate()
        .map(|(position, document)| {
            validate_for_write(document, primary_key, reserved)
                .map_err(|reason| BatchError { position, reason })
        })
        .collect()
}

/// Stamps `document` with the shard it is stored on (`_miroir_shard`, see [`shard_tag`]),
/// replacing any previous value (a document moved by a rebalance is re-stamped).
pub fn inject_shard(document: &mut Map<String, Value>, shard: u32) {
    document.insert(SHARD_FIELD.to_owned(), Value::from(shard_tag(shard)));
}

/// The `_miroir_shard` value of shard `shard`: its binary digits, most significant first, with
/// `-` for 1 and `.` for 0 (shard 0 is `.`, shard 6 is `--.`).
///
/// The value holds only separator characters, so Meilisearch's tokenizer finds no word in it:
/// the field cannot match a query (a number would — a search for `42` or the prefix `4` would
/// hit every document of shard 42) even though an index's default `searchableAttributes: ["*"]`
/// covers it. Filters still select it exactly (`_miroir_shard = "-.-"`).
pub fn shard_tag(shard: u32) -> String {
    if shard == 0 {
        return ".".to_owned();
    }
    let digits = u32::BITS - shard.leading_zeros();
    (0..digits)
        .rev()
        .map(|bit| if shard >> bit & 1 == 1 { '-' } else { '.' })
        .collect()
}

/// A filter expression selecting the documents of `shards`:
/// `_miroir_shard IN [".", "-", "-."]`.
pub fn shard_filter(shards: &[u32]) -> String {
    let tags: Vec<String> = shards
        .iter()
        .map(|shard| format!("\"{}\"", shard_tag(*shard)))
        .collect();
    format!("{SHARD_FIELD} IN [{}]", tags.join(", "))
}

/// Removes every `_miroir_*` field from a document about to be returned to a client, keeping
/// the other fields in their order.
pub fn strip_reserved(document: &mut Map<String, Value>) {
    document.retain(|field, _| !field.starts_with(RESERVED_FIELD_PREFIX));
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    const NO_FEATURES: ReservedFields = ReservedFields::new(false, false);
    const ALL_FEATURES: ReservedFields = ReservedFields::new(true, true);

    #[test]
    fn shard_field_is_always_reserved() {
        for reserved in [NO_FEATURES, ALL_FEATURES] {
            let document = object(json!({"id": 1, "_miroir_shard": 3}));
            let error = validate_for_write(&document, "id", &reserved).unwrap_err();
            assert_eq!(
                error,
                DocumentError::ReservedField {
                    field: "_miroir_shard".to_owned()
                }
            );
            assert!(error.to_string().contains("`_miroir_shard`"));
            assert_eq!(error.error_code(), ErrorCode::MiroirReservedField);
            assert_eq!(ApiError::from(error).http_status(), 400);
        }
    }

    #[test]
    fn feature_fields_are_reserved_only_when_their_feature_is_on() {
        let updated = object(json!({"id": 1, "_miroir_updated_at": 5}));
        let expires = object(json!({"id": 1, "_miroir_expires_at": 5}));

        assert!(validate_for_write(&updated, "id", &NO_FEATURES).is_ok());
        assert!(validate_for_write(&expires, "id", &NO_FEATURES).is_ok());

        let anti_entropy_only = ReservedFields::new(true, false);
        assert!(validate_for_write(&updated, "id", &anti_entropy_only).is_err());
        assert!(validate_for_write(&expires, "id", &anti_entropy_only).is_ok());

        let ttl_only = ReservedFields::new(false, true);
        assert!(validate_for_write(&updated, "id", &ttl_only).is_ok());
        assert_eq!(
            validate_for_write(&expires, "id", &ttl_only).unwrap_err(),
            DocumentError::ReservedField {
                field: "_miroir_expires_at".to_owned()
            }
        );
    }

    #[test]
    fn other_miroir_prefixed_fields_are_not_reserved_for_writes() {
        let document = object(json!({"id": 1, "_miroir_note": "x"}));
        assert!(validate_for_write(&document, "id", &ALL_FEATURES).is_ok());
    }

    #[test]
    fn reserved_field_check_runs_before_the_primary_key_check() {
        let document = object(json!({"title": "no id", "_miroir_shard": 1}));
        assert_eq!(
            validate_for_write(&document, "id", &NO_FEATURES)
                .unwrap_err()
                .error_code(),
            ErrorCode::MiroirReservedField
        );
    }

    #[test]
    fn missing_primary_key_is_miroir_primary_key_required() {
        let document = object(json!({"title": "no id"}));
        let error = validate_for_write(&document, "id", &NO_FEATURES).unwrap_err();
        assert_eq!(error.error_code(), ErrorCode::MiroirPrimaryKeyRequired);
        assert_eq!(
            error.to_string(),
            "Document doesn't have a `id` attribute: `{\"title\":\"no id\"}`."
        );
        let api_error = ApiError::from(error);
        assert_eq!(api_error.http_status(), 400);
        assert_eq!(api_error.code_str(), "miroir_primary_key_required");
    }

    #[test]
    fn invalid_primary_key_keeps_meilisearch_invalid_document_id() {
        let document = object(json!({"id": "bad id!"}));
        let error = validate_for_write(&document, "id", &NO_FEATURES).unwrap_err();
        assert_eq!(error.error_code(), ErrorCode::InvalidDocumentId);
        assert!(error
            .to_string()
            .starts_with("Document identifier `\"bad id!\"` is invalid."));
    }

    #[test]
    fn nested_primary_key_is_invalid_index_primary_key() {
        let document = object(json!({"author": {"id": 1}}));
        let error = validate_for_write(&document, "author.id", &NO_FEATURES).unwrap_err();
        assert_eq!(error.error_code(), ErrorCode::InvalidIndexPrimaryKey);
    }

    #[test]
    fn valid_document_yields_its_identifier() {
        let document = object(json!({"id": 42, "title": "t"}));
        let id = validate_for_write(&document, "id", &ALL_FEATURES).unwrap();
        assert_eq!(id.as_str(), "42");
    }

    #[test]
    fn batch_returns_identifiers_in_order() {
        let batch = vec![
            object(json!({"sku": "b-2"})),
            object(json!({"sku": 7})),
            object(json!({"sku": "a_1", "price": 3})),
        ];
        let ids = validate_batch(&batch, "sku", &NO_FEATURES).unwrap();
        let ids: Vec<&str> = ids.iter().map(DocumentId::as_str).collect();
        assert_eq!(ids, ["b-2", "7", "a_1"]);
        assert_eq!(
            validate_batch(&[], "sku", &NO_FEATURES).unwrap(),
            Vec::new()
        );
    }

    #[test]
    fn batch_is_rejected_at_its_first_bad_document() {
        let batch = vec![
            object(json!({"id": 1})),
            object(json!({"title": "no id"})),
            object(json!({"id": 3, "_miroir_shard": 0})),
        ];
        let error = validate_batch(&batch, "id", &NO_FEATURES).unwrap_err();
        assert_eq!(error.position, 1);
        assert_eq!(error.error_code(), ErrorCode::MiroirPrimaryKeyRequired);
        assert_eq!(
            error.to_string(),
            "Document 1 of the batch (counting from 0) was rejected: Document doesn't have a \
             `id` attribute: `{\"title\":\"no id\"}`."
        );
        let api_error = ApiError::from(error);
        assert_eq!(api_error.code_str(), "miroir_primary_key_required");
        assert_eq!(api_error.http_status(), 400);

        let reserved_first = vec![object(json!({"id": 1, "_miroir_shard": 0}))];
        let error = validate_batch(&reserved_first, "id", &NO_FEATURES).unwrap_err();
        assert_eq!(error.position, 0);
        assert_eq!(error.error_code(), ErrorCode::MiroirReservedField);
    }

    /// The shard a [`shard_tag`] names, `None` for any other value (the inverse, for tests).
    fn parse_shard_tag(tag: &str) -> Option<u32> {
        if tag.is_empty()
            || tag.len() > u32::BITS as usize
            || (tag.len() > 1 && tag.starts_with('.'))
        {
            return None;
        }
        tag.chars().try_fold(0u32, |shard, digit| match digit {
            '-' => Some(shard << 1 | 1),
            '.' => Some(shard << 1),
            _ => None,
        })
    }

    #[test]
    fn shard_tags_are_binary_digits_in_separators() {
        let cases = [
            (0, "."),
            (1, "-"),
            (2, "-."),
            (6, "--."),
            (42, "-.-.-."),
            (63, "------"),
        ];
        for (shard, tag) in cases {
            assert_eq!(shard_tag(shard), tag);
            assert_eq!(parse_shard_tag(tag), Some(shard));
        }
        for not_a_tag in ["", "..", ".-", "42", "-x", &"-".repeat(33)] {
            assert_eq!(parse_shard_tag(not_a_tag), None, "{not_a_tag:?}");
        }
        assert_eq!(shard_filter(&[0, 5]), r#"_miroir_shard IN [".", "-.-"]"#);
    }

    #[test]
    fn inject_shard_appends_the_field_and_restamps() {
        let mut document = object(json!({"id": 1, "title": "t"}));
        inject_shard(&mut document, 5);
        assert_eq!(
            Value::Object(document.clone()).to_string(),
            r#"{"id":1,"title":"t","_miroir_shard":"-.-"}"#
        );
        inject_shard(&mut document, 9);
        assert_eq!(document.get(SHARD_FIELD), Some(&json!("-..-")));
        assert_eq!(document.len(), 3);
    }

    #[test]
    fn strip_reserved_removes_every_miroir_field_and_keeps_order() {
        let mut document = object(json!({
            "_miroir_shard": 2,
            "id": 1,
            "_miroir_updated_at": 10,
            "title": "t",
            "_miroir_expires_at": 20,
            "_miroir_anything": true,
            "miroir_not_reserved": 1,
            "_rankingScore": 0.5
        }));
        strip_reserved(&mut document);
        assert_eq!(
            Value::Object(document).to_string(),
            r#"{"id":1,"title":"t","miroir_not_reserved":1,"_rankingScore":0.5}"#
        );
    }

    proptest! {
        #[test]
        fn inject_then_strip_restores_the_client_document(
            fields in proptest::collection::vec(("[a-z][a-z0-9_]{0,8}", any::<i64>()), 0..8),
            shard in any::<u32>(),
        ) {
            let original: Map<String, Value> =
                fields.into_iter().map(|(name, value)| (name, Value::from(value))).collect();
            let mut document = original.clone();
            inject_shard(&mut document, shard);
            prop_assert_eq!(document.get(SHARD_FIELD), Some(&Value::from(shard_tag(shard))));
            strip_reserved(&mut document);
            prop_assert_eq!(
                Value::Object(document).to_string(),
                Value::Object(original).to_string()
            );
        }

        /// Every shard's tag holds only `-` and `.` (no word for the tokenizer) and names it
        /// back.
        #[test]
        fn shard_tags_round_trip_without_word_characters(shard in any::<u32>()) {
            let tag = shard_tag(shard);
            prop_assert!(tag.chars().all(|c| c == '-' || c == '.'));
            prop_assert_eq!(parse_shard_tag(&tag), Some(shard));
        }
    }
}
