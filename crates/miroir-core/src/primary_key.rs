//! Meilisearch's primary-key rules, applied by Miroir before a write reaches any node.
//!
//! A document's identifier is the value of its primary-key field. Meilisearch (milli's
//! `validate_document_id_str` and the indexer's `DocumentIdVisitor`) accepts:
//!
//! - a string of 1..=511 bytes made only of `a-z A-Z 0-9 - _`;
//! - an integer (any `u64` or `i64`, so negative integers too), stored as its decimal string.
//!
//! Anything else — floats (even `1.0`), booleans, `null`, arrays, objects — is rejected. Because
//! an integer is stored as its decimal string, the integer `42` and the string `"42"` are the
//! SAME Meilisearch document (the recorded fixtures fetch and delete integer-keyed documents
//! through string path segments, e.g. `DELETE /indexes/movies/documents/200`). [`DocumentId`]
//! holds exactly that canonical string, so hashing it routes both spellings to the same shard.
//!
//! Miroir refuses nested (dotted) primary keys such as `author.id`, which Meilisearch would
//! resolve inside sub-objects: routing needs one flat field.
//!
//! Error messages are Meilisearch's, character for character, so a client sees the same text as
//! from a single node.

use std::fmt;

use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};

/// Largest accepted identifier, in bytes (Meilisearch rejects 512).
pub const MAX_DOCUMENT_ID_BYTES: usize = 511;

/// Separator Meilisearch uses for nested primary keys; Miroir rejects names containing it.
pub const NESTED_KEY_SEPARATOR: char = '.';

/// Primary-key inference picks the fields whose lowercased name ends with this suffix.
const INFERENCE_SUFFIX: &str = "id";

/// A validated document identifier in Meilisearch's canonical string form — the value Miroir
/// hashes to place a document on a shard.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(String);

impl DocumentId {
    /// The identifier held by a primary-key value: a valid string as-is, an integer as its
    /// decimal string; any other value is `invalid_document_id`.
    pub fn from_value(value: &Value) -> Result<Self, PrimaryKeyError> {
        match value {
            Value::String(text) => Self::parse(text),
            Value::Number(number) => match (number.as_u64(), number.as_i64()) {
                (Some(unsigned), _) => Ok(DocumentId(unsigned.to_string())),
                (None, Some(signed)) => Ok(DocumentId(signed.to_string())),
                (None, None) => Err(PrimaryKeyError::invalid(value)),
            },
            _ => Err(PrimaryKeyError::invalid(value)),
        }
    }

    /// Validates an identifier given in string form (a document body's string value, a URL
    /// path segment, a string in a delete-by-ids array).
    pub fn parse(text: &str) -> Result<Self, PrimaryKeyError> {
        if is_valid_id_str(text) {
            Ok(DocumentId(text.to_owned()))
        } else {
            Err(PrimaryKeyError::InvalidDocumentId {
                value: Value::String(text.to_owned()).to_string(),
            })
        }
    }

    /// The canonical string form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The canonical string form, by value.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for DocumentId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Meilisearch's string-identifier rule: 1..=511 bytes of `[A-Za-z0-9_-]`.
fn is_valid_id_str(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_DOCUMENT_ID_BYTES
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// Why a document's identifier or an index's primary key could not be determined.
/// Messages are Meilisearch's own wording (except [`PrimaryKeyError::NestedPrimaryKey`], which
/// Meilisearch does not have).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrimaryKeyError {
    /// The document has no field named after the primary key.
    #[error("Document doesn't have a `{primary_key}` attribute: `{document}`.")]
    MissingDocumentId {
        /// The primary-key field name.
        primary_key: String,
        /// The whole document, as compact JSON.
        document: String,
    },
    /// The primary-key value is not a valid identifier.
    #[error(
        "Document identifier `{value}` is invalid. A document identifier can be of type integer \
         or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and \
         underscores (_), and can not be more than 511 bytes."
    )]
    InvalidDocumentId {
        /// The rejected value, as compact JSON (a string keeps its quotes).
        value: String,
    },
    /// Inference found no field whose name ends with `id`.
    #[error(
        "The primary key inference failed as the engine did not find any field ending with `id` \
         in its name. Please specify the primary key manually using the `primaryKey` query \
         parameter."
    )]
    NoCandidateFound,
    /// Inference found several fields whose name ends with `id`.
    #[error(
        "The primary key inference failed as the engine found {} fields ending with `id` in \
         their names: '{}' and '{}'. Please specify the primary key manually using the \
         `primaryKey` query parameter.",
        .candidates.len(),
        .candidates.first().map_or("", String::as_str),
        .candidates.get(1).map_or("", String::as_str)
    )]
    MultipleCandidatesFound {
        /// Every candidate, sorted by byte order (Meilisearch's order); at least two.
        candidates: Vec<String>,
    },
    /// The primary key is a nested (dotted) path, which Miroir cannot route on.
    #[error(
        "The primary key `{primary_key}` is a nested path, which Miroir does not support. Use a \
         top-level field without `.` in its name as the primary key."
    )]
    NestedPrimaryKey {
        /// The rejected primary-key name.
        primary_key: String,
    },
}

impl PrimaryKeyError {
    /// The catalogue code a client receives for this error.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            PrimaryKeyError::MissingDocumentId { .. } => ErrorCode::MissingDocumentId,
            PrimaryKeyError::InvalidDocumentId { .. } => ErrorCode::InvalidDocumentId,
            PrimaryKeyError::NoCandidateFound => ErrorCode::IndexPrimaryKeyNoCandidateFound,
            PrimaryKeyError::MultipleCandidatesFound { .. } => {
                ErrorCode::IndexPrimaryKeyMultipleCandidatesFound
            }
            PrimaryKeyError::NestedPrimaryKey { .. } => ErrorCode::InvalidIndexPrimaryKey,
        }
    }

    fn invalid(value: &Value) -> Self {
        PrimaryKeyError::InvalidDocumentId {
            value: value.to_string(),
        }
    }
}

impl From<PrimaryKeyError> for ApiError {
    fn from(error: PrimaryKeyError) -> Self {
        ApiError::new(error.error_code(), error.to_string())
    }
}

/// Rejects a nested (dotted) primary-key name.
pub fn ensure_flat_primary_key(primary_key: &str) -> Result<(), PrimaryKeyError> {
    if primary_key.contains(NESTED_KEY_SEPARATOR) {
        return Err(PrimaryKeyError::NestedPrimaryKey {
            primary_key: primary_key.to_owned(),
        });
    }
    Ok(())
}

/// The identifier of `document` under `primary_key`: `missing_document_id` when the field is
/// absent, `invalid_document_id` when its value is not an identifier (`null` included).
pub fn extract_document_id(
    document: &Map<String, Value>,
    primary_key: &str,
) -> Result<DocumentId, PrimaryKeyError> {
    ensure_flat_primary_key(primary_key)?;
    match document.get(primary_key) {
        Some(value) => DocumentId::from_value(value),
        None => Err(PrimaryKeyError::MissingDocumentId {
            primary_key: primary_key.to_owned(),
            document: Value::Object(document.clone()).to_string(),
        }),
    }
}

/// Meilisearch's primary-key inference on a batch's first document: the one top-level field
/// whose name, lowercased, ends with `id`. None is `index_primary_key_no_candidate_found`,
/// several is `index_primary_key_multiple_candidates_found`; a single dotted candidate is
/// refused as nested.
pub fn infer_primary_key(first_document: &Map<String, Value>) -> Result<String, PrimaryKeyError> {
    let mut candidates: Vec<&String> = first_document
        .keys()
        .filter(|name| name.to_lowercase().ends_with(INFERENCE_SUFFIX))
        .collect();
    candidates.sort_unstable();
    match candidates.as_slice() {
        [] => Err(PrimaryKeyError::NoCandidateFound),
        [only] => {
            ensure_flat_primary_key(only)?;
            Ok((*only).clone())
        }
        several => Err(PrimaryKeyError::MultipleCandidatesFound {
            candidates: several.iter().map(|name| (*name).clone()).collect(),
        }),
    }
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

    #[test]
    fn missing_id_message_matches_recorded_meilisearch() {
        let error = extract_document_id(&object(json!({"title": "no id"})), "id").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Document doesn't have a `id` attribute: `{\"title\":\"no id\"}`."
        );
        assert_eq!(error.error_code(), ErrorCode::MissingDocumentId);
    }

    #[test]
    fn missing_id_message_keeps_document_field_order() {
        let document = object(json!({"zeta": 1, "alpha": [true, null], "mid": {"b": 2, "a": 1}}));
        let error = extract_document_id(&document, "id").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Document doesn't have a `id` attribute: \
             `{\"zeta\":1,\"alpha\":[true,null],\"mid\":{\"b\":2,\"a\":1}}`."
        );
    }

    #[test]
    fn invalid_id_message_matches_recorded_meilisearch() {
        let error =
            extract_document_id(&object(json!({"id": "bad id!", "title": "x"})), "id").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Document identifier `\"bad id!\"` is invalid. A document identifier can be of type \
             integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens \
             (-) and underscores (_), and can not be more than 511 bytes."
        );
        assert_eq!(error.error_code(), ErrorCode::InvalidDocumentId);
    }

    #[test]
    fn non_identifier_values_are_invalid_with_their_json_in_the_message() {
        for (value, shown) in [
            (json!(1.5), "1.5"),
            (json!(1.0), "1.0"),
            (json!(true), "true"),
            (json!(null), "null"),
            (json!(""), "\"\""),
            (json!([1]), "[1]"),
            (json!({"a": 1}), "{\"a\":1}"),
            (json!("é"), "\"é\""),
        ] {
            let error = DocumentId::from_value(&value).unwrap_err();
            assert_eq!(
                error,
                PrimaryKeyError::InvalidDocumentId {
                    value: shown.to_owned()
                }
            );
        }
    }

    #[test]
    fn integers_including_negative_and_u64_are_accepted() {
        for (value, canonical) in [
            (json!(0), "0"),
            (json!(42), "42"),
            (json!(-7), "-7"),
            (json!(i64::MIN), "-9223372036854775808"),
            (json!(u64::MAX), "18446744073709551615"),
        ] {
            assert_eq!(DocumentId::from_value(&value).unwrap().as_str(), canonical);
        }
    }

    #[test]
    fn length_limit_is_511_bytes() {
        let at_limit = "a".repeat(MAX_DOCUMENT_ID_BYTES);
        assert_eq!(DocumentId::parse(&at_limit).unwrap().as_str(), at_limit);
        let over_limit = "a".repeat(MAX_DOCUMENT_ID_BYTES + 1);
        assert!(matches!(
            DocumentId::parse(&over_limit),
            Err(PrimaryKeyError::InvalidDocumentId { .. })
        ));
    }

    #[test]
    fn nested_primary_keys_are_rejected() {
        let document = object(json!({"author": {"id": 1}, "author.id": 1}));
        let error = extract_document_id(&document, "author.id").unwrap_err();
        assert_eq!(
            error,
            PrimaryKeyError::NestedPrimaryKey {
                primary_key: "author.id".to_owned()
            }
        );
        assert_eq!(error.error_code(), ErrorCode::InvalidIndexPrimaryKey);
        assert!(error.to_string().contains("`author.id`"));
        assert_eq!(
            infer_primary_key(&object(json!({"author.id": 1, "title": "t"}))).unwrap_err(),
            error
        );
    }

    #[test]
    fn inference_picks_the_single_field_ending_with_id() {
        for (document, expected) in [
            (json!({"title": "t", "id": 1}), "id"),
            (json!({"productID": "p", "name": "n"}), "productID"),
            (json!({"Uid": 3}), "Uid"),
            (json!({"valid": true, "title": "t"}), "valid"),
            (json!({"id_number": 1, "movie_id": 2}), "movie_id"),
        ] {
            assert_eq!(infer_primary_key(&object(document)).unwrap(), expected);
        }
    }

    #[test]
    fn inference_without_candidate_matches_recorded_meilisearch() {
        let error = infer_primary_key(&object(json!({"title": "no candidate"}))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "The primary key inference failed as the engine did not find any field ending with \
             `id` in its name. Please specify the primary key manually using the `primaryKey` \
             query parameter."
        );
        assert_eq!(
            error.error_code(),
            ErrorCode::IndexPrimaryKeyNoCandidateFound
        );
        assert_eq!(
            infer_primary_key(&Map::new()).unwrap_err(),
            PrimaryKeyError::NoCandidateFound
        );
    }

    #[test]
    fn inference_with_two_candidates_matches_recorded_meilisearch() {
        let document = object(json!({"id": 1, "uid": 2, "title": "two candidates"}));
        let error = infer_primary_key(&document).unwrap_err();
        assert_eq!(
            error.to_string(),
            "The primary key inference failed as the engine found 2 fields ending with `id` in \
             their names: 'id' and 'uid'. Please specify the primary key manually using the \
             `primaryKey` query parameter."
        );
        assert_eq!(
            error.error_code(),
            ErrorCode::IndexPrimaryKeyMultipleCandidatesFound
        );
    }

    #[test]
    fn inference_candidates_are_sorted_by_byte_order() {
        let document = object(json!({"public_uid": 1, "project_id": 2, "id": 3, "Zid": 4}));
        assert_eq!(
            infer_primary_key(&document).unwrap_err(),
            PrimaryKeyError::MultipleCandidatesFound {
                candidates: vec![
                    "Zid".to_owned(),
                    "id".to_owned(),
                    "project_id".to_owned(),
                    "public_uid".to_owned()
                ]
            }
        );
    }

    #[test]
    fn primary_key_errors_become_api_errors_with_their_code() {
        let api_error: ApiError = PrimaryKeyError::NoCandidateFound.into();
        assert_eq!(api_error.http_status(), 400);
        assert_eq!(api_error.code_str(), "index_primary_key_no_candidate_found");
        assert_eq!(
            api_error.to_string(),
            PrimaryKeyError::NoCandidateFound.to_string()
        );
    }

    proptest! {
        #[test]
        fn valid_string_ids_round_trip(id in "[A-Za-z0-9_-]{1,511}") {
            let document = object(json!({"id": id.clone(), "title": "t"}));
            let extracted = extract_document_id(&document, "id").unwrap();
            prop_assert_eq!(extracted.as_str(), id.as_str());
            prop_assert_eq!(DocumentId::parse(&id).unwrap(), extracted);
        }

        #[test]
        fn strings_with_a_foreign_character_are_rejected(
            prefix in "[A-Za-z0-9_-]{0,20}",
            foreign in any::<char>().prop_filter("outside the id alphabet", |c| {
                !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            }),
            suffix in "[A-Za-z0-9_-]{0,20}",
        ) {
            let id = format!("{prefix}{foreign}{suffix}");
            let rejected = DocumentId::from_value(&Value::String(id.clone())).unwrap_err();
            prop_assert_eq!(
                rejected,
                PrimaryKeyError::InvalidDocumentId { value: Value::String(id).to_string() }
            );
        }

        #[test]
        fn over_long_strings_are_rejected(length in 512usize..2048) {
            prop_assert!(DocumentId::parse(&"x".repeat(length)).is_err());
        }

        #[test]
        fn integer_and_its_decimal_string_are_the_same_document(n in any::<i64>()) {
            let from_integer = DocumentId::from_value(&json!(n)).unwrap();
            let from_string = DocumentId::from_value(&json!(n.to_string())).unwrap();
            prop_assert_eq!(from_integer, from_string);
        }

        #[test]
        fn large_unsigned_integers_match_their_decimal_string(n in (i64::MAX as u64)..=u64::MAX) {
            let from_integer = DocumentId::from_value(&json!(n)).unwrap();
            prop_assert_eq!(from_integer.as_str(), n.to_string());
        }

        #[test]
        fn floats_are_rejected(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
            prop_assert!(DocumentId::from_value(&json!(x)).is_err());
        }
    }
}
