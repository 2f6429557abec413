//! Meilisearch filter expressions: parsing (with Meilisearch's exact error messages) and
//! evaluation against JSON documents (with Meilisearch's facet semantics). Pure; no I/O.
//!
//! ```text
//!   JSON filter ──parse_filter──► Filter ──matches(document)──► bool
//!   (string | [string | [string]])   │
//!                                    ├─ attributes() ──► filterability check (caller)
//!                                    └─ canonicalized() ──► the re-rendered filter Meilisearch
//!                                       checks search filters against (error positions)
//! ```
//!
//! Supported: `=`, `!=`, `>`, `>=`, `<`, `<=`, `a TO b`, `IN [..]`, `NOT IN [..]`, `EXISTS`,
//! `NOT EXISTS`, `IS [NOT] NULL`, `IS [NOT] EMPTY`, `[NOT] CONTAINS`, `[NOT] STARTS WITH`,
//! `NOT`, `AND` (binding tighter than `OR`), parentheses, quoted values with escapes and dotted
//! attribute paths. Keywords are case-sensitive, as in Meilisearch (`and` is a plain value).
//! Geo filters, `_vectors` filters and `_foreign(..)` are rejected with a
//! [`FilterErrorKind::Unsupported`] error.

mod ast;
mod error;
mod eval;
mod facets;
mod json_form;
mod lexical;
mod parser;
mod scanner;
mod syntax_error;
mod value;

#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::{Map, Value};

pub use self::ast::{AttributeRef, Condition, FilterExpr};
pub use self::error::{FilterError, FilterErrorKind};
pub use self::eval::PreparedFilter;
pub use self::facets::FacetValues;

/// A parsed, non-empty filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    expr: FilterExpr,
}

/// Parses a filter in any of its JSON forms: `null`, a string, or an array of strings and
/// arrays of strings (outer items AND-ed, inner arrays OR-ed). `null`, blank strings and arrays
/// with nothing but blank strings mean "no filter" (`Ok(None)`).
pub fn parse_filter(filter: &Value) -> Result<Option<Filter>, FilterError> {
    Ok(json_form::parse_json_filter(filter)?.map(|expr| Filter { expr }))
}

impl Filter {
    /// Parses one filter string; `Ok(None)` when it is blank.
    pub fn parse_str(source: &str) -> Result<Option<Filter>, FilterError> {
        Ok(json_form::parse_string(source)?.map(|expr| Filter { expr }))
    }

    /// The syntax tree.
    pub fn expr(&self) -> &FilterExpr {
        &self.expr
    }

    /// Every attribute the filter references, each with the source string and span it was
    /// written at, in the order Meilisearch checks them for filterability (last written
    /// first): the first non-filterable one in this list is the one Meilisearch reports.
    pub fn attributes(&self) -> Vec<AttributeRef> {
        let mut attributes = Vec::new();
        self.expr.collect_attributes(&mut attributes);
        attributes.reverse();
        attributes
    }

    /// Whether `document` satisfies the filter, treating every attribute as known to the index.
    pub fn matches(&self, document: &Map<String, Value>) -> bool {
        self.matches_in_index(document, &|_| true)
    }

    /// Whether `document` satisfies the filter inside an index where `is_known_attribute` tells
    /// which attributes some document has ever had: like Meilisearch, a condition on an
    /// unknown attribute matches nothing (so `unknown != 1` matches no document, while
    /// `NOT unknown = 1` matches all).
    pub fn matches_in_index(
        &self,
        document: &Map<String, Value>,
        is_known_attribute: &dyn Fn(&str) -> bool,
    ) -> bool {
        let prepared = self.prepare(is_known_attribute);
        let facets: Vec<FacetValues> = prepared
            .attributes()
            .iter()
            .map(|attribute| FacetValues::of_document(document, attribute))
            .collect();
        prepared.matches(&|slot| &facets[slot])
    }

    /// Compiles the filter for evaluation on many documents of an index where
    /// `is_known_attribute` tells which attributes some document has ever had (conditions on
    /// the others match nothing, as in [`Filter::matches_in_index`]).
    pub fn prepare(&self, is_known_attribute: &dyn Fn(&str) -> bool) -> PreparedFilter {
        eval::prepare(&self.expr, is_known_attribute)
    }

    /// The filter as Meilisearch re-renders a search filter before running it (see
    /// [`FilterExpr`]'s `Display`), parsed again. Meilisearch reports "not filterable" errors of
    /// search requests with positions in this re-rendered string, e.g. `title = x` becomes
    /// `"title" = "x"` and the error says `2:7 "title" = "x"`. Document routes (fetch / delete
    /// by filter) report positions in the original string instead.
    pub fn canonicalized(&self) -> Result<Filter, FilterError> {
        let rendered = self.expr.to_string();
        match Self::parse_str(&rendered)? {
            Some(filter) => Ok(filter),
            None => Ok(self.clone()),
        }
    }
}

/// The canonical (Meilisearch re-rendered) form of the filter.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}
