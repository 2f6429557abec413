//! The facet values Meilisearch indexes for one attribute of one document, which is what
//! filters are evaluated against.
//!
//! Meilisearch walks a document, naming nested values by dotted paths, and records each value
//! reached under that path:
//!
//! ```text
//! {"a": [{"b": 1}, {"b": [2, "X "]}], "c": {}}
//!   a.b  -> numbers {1, 2}, strings {"x"}        (strings trimmed + lowercased)
//!   a    -> exists (the array itself), no value
//!   c    -> exists, empty
//! ```
//! Numbers are numeric facets; non-empty strings and booleans (`"true"`/`"false"`) are string
//! facets; `null`, `""`, `[]` and `{}` count as null / empty only when they are the attribute's
//! value itself, not an element of an array. Every value reached marks the attribute as
//! existing.

use serde_json::{Map, Value};

/// Longest string facet Meilisearch keeps, in bytes; longer strings are cut on a char boundary.
const MAX_FACET_VALUE_BYTES: usize = 500 - 32;

/// The indexed facets of one attribute in one document: what filters are evaluated against.
/// Extract them once per document and attribute and reuse them across evaluations of
/// [`PreparedFilter`](super::PreparedFilter)s.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FacetValues {
    pub(crate) exists: bool,
    pub(crate) is_null: bool,
    pub(crate) is_empty: bool,
    pub(crate) numbers: Vec<f64>,
    pub(crate) strings: Vec<String>,
}

/// Whether a value sits directly under its name or is an element of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    OnBaseKey,
    InsideArray,
}

/// Meilisearch's normalisation of facet strings and filter operands: trimmed, lowercased.
pub(crate) fn normalize(text: &str) -> String {
    text.trim().to_lowercase()
}

impl FacetValues {
    /// Collects the facets of `attribute` (a dotted path) in `document`.
    pub fn of_document(document: &Map<String, Value>, attribute: &str) -> FacetValues {
        facet_values(document, attribute)
    }
}

/// Collects the facets of `attribute` (a dotted path) in `document`.
fn facet_values(document: &Map<String, Value>, attribute: &str) -> FacetValues {
    let mut walker = Walker {
        attribute,
        values: FacetValues::default(),
    };
    for (key, value) in document {
        if !walker.is_relevant(key) {
            continue;
        }
        match value {
            Value::Object(object) => walker.object(object, key, Depth::OnBaseKey),
            Value::Array(array) => walker.array(array, key, Depth::OnBaseKey),
            _ => {}
        }
        walker.record(key, Depth::OnBaseKey, value);
    }
    walker.values
}

struct Walker<'a> {
    attribute: &'a str,
    values: FacetValues,
}

impl Walker<'_> {
    /// Whether `name` is the attribute or one of its parents.
    fn is_relevant(&self, name: &str) -> bool {
        self.attribute
            .strip_prefix(name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }

    fn object(&mut self, object: &Map<String, Value>, base: &str, base_depth: Depth) {
        if object.is_empty() {
            self.record(base, base_depth, &Value::Object(Map::new()));
        }
        for (key, value) in object {
            let name = format!("{base}.{key}");
            if !self.is_relevant(&name) {
                continue;
            }
            self.record(&name, Depth::OnBaseKey, value);
            match value {
                Value::Object(inner) => self.object(inner, &name, Depth::OnBaseKey),
                Value::Array(inner) => self.array(inner, &name, Depth::OnBaseKey),
                _ => {}
            }
        }
    }

    fn array(&mut self, array: &[Value], base: &str, base_depth: Depth) {
        if array.is_empty() {
            self.record(base, base_depth, &Value::Array(Vec::new()));
        }
        for value in array {
            match value {
                Value::Object(inner) => self.object(inner, base, Depth::InsideArray),
                Value::Array(inner) => self.array(inner, base, Depth::InsideArray),
                scalar => self.record(base, Depth::InsideArray, scalar),
            }
        }
    }

    fn record(&mut self, name: &str, depth: Depth, value: &Value) {
        if name != self.attribute {
            return;
        }
        let values = &mut self.values;
        values.exists = true;
        let on_base_key = depth == Depth::OnBaseKey;
        match value {
            Value::Number(number) => values.numbers.extend(number.as_f64()),
            Value::String(text) if !text.is_empty() => {
                values.strings.push(truncate(normalize(text)))
            }
            Value::Bool(flag) => values.strings.push(flag.to_string()),
            Value::Null => values.is_null |= on_base_key,
            Value::String(_) => values.is_empty |= on_base_key,
            Value::Array(items) => values.is_empty |= on_base_key && items.is_empty(),
            Value::Object(fields) => values.is_empty |= on_base_key && fields.is_empty(),
        }
    }
}

fn truncate(mut text: String) -> String {
    if text.len() > MAX_FACET_VALUE_BYTES {
        let cut = (0..=MAX_FACET_VALUE_BYTES)
            .rev()
            .find(|index| text.is_char_boundary(*index));
        text.truncate(cut.unwrap_or(0));
    }
    text
}
