//! Properties: rendering a random tree and parsing it back gives the same tree and the same
//! answers on random documents; the parser never panics and always reports a position inside
//! the string it was given.

use std::sync::Arc;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::filter::ast::{AttributeRef, Condition, FilterExpr};
use crate::filter::lexical::{is_keyword, is_value_char};
use crate::filter::{Filter, FilterErrorKind};

/// Texts used for attribute names and operands: plain words, numbers, keywords, dotted paths,
/// and strings needing quotes or escapes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "a", "b", "genre", "a.b", "a.b.c", "Drama", "drama", "10", "2.5", "-3", "1e3", "true",
            "AND", "OR", "NOT", "IN", "TO", "EXISTS", "NULL", "and", "x y", "", " ", "it's",
            "say \"hi\"", "back\\slash", "tab\there", "new\nline", "é", "😀", "_geo", "_geoPolygon",
            "_vectors", "_vectors.x", "(", "=", "a,b",
        ])
        .prop_map(str::to_owned),
        1 => "[a-c.]{1,3}",
        1 => any::<String>(),
    ]
}

fn attribute() -> impl Strategy<Value = AttributeRef> {
    text().prop_map(|name| AttributeRef::new(name, Arc::from(""), 0..0))
}

fn condition() -> impl Strategy<Value = Condition> {
    prop_oneof![
        text().prop_map(Condition::Equal),
        text().prop_map(Condition::NotEqual),
        text().prop_map(Condition::GreaterThan),
        text().prop_map(Condition::GreaterThanOrEqual),
        text().prop_map(Condition::LowerThan),
        text().prop_map(Condition::LowerThanOrEqual),
        (text(), text()).prop_map(|(from, to)| Condition::Between { from, to }),
        Just(Condition::Null),
        Just(Condition::Empty),
        Just(Condition::Exists),
        text().prop_map(Condition::Contains),
        text().prop_map(Condition::StartsWith),
    ]
}

fn expression() -> impl Strategy<Value = FilterExpr> {
    let leaf = prop_oneof![
        3 => (attribute(), condition())
            .prop_map(|(attribute, condition)| FilterExpr::Condition { attribute, condition }),
        1 => (attribute(), vec(text(), 0..4))
            .prop_map(|(attribute, values)| FilterExpr::In { attribute, values }),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(FilterExpr::negate),
            vec(inner.clone(), 2..4).prop_map(FilterExpr::Or),
            vec(inner, 2..4).prop_map(FilterExpr::And),
        ]
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-20i64..3000).prop_map(Value::from),
        (-5.0f64..5.0).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            btree_map(text(), inner, 0..3)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn document() -> impl Strategy<Value = Map<String, Value>> {
    btree_map(text(), json_value(), 0..5).prop_map(|fields| fields.into_iter().collect())
}

/// A text as the shortest form the parser reads back: a bare word when possible, otherwise
/// single-quoted with `\` and `'` escaped.
fn minimal_value(text: &str) -> String {
    let is_bare_word = !text.is_empty()
        && text.chars().all(is_value_char)
        && !is_keyword(text)
        && !["_geo", "_vectors"]
            .iter()
            .any(|reserved| text.starts_with(reserved));
    if is_bare_word {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// Renders with as few quotes and parentheses as the grammar allows, relying on precedence.
fn render_minimal(expr: &FilterExpr) -> String {
    match expr {
        FilterExpr::Not(inner) => match inner.as_ref() {
            leaf @ (FilterExpr::Condition { .. } | FilterExpr::In { .. }) => {
                format!("NOT {}", render_minimal(leaf))
            }
            other => format!("NOT ({})", render_minimal(other)),
        },
        FilterExpr::Condition {
            attribute,
            condition,
        } => {
            let name = minimal_value(attribute.name());
            match condition {
                Condition::Null | Condition::Empty | Condition::Exists => {
                    format!("{name} {}", condition.operator())
                }
                Condition::Between { from, to } => {
                    format!("{name} {} TO {}", minimal_value(from), minimal_value(to))
                }
                Condition::GreaterThan(value)
                | Condition::GreaterThanOrEqual(value)
                | Condition::Equal(value)
                | Condition::NotEqual(value)
                | Condition::LowerThan(value)
                | Condition::LowerThanOrEqual(value)
                | Condition::Contains(value)
                | Condition::StartsWith(value) => {
                    format!("{name} {} {}", condition.operator(), minimal_value(value))
                }
            }
        }
        FilterExpr::In { attribute, values } => {
            let listed: Vec<String> = values.iter().map(|value| minimal_value(value)).collect();
            format!(
                "{} IN [{}]",
                minimal_value(attribute.name()),
                listed.join(",")
            )
        }
        FilterExpr::Or(items) => items
            .iter()
            .map(|item| match item {
                FilterExpr::Or(_) => format!("({})", render_minimal(item)),
                _ => render_minimal(item),
            })
            .collect::<Vec<_>>()
            .join(" OR "),
        FilterExpr::And(items) => items
            .iter()
            .map(|item| match item {
                FilterExpr::Or(_) | FilterExpr::And(_) => format!("({})", render_minimal(item)),
                _ => render_minimal(item),
            })
            .collect::<Vec<_>>()
            .join(" AND "),
    }
}

fn reparse(rendered: &str) -> Filter {
    match Filter::parse_str(rendered) {
        Ok(Some(filter)) => filter,
        other => panic!("`{rendered}` did not parse back: {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Meilisearch's canonical rendering and the minimal rendering both parse back to the
    /// same tree, which answers the same on every document.
    #[test]
    fn rendered_trees_parse_back_equivalent(
        expr in expression(),
        documents in vec(document(), 1..6),
    ) {
        let original = Filter { expr };
        for rendered in [original.to_string(), render_minimal(original.expr())] {
            let parsed = reparse(&rendered);
            prop_assert_eq!(&parsed, &original, "rendered: {}", rendered);
            for document in &documents {
                prop_assert_eq!(parsed.matches(document), original.matches(document));
            }
        }
    }

    /// Arbitrary text never makes the parser panic; syntax errors always end with the source.
    #[test]
    fn parser_never_panics_on_arbitrary_text(source in any::<String>()) {
        check_total(&source)?;
    }

    /// Near-miss filters built from grammar tokens never make the parser panic.
    #[test]
    fn parser_never_panics_on_token_soup(
        tokens in vec(prop::sample::select(vec![
            "a", "'b c'", "\"d\\\"\"", "1", "-2.5", "=", "!=", ">", ">=", "<", "<=", "TO", "IN",
            "[", "]", ",", "(", ")", "NOT", "AND", "OR", "EXISTS", "IS", "NULL", "EMPTY",
            "CONTAINS", "STARTS", "WITH", "_geoRadius(1,2,3)", "_geo", "_vectors", "'", "\"",
            "\\", "\\x4", "é", "\n",
        ]), 0..12),
        separators in vec(prop::sample::select(vec!["", " ", "  ", "\t"]), 12),
    ) {
        let source: String = tokens
            .iter()
            .zip(separators.iter())
            .map(|(token, separator)| format!("{token}{separator}"))
            .collect();
        check_total(&source)?;
    }
}

/// Parsing `source` terminates with a filter, no filter, or an error positioned in `source`.
fn check_total(source: &str) -> Result<(), TestCaseError> {
    match Filter::parse_str(source) {
        Ok(Some(filter)) => {
            let reparsed = filter.canonicalized();
            prop_assert!(
                reparsed.is_ok(),
                "canonical form of `{}` failed: {:?}",
                source,
                reparsed
            );
        }
        Ok(None) => prop_assert!(source.trim().is_empty()),
        Err(error) => {
            prop_assert!(
                error.message().ends_with(source),
                "message does not end with the source: {:?}",
                error.message()
            );
            let positioned = error.kind() == FilterErrorKind::Syntax
                || error.kind() == FilterErrorKind::Unsupported;
            prop_assert!(positioned);
        }
    }
    Ok(())
}
