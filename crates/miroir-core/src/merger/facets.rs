//! Sums `facetDistribution` and merges `facetStats` across nodes, ordered like one Meilisearch
//! node orders them (milli `search/facet/facet_distribution.rs`, v1.50).
//!
//! - Facet names: ascending bytes (Meilisearch serialises a `BTreeMap`).
//! - Values of one facet are summed by milli's normalised form (trimmed, lowercased), so the
//!   same string with different case on two nodes is one value; the spelling shown is the one of
//!   the lowest node index (a single node shows the spelling of one of its documents).
//! - Value order: numeric values first, then strings (milli iterates its number database, then
//!   its string database). `alpha`: strings by normalised form; numbers by their decimal text when
//!   the search matched at most [`NUMERIC_ORDER_CANDIDATES_THRESHOLD`] documents (milli then
//!   counts per document into a string-keyed `BTreeMap`) and numerically above it (milli then
//!   walks its facet levels). `count`: by descending count, ties by descending value (milli pops
//!   a max-heap keyed by count then value). Then truncated to `maxValuesPerFacet`.
//! - Miroir's reserved facets (`_miroir_shard`, asked for by `facets: ["*"]`) are dropped.
//! - `facetStats`: per facet the smallest `min` and the largest `max` (the node's JSON number is
//!   kept, so `2012.0` stays `2012.0`); names ascending.
//!
//! Approximations: milli's normalisation also applies Unicode compatibility decomposition, and a
//! string value that reads exactly like a number (`"2012"`) is classified as a number here. A
//! node truncated at `maxValuesPerFacet` may omit values the merged top would have contained.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{MergeError, Result};
use super::hit_cleanup::RESERVED_FIELD_PREFIX;
use super::plan::{FacetValueOrder, MergePlan};

/// milli's `CANDIDATES_THRESHOLD`: above it, numeric facet values are listed numerically.
pub const NUMERIC_ORDER_CANDIDATES_THRESHOLD: u64 = 3000;

const DISTRIBUTION: &str = "facetDistribution";
const STATS: &str = "facetStats";

/// Summed counts of one facet value.
#[derive(Debug)]
struct ValueCount {
    shown: String,
    count: u64,
}

/// Merged min/max of one numeric facet.
#[derive(Debug)]
struct MinMax {
    min: (f64, Value),
    max: (f64, Value),
}

/// Facet data accumulated over the node responses.
#[derive(Debug, Default)]
pub(super) struct FacetMerge {
    /// facet name → normalised value → summed count.
    distribution: BTreeMap<String, BTreeMap<String, ValueCount>>,
    stats: BTreeMap<String, MinMax>,
}

impl FacetMerge {
    /// Adds one node's `facetDistribution`.
    pub(super) fn add_distribution(&mut self, node: usize, distribution: Value) -> Result<()> {
        let invalid = MergeError::InvalidField {
            node,
            field: DISTRIBUTION,
            expected: "an object of objects of counts",
        };
        let Value::Object(facets) = distribution else {
            return Err(invalid);
        };
        for (facet, values) in facets {
            let Value::Object(values) = values else {
                return Err(invalid);
            };
            if facet.starts_with(RESERVED_FIELD_PREFIX) {
                continue;
            }
            let merged_values = self.distribution.entry(facet).or_default();
            for (value, count) in values {
                let count = count.as_u64().ok_or_else(|| invalid.clone())?;
                merged_values
                    .entry(normalize(&value))
                    .and_modify(|merged| merged.count = merged.count.saturating_add(count))
                    .or_insert(ValueCount {
                        shown: value,
                        count,
                    });
            }
        }
        Ok(())
    }

    /// Adds one node's `facetStats`.
    pub(super) fn add_stats(&mut self, node: usize, stats: Value) -> Result<()> {
        let invalid = MergeError::InvalidField {
            node,
            field: STATS,
            expected: "an object of {min, max} numbers",
        };
        let Value::Object(facets) = stats else {
            return Err(invalid);
        };
        for (facet, bounds) in facets {
            let Value::Object(mut bounds) = bounds else {
                return Err(invalid);
            };
            if facet.starts_with(RESERVED_FIELD_PREFIX) {
                continue;
            }
            let mut bound = |name: &str| {
                let value = bounds.remove(name).ok_or_else(|| invalid.clone())?;
                let number = value.as_f64().ok_or_else(|| invalid.clone())?;
                Ok::<_, MergeError>((number, value))
            };
            let (min, max) = (bound("min")?, bound("max")?);
            match self.stats.get_mut(&facet) {
                None => {
                    self.stats.insert(facet, MinMax { min, max });
                }
                Some(merged) => {
                    if min.0 < merged.min.0 {
                        merged.min = min;
                    }
                    if max.0 > merged.max.0 {
                        merged.max = max;
                    }
                }
            }
        }
        Ok(())
    }

    /// The merged `facetDistribution` and `facetStats` objects. `candidates` is the number of
    /// matching documents, which decides milli's numeric value order in `alpha` mode.
    pub(super) fn into_json(self, plan: &MergePlan, candidates: u64) -> (Value, Value) {
        self.into_json_with(
            |facet| plan.facet_value_order(facet),
            plan.max_values_per_facet(),
            candidates,
        )
    }

    /// [`FacetMerge::into_json`] with the value order of each facet given by `order_of` and at
    /// most `max_values_per_facet` values per facet.
    pub(super) fn into_json_with(
        self,
        order_of: impl Fn(&str) -> FacetValueOrder,
        max_values_per_facet: usize,
        candidates: u64,
    ) -> (Value, Value) {
        let numeric_by_value = candidates > NUMERIC_ORDER_CANDIDATES_THRESHOLD;
        let mut distribution = Map::new();
        for (facet, values) in self.distribution {
            let order = order_of(&facet);
            let mut values: Vec<(String, ValueCount)> = values.into_iter().collect();
            values.sort_by(|(left_key, left), (right_key, right)| {
                compare_values(
                    order,
                    numeric_by_value,
                    (left_key, left),
                    (right_key, right),
                )
            });
            values.truncate(max_values_per_facet);
            let values: Map<String, Value> = values
                .into_iter()
                .map(|(_, value)| (value.shown, Value::from(value.count)))
                .collect();
            distribution.insert(facet, Value::Object(values));
        }
        let stats: Map<String, Value> = self
            .stats
            .into_iter()
            .map(|(facet, MinMax { min, max })| {
                let mut bounds = Map::new();
                bounds.insert("min".to_owned(), min.1);
                bounds.insert("max".to_owned(), max.1);
                (facet, Value::Object(bounds))
            })
            .collect();
        (Value::Object(distribution), Value::Object(stats))
    }
}

/// milli's `normalize_facet` without Unicode decomposition.
fn normalize(value: &str) -> String {
    value.trim().to_lowercase()
}

/// The number a facet value stands for, when milli would have stored it as a number (its text
/// is exactly Rust's rendering of an `f64`, which is how milli prints numeric facet values).
fn as_number(value: &str) -> Option<f64> {
    value
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite() && number.to_string() == value)
}

/// `Less` when the left value is listed first.
fn compare_values(
    order: FacetValueOrder,
    numeric_by_value: bool,
    (left_key, left): (&str, &ValueCount),
    (right_key, right): (&str, &ValueCount),
) -> Ordering {
    let (left_number, right_number) = (as_number(left_key), as_number(right_key));
    // Numbers before strings.
    let by_kind = right_number.is_some().cmp(&left_number.is_some());
    let by_value = || match (left_number, right_number) {
        (Some(left), Some(right)) if numeric_by_value || order == FacetValueOrder::Count => {
            left.partial_cmp(&right).unwrap_or(Ordering::Equal)
        }
        _ => left_key.cmp(right_key),
    };
    by_kind.then_with(|| match order {
        FacetValueOrder::Alpha => by_value(),
        FacetValueOrder::Count => right
            .count
            .cmp(&left.count)
            .then_with(|| by_value().reverse()),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::merger::prepare_node_query;
    use crate::merger::test_support::object;

    fn plan() -> MergePlan {
        prepare_node_query(&object(json!({"facets": ["*"]})), "id")
            .unwrap()
            .1
    }

    fn merged(plan: &MergePlan, distributions: &[Value], candidates: u64) -> Value {
        let mut merge = FacetMerge::default();
        for (node, distribution) in distributions.iter().enumerate() {
            merge.add_distribution(node, distribution.clone()).unwrap();
        }
        merge.into_json(plan, candidates).0
    }

    /// Serialised, so the assertion also checks field order.
    fn text(value: &Value) -> String {
        serde_json::to_string(value).unwrap()
    }

    #[test]
    fn reserved_facets_never_reach_the_client() {
        let mut merge = FacetMerge::default();
        merge
            .add_distribution(
                0,
                json!({"_miroir_shard": {"3": 2}, "genres": {"Drama": 2}}),
            )
            .unwrap();
        merge
            .add_stats(0, json!({"_miroir_shard": {"min": 3.0, "max": 3.0}}))
            .unwrap();
        let (distribution, stats) = merge.into_json(&plan(), 2);
        assert_eq!(distribution, json!({"genres": {"Drama": 2}}));
        assert_eq!(stats, json!({}));
    }

    #[test]
    fn counts_are_summed_and_values_unique_to_one_node_are_kept() {
        let distributions = [
            json!({"genres": {"Drama": 2, "Romance": 1}, "year": {"2015": 1}}),
            json!({"genres": {"Adventure": 2, "Drama": 2}, "rating": {"8.7": 1}}),
        ];
        assert_eq!(
            text(&merged(&plan(), &distributions, 4)),
            text(&json!({
                "genres": {"Adventure": 2, "Drama": 4, "Romance": 1},
                "rating": {"8.7": 1},
                "year": {"2015": 1},
            }))
        );
    }

    #[test]
    fn alpha_order_lists_numbers_first_then_strings_by_normalised_form() {
        let distributions = [
            json!({"tags": {"b": 1, "10": 1}}),
            json!({"tags": {"A": 1, "9": 1, "c": 1}}),
        ];
        // Few candidates: numbers by their text ("10" < "9"), as milli's per-document path.
        assert_eq!(
            text(&merged(&plan(), &distributions, 5)),
            text(&json!({"tags": {"10": 1, "9": 1, "A": 1, "b": 1, "c": 1}}))
        );
        // Many candidates: numbers numerically, as milli's facet-level path.
        assert_eq!(
            text(&merged(
                &plan(),
                &distributions,
                NUMERIC_ORDER_CANDIDATES_THRESHOLD + 1
            )),
            text(&json!({"tags": {"9": 1, "10": 1, "A": 1, "b": 1, "c": 1}}))
        );
    }

    #[test]
    fn count_order_sorts_each_kind_by_descending_count() {
        let orders = BTreeMap::from([("*".to_owned(), FacetValueOrder::Count)]);
        let plan = plan().with_sort_facet_values_by(orders);
        let distributions = [
            json!({"g": {"a": 1, "b": 3, "1": 1}}),
            json!({"g": {"a": 1, "c": 2, "2": 5}}),
        ];
        assert_eq!(
            text(&merged(&plan, &distributions, 10)),
            // Equal counts: descending value ("c" before "a").
            text(&json!({"g": {"2": 5, "1": 1, "b": 3, "c": 2, "a": 2}}))
        );
    }

    #[test]
    fn a_facet_specific_order_overrides_the_wildcard() {
        let orders = BTreeMap::from([("g".to_owned(), FacetValueOrder::Count)]);
        let plan = plan().with_sort_facet_values_by(orders);
        let distributions = [json!({"g": {"a": 1, "b": 3}, "h": {"y": 1, "x": 9}})];
        assert_eq!(
            text(&merged(&plan, &distributions, 10)),
            text(&json!({"g": {"b": 3, "a": 1}, "h": {"x": 9, "y": 1}}))
        );
    }

    #[test]
    fn same_value_with_different_case_is_one_value_spelled_as_the_first_node() {
        let distributions = [json!({"g": {"Drama": 1}}), json!({"g": {"drama": 2}})];
        assert_eq!(
            text(&merged(&plan(), &distributions, 3)),
            text(&json!({"g": {"Drama": 3}}))
        );
    }

    #[test]
    fn merged_values_are_truncated_to_max_values_per_facet() {
        let plan = plan().with_max_values_per_facet(2);
        let distributions = [json!({"g": {"a": 1, "c": 1}}), json!({"g": {"b": 1}})];
        assert_eq!(
            text(&merged(&plan, &distributions, 3)),
            text(&json!({"g": {"a": 1, "b": 1}}))
        );
    }

    #[test]
    fn stats_keep_the_extreme_bounds_and_their_json_numbers() {
        let mut merge = FacetMerge::default();
        merge
            .add_stats(0, json!({"year": {"min": 2012.0, "max": 2015.0}}))
            .unwrap();
        merge
            .add_stats(
                1,
                json!({"year": {"min": 2014.0, "max": 2019.0}, "rating": {"min": 7.3, "max": 8.7}}),
            )
            .unwrap();
        let (_, stats) = merge.into_json(&plan(), 4);
        assert_eq!(
            text(&stats),
            r#"{"rating":{"min":7.3,"max":8.7},"year":{"min":2012.0,"max":2019.0}}"#
        );
    }

    #[test]
    fn malformed_facet_data_is_reported_with_its_node() {
        let mut merge = FacetMerge::default();
        assert!(matches!(
            merge.add_distribution(1, json!({"g": {"a": "many"}})),
            Err(MergeError::InvalidField {
                node: 1,
                field: DISTRIBUTION,
                ..
            })
        ));
        assert!(matches!(
            merge.add_stats(2, json!({"g": {"min": 1.0}})),
            Err(MergeError::InvalidField {
                node: 2,
                field: STATS,
                ..
            })
        ));
    }
}
