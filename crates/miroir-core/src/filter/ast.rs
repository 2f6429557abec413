//! The filter syntax tree. Its shape mirrors Meilisearch's `FilterCondition` on purpose:
//! `IS NOT NULL`, `IS NOT EMPTY`, `NOT EXISTS`, `NOT IN`, `NOT CONTAINS` and `NOT STARTS WITH`
//! are `Not(..)` of the positive condition, and double negations are folded away while
//! parsing, so re-rendering a tree gives the same string Meilisearch renders.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::error::position_line;

/// A node of a filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterExpr {
    /// Documents not matched by the inner expression.
    Not(Box<FilterExpr>),
    /// One condition on one attribute.
    Condition {
        /// The attribute the condition tests.
        attribute: AttributeRef,
        /// The test.
        condition: Condition,
    },
    /// `attribute IN [values..]`: equal to any of the values.
    In {
        /// The attribute the condition tests.
        attribute: AttributeRef,
        /// The candidate values, unescaped.
        values: Vec<String>,
    },
    /// Documents matched by any sub-expression.
    Or(Vec<FilterExpr>),
    /// Documents matched by every sub-expression.
    And(Vec<FilterExpr>),
}

/// The test applied to an attribute's values. Values are the unescaped text of the filter;
/// whether they are numbers is decided at evaluation time, as Meilisearch does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `> value`
    GreaterThan(String),
    /// `>= value`
    GreaterThanOrEqual(String),
    /// `= value`
    Equal(String),
    /// `!= value`
    NotEqual(String),
    /// `IS NULL`
    Null,
    /// `IS EMPTY`
    Empty,
    /// `EXISTS`
    Exists,
    /// `< value`
    LowerThan(String),
    /// `<= value`
    LowerThanOrEqual(String),
    /// `from TO to`, both bounds included.
    Between {
        /// Lower bound.
        from: String,
        /// Upper bound.
        to: String,
    },
    /// `CONTAINS value`: a string value contains the (normalised) text.
    Contains(String),
    /// `STARTS WITH value`: a string value starts with the (normalised) text.
    StartsWith(String),
}

/// An attribute name as written in a filter string, with the byte span of its text in that
/// string. Two references are equal when they name the same attribute, wherever they appear.
#[derive(Debug, Clone)]
pub struct AttributeRef {
    name: String,
    source: Arc<str>,
    span: Range<usize>,
}

impl AttributeRef {
    pub(crate) fn new(name: String, source: Arc<str>, span: Range<usize>) -> Self {
        debug_assert!(span.end <= source.len() && span.start <= span.end);
        Self { name, source, span }
    }

    /// The attribute name (unescaped, so `"a\"b"` gives `a"b`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The filter string the attribute was written in.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Byte range of the attribute's text (inside the quotes, if quoted) in [`Self::source`].
    pub fn byte_span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// Meilisearch's position line for this attribute, e.g. `2:7 "title" = "x"`.
    pub fn position(&self) -> String {
        position_line(&self.source, self.span.start, self.span.end)
    }
}

impl PartialEq for AttributeRef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Condition {
    /// Meilisearch's name of the operator, e.g. `>=`, `IS NULL`, `TO`.
    pub fn operator(&self) -> &'static str {
        match self {
            Self::GreaterThan(_) => ">",
            Self::GreaterThanOrEqual(_) => ">=",
            Self::Equal(_) => "=",
            Self::NotEqual(_) => "!=",
            Self::Null => "IS NULL",
            Self::Empty => "IS EMPTY",
            Self::Exists => "EXISTS",
            Self::LowerThan(_) => "<",
            Self::LowerThanOrEqual(_) => "<=",
            Self::Between { .. } => "TO",
            Self::Contains(_) => "CONTAINS",
            Self::StartsWith(_) => "STARTS WITH",
        }
    }
}

impl FilterExpr {
    /// `NOT expr`, folding a double negation the way Meilisearch's parser does.
    pub(crate) fn negate(self) -> Self {
        match self {
            Self::Not(inner) => *inner,
            other => Self::Not(Box::new(other)),
        }
    }

    /// Pushes every attribute reference, in source order, onto `out`.
    pub(crate) fn collect_attributes(&self, out: &mut Vec<AttributeRef>) {
        match self {
            Self::Not(inner) => inner.collect_attributes(out),
            Self::Condition { attribute, .. } | Self::In { attribute, .. } => {
                out.push(attribute.clone())
            }
            Self::Or(items) | Self::And(items) => {
                items.iter().for_each(|item| item.collect_attributes(out))
            }
        }
    }
}

/// Renders the expression the way Meilisearch re-renders a search filter before running it:
/// every attribute and value JSON-quoted, every `AND`/`OR` operand parenthesised.
impl fmt::Display for FilterExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Not(inner) => write!(f, "NOT ({inner})"),
            Self::Condition {
                attribute,
                condition,
            } => {
                write!(f, "{} ", json_quoted(attribute.name()))?;
                match condition {
                    Condition::Null | Condition::Empty | Condition::Exists => {
                        f.write_str(condition.operator())
                    }
                    Condition::Between { from, to } => {
                        write!(f, "{} TO {}", json_quoted(from), json_quoted(to))
                    }
                    Condition::GreaterThan(value)
                    | Condition::GreaterThanOrEqual(value)
                    | Condition::Equal(value)
                    | Condition::NotEqual(value)
                    | Condition::LowerThan(value)
                    | Condition::LowerThanOrEqual(value)
                    | Condition::Contains(value)
                    | Condition::StartsWith(value) => {
                        write!(f, "{} {}", condition.operator(), json_quoted(value))
                    }
                }
            }
            Self::In { attribute, values } => {
                write!(f, "{} IN [", json_quoted(attribute.name()))?;
                for (index, value) in values.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&json_quoted(value))?;
                }
                f.write_str("]")
            }
            Self::Or(items) => write_joined(f, items, " OR "),
            Self::And(items) => write_joined(f, items, " AND "),
        }
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, items: &[FilterExpr], separator: &str) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        write!(f, "({item})")?;
    }
    Ok(())
}

/// `text` as a JSON string literal (Meilisearch's `escaped_fragment`).
fn json_quoted(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}
