//! Values of sort criteria (`sort` parameter and `field:asc` ranking rules).
//!
//! Like Meilisearch's facet sort, a document is placed by the best of its values for the
//! field (the smallest when ascending, the largest when descending); numbers always come
//! before strings, and documents without a sortable value come last. Strings are compared
//! after trimming and lowercasing, and that normalised form is what the details show.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// The value a document is sorted by for one criterion.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SortValue {
    /// The document's best number.
    Number(f64),
    /// The document's best normalised string (used when it has no number).
    Text(String),
    /// The document has no number nor string for this field.
    Missing,
}

impl SortValue {
    /// Extracts the value of `field` (dotted path) used to sort `document`.
    pub(super) fn of_document(document: &Map<String, Value>, field: &str, ascending: bool) -> Self {
        let mut best_number: Option<f64> = None;
        let mut best_text: Option<String> = None;
        collect_field(document, field, &mut |leaf| match leaf {
            Value::Number(number) => {
                if let Some(number) = number.as_f64() {
                    best_number = Some(match best_number {
                        Some(best) if (number < best) != ascending => best,
                        _ => number,
                    });
                }
            }
            Value::String(_) | Value::Bool(_) => {
                let text = match leaf {
                    Value::String(text) => text.trim().to_lowercase(),
                    other => other.to_string(),
                };
                let replace = match &best_text {
                    None => true,
                    Some(best) if ascending => text < *best,
                    Some(best) => text > *best,
                };
                if replace {
                    best_text = Some(text);
                }
            }
            _ => {}
        });
        match (best_number, best_text) {
            (Some(number), _) => SortValue::Number(number),
            (None, Some(text)) => SortValue::Text(text),
            (None, None) => SortValue::Missing,
        }
    }

    /// Order of two documents for one criterion: `Less` means `self` comes first.
    pub(super) fn order(&self, other: &SortValue, ascending: bool) -> Ordering {
        let directed = |ordering: Ordering| {
            if ascending {
                ordering
            } else {
                ordering.reverse()
            }
        };
        match (self, other) {
            (SortValue::Number(left), SortValue::Number(right)) => {
                directed(left.partial_cmp(right).unwrap_or(Ordering::Equal))
            }
            (SortValue::Text(left), SortValue::Text(right)) => directed(left.cmp(right)),
            (SortValue::Missing, SortValue::Missing) => Ordering::Equal,
            (SortValue::Number(_), _) | (SortValue::Text(_), SortValue::Missing) => Ordering::Less,
            (_, SortValue::Number(_)) | (SortValue::Missing, SortValue::Text(_)) => {
                Ordering::Greater
            }
        }
    }

    /// The `value` shown in `_rankingScoreDetails`.
    pub(super) fn to_json(&self) -> Value {
        match self {
            SortValue::Number(number) => {
                serde_json::Number::from_f64(*number).map_or(Value::Null, Value::Number)
            }
            SortValue::Text(text) => Value::String(text.clone()),
            SortValue::Missing => Value::Null,
        }
    }
}

/// Calls `visit` for every leaf value of `field` (dotted path, nested objects and arrays
/// of objects included).
fn collect_field(object: &Map<String, Value>, field: &str, visit: &mut impl FnMut(&Value)) {
    for (key, value) in object {
        if key == field {
            visit_leaves(value, visit);
        } else if let Some(rest) = field
            .strip_prefix(key.as_str())
            .and_then(|r| r.strip_prefix('.'))
        {
            visit_nested(value, rest, visit);
        }
    }
}

fn visit_nested(value: &Value, rest: &str, visit: &mut impl FnMut(&Value)) {
    match value {
        Value::Object(object) => collect_field(object, rest, visit),
        Value::Array(items) => items
            .iter()
            .for_each(|item| visit_nested(item, rest, visit)),
        _ => {}
    }
}

fn visit_leaves(value: &Value, visit: &mut impl FnMut(&Value)) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| visit_leaves(item, visit)),
        Value::Object(_) => {}
        leaf => visit(leaf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(document: Value, field: &str, ascending: bool) -> SortValue {
        SortValue::of_document(document.as_object().unwrap(), field, ascending)
    }

    #[test]
    fn best_value_depends_on_direction() {
        let document = serde_json::json!({"n": [3, 1, 2], "s": ["b", " A "]});
        assert_eq!(value(document.clone(), "n", true), SortValue::Number(1.0));
        assert_eq!(value(document.clone(), "n", false), SortValue::Number(3.0));
        assert_eq!(
            value(document.clone(), "s", true),
            SortValue::Text("a".into())
        );
        assert_eq!(value(document, "s", false), SortValue::Text("b".into()));
    }

    #[test]
    fn nested_fields_and_missing_values() {
        let document = serde_json::json!({"a": {"b": 5}, "c": [{"d": "X"}], "e": null});
        assert_eq!(value(document.clone(), "a.b", true), SortValue::Number(5.0));
        assert_eq!(
            value(document.clone(), "c.d", true),
            SortValue::Text("x".into())
        );
        assert_eq!(value(document, "e", true), SortValue::Missing);
    }

    #[test]
    fn numbers_before_strings_before_missing_in_both_directions() {
        let number = SortValue::Number(1.0);
        let text = SortValue::Text("a".into());
        for ascending in [true, false] {
            assert_eq!(number.order(&text, ascending), Ordering::Less);
            assert_eq!(text.order(&SortValue::Missing, ascending), Ordering::Less);
            assert_eq!(
                SortValue::Missing.order(&number, ascending),
                Ordering::Greater
            );
        }
        assert_eq!(
            SortValue::Number(1.0).order(&SortValue::Number(2.0), false),
            Ordering::Greater
        );
        assert_eq!(
            SortValue::Number(1993.0).to_json(),
            serde_json::json!(1993.0)
        );
    }
}
