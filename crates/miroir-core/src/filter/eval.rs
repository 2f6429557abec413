//! Evaluation of a filter with Meilisearch's semantics, compiled once per filter so that
//! evaluating it on many documents allocates nothing.
//!
//! [`Filter::prepare`](super::Filter::prepare) turns the tree into a [`PreparedFilter`]:
//! operands are normalised and parsed as numbers once, and every attribute becomes a slot
//! whose [`FacetValues`] the caller supplies (extracted from the document, or cached).
//!
//! ```text
//! Filter ──prepare(is_known)──▶ PreparedFilter { attributes: [a0, a1..], tests on slots }
//! document ──FacetValues::of_document(a_i)──▶ slot i ──matches──▶ bool
//! ```
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
//!   ever had — even for `!=`; the caller tells which attributes are known when preparing.

use std::cmp::Ordering;

use super::ast::{Condition, FilterExpr};
use super::facets::{normalize, FacetValues};

/// A filter compiled for evaluation on many documents (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedFilter {
    expr: PreparedExpr,
    attributes: Vec<String>,
}

impl PreparedFilter {
    /// The attributes the filter reads, one per slot: [`PreparedFilter::matches`] asks for
    /// the facets of `attributes()[slot]`. Attributes unknown to the index have no slot.
    pub fn attributes(&self) -> &[String] {
        &self.attributes
    }

    /// Whether a document passes the filter; `facets(slot)` returns the document's facets for
    /// `attributes()[slot]`. Only the slots the evaluation needs are asked for.
    pub fn matches<'f>(&self, facets: &dyn Fn(usize) -> &'f FacetValues) -> bool {
        self.expr.holds(facets)
    }
}

/// A filter operand, normalised and parsed once.
#[derive(Debug, Clone, PartialEq)]
struct Operand {
    normalized: String,
    number: Option<f64>,
}

impl Operand {
    fn new(operand: &str) -> Self {
        Self {
            normalized: normalize(operand),
            number: finite_number(operand),
        }
    }

    fn equals(&self, facets: &FacetValues) -> bool {
        facets.strings.contains(&self.normalized)
            || self
                .number
                .is_some_and(|number| facets.numbers.contains(&number))
    }
}

/// One side of a range: the operand and whether equality is included.
#[derive(Debug, Clone, PartialEq)]
struct Bound {
    operand: Operand,
    inclusive: bool,
}

/// The test of one condition, on one slot.
#[derive(Debug, Clone, PartialEq)]
enum Test {
    Equal(Operand),
    NotEqual(Operand),
    In(Vec<Operand>),
    Range {
        lower: Option<Bound>,
        upper: Option<Bound>,
    },
    Null,
    Empty,
    Exists,
    Contains(String),
    StartsWith(String),
}

#[derive(Debug, Clone, PartialEq)]
enum PreparedExpr {
    /// A condition on an attribute the index does not know.
    Never,
    Not(Box<PreparedExpr>),
    Or(Vec<PreparedExpr>),
    And(Vec<PreparedExpr>),
    Test {
        slot: usize,
        test: Test,
    },
}

impl PreparedExpr {
    fn holds<'f>(&self, facets: &dyn Fn(usize) -> &'f FacetValues) -> bool {
        match self {
            PreparedExpr::Never => false,
            PreparedExpr::Not(inner) => !inner.holds(facets),
            PreparedExpr::Or(items) => items.iter().any(|item| item.holds(facets)),
            PreparedExpr::And(items) => items.iter().all(|item| item.holds(facets)),
            PreparedExpr::Test { slot, test } => test.holds(facets(*slot)),
        }
    }
}

/// Compiles `expr`; attributes get slots in first-met order.
pub(crate) fn prepare(
    expr: &FilterExpr,
    is_known_attribute: &dyn Fn(&str) -> bool,
) -> PreparedFilter {
    let mut attributes = Vec::new();
    let expr = prepare_expr(expr, is_known_attribute, &mut attributes);
    PreparedFilter { expr, attributes }
}

fn slot_of(name: &str, attributes: &mut Vec<String>) -> usize {
    if let Some(slot) = attributes.iter().position(|known| known == name) {
        return slot;
    }
    attributes.push(name.to_owned());
    attributes.len() - 1
}

fn prepare_expr(
    expr: &FilterExpr,
    is_known_attribute: &dyn Fn(&str) -> bool,
    attributes: &mut Vec<String>,
) -> PreparedExpr {
    let mut prepare_all = |items: &[FilterExpr]| -> Vec<PreparedExpr> {
        items
            .iter()
            .map(|item| prepare_expr(item, is_known_attribute, attributes))
            .collect()
    };
    match expr {
        FilterExpr::Not(inner) => PreparedExpr::Not(Box::new(prepare_expr(
            inner,
            is_known_attribute,
            attributes,
        ))),
        FilterExpr::Or(items) => PreparedExpr::Or(prepare_all(items)),
        FilterExpr::And(items) => PreparedExpr::And(prepare_all(items)),
        FilterExpr::Condition {
            attribute,
            condition,
        } => {
            if !is_known_attribute(attribute.name()) {
                return PreparedExpr::Never;
            }
            PreparedExpr::Test {
                slot: slot_of(attribute.name(), attributes),
                test: prepare_condition(condition),
            }
        }
        FilterExpr::In { attribute, values } => {
            if !is_known_attribute(attribute.name()) {
                return PreparedExpr::Never;
            }
            PreparedExpr::Test {
                slot: slot_of(attribute.name(), attributes),
                test: Test::In(values.iter().map(|value| Operand::new(value)).collect()),
            }
        }
    }
}

fn prepare_condition(condition: &Condition) -> Test {
    let bound = |operand: &str, inclusive| {
        Some(Bound {
            operand: Operand::new(operand),
            inclusive,
        })
    };
    match condition {
        Condition::Equal(operand) => Test::Equal(Operand::new(operand)),
        Condition::NotEqual(operand) => Test::NotEqual(Operand::new(operand)),
        Condition::GreaterThan(operand) => Test::Range {
            lower: bound(operand, false),
            upper: None,
        },
        Condition::GreaterThanOrEqual(operand) => Test::Range {
            lower: bound(operand, true),
            upper: None,
        },
        Condition::LowerThan(operand) => Test::Range {
            lower: None,
            upper: bound(operand, false),
        },
        Condition::LowerThanOrEqual(operand) => Test::Range {
            lower: None,
            upper: bound(operand, true),
        },
        Condition::Between { from, to } => Test::Range {
            lower: bound(from, true),
            upper: bound(to, true),
        },
        Condition::Null => Test::Null,
        Condition::Empty => Test::Empty,
        Condition::Exists => Test::Exists,
        Condition::Contains(operand) => Test::Contains(normalize(operand)),
        Condition::StartsWith(operand) => Test::StartsWith(normalize(operand)),
    }
}

/// A filter operand as a number, if it is a finite one (Rust's `f64` syntax, as Meilisearch).
fn finite_number(operand: &str) -> Option<f64> {
    operand
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

/// Whether a value ordered `ordering_to_lower` / `ordering_to_upper` against the bounds lies
/// within them (an absent side is unbounded; an incomparable value never does).
fn within(
    lower: Option<&Bound>,
    upper: Option<&Bound>,
    ordering_to_lower: Option<Ordering>,
    ordering_to_upper: Option<Ordering>,
) -> bool {
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
}

/// Whether some facet lies within `lower`..`upper`; numbers are compared only when every
/// present bound is a number.
fn in_range(facets: &FacetValues, lower: Option<&Bound>, upper: Option<&Bound>) -> bool {
    let numbers_comparable = lower.is_none_or(|bound| bound.operand.number.is_some())
        && upper.is_none_or(|bound| bound.operand.number.is_some());
    let number_match = numbers_comparable
        && facets.numbers.iter().any(|facet| {
            within(
                lower,
                upper,
                lower
                    .and_then(|bound| bound.operand.number)
                    .and_then(|bound| facet.partial_cmp(&bound)),
                upper
                    .and_then(|bound| bound.operand.number)
                    .and_then(|bound| facet.partial_cmp(&bound)),
            )
        });
    number_match
        || facets.strings.iter().any(|facet| {
            within(
                lower,
                upper,
                lower.map(|bound| facet.as_str().cmp(bound.operand.normalized.as_str())),
                upper.map(|bound| facet.as_str().cmp(bound.operand.normalized.as_str())),
            )
        })
}

impl Test {
    fn holds(&self, facets: &FacetValues) -> bool {
        match self {
            Test::Equal(operand) => operand.equals(facets),
            Test::NotEqual(operand) => !operand.equals(facets),
            Test::In(operands) => operands.iter().any(|operand| operand.equals(facets)),
            Test::Range { lower, upper } => in_range(facets, lower.as_ref(), upper.as_ref()),
            Test::Null => facets.is_null,
            Test::Empty => facets.is_empty,
            Test::Exists => facets.exists,
            Test::Contains(needle) => facets
                .strings
                .iter()
                .any(|facet| facet.contains(needle.as_str())),
            Test::StartsWith(prefix) => {
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
}
