//! The JSON forms a filter comes in: `null`, a string, or an array whose items are strings
//! (AND-ed) or arrays of strings (OR-ed inside, AND-ed with the rest), e.g.
//! `["year > 2000", ["genres = Drama", "genres = Comedy"]]`. Blank strings are ignored; a
//! filter with nothing left is no filter at all. Each string is parsed on its own, so errors
//! point into the string they occur in.

use std::sync::Arc;

use serde_json::Value;

use super::ast::FilterExpr;
use super::error::FilterError;
use super::parser::parse_expression;

/// Parses the JSON form of a filter; `Ok(None)` when it filters nothing out.
pub(crate) fn parse_json_filter(filter: &Value) -> Result<Option<FilterExpr>, FilterError> {
    match filter {
        Value::Null => Ok(None),
        Value::String(source) => parse_string(source),
        Value::Array(items) => parse_array(items),
        other => Err(FilterError::invalid_type(&["String", "Array"], other)),
    }
}

/// Parses one filter string; `Ok(None)` when it is blank.
pub(crate) fn parse_string(source: &str) -> Result<Option<FilterExpr>, FilterError> {
    if source.trim().is_empty() {
        return Ok(None);
    }
    let shared: Arc<str> = Arc::from(source);
    parse_expression(&shared)
        .map(Some)
        .map_err(|error| error.into_filter_error(source))
}

fn parse_array(items: &[Value]) -> Result<Option<FilterExpr>, FilterError> {
    let mut conjuncts = Vec::new();
    for item in items {
        match item {
            Value::String(source) => conjuncts.extend(parse_string(source)?),
            Value::Array(alternatives) => {
                let mut disjuncts = Vec::new();
                for alternative in alternatives {
                    match alternative {
                        Value::String(source) => disjuncts.extend(parse_string(source)?),
                        other => return Err(FilterError::invalid_type(&["String"], other)),
                    }
                }
                conjuncts.extend(combine(disjuncts, FilterExpr::Or));
            }
            other => return Err(FilterError::invalid_type(&["String", "[String]"], other)),
        }
    }
    Ok(combine(conjuncts, FilterExpr::And))
}

/// Nothing, the single expression, or `join` of all of them.
fn combine(
    mut exprs: Vec<FilterExpr>,
    join: fn(Vec<FilterExpr>) -> FilterExpr,
) -> Option<FilterExpr> {
    match exprs.len() {
        0 => None,
        1 => exprs.pop(),
        _ => Some(join(exprs)),
    }
}
