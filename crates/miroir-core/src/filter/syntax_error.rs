//! Parse failures with Meilisearch's backtracking semantics and diagnostic texts.
//!
//! Meilisearch's parser is built from `nom` combinators, and which message a malformed filter
//! gets depends on nom's two failure flavours, which this parser reproduces:
//! a recoverable [`ParseFailure::Backtrack`] lets an enclosing alternative try its next branch,
//! while a [`ParseFailure::Cut`] (after a point of no return, e.g. an operator was read) ends
//! parsing with that error. [`ParseFailure::Incomplete`] comes from a value ending in the middle
//! of an escape sequence and always ends parsing.

use super::error::{FilterError, FilterErrorKind};

/// Why a fragment of the filter string was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyntaxErrorKind {
    /// A value (attribute or operand) was expected; `reserved_keyword` when a bare keyword
    /// stood where the value should be.
    ExpectedValue { reserved_keyword: bool },
    /// A value with an escape sequence that does not denote a character.
    MalformedValue,
    /// A quote or parenthesis was opened and never closed.
    MissingClosingDelimiter(char),
    /// No operation could be recognised.
    InvalidPrimary,
    /// An escape sequence with invalid digits (`\xZZ`, `\u{..}`).
    InvalidEscapedNumber,
    /// A complete expression was followed by more text.
    ExpectedEof,
    /// A value ends inside an escape sequence.
    Incomplete,
    /// `IN` not followed by `[`.
    InOpeningBracket,
    /// `IN [..` never closed.
    InClosingBracket,
    /// Something other than a value inside `IN [..]`.
    InExpectedValue,
    /// `_geo`, `_geoPoint` or `_geoDistance` used as a value.
    ReservedGeo(&'static str),
    /// `_geoRadius` used as a value.
    MisusedGeoRadius,
    /// `_geoBoundingBox` used as a value.
    MisusedGeoBoundingBox,
    /// `_vectors` followed by something other than `EXISTS` / `NOT EXISTS`.
    VectorFilterOperation,
    /// Too many nested parentheses / `NOT`s.
    DepthLimitReached,
    /// A filter feature this engine does not evaluate (`_geoRadius`, `_vectors`, ...).
    Unsupported(&'static str),
}

/// A rejected fragment: what is wrong and where (byte range in the filter string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) kind: SyntaxErrorKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// How a parsing step failed (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseFailure {
    /// Recoverable: an enclosing alternative may try another branch.
    Backtrack(SyntaxError),
    /// Final: parsing stops with this error.
    Cut(SyntaxError),
    /// Final: the whole filter is reported incomplete.
    Incomplete,
}

/// Result of a parsing step: the position after what was parsed, and the parsed item.
pub(crate) type Parsed<T> = Result<(usize, T), ParseFailure>;

impl ParseFailure {
    /// Turns a recoverable failure into a final one (nom's `cut`).
    pub(crate) fn cut(self) -> Self {
        match self {
            Self::Backtrack(error) => Self::Cut(error),
            other => other,
        }
    }
}

/// A recoverable failure of `kind` on `start..end`.
pub(crate) fn backtrack(kind: SyntaxErrorKind, start: usize, end: usize) -> ParseFailure {
    ParseFailure::Backtrack(SyntaxError { kind, start, end })
}

/// A final failure of `kind` on `start..end`.
pub(crate) fn cut(kind: SyntaxErrorKind, start: usize, end: usize) -> ParseFailure {
    ParseFailure::Cut(SyntaxError { kind, start, end })
}

impl SyntaxError {
    /// The public error, with Meilisearch's diagnostic and position line for `source`.
    pub(crate) fn into_filter_error(self, source: &str) -> FilterError {
        let fragment = source.get(self.start..self.end).unwrap_or_default();
        let kind = match self.kind {
            SyntaxErrorKind::Unsupported(_) => FilterErrorKind::Unsupported,
            _ => FilterErrorKind::Syntax,
        };
        FilterError::at_position(
            kind,
            &diagnostic(self.kind, fragment),
            source,
            self.start,
            self.end,
        )
    }
}

/// Meilisearch's first message line for an error of `kind` on `fragment`.
fn diagnostic(kind: SyntaxErrorKind, fragment: &str) -> String {
    let escaped = fragment.escape_debug();
    match kind {
        SyntaxErrorKind::ExpectedValue { .. } if fragment.trim().is_empty() => {
            "Was expecting a value but instead got nothing.".to_owned()
        }
        SyntaxErrorKind::ExpectedValue { reserved_keyword: true } => format!(
            "Was expecting a value but instead got `{escaped}`, which is a reserved keyword. To use `{escaped}` as a field name or a value, surround it by quotes."
        ),
        SyntaxErrorKind::ExpectedValue { reserved_keyword: false } => {
            format!("Was expecting a value but instead got `{escaped}`.")
        }
        SyntaxErrorKind::MalformedValue => format!("Malformed value: `{escaped}`."),
        SyntaxErrorKind::MissingClosingDelimiter(delimiter) => format!(
            "Expression `{escaped}` is missing the following closing delimiter: `{delimiter}`."
        ),
        SyntaxErrorKind::InvalidPrimary => {
            let found = if fragment.trim().is_empty() {
                "but instead got nothing.".to_owned()
            } else {
                format!("at `{escaped}`.")
            };
            format!("Was expecting an operation `=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `TO`, `EXISTS`, `NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY`, `IS NOT EMPTY`, `CONTAINS`, `NOT CONTAINS`, `STARTS WITH`, `NOT STARTS WITH`, `_geoRadius`, `_geoBoundingBox` or `_geoPolygon` {found}")
        }
        SyntaxErrorKind::InvalidEscapedNumber => {
            format!("Found an invalid escaped sequence number: `{escaped}`.")
        }
        SyntaxErrorKind::ExpectedEof => format!(
            "Found unexpected characters at the end of the filter: `{escaped}`. You probably forgot an `OR` or an `AND` rule."
        ),
        SyntaxErrorKind::Incomplete => {
            "The filter is incomplete and requires Unknown additional bytes to be parsed."
                .to_owned()
        }
        SyntaxErrorKind::InOpeningBracket => "Expected `[` after `IN` keyword.".to_owned(),
        SyntaxErrorKind::InClosingBracket => {
            "Expected matching `]` after the list of field names given to `IN[`".to_owned()
        }
        SyntaxErrorKind::InExpectedValue => format!(
            "Expected only comma-separated field names inside `IN[..]` but instead found `{escaped}`."
        ),
        SyntaxErrorKind::ReservedGeo(name) => format!(
            "`{name}` is a reserved keyword and thus can't be used as a filter expression. Use the `_geoRadius(latitude, longitude, distance)` or `_geoBoundingBox([latitude, longitude], [latitude, longitude])` built-in rules to filter on `_geo` coordinates."
        ),
        SyntaxErrorKind::MisusedGeoRadius => {
            "The `_geoRadius` filter is an operation and can't be used as a value.".to_owned()
        }
        SyntaxErrorKind::MisusedGeoBoundingBox => {
            "The `_geoBoundingBox` filter is an operation and can't be used as a value."
                .to_owned()
        }
        SyntaxErrorKind::VectorFilterOperation => {
            "Was expecting an operation like `EXISTS` or `NOT EXISTS` after the vector filter."
                .to_owned()
        }
        SyntaxErrorKind::DepthLimitReached => "The filter exceeded the maximum depth limit. Try rewriting the filter so that it contains fewer nested conditions.".to_owned(),
        SyntaxErrorKind::Unsupported(feature) => format!(
            "The `{feature}` filter is not supported by Miroir's filter engine."
        ),
    }
}
