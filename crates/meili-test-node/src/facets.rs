//! Facets of a set of documents: `facetDistribution` / `facetStats` of a search and the
//! value counts of `POST /indexes/{uid}/facet-search`. Pure functions over documents.
//!
//! Like Meilisearch, a facet value is counted once per document; strings are grouped by
//! their normalised form (trimmed, lowercased) and shown as first met; numbers are grouped
//! by value and shown without a trailing `.0`; booleans are the strings `true`/`false`. A
//! distribution lists number values first, then strings, each alphabetically (numerically)
//! or by decreasing count (`sortFacetValuesBy`), at most `maxValuesPerFacet` values.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use crate::payload::Document;

/// One facet value of a document.
#[derive(Debug, Clone, PartialEq)]
enum FacetValue {
    Number(f64),
    Text {
        normalised: String,
        original: String,
    },
}

/// Calls `visit` for every leaf value at the dotted `path` of `document` (arrays are
/// flattened; `{"a": {"b": 1}}` and `{"a.b": 1}` both have the value 1 at `a.b`).
pub fn visit_field_values<'d>(
    document: &'d Document,
    path: &str,
    visit: &mut impl FnMut(&'d Value),
) {
    visit_object(document, path, visit);
}

fn visit_object<'d>(object: &'d Map<String, Value>, path: &str, visit: &mut impl FnMut(&'d Value)) {
    for (key, value) in object {
        if key == path {
            visit_leaves(value, visit);
        } else if let Some(rest) = path
            .strip_prefix(key.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
        {
            visit_nested(value, rest, visit);
        }
    }
}

fn visit_nested<'d>(value: &'d Value, path: &str, visit: &mut impl FnMut(&'d Value)) {
    match value {
        Value::Object(object) => visit_object(object, path, visit),
        Value::Array(items) => items
            .iter()
            .for_each(|item| visit_nested(item, path, visit)),
        _ => {}
    }
}

fn visit_leaves<'d>(value: &'d Value, visit: &mut impl FnMut(&'d Value)) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| visit_leaves(item, visit)),
        Value::Object(_) => {}
        leaf => visit(leaf),
    }
}

fn facet_value(leaf: &Value) -> Option<FacetValue> {
    match leaf {
        Value::Number(number) => number
            .as_f64()
            .map(|number| FacetValue::Number(number + 0.0)),
        Value::String(text) => Some(FacetValue::Text {
            normalised: normalise_facet(text),
            original: text.clone(),
        }),
        Value::Bool(flag) => Some(FacetValue::Text {
            normalised: flag.to_string(),
            original: flag.to_string(),
        }),
        _ => None,
    }
}

/// Meilisearch's facet normalisation of a string value (trimmed, lowercased).
pub fn normalise_facet(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The distinct facet values of `document` at `path`.
fn document_values(document: &Document, path: &str) -> Vec<FacetValue> {
    let mut values: Vec<FacetValue> = Vec::new();
    visit_field_values(document, path, &mut |leaf| {
        if let Some(value) = facet_value(leaf) {
            let already = values.iter().any(|seen| match (seen, &value) {
                (FacetValue::Number(left), FacetValue::Number(right)) => left == right,
                (
                    FacetValue::Text {
                        normalised: left, ..
                    },
                    FacetValue::Text {
                        normalised: right, ..
                    },
                ) => left == right,
                _ => false,
            });
            if !already {
                values.push(value);
            }
        }
    });
    values
}

/// Counts of one attribute's values over a set of documents.
#[derive(Debug, Default)]
struct FacetCounts {
    /// Number values by their bit pattern, with their count.
    numbers: HashMap<u64, (f64, u64)>,
    /// String values by normalised form: shown form and count.
    strings: BTreeMap<String, (String, u64)>,
}

impl FacetCounts {
    fn collect<'d>(documents: impl IntoIterator<Item = &'d Document>, path: &str) -> Self {
        let mut counts = Self::default();
        for document in documents {
            counts.add(&document_values(document, path));
        }
        counts
    }

    /// Counts the distinct values of one document.
    fn add(&mut self, values: &[FacetValue]) {
        for value in values {
            match value {
                FacetValue::Number(number) => {
                    self.numbers
                        .entry(number.to_bits())
                        .or_insert((*number, 0))
                        .1 += 1;
                }
                FacetValue::Text {
                    normalised,
                    original,
                } => match self.strings.get_mut(normalised) {
                    Some((_, count)) => *count += 1,
                    None => {
                        self.strings
                            .insert(normalised.clone(), (original.clone(), 1));
                    }
                },
            }
        }
    }

    /// `{min, max}` of the number values, if any.
    fn stats(&self) -> Option<Value> {
        let mut numbers = self.numbers.values().map(|(number, _)| *number);
        let first = numbers.next()?;
        let (min, max) = numbers.fold((first, first), |(min, max), number| {
            (min.min(number), max.max(number))
        });
        Some(json!({"min": min, "max": max}))
    }

    /// The distribution object: numbers then strings, ordered, at most `max_values`.
    fn distribution(&self, by_count: bool, max_values: usize) -> Map<String, Value> {
        let mut numbers: Vec<(f64, u64)> = self.numbers.values().copied().collect();
        numbers.sort_by(|left, right| left.0.total_cmp(&right.0));
        let mut strings: Vec<(&String, u64)> = self
            .strings
            .values()
            .map(|(original, count)| (original, *count))
            .collect();
        if by_count {
            numbers.sort_by_key(|value| std::cmp::Reverse(value.1));
            strings.sort_by_key(|value| std::cmp::Reverse(value.1));
        }
        let numbers = numbers
            .into_iter()
            .map(|(number, count)| (number.to_string(), count));
        let strings = strings
            .into_iter()
            .map(|(original, count)| (original.clone(), count));
        numbers
            .chain(strings)
            .take(max_values)
            .map(|(shown, count)| (shown, Value::from(count)))
            .collect()
    }
}

/// How a distribution is ordered and cut.
pub trait FacetOrder {
    /// `faceting.maxValuesPerFacet`.
    fn max_values_per_facet(&self) -> usize;
    /// Whether `attribute`'s values are ordered by decreasing count.
    fn sorts_by_count(&self, attribute: &str) -> bool;
}

impl FacetOrder for crate::settings::Settings {
    fn max_values_per_facet(&self) -> usize {
        crate::settings::Settings::max_values_per_facet(self)
    }

    fn sorts_by_count(&self, attribute: &str) -> bool {
        self.sorts_facet_by_count(attribute)
    }
}

/// `facetDistribution` and `facetStats` of a search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComputedFacets {
    /// `facetDistribution`: attribute → value → count (attributes in alphabetical order).
    pub distribution: Map<String, Value>,
    /// `facetStats`: attribute → `{min, max}`, for attributes with number values.
    pub stats: Map<String, Value>,
}

/// Computes the facets `attributes` (already validated, `*` expanded) over `documents`.
pub fn compute_facets(
    documents: &[&Document],
    attributes: &BTreeSet<String>,
    order: &impl FacetOrder,
) -> ComputedFacets {
    compute_facets_with(attributes, order, |attribute| {
        FacetCounts::collect(documents.iter().copied(), attribute)
    })
}

/// The distinct facet values of one attribute in every document of a set, by document
/// number: extracted once, then counted by [`compute_cached_facets`] on each search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttributeValues {
    by_document: Vec<Vec<FacetValue>>,
}

impl AttributeValues {
    /// Extracts the values at `path` of `documents` (document number `n` is the `n`-th).
    pub fn extract<'d>(documents: impl IntoIterator<Item = &'d Document>, path: &str) -> Self {
        Self {
            by_document: documents
                .into_iter()
                .map(|document| document_values(document, path))
                .collect(),
        }
    }
}

/// Like [`compute_facets`] over the documents numbered `numbers` (in that order), with the
/// values of each attribute taken from `values_of(attribute)`.
pub fn compute_cached_facets(
    numbers: &[usize],
    attributes: &BTreeSet<String>,
    order: &impl FacetOrder,
    values_of: &dyn Fn(&str) -> std::sync::Arc<AttributeValues>,
) -> ComputedFacets {
    compute_facets_with(attributes, order, |attribute| {
        let values = values_of(attribute);
        let mut counts = FacetCounts::default();
        for &number in numbers {
            counts.add(&values.by_document[number]);
        }
        counts
    })
}

fn compute_facets_with(
    attributes: &BTreeSet<String>,
    order: &impl FacetOrder,
    counts_of: impl Fn(&str) -> FacetCounts,
) -> ComputedFacets {
    let mut computed = ComputedFacets::default();
    for attribute in attributes {
        let counts = counts_of(attribute);
        computed.distribution.insert(
            attribute.clone(),
            Value::Object(counts.distribution(
                order.sorts_by_count(attribute),
                order.max_values_per_facet(),
            )),
        );
        if let Some(stats) = counts.stats() {
            computed.stats.insert(attribute.clone(), stats);
        }
    }
    computed
}

/// One hit of a facet search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetHit {
    /// The value as first met.
    pub value: String,
    /// How many documents have it.
    pub count: u64,
}

/// The string values of `attribute` over `documents` whose normalised form starts with the
/// normalised `facet_query` (every value when `None`), alphabetically or by decreasing
/// count, at most `limit`.
pub fn search_facet_values(
    documents: &[&Document],
    attribute: &str,
    facet_query: Option<&str>,
    by_count: bool,
    limit: usize,
) -> Vec<FacetHit> {
    let counts = FacetCounts::collect(documents.iter().copied(), attribute);
    let prefix = facet_query.map(normalise_facet).unwrap_or_default();
    let mut hits: Vec<FacetHit> = counts
        .strings
        .iter()
        .filter(|(normalised, _)| normalised.starts_with(&prefix))
        .map(|(_, (original, count))| FacetHit {
            value: original.clone(),
            count: *count,
        })
        .collect();
    if by_count {
        hits.sort_by_key(|hit| std::cmp::Reverse(hit.count));
    }
    hits.truncate(limit);
    hits
}

/// Every attribute path holding a facet value in `documents` (for `facets: ["*"]`), in
/// alphabetical order.
pub fn facetable_paths(documents: &[&Document]) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let mut path = String::new();
    for document in documents {
        collect_paths(document, &mut path, &mut paths);
    }
    paths
}

fn collect_paths(object: &Map<String, Value>, path: &mut String, out: &mut BTreeSet<String>) {
    let parent_len = path.len();
    for (key, value) in object {
        if parent_len > 0 {
            path.push('.');
        }
        path.push_str(key);
        collect_value_paths(value, path, out);
        path.truncate(parent_len);
    }
}

fn collect_value_paths(value: &Value, path: &mut String, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => collect_paths(object, path, out),
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_value_paths(item, path, out)),
        Value::Null => {}
        _ => {
            if !out.contains(path.as_str()) {
                out.insert(path.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Order {
        max: usize,
        by_count: bool,
    }

    impl FacetOrder for Order {
        fn max_values_per_facet(&self) -> usize {
            self.max
        }
        fn sorts_by_count(&self, _attribute: &str) -> bool {
            self.by_count
        }
    }

    fn documents() -> Vec<Document> {
        [
            json!({"id": 1, "genres": ["Drama", "Romance"], "year": 2015, "rating": 7.3}),
            json!({"id": 2, "genres": ["drama ", "Adventure"], "year": 2012, "rating": 7.9}),
            json!({"id": 3, "genres": ["Drama", "Drama"], "year": 2015, "meta": {"lang": "en"}}),
        ]
        .into_iter()
        .map(|value| value.as_object().unwrap().clone())
        .collect()
    }

    fn facets(names: &[&str], order: Order) -> ComputedFacets {
        let documents = documents();
        let refs: Vec<&Document> = documents.iter().collect();
        let names: BTreeSet<String> = names.iter().map(|name| name.to_string()).collect();
        compute_facets(&refs, &names, &order)
    }

    #[test]
    fn values_count_once_per_document_grouped_by_normalised_form() {
        let computed = facets(
            &["genres", "year", "rating"],
            Order {
                max: 100,
                by_count: false,
            },
        );
        assert_eq!(
            Value::Object(computed.distribution),
            json!({"genres": {"Adventure": 1, "Drama": 3, "Romance": 1},
                   "rating": {"7.3": 1, "7.9": 1}, "year": {"2012": 1, "2015": 2}})
        );
        assert_eq!(
            Value::Object(computed.stats),
            json!({"rating": {"min": 7.3, "max": 7.9}, "year": {"min": 2012.0, "max": 2015.0}})
        );
    }

    #[test]
    fn count_order_and_max_values() {
        let computed = facets(
            &["genres"],
            Order {
                max: 2,
                by_count: true,
            },
        );
        let genres = computed.distribution["genres"].as_object().unwrap();
        let keys: Vec<&String> = genres.keys().collect();
        assert_eq!(keys, vec!["Drama", "Adventure"]);
    }

    #[test]
    fn nested_and_dotted_paths() {
        let computed = facets(
            &["meta.lang"],
            Order {
                max: 100,
                by_count: false,
            },
        );
        assert_eq!(computed.distribution["meta.lang"], json!({"en": 1}));
        let flat = json!({"meta.lang": "fr"}).as_object().unwrap().clone();
        let mut seen = Vec::new();
        visit_field_values(&flat, "meta.lang", &mut |value| seen.push(value.clone()));
        assert_eq!(seen, vec![json!("fr")]);
    }

    #[test]
    fn facet_search_matches_normalised_prefixes() {
        let documents = documents();
        let refs: Vec<&Document> = documents.iter().collect();
        let hits = search_facet_values(&refs, "genres", Some("DR"), false, 100);
        assert_eq!(
            hits,
            vec![FacetHit {
                value: "Drama".to_owned(),
                count: 3
            }]
        );
        assert_eq!(
            search_facet_values(&refs, "genres", None, false, 2).len(),
            2
        );
    }

    #[test]
    fn facetable_paths_lists_leaf_paths() {
        let documents = documents();
        let refs: Vec<&Document> = documents.iter().collect();
        let paths: Vec<String> = facetable_paths(&refs).into_iter().collect();
        assert_eq!(paths, vec!["genres", "id", "meta.lang", "rating", "year"]);
    }

    #[test]
    fn cached_values_count_like_documents() {
        let documents = documents();
        let references: Vec<&Document> = documents.iter().collect();
        let attributes: BTreeSet<String> =
            ["genres", "year"].iter().map(|a| a.to_string()).collect();
        let order = Order {
            max: 100,
            by_count: false,
        };
        let direct = compute_facets(&references, &attributes, &order);
        let genres = std::sync::Arc::new(AttributeValues::extract(documents.iter(), "genres"));
        let years = std::sync::Arc::new(AttributeValues::extract(documents.iter(), "year"));
        let numbers: Vec<usize> = (0..documents.len()).collect();
        let cached = compute_cached_facets(&numbers, &attributes, &order, &|attribute| {
            if attribute == "genres" {
                genres.clone()
            } else {
                years.clone()
            }
        });
        assert_eq!(cached, direct);
        assert!(!direct.distribution.is_empty());
    }
}
