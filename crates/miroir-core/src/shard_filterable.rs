//! Keeping `_miroir_shard` filterable on every node while clients never see it: it is added to
//! any `filterableAttributes` a client sets (or resets) and removed from what nodes report.
//!
//! `filterableAttributes` is a list whose entries are attribute names or, since Meilisearch
//! 1.14, objects `{"attributePatterns": [...], "features": {...}}`.

use serde_json::Value;

use crate::document::SHARD_FIELD;

/// The `filterableAttributes` value to send to nodes for the client's `requested` value
/// (`null` = reset to the default, i.e. none): the same list with `_miroir_shard` appended when
/// no entry already names it. A value that is not a list is returned unchanged, so that the
/// node refuses it with Meilisearch's own error.
pub fn with_shard_filterable(requested: &Value) -> Value {
    match requested {
        Value::Null => Value::Array(vec![Value::from(SHARD_FIELD)]),
        Value::Array(entries) => {
            let mut entries = entries.clone();
            if !entries.iter().any(names_only_shard_field) {
                entries.push(Value::from(SHARD_FIELD));
            }
            Value::Array(entries)
        }
        other => other.clone(),
    }
}

/// Removes the entries naming only `_miroir_shard` from a `filterableAttributes` list a node
/// reported (other values are left as they are).
pub fn hide_shard_filterable(reported: &mut Value) {
    if let Value::Array(entries) = reported {
        entries.retain(|entry| !names_only_shard_field(entry));
    }
}

/// Whether `entry` is `"_miroir_shard"` or a pattern object whose only pattern is it.
fn names_only_shard_field(entry: &Value) -> bool {
    match entry {
        Value::String(name) => name == SHARD_FIELD,
        Value::Object(fields) => match fields.get("attributePatterns") {
            Some(Value::Array(patterns)) => {
                patterns.len() == 1 && patterns[0].as_str() == Some(SHARD_FIELD)
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_shard_field_is_appended_once() {
        assert_eq!(
            with_shard_filterable(&json!(["genres", "year"])),
            json!(["genres", "year", "_miroir_shard"])
        );
        assert_eq!(
            with_shard_filterable(&json!(["_miroir_shard", "year"])),
            json!(["_miroir_shard", "year"])
        );
        assert_eq!(
            with_shard_filterable(&Value::Null),
            json!(["_miroir_shard"])
        );
        assert_eq!(with_shard_filterable(&json!([])), json!(["_miroir_shard"]));
    }

    #[test]
    fn pattern_objects_count_as_naming_the_field() {
        let requested = json!([{"attributePatterns": ["_miroir_shard"], "features": {}}]);
        assert_eq!(with_shard_filterable(&requested), requested);
    }

    #[test]
    fn invalid_values_are_left_for_the_node_to_refuse() {
        assert_eq!(with_shard_filterable(&json!("genres")), json!("genres"));
    }

    #[test]
    fn reported_lists_hide_the_shard_field() {
        let mut reported = json!([
            "genres",
            "_miroir_shard",
            {"attributePatterns": ["_miroir_shard"], "features": {"facetSearch": false}},
            {"attributePatterns": ["year", "_miroir_shard"]}
        ]);
        hide_shard_filterable(&mut reported);
        assert_eq!(
            reported,
            json!(["genres", {"attributePatterns": ["year", "_miroir_shard"]}])
        );
    }
}
