//! Walking the searchable values of a document.
//!
//! Every leaf value (string, number, boolean, null) of a searchable field is visited with
//! its dotted field path (`author.name` for nested objects; array items share their
//! field's path) and the field's weight: its index in `searchableAttributes`, or 0 for
//! every field when the attributes are `["*"]`, as in Meilisearch.

use serde_json::{Map, Value};

use super::typo::path_is_under;

/// The index's `searchableAttributes` setting.
#[derive(Debug, Clone, Copy)]
pub(super) struct SearchableAttributes<'a> {
    attributes: &'a [String],
    all: bool,
}

impl<'a> SearchableAttributes<'a> {
    /// Wraps the setting; `["*"]` (or any list containing `*`) means every field.
    pub(super) fn new(attributes: &'a [String]) -> Self {
        let all = attributes.is_empty() || attributes.iter().any(|attribute| attribute == "*");
        Self { attributes, all }
    }

    /// Weight of the field at `path` (lower is better), or `None` if it is not searchable.
    pub(super) fn weight(&self, path: &str) -> Option<u16> {
        if self.all {
            return Some(0);
        }
        self.attributes
            .iter()
            .position(|attribute| path_is_under(path, attribute))
            .map(|index| u16::try_from(index).unwrap_or(u16::MAX))
    }

    /// Highest weight a searchable field can have.
    pub(super) fn max_weight(&self) -> u32 {
        if self.all {
            0
        } else {
            self.attributes.len().saturating_sub(1) as u32
        }
    }

    /// Whether the object at `path` may contain searchable fields.
    fn may_contain_searchable(&self, path: &str) -> bool {
        self.all
            || self
                .attributes
                .iter()
                .any(|attribute| path_is_under(path, attribute) || path_is_under(attribute, path))
    }
}

/// Calls `visit(path, weight, leaf)` for every leaf value of every searchable field, in
/// document order. `path_buffer` is scratch space reused across documents.
pub(super) fn visit_searchable_leaves(
    document: &Map<String, Value>,
    attributes: SearchableAttributes<'_>,
    path_buffer: &mut String,
    visit: &mut impl FnMut(&str, u16, &Value),
) {
    path_buffer.clear();
    visit_object(document, attributes, path_buffer, visit);
}

fn visit_object(
    object: &Map<String, Value>,
    attributes: SearchableAttributes<'_>,
    path: &mut String,
    visit: &mut impl FnMut(&str, u16, &Value),
) {
    let parent_len = path.len();
    for (key, value) in object {
        if parent_len > 0 {
            path.push('.');
        }
        path.push_str(key);
        visit_value(value, attributes, path, visit);
        path.truncate(parent_len);
    }
}

fn visit_value(
    value: &Value,
    attributes: SearchableAttributes<'_>,
    path: &mut String,
    visit: &mut impl FnMut(&str, u16, &Value),
) {
    match value {
        Value::Object(object) => {
            if attributes.may_contain_searchable(path) {
                visit_object(object, attributes, path, visit);
            }
        }
        Value::Array(items) => {
            for item in items {
                visit_value(item, attributes, path, visit);
            }
        }
        leaf => {
            if let Some(weight) = attributes.weight(path) {
                visit(path, weight, leaf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(document: Value, attributes: &[String]) -> Vec<(String, u16, Value)> {
        let mut out = Vec::new();
        let mut buffer = String::new();
        visit_searchable_leaves(
            document.as_object().unwrap(),
            SearchableAttributes::new(attributes),
            &mut buffer,
            &mut |path, weight, value| out.push((path.to_owned(), weight, value.clone())),
        );
        out
    }

    #[test]
    fn all_fields_have_weight_zero_and_nested_paths_are_dotted() {
        let document = serde_json::json!({"id": 1, "a": {"b": "x", "c": ["y", {"d": true}]}});
        let visited = leaves(document, &["*".to_owned()]);
        let paths: Vec<(&str, u16)> = visited.iter().map(|(p, w, _)| (p.as_str(), *w)).collect();
        assert_eq!(paths, vec![("id", 0), ("a.b", 0), ("a.c", 0), ("a.c.d", 0)]);
    }

    #[test]
    fn explicit_attributes_filter_and_weigh_fields() {
        let document = serde_json::json!({"title": "t", "director": "d", "meta": {"tag": "x"}});
        let attributes = vec!["director".to_owned(), "meta.tag".to_owned()];
        let visited = leaves(document, &attributes);
        let paths: Vec<(&str, u16)> = visited.iter().map(|(p, w, _)| (p.as_str(), *w)).collect();
        assert_eq!(paths, vec![("director", 0), ("meta.tag", 1)]);
        assert_eq!(SearchableAttributes::new(&attributes).max_weight(), 1);
    }
}
