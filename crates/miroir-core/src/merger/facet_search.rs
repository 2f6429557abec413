//! [`merge_facet_search`]: `POST /indexes/{uid}/facet-search` answers of the covering set merged
//! into one, like milli's `SearchForFacetValues` (`crates/milli/src/search/facet/search.rs`,
//! Meilisearch v1.50) would have answered over the whole index.
//!
//! Every node receives the client body unchanged. Hits are summed by their exact `value` (milli
//! reports each original spelling as its own hit), then ordered:
//!
//! - `alpha`: by normalised value (trimmed, lowercased), then by spelling — milli's FST order.
//!   Exact even though each node truncates to `maxValuesPerFacet`: a value in the global first
//!   N is in the first N of every node holding it.
//! - `count`: by descending count, ties by descending value (milli's reversed heap). Approximate
//!   when nodes truncated: a value outside one node's top N loses that node's count.
//!
//! Then truncated to `maxValuesPerFacet`. Response: `facetHits, facetQuery, processingTimeMs`
//! (slowest node).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{MergeError, Result};
use super::plan::{FacetValueOrder, DEFAULT_MAX_VALUES_PER_FACET};

/// What the facet-search merge needs: the client's `facetQuery` and the index's facet settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetSearchPlan {
    facet_query: Option<String>,
    order: FacetValueOrder,
    max_values: usize,
}

impl FacetSearchPlan {
    /// Reads `facetQuery` from the client body (absent or `null`: `null` in the response), with
    /// Meilisearch's default settings (alpha order, 100 values).
    pub fn new(client_body: &Map<String, Value>) -> Result<Self> {
        let facet_query = match client_body.get("facetQuery") {
            None | Some(Value::Null) => None,
            Some(Value::String(query)) => Some(query.clone()),
            Some(_) => {
                return Err(MergeError::InvalidSearchParameter {
                    parameter: "facetQuery",
                    reason: "expected a string",
                })
            }
        };
        Ok(FacetSearchPlan {
            facet_query,
            order: FacetValueOrder::Alpha,
            max_values: DEFAULT_MAX_VALUES_PER_FACET,
        })
    }

    /// Uses the `faceting.sortFacetValuesBy` order of the searched facet.
    #[must_use]
    pub fn with_order(mut self, order: FacetValueOrder) -> Self {
        self.order = order;
        self
    }

    /// Uses the index's `faceting.maxValuesPerFacet`.
    #[must_use]
    pub fn with_max_values(mut self, max_values: usize) -> Self {
        self.max_values = max_values;
        self
    }
}

/// Merges the nodes' facet-search responses (the index of a response is its node index in
/// errors).
pub fn merge_facet_search(
    plan: &FacetSearchPlan,
    node_responses: Vec<Map<String, Value>>,
) -> Result<Map<String, Value>> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut processing_time_ms = 0u64;
    for (node, mut response) in node_responses.into_iter().enumerate() {
        let time = response
            .get("processingTimeMs")
            .ok_or(MergeError::MissingField {
                node,
                field: "processingTimeMs",
            })?
            .as_u64()
            .ok_or(MergeError::InvalidField {
                node,
                field: "processingTimeMs",
                expected: "a non-negative integer",
            })?;
        processing_time_ms = processing_time_ms.max(time);
        let invalid = MergeError::InvalidField {
            node,
            field: "facetHits",
            expected: "an array of {value, count}",
        };
        let Value::Array(hits) = response
            .remove("facetHits")
            .ok_or(MergeError::MissingField {
                node,
                field: "facetHits",
            })?
        else {
            return Err(invalid);
        };
        for hit in hits {
            let Value::Object(mut hit) = hit else {
                return Err(invalid);
            };
            let count = hit
                .get("count")
                .and_then(Value::as_u64)
                .ok_or_else(|| invalid.clone())?;
            let Some(Value::String(value)) = hit.remove("value") else {
                return Err(invalid);
            };
            let merged = counts.entry(value).or_insert(0);
            *merged = merged.saturating_add(count);
        }
    }

    let mut hits: Vec<(String, String, u64)> = counts
        .into_iter()
        .map(|(value, count)| (value.trim().to_lowercase(), value, count))
        .collect();
    hits.sort_by(|left, right| compare_hits(plan.order, left, right));
    hits.truncate(plan.max_values);
    let facet_hits = hits
        .into_iter()
        .map(|(_, value, count)| {
            let mut hit = Map::new();
            hit.insert("value".to_owned(), Value::String(value));
            hit.insert("count".to_owned(), Value::from(count));
            Value::Object(hit)
        })
        .collect();

    let mut response = Map::new();
    response.insert("facetHits".to_owned(), Value::Array(facet_hits));
    response.insert(
        "facetQuery".to_owned(),
        plan.facet_query.clone().map_or(Value::Null, Value::String),
    );
    response.insert(
        "processingTimeMs".to_owned(),
        Value::from(processing_time_ms),
    );
    Ok(response)
}

/// `Less` when the left hit is listed first; hits are `(normalised, value, count)`.
fn compare_hits(
    order: FacetValueOrder,
    left: &(String, String, u64),
    right: &(String, String, u64),
) -> Ordering {
    match order {
        FacetValueOrder::Alpha => left.0.cmp(&right.0).then_with(|| left.1.cmp(&right.1)),
        FacetValueOrder::Count => right.2.cmp(&left.2).then_with(|| right.1.cmp(&left.1)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::merger::test_support::object;

    fn node(hits: Value, processing_time_ms: u64) -> Map<String, Value> {
        object(
            json!({"facetHits": hits, "facetQuery": "dr", "processingTimeMs": processing_time_ms}),
        )
    }

    fn plan() -> FacetSearchPlan {
        FacetSearchPlan::new(&object(json!({"facetName": "genres", "facetQuery": "dr"}))).unwrap()
    }

    /// Fixture "facet search": `{"facetHits": [{"value": "Drama", "count": 7}], "facetQuery":
    /// "dr", …}` — here with Drama's 7 documents over 3 nodes.
    #[test]
    fn counts_are_summed_like_the_recorded_response() {
        let nodes = vec![
            node(json!([{"value": "Drama", "count": 3}]), 2),
            node(json!([{"value": "Drama", "count": 4}]), 5),
            node(json!([]), 1),
        ];
        let merged = merge_facet_search(&plan(), nodes).unwrap();
        assert_eq!(
            serde_json::to_string(&merged).unwrap(),
            r#"{"facetHits":[{"value":"Drama","count":7}],"facetQuery":"dr","processingTimeMs":5}"#
        );
    }

    #[test]
    fn alpha_order_uses_the_normalised_value_and_keeps_values_of_one_node() {
        let nodes = vec![
            node(
                json!([{"value": "beta", "count": 1}, {"value": "Gamma", "count": 1}]),
                0,
            ),
            node(
                json!([{"value": "Alpha", "count": 2}, {"value": "beta", "count": 1}]),
                0,
            ),
        ];
        let merged = merge_facet_search(&plan(), nodes).unwrap();
        assert_eq!(
            merged["facetHits"],
            json!([{"value": "Alpha", "count": 2}, {"value": "beta", "count": 2}, {"value": "Gamma", "count": 1}])
        );
    }

    #[test]
    fn count_order_and_truncation() {
        let plan = plan().with_order(FacetValueOrder::Count).with_max_values(2);
        let nodes = vec![
            node(
                json!([{"value": "a", "count": 1}, {"value": "b", "count": 2}]),
                0,
            ),
            node(
                json!([{"value": "c", "count": 2}, {"value": "a", "count": 4}]),
                0,
            ),
        ];
        let merged = merge_facet_search(&plan, nodes).unwrap();
        assert_eq!(
            merged["facetHits"],
            json!([{"value": "a", "count": 5}, {"value": "c", "count": 2}])
        );
    }

    #[test]
    fn absent_facet_query_is_null_and_malformed_hits_are_errors() {
        let plan = FacetSearchPlan::new(&object(json!({"facetName": "genres"}))).unwrap();
        let merged = merge_facet_search(&plan, vec![]).unwrap();
        assert_eq!(merged["facetQuery"], Value::Null);
        let bad = node(json!([{"value": 3, "count": 1}]), 0);
        assert!(matches!(
            merge_facet_search(&plan, vec![bad]),
            Err(MergeError::InvalidField {
                node: 0,
                field: "facetHits",
                ..
            })
        ));
        assert!(FacetSearchPlan::new(&object(json!({"facetQuery": 1}))).is_err());
    }
}
