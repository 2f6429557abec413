//! Evaluation of a filter against one document, with Meilisearch's semantics.
//!
//! Each condition looks at the attribute's facets (see [`super::facets`]):
//! - `=` matches a normalised string facet equal to the normalised operand, or — when the
//!   operand parses as a finite number — a numeric facet equal to it; `!=` is its negation, so
//!   documents without the attribute match `!=`.
//! - `>`, `>=`, `<`, `<=` and `TO` match numeric facets in the numeric range (when the operand,
//!   or both `TO` bounds, parse as numbers) *and* string facets in the byte-wise lexicographic
//!   range of the normalised operand(s).
//! - `IN [..]` is any of `=`; `EXISTS`, `IS NULL`, `IS EMPTY` test presence, `null` and
//!   emptiness; `CONTAINS` / `STARTS WITH` test string facets (an empty prefix matches every
//!   document having the attribute).
//! - Meilisearch answers nothing for a condition on an attribute no document of the index has
//!   ever had — even for `!=`; [`Filter::matches_in_index`](super::Filter::matches_in_index)
//!   takes that knowledge from the caller.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::ast::{Condition, FilterExpr};
use super::facets::{facet_values, normalize, FacetValues};

/// Evaluates `expr` on `document`; `is_known_attribute` tells whether the index knows a field.
pub(crate) fn evaluate(
    expr: &FilterExpr,
    document: &Map<String, Value>,
    is_known_attribute: &dyn Fn(&str) -> bool,
) -> bool {
    match expr {
        FilterExpr::Not(inner) => !evaluate(inner, document, is_known_attribute),
        FilterExpr::Or(items) => items
            .iter()
            .any(|item| evaluate(item, document, is_known_attribute)),
        FilterExpr::And(items) => items
            .iter()
            .all(|item| evaluate(item, document, is_known_attribute)),
        FilterExpr::Condition {
            attribute,
            condition,
        } => {
            is_known_attribute(attribute.name())
                && condition_holds(condition, &facet_values(document, attribute.name()))
        }
        FilterExpr::In { attribute, values } => {
            if !is_known_attribute(attribute.name()) {
                return false;
            }
            let facets = facet_values(document, attribute.name());
            values.iter().any(|value| equals(&facets, value))
        }
    }
}

/// A filter operand as a number, if it is a finite one (Rust's `f64` syntax, as Meilisearch).
fn finite_number(operand: &str) -> Option<f64> {
    operand
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

fn equals(facets: &FacetValues, operand: &str) -> bool {
    let normalized = normalize(operand);
    let string_match = facets.strings.contains(&normalized);
    let number_match =
        finite_number(operand).is_some_and(|number| facets.numbers.contains(&number));
    string_match || number_match
}

/// One side of a range: the operand and whether equality is included.
#[derive(Clone, Copy)]
struct Bound<'a> {
    operand: &'a str,
    inclusive: bool,
}

/// Whether some facet lies within `lower`..`upper` (an absent side is unbounded); numbers are
/// compared only when every present bound is a number.
fn in_range(facets: &FacetValues, lower: Option<Bound<'_>>, upper: Option<Bound<'_>>) -> bool {
    let accepts = |ordering_to_lower: Option<Ordering>, ordering_to_upper: Option<Ordering>| {
        let above_lower = match (lower, ordering_to_lower) {
            (None, _) => true,
            (Some(bound), Some(ordering)) => {
                ordering == Ordering::Greater || (bound.inclusive && ordering == Ordering::Equal)
            }
            (Some(_), None) => false,
        };
        let below_upper = match (upper, ordering_to_upper) {
            (None, _) => true,
            (Some(bound), Some(ordering)) => {
                ordering == Ordering::Less || (bound.inclusive && ordering == Ordering::Equal)
            }
            (Some(_), None) => false,
        };
        above_lower && below_upper
    };

    let numeric_lower = lower.map(|bound| finite_number(bound.operand));
    let numeric_upper = upper.map(|bound| finite_number(bound.operand));
    let numbers_comparable =
        !matches!(numeric_lower, Some(None)) && !matches!(numeric_upper, Some(None));
    let number_match = numbers_comparable
        && facets.numbers.iter().any(|facet| {
            accepts(
                numeric_lower
                    .flatten()
                    .and_then(|bound| facet.partial_cmp(&bound)),
                numeric_upper
                    .flatten()
                    .and_then(|bound| facet.partial_cmp(&bound)),
            )
        });

    let string_lower = lower.map(|bound| normalize(bound.operand));
    let string_upper = upper.map(|bound| normalize(bound.operand));
    let string_match = facets.strings.iter().any(|facet| {
        accepts(
            string_lower
                .as_deref()
                .map(|bound| facet.as_str().cmp(bound)),
            string_upper
                .as_deref()
                .map(|bound| facet.as_str().cmp(bound)),
        )
    });

    number_match || string_match
}

fn condition_holds(condition: &Condition, facets: &FacetValues) -> bool {
    let exclusive = |operand| {
        Some(Bound {
            operand,
            inclusive: false,
        })
    };
    let inclusive = |operand| {
        Some(Bound {
            operand,
            inclusive: true,
        })
    };
    match condition {
        Condition::Equal(operand) => equals(facets, operand),
        Condition::NotEqual(operand) => !equals(facets, operand),
        Condition::GreaterThan(operand) => in_range(facets, exclusive(operand), None),
        Condition::GreaterThanOrEqual(operand) => in_range(facets, inclusive(operand), None),
        Condition::LowerThan(operand) => in_range(facets, None, exclusive(operand)),
        Condition::LowerThanOrEqual(operand) => in_range(facets, None, inclusive(operand)),
        Condition::Between { from, to } => in_range(facets, inclusive(from), inclusive(to)),
        Condition::Null => facets.is_null,
        Condition::Empty => facets.is_empty,
        Condition::Exists => facets.exists,
        Condition::Contains(operand) => {
            let needle = normalize(operand);
            facets
                .strings
                .iter()
                .any(|facet| facet.contains(needle.as_str()))
        }
        Condition::StartsWith(operand) => {
            let prefix = normalize(operand);
            if prefix.is_empty() {
                facets.exists
            } else {
                facets
                    .strings
                    .iter()
                    .any(|facet| facet.starts_with(prefix.as_str()))
            }
        }
    }
}
