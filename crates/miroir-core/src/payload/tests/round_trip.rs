//! Property: any list of flat documents, written as a JSON array or as NDJSON, parses back to
//! the same documents in the same order, keys in the same order.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

use crate::error::ErrorCode;
use crate::payload::{parse_documents, PayloadFormat};

fn flat_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|integer| Value::Number(integer.into())),
        any::<u64>().prop_map(|integer| Value::Number(integer.into())),
        any::<f64>()
            .prop_filter_map("finite floats only", Number::from_f64)
            .prop_map(Value::Number),
        any::<String>().prop_map(Value::String),
    ]
}

fn flat_document() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((any::<String>(), flat_value()), 0..8)
        .prop_map(|fields| fields.into_iter().collect())
}

/// Equal documents with equal key order (`Map`'s `==` ignores order).
fn same_documents(parsed: &[Map<String, Value>], expected: &[Map<String, Value>]) -> bool {
    parsed == expected
        && parsed
            .iter()
            .zip(expected)
            .all(|(parsed, expected)| parsed.keys().eq(expected.keys()))
}

proptest! {
    #[test]
    fn flat_documents_round_trip_through_json_and_ndjson(
        documents in prop::collection::vec(flat_document(), 0..12)
    ) {
        let json_array = serde_json::to_vec(&documents).unwrap();
        let parsed = parse_documents(PayloadFormat::Json, &json_array, None).unwrap();
        prop_assert!(same_documents(&parsed, &documents), "json: {parsed:?}");

        let ndjson = documents
            .iter()
            .map(|document| serde_json::to_string(document).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        match parse_documents(PayloadFormat::Ndjson, ndjson.as_bytes(), None) {
            Ok(parsed) => prop_assert!(same_documents(&parsed, &documents), "ndjson: {parsed:?}"),
            Err(error) => {
                // No document at all is an empty body.
                prop_assert!(documents.is_empty());
                prop_assert_eq!(error.code_str(), ErrorCode::MissingPayload.as_str());
            }
        }
    }
}
