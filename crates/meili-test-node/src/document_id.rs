//! Document identifiers and primary keys: Meilisearch's id validation, the key under which a
//! document is stored, and primary-key inference (exactly one field ending with `id`).

use serde_json::Value;

use crate::errors::{codes, NodeError, NodeResult};
use crate::payload::Document;

/// The stored key of a document id: strings as they are, integers in decimal.
pub fn document_key(id: &Value) -> Option<String> {
    match id {
        Value::String(text) if is_valid_string_id(text) => Some(text.clone()),
        Value::Number(number) if number.is_i64() || number.is_u64() => Some(number.to_string()),
        _ => None,
    }
}

fn is_valid_string_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 511
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// The key of `document` under `primary_key`, or Meilisearch's missing/invalid id error.
pub fn extract_document_key(document: &Document, primary_key: &str) -> NodeResult<String> {
    let Some(id) = document.get(primary_key) else {
        let compact = serde_json::to_string(document).unwrap_or_default();
        return Err(NodeError::new(
            codes::MISSING_DOCUMENT_ID,
            format!("Document doesn't have a `{primary_key}` attribute: `{compact}`."),
        ));
    };
    document_key(id).ok_or_else(|| {
        NodeError::new(
            codes::INVALID_DOCUMENT_ID,
            format!(
                "Document identifier `{id}` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes."
            ),
        )
    })
}

/// Infers the primary key from the first document: the one field whose name ends with `id`.
pub fn infer_primary_key(first_document: Option<&Document>) -> NodeResult<String> {
    let candidates: Vec<&String> = first_document
        .map(|document| {
            document
                .keys()
                .filter(|field| field.to_lowercase().ends_with("id"))
                .collect()
        })
        .unwrap_or_default();
    match candidates.as_slice() {
        [only] => Ok((*only).clone()),
        [] => Err(NodeError::new(
            codes::INDEX_PRIMARY_KEY_NO_CANDIDATE_FOUND,
            "The primary key inference failed as the engine did not find any field ending with `id` in its name. Please specify the primary key manually using the `primaryKey` query parameter.",
        )),
        [init @ .., last] => {
            let quoted: Vec<String> = init.iter().map(|field| format!("'{field}'")).collect();
            Err(NodeError::new(
                codes::INDEX_PRIMARY_KEY_MULTIPLE_CANDIDATES_FOUND,
                format!(
                    "The primary key inference failed as the engine found {} fields ending with `id` in their names: {} and '{last}'. Please specify the primary key manually using the `primaryKey` query parameter.",
                    candidates.len(),
                    quoted.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(value: Value) -> Document {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn integer_and_clean_string_ids_are_valid() {
        assert_eq!(document_key(&json!(12)), Some("12".to_owned()));
        assert_eq!(document_key(&json!("a-b_1")), Some("a-b_1".to_owned()));
        assert_eq!(document_key(&json!("bad id!")), None);
        assert_eq!(document_key(&json!(1.5)), None);
    }

    #[test]
    fn missing_id_quotes_the_compact_document() {
        let error = extract_document_key(&document(json!({"title": "no id"})), "id").unwrap_err();
        assert_eq!(
            error.message,
            "Document doesn't have a `id` attribute: `{\"title\":\"no id\"}`."
        );
    }

    #[test]
    fn inference_needs_exactly_one_candidate() {
        assert_eq!(
            infer_primary_key(Some(&document(json!({"movieId": 1, "t": 2})))).unwrap(),
            "movieId"
        );
        let error = infer_primary_key(Some(&document(json!({"id": 1, "uid": 2})))).unwrap_err();
        assert!(error
            .message
            .contains("found 2 fields ending with `id` in their names: 'id' and 'uid'."));
        assert_eq!(
            infer_primary_key(None).unwrap_err().code,
            codes::INDEX_PRIMARY_KEY_NO_CANDIDATE_FOUND
        );
    }
}
