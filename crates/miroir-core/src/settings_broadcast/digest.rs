//! Canonical JSON and its SHA-256 digest: two settings objects get the same digest exactly
//! when they are equal as JSON values, whatever order their object keys arrived in.
//!
//! Canonical form: object keys sorted by their UTF-8 bytes, no insignificant whitespace,
//! strings and numbers as `serde_json` writes them. Array order is kept (ranking rules and
//! searchable attributes are ordered settings).

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The canonical JSON text of `value`.
pub fn canonical_json(value: &Value) -> String {
    let mut text = String::new();
    write_canonical(value, &mut text);
    text
}

/// The lowercase hex SHA-256 of [`canonical_json`]`(value)`.
pub fn settings_digest(value: &Value) -> String {
    let hash = Sha256::digest(canonical_json(value).as_bytes());
    hash.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn write_canonical(value: &Value, text: &mut String) {
    match value {
        Value::Object(fields) => {
            let mut sorted: Vec<(&String, &Value)> = fields.iter().collect();
            sorted.sort_by(|(left, _), (right, _)| left.as_bytes().cmp(right.as_bytes()));
            text.push('{');
            for (position, (key, field)) in sorted.into_iter().enumerate() {
                if position > 0 {
                    text.push(',');
                }
                text.push_str(&Value::String(key.clone()).to_string());
                text.push(':');
                write_canonical(field, text);
            }
            text.push('}');
        }
        Value::Array(items) => {
            text.push('[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    text.push(',');
                }
                write_canonical(item, text);
            }
            text.push(']');
        }
        scalar => text.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{json, Map, Value};

    use super::{canonical_json, settings_digest};

    #[test]
    fn keys_are_sorted_at_every_depth_and_arrays_keep_their_order() {
        let settings = json!({
            "typoTolerance": {"enabled": true, "disableOnWords": ["b", "a"]},
            "rankingRules": ["words", "typo"],
            "distinctAttribute": null,
        });
        assert_eq!(
            canonical_json(&settings),
            r#"{"distinctAttribute":null,"rankingRules":["words","typo"],"typoTolerance":{"disableOnWords":["b","a"],"enabled":true}}"#
        );
    }

    #[test]
    fn digest_is_lowercase_hex_sha256_of_the_canonical_text() {
        // sha256("{}")
        assert_eq!(
            settings_digest(&json!({})),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn a_changed_synonym_changes_the_digest() {
        let before = json!({"synonyms": {"car": ["auto"]}});
        let after = json!({"synonyms": {"car": ["auto", "vehicle"]}});
        assert_ne!(settings_digest(&before), settings_digest(&after));
    }

    fn settings_like() -> impl Strategy<Value = Vec<(String, Value)>> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z\"\\\\é]{0,6}".prop_map(Value::from),
        ];
        let value = leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-zA-Z]{1,5}", inner, 0..4)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        });
        prop::collection::btree_map("[a-zA-Z]{1,8}", value, 0..6)
            .prop_map(|map| map.into_iter().collect())
    }

    proptest! {
        /// The digest does not depend on the order keys were inserted in, and the canonical
        /// text parses back to the same value.
        #[test]
        fn digest_ignores_key_order(fields in settings_like(), seed in any::<u64>()) {
            let forward: Map<String, Value> = fields.iter().cloned().collect();
            let mut shuffled = fields.clone();
            let len = shuffled.len().max(1);
            shuffled.rotate_left(usize::try_from(seed).unwrap_or(0) % len);
            shuffled.reverse();
            let backward: Map<String, Value> = shuffled.into_iter().collect();
            let forward = Value::Object(forward);
            let backward = Value::Object(backward);
            prop_assert_eq!(settings_digest(&forward), settings_digest(&backward));
            let reparsed: Value = serde_json::from_str(&canonical_json(&forward)).unwrap();
            prop_assert_eq!(reparsed, forward);
        }
    }
}
