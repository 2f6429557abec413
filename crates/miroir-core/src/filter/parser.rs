//! The filter grammar (Meilisearch's, keywords case-sensitive):
//!
//! ```text
//! filter     = or EOF
//! or         = and ("OR" and)*
//! and        = not ("AND" not)*
//! not        = "NOT" WS+ not | primary
//! primary    = "(" or ")" | in | not_in | condition | is_null | is_not_null | is_empty
//!            | is_not_empty | exists | not_exists | to | contains | not_contains
//!            | starts_with | not_starts_with
//! in         = value "IN" "[" (value ("," value)* ","?)? "]"
//! not_in     = value "NOT" "IN" "[" ... "]"
//! condition  = value ("<=" | ">=" | "!=" | "<" | ">" | "=") value
//! is_null    = value "IS" WS+ "NULL"          (is_not_null: "IS" WS+ "NOT" WS+ "NULL")
//! is_empty   = value "IS" WS+ "EMPTY"         (is_not_empty: "IS" WS+ "NOT" WS+ "EMPTY")
//! exists     = value "EXISTS"                 (not_exists: value "NOT" WS+ "EXISTS")
//! to         = value value "TO" WS+ value
//! contains   = value "CONTAINS" value         (not_contains: value "NOT" WS+ "CONTAINS" value)
//! starts_with = value "STARTS WITH" value     (not_starts_with: value "NOT" WS+ "STARTS WITH" value)
//! ```
//! The alternatives of `primary` are tried in that order with Meilisearch's backtracking rules
//! (see [`super::syntax_error`]), so malformed filters get Meilisearch's exact message. Geo
//! operations (`_geoRadius`, `_geoBoundingBox`, `_geoPolygon`), `_vectors` filters and
//! `_foreign(..)` are recognised where Meilisearch recognises them and rejected as unsupported.

use std::sync::Arc;

use super::ast::{AttributeRef, Condition, FilterExpr};
use super::scanner::Scanner;
use super::syntax_error::{backtrack, cut, ParseFailure, Parsed, SyntaxError, SyntaxErrorKind};
use super::value::Token;

/// Builds a condition from its operand.
type ConditionBuilder = fn(String) -> Condition;

/// The comparison operators, longest first so `<=` is not read as `<`.
const COMPARISON_OPERATORS: [(&str, ConditionBuilder); 6] = [
    ("<=", Condition::LowerThanOrEqual),
    (">=", Condition::GreaterThanOrEqual),
    ("!=", Condition::NotEqual),
    ("<", Condition::LowerThan),
    (">", Condition::GreaterThan),
    ("=", Condition::Equal),
];

/// Deepest nesting of `OR`/`AND`/`NOT`/primary levels Meilisearch's parser accepts.
const MAX_DEPTH: usize = 150;

/// Parses one non-blank filter string into an expression.
pub(crate) fn parse_expression(source: &Arc<str>) -> Result<FilterExpr, SyntaxError> {
    let parser = Parser {
        scan: Scanner { src: source },
        source: Arc::clone(source),
    };
    let end = parser.scan.end();
    match parser.or(0, 0) {
        Ok((pos, expr)) if pos == end => Ok(expr),
        Ok((pos, _)) => Err(SyntaxError {
            kind: SyntaxErrorKind::ExpectedEof,
            start: pos,
            end,
        }),
        Err(ParseFailure::Backtrack(error) | ParseFailure::Cut(error)) => Err(error),
        Err(ParseFailure::Incomplete) => Err(SyntaxError {
            kind: SyntaxErrorKind::Incomplete,
            start: 0,
            end,
        }),
    }
}

struct Parser<'a> {
    scan: Scanner<'a>,
    source: Arc<str>,
}

/// Returns from the enclosing function unless `$parsed` failed recoverably.
macro_rules! unless_backtrack {
    ($parsed:expr) => {
        match $parsed {
            Err(ParseFailure::Backtrack(_)) => {}
            decided => return decided,
        }
    };
}

impl Parser<'_> {
    fn depth_guard(&self, pos: usize, depth: usize) -> Result<(), ParseFailure> {
        if depth > MAX_DEPTH {
            return Err(backtrack(
                SyntaxErrorKind::DepthLimitReached,
                pos,
                self.scan.end(),
            ));
        }
        Ok(())
    }

    fn attribute(&self, token: Token) -> AttributeRef {
        AttributeRef::new(token.text, Arc::clone(&self.source), token.start..token.end)
    }

    /// A recoverable failure covering the rest of the input from `pos`.
    fn mismatch(&self, pos: usize) -> ParseFailure {
        backtrack(SyntaxErrorKind::InvalidPrimary, pos, self.scan.end())
    }

    fn or(&self, pos: usize, depth: usize) -> Parsed<FilterExpr> {
        self.joined(pos, depth, "OR", FilterExpr::Or, Self::and)
    }

    fn and(&self, pos: usize, depth: usize) -> Parsed<FilterExpr> {
        self.joined(pos, depth, "AND", FilterExpr::And, Self::not)
    }

    /// `operand (keyword operand)*`; once a keyword is read an operand must follow.
    fn joined(
        &self,
        pos: usize,
        depth: usize,
        keyword: &str,
        combine: fn(Vec<FilterExpr>) -> FilterExpr,
        operand: fn(&Self, usize, usize) -> Parsed<FilterExpr>,
    ) -> Parsed<FilterExpr> {
        self.depth_guard(pos, depth)?;
        let (mut pos, first) = operand(self, pos, depth + 1)?;
        let mut operands = vec![first];
        while let Some(after_keyword) = self.scan.spaced_word(pos, keyword) {
            let (after, next) =
                operand(self, after_keyword, depth + 1).map_err(ParseFailure::cut)?;
            operands.push(next);
            pos = after;
        }
        let expr = if operands.len() == 1 {
            operands.remove(0)
        } else {
            combine(operands)
        };
        Ok((pos, expr))
    }

    fn not(&self, pos: usize, depth: usize) -> Parsed<FilterExpr> {
        self.depth_guard(pos, depth)?;
        if let Some(after_not) = self.scan.spaced_word(pos, "NOT") {
            let (after, inner) = self.not(after_not, depth + 1).map_err(ParseFailure::cut)?;
            return Ok((after, inner.negate()));
        }
        self.primary(pos, depth + 1)
    }

    fn primary(&self, pos: usize, depth: usize) -> Parsed<FilterExpr> {
        self.depth_guard(pos, depth)?;
        match self.primary_alternatives(pos, depth) {
            Err(ParseFailure::Backtrack(_)) => Err(backtrack(
                SyntaxErrorKind::InvalidPrimary,
                pos,
                self.scan.end(),
            )),
            decided => decided,
        }
    }

    fn primary_alternatives(&self, pos: usize, depth: usize) -> Parsed<FilterExpr> {
        unless_backtrack!(self.parenthesised(pos, depth));
        unless_backtrack!(
            self.unsupported_word(pos, &["_geoRadius", "_geoBoundingBox", "_geoPolygon"])
        );
        unless_backtrack!(self.in_list(pos));
        unless_backtrack!(self.not_in_list(pos));
        let condition = self.comparison(pos);
        unless_backtrack!(condition.clone());
        unless_backtrack!(self.keyword_condition(pos, &["IS", "NULL"], Condition::Null, false));
        unless_backtrack!(self.keyword_condition(
            pos,
            &["IS", "NOT", "NULL"],
            Condition::Null,
            true
        ));
        unless_backtrack!(self.keyword_condition(pos, &["IS", "EMPTY"], Condition::Empty, false));
        unless_backtrack!(self.keyword_condition(
            pos,
            &["IS", "NOT", "EMPTY"],
            Condition::Empty,
            true
        ));
        unless_backtrack!(self.vectors(pos));
        unless_backtrack!(self.keyword_condition(pos, &["EXISTS"], Condition::Exists, false));
        unless_backtrack!(self.keyword_condition(pos, &["NOT", "EXISTS"], Condition::Exists, true));
        unless_backtrack!(self.range(pos));
        unless_backtrack!(self.text_condition(pos, "CONTAINS", Condition::Contains, false));
        unless_backtrack!(self.text_condition(pos, "CONTAINS", Condition::Contains, true));
        unless_backtrack!(self.text_condition(pos, "STARTS WITH", Condition::StartsWith, false));
        unless_backtrack!(self.text_condition(pos, "STARTS WITH", Condition::StartsWith, true));
        unless_backtrack!(self.unsupported_word(pos, &["_foreign"]));
        // A bare keyword in attribute position is reported as such rather than as a missing
        // operation.
        match condition {
            Err(ParseFailure::Backtrack(
                error @ SyntaxError {
                    kind:
                        SyntaxErrorKind::ExpectedValue {
                            reserved_keyword: true,
                        },
                    ..
                },
            )) => Err(ParseFailure::Cut(error)),
            _ => Err(self.mismatch(pos)),
        }
    }

    /// `( expression )`
    fn parenthesised(&self, pos: usize, depth: usize) -> Parsed<FilterExpr> {
        let open = self.scan.skip_separators(pos);
        let Some(after_open) = self.scan.literal(open, "(") else {
            return Err(self.mismatch(pos));
        };
        let inner_start = self.scan.skip_separators(after_open);
        let (after_inner, expr) = self.or(inner_start, depth + 1).map_err(ParseFailure::cut)?;
        let close = self.scan.skip_separators(after_inner);
        match self.scan.literal(close, ")") {
            Some(after_close) => Ok((self.scan.skip_separators(after_close), expr)),
            None => Err(cut(
                SyntaxErrorKind::MissingClosingDelimiter(')'),
                pos,
                self.scan.end(),
            )),
        }
    }

    /// Rejects an operation this engine does not evaluate, named by one of `words`.
    fn unsupported_word(&self, pos: usize, words: &[&'static str]) -> Parsed<FilterExpr> {
        let start = self.scan.skip_separators(pos);
        match words
            .iter()
            .find_map(|word| self.scan.exact_word(start, word).map(|end| (*word, end)))
        {
            Some((word, end)) => Err(cut(SyntaxErrorKind::Unsupported(word), start, end)),
            None => Err(self.mismatch(pos)),
        }
    }

    /// `_vectors EXISTS`, `_vectors NOT EXISTS`, `_vectors.<embedder>... EXISTS`
    fn vectors(&self, pos: usize) -> Parsed<FilterExpr> {
        let start = self.scan.skip_separators(pos);
        let Some(after_name) = self.scan.literal(start, "_vectors") else {
            return Err(self.mismatch(pos));
        };
        let unsupported = cut(SyntaxErrorKind::Unsupported("_vectors"), start, after_name);
        match self.scan.separators1(after_name) {
            Some(operation) => {
                let is_exists = self.scan.literal(operation, "EXISTS").is_some()
                    || self.scan.literal_pair(operation, "NOT", "EXISTS").is_some();
                if is_exists {
                    Err(unsupported)
                } else {
                    Err(cut(
                        SyntaxErrorKind::VectorFilterOperation,
                        operation,
                        self.scan.end(),
                    ))
                }
            }
            None if self.scan.literal(after_name, ".").is_some() => Err(unsupported),
            None => Err(self.mismatch(pos)),
        }
    }

    /// `IN [values]` after an attribute.
    fn in_body(&self, pos: usize) -> Parsed<Vec<String>> {
        let Some(after_in) = self.scan.spaced_word(pos, "IN") else {
            return Err(self.mismatch(pos));
        };
        let Some(list_start) = self.scan.literal(after_in, "[") else {
            return Err(cut(
                SyntaxErrorKind::InOpeningBracket,
                after_in,
                self.scan.end(),
            ));
        };
        let (list_end, values) = self.value_list(list_start)?;
        let close = self.scan.skip_separators(list_end);
        match self.scan.literal(close, "]") {
            Some(after_close) => Ok((self.scan.skip_separators(after_close), values)),
            None if list_end == self.scan.end() => Err(cut(
                SyntaxErrorKind::InClosingBracket,
                list_end,
                self.scan.end(),
            )),
            None => Err(cut(
                SyntaxErrorKind::InExpectedValue,
                list_end,
                self.scan.end(),
            )),
        }
    }

    /// `(value ("," value)* ","?)?`
    fn value_list(&self, pos: usize) -> Parsed<Vec<String>> {
        let (mut pos, first) = match self.scan.value(pos) {
            Ok(parsed) => parsed,
            Err(ParseFailure::Backtrack(_)) => return Ok((pos, Vec::new())),
            Err(decided) => return Err(decided),
        };
        let mut values = vec![first.text];
        while let Some(after_comma) = self.comma(pos) {
            match self.scan.value(after_comma) {
                Ok((after, value)) => {
                    values.push(value.text);
                    pos = after;
                }
                Err(ParseFailure::Backtrack(_)) => break,
                Err(decided) => return Err(decided),
            }
        }
        Ok((self.comma(pos).unwrap_or(pos), values))
    }

    /// A `,` with optional separators around it.
    fn comma(&self, pos: usize) -> Option<usize> {
        let comma = self.scan.skip_separators(pos);
        self.scan
            .literal(comma, ",")
            .map(|after| self.scan.skip_separators(after))
    }

    fn in_list(&self, pos: usize) -> Parsed<FilterExpr> {
        let (after_attribute, attribute) = self.scan.value(pos)?;
        let (after, values) = self.in_body(after_attribute)?;
        Ok((
            after,
            FilterExpr::In {
                attribute: self.attribute(attribute),
                values,
            },
        ))
    }

    fn not_in_list(&self, pos: usize) -> Parsed<FilterExpr> {
        let (after_attribute, attribute) = self.scan.value(pos)?;
        let Some(after_not) = self.scan.exact_word(after_attribute, "NOT") else {
            return Err(self.mismatch(pos));
        };
        let (after, values) = self.in_body(after_not)?;
        let in_list = FilterExpr::In {
            attribute: self.attribute(attribute),
            values,
        };
        Ok((after, in_list.negate()))
    }

    /// `attribute <op> value`
    fn comparison(&self, pos: usize) -> Parsed<FilterExpr> {
        let (after_attribute, attribute) = self.scan.value(pos)?;
        let Some((after_operator, build)) =
            COMPARISON_OPERATORS.iter().find_map(|(operator, build)| {
                self.scan
                    .literal(after_attribute, operator)
                    .map(|end| (end, build))
            })
        else {
            return Err(self.mismatch(pos));
        };
        let (after, value) = self.scan.value(after_operator).map_err(ParseFailure::cut)?;
        let condition = build(value.text);
        Ok((
            after,
            FilterExpr::Condition {
                attribute: self.attribute(attribute),
                condition,
            },
        ))
    }

    /// `attribute KEYWORD WS+ KEYWORD ...` (no operand), negated when `negated`.
    fn keyword_condition(
        &self,
        pos: usize,
        keywords: &[&str],
        condition: Condition,
        negated: bool,
    ) -> Parsed<FilterExpr> {
        let (after_attribute, attribute) = self.scan.value(pos)?;
        let mut cursor = after_attribute;
        for (index, keyword) in keywords.iter().enumerate() {
            if index > 0 {
                cursor = self
                    .scan
                    .separators1(cursor)
                    .ok_or_else(|| self.mismatch(pos))?;
            }
            cursor = self
                .scan
                .literal(cursor, keyword)
                .ok_or_else(|| self.mismatch(pos))?;
        }
        let expr = FilterExpr::Condition {
            attribute: self.attribute(attribute),
            condition,
        };
        Ok((cursor, if negated { expr.negate() } else { expr }))
    }

    /// `attribute [NOT WS+] KEYWORD value`, negated when `negated`.
    fn text_condition(
        &self,
        pos: usize,
        keyword: &str,
        build: ConditionBuilder,
        negated: bool,
    ) -> Parsed<FilterExpr> {
        let (after_attribute, attribute) = self.scan.value(pos)?;
        let after_keyword = if negated {
            self.scan.literal_pair(after_attribute, "NOT", keyword)
        } else {
            self.scan.literal(after_attribute, keyword)
        }
        .ok_or_else(|| self.mismatch(pos))?;
        let (after, value) = self.scan.value(after_keyword).map_err(ParseFailure::cut)?;
        let expr = FilterExpr::Condition {
            attribute: self.attribute(attribute),
            condition: build(value.text),
        };
        Ok((after, if negated { expr.negate() } else { expr }))
    }

    /// `attribute from TO WS+ to`
    fn range(&self, pos: usize) -> Parsed<FilterExpr> {
        let (after_attribute, attribute) = self.scan.value(pos)?;
        let (after_from, from) = self.scan.value(after_attribute)?;
        let after_to = self
            .scan
            .literal(after_from, "TO")
            .and_then(|after| self.scan.separators1(after))
            .ok_or_else(|| self.mismatch(pos))?;
        let (after, to) = self.scan.value(after_to).map_err(ParseFailure::cut)?;
        let condition = Condition::Between {
            from: from.text,
            to: to.text,
        };
        Ok((
            after,
            FilterExpr::Condition {
                attribute: self.attribute(attribute),
                condition,
            },
        ))
    }
}
