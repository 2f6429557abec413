//! Filters on documents (search, documents fetch, delete by filter, facet search): a thin
//! adapter over `miroir_core::filter`, which parses and evaluates filters with Meilisearch's
//! grammar, semantics and error wording. This module adds what depends on an index: the
//! filterability check against `filterableAttributes` (with the `Index `uid`: ` prefix and
//! Meilisearch's choice of error positions) and which attributes the index knows.

use miroir_core::filter::{parse_filter, FacetValues, FilterError, PreparedFilter};
use serde_json::Value;

use crate::errors::{ErrorCode, NodeError, NodeResult};
use crate::facets::visit_field_values;
use crate::index_store::Index;
use crate::payload::Document;
use crate::settings::matches_attribute_patterns;

/// Where the position line of a "not filterable" error points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPositions {
    /// Into the filter Meilisearch re-renders before running a search (`"title" = "x"`).
    Canonical,
    /// Into the filter string as sent (document routes).
    Original,
}

/// A parsed filter whose attributes are all filterable in its index.
#[derive(Debug, Clone)]
pub struct DocumentFilter {
    /// The filter compiled for the index: conditions on attributes that no document of the
    /// index has match nothing, as in Meilisearch.
    prepared: PreparedFilter,
}

fn filter_error(error: &FilterError, code: ErrorCode) -> NodeError {
    NodeError::new(code, error.message())
}

impl DocumentFilter {
    /// Parses `value` (string or array form; `null` or blank = no filter) and checks every
    /// attribute against `index`'s filterable attributes; errors carry `code`.
    pub fn compile(
        value: &Value,
        index: &Index,
        code: ErrorCode,
        positions: ErrorPositions,
    ) -> NodeResult<Option<Self>> {
        let Some(filter) = parse_filter(value).map_err(|error| filter_error(&error, code))? else {
            return Ok(None);
        };
        let patterns = index.settings.filterable_patterns();
        let checked = match positions {
            ErrorPositions::Canonical => filter
                .canonicalized()
                .map_err(|error| filter_error(&error, code))?,
            ErrorPositions::Original => filter.clone(),
        };
        if let Some(attribute) = checked
            .attributes()
            .into_iter()
            .find(|attribute| !matches_attribute_patterns(attribute.name(), &patterns))
        {
            let error = FilterError::attribute_not_filterable(&attribute, &patterns);
            return Err(NodeError::new(
                code,
                format!("Index `{}`: {}", index.uid, error.message()),
            ));
        }
        let mut unknown_attributes: Vec<String> = filter
            .attributes()
            .iter()
            .map(|attribute| attribute.name().to_owned())
            .filter(|name| {
                !index
                    .documents
                    .values()
                    .any(|document| has_field(document, name))
            })
            .collect();
        unknown_attributes.sort();
        unknown_attributes.dedup();
        let prepared = filter.prepare(&|attribute| {
            !unknown_attributes
                .iter()
                .any(|unknown| unknown == attribute)
        });
        Ok(Some(Self { prepared }))
    }

    /// Checks only the syntax of `value` (delete-by-filter checks filterability when its task
    /// runs).
    pub fn check_syntax(value: &Value, code: ErrorCode) -> NodeResult<()> {
        parse_filter(value)
            .map(|_| ())
            .map_err(|error| filter_error(&error, code))
    }

    /// Whether `document` passes the filter.
    pub fn matches(&self, document: &Document) -> bool {
        let facets: Vec<FacetValues> = self
            .prepared
            .attributes()
            .iter()
            .map(|attribute| FacetValues::of_document(document, attribute))
            .collect();
        self.prepared.matches(&|slot| &facets[slot])
    }

    /// The attributes whose facet values [`DocumentFilter::matches_facets`] reads, by slot.
    pub fn attributes(&self) -> &[String] {
        self.prepared.attributes()
    }

    /// Whether the document whose facet values of `attributes()[slot]` are `facets(slot)`
    /// passes the filter (evaluation on cached facet values).
    pub fn matches_facets<'f>(&self, facets: &dyn Fn(usize) -> &'f FacetValues) -> bool {
        self.prepared.matches(facets)
    }
}

/// Whether `document` has the field at dotted `path` (any value, even `null` or `[]`).
fn has_field(document: &Document, path: &str) -> bool {
    if document.contains_key(path) {
        return true;
    }
    let mut found = false;
    visit_field_values(document, path, &mut |_| found = true);
    found || path_holds_container(document, path)
}

/// Whether the value at `path` exists as an empty array or object (no leaf to visit).
fn path_holds_container(document: &Document, path: &str) -> bool {
    let mut current: Option<&Value> = None;
    let mut object = Some(document);
    for segment in path.split('.') {
        current = object.and_then(|map| map.get(segment));
        object = current.and_then(Value::as_object);
    }
    current.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::codes;
    use crate::settings::SettingsPatch;
    use crate::time_format::now;
    use serde_json::json;

    fn index() -> Index {
        let mut index = Index::new("movies", Some("id".to_owned()), now());
        index.settings.apply(
            &SettingsPatch::from_object(
                &json!({"filterableAttributes": ["year", "genres", "tags"]}),
            )
            .unwrap(),
        );
        for document in [
            json!({"id": 1, "year": 2010, "genres": ["Drama"], "tags": []}),
            json!({"id": 2, "year": 1990, "genres": ["Action"]}),
        ] {
            let document = document.as_object().unwrap().clone();
            index.documents.insert(document["id"].to_string(), document);
        }
        index
    }

    fn matching_ids(filter: Value) -> Vec<Value> {
        let index = index();
        let compiled = DocumentFilter::compile(
            &filter,
            &index,
            codes::INVALID_SEARCH_FILTER,
            ErrorPositions::Canonical,
        )
        .unwrap()
        .unwrap();
        index
            .documents
            .values()
            .filter(|document| compiled.matches(document))
            .map(|document| document["id"].clone())
            .collect()
    }

    #[test]
    fn filters_select_documents() {
        assert_eq!(matching_ids(json!("year > 2000")), vec![json!(1)]);
        assert_eq!(
            matching_ids(json!([["genres = Action", "year = 2010"]])),
            vec![json!(1), json!(2)]
        );
        assert_eq!(matching_ids(json!("tags IS EMPTY")), vec![json!(1)]);
    }

    #[test]
    fn blank_filters_are_no_filter() {
        let compiled = DocumentFilter::compile(
            &json!(""),
            &index(),
            codes::INVALID_SEARCH_FILTER,
            ErrorPositions::Canonical,
        )
        .unwrap();
        assert!(compiled.is_none());
    }

    #[test]
    fn non_filterable_attribute_is_reported_with_index_and_position() {
        let error = DocumentFilter::compile(
            &json!("title = x"),
            &index(),
            codes::INVALID_SEARCH_FILTER,
            ErrorPositions::Canonical,
        )
        .unwrap_err();
        assert_eq!(
            error.message,
            "Index `movies`: Attribute `title` is not filterable. Available filterable attribute patterns are: `genres`, `tags`, `year`.\n2:7 \"title\" = \"x\""
        );
        let original = DocumentFilter::compile(
            &json!("title = x"),
            &index(),
            codes::INVALID_DOCUMENT_FILTER,
            ErrorPositions::Original,
        )
        .unwrap_err();
        assert!(original.message.ends_with("\n1:6 title = x"));
        assert_eq!(original.code, codes::INVALID_DOCUMENT_FILTER);
    }

    #[test]
    fn syntax_errors_keep_meilisearch_wording() {
        let error = DocumentFilter::check_syntax(&json!("year >"), codes::INVALID_SEARCH_FILTER)
            .unwrap_err();
        assert_eq!(
            error.message,
            "Was expecting a value but instead got nothing.\n7:7 year >"
        );
    }
}
