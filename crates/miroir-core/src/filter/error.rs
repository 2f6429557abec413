//! Filter errors, worded exactly like Meilisearch's `invalid_search_filter` messages.
//!
//! A Meilisearch filter error message has two lines: a diagnostic, then the position of the
//! offending fragment and the whole source it was found in:
//!
//! ```text
//!   Was expecting a value but instead got nothing.
//!   7:7 year >
//!   ^ ^ └ the source string, verbatim
//!   │ └ start column + number of chars of the fragment
//!   └ 1-based column (in chars, counted from the last newline) where the fragment starts
//! ```

use serde_json::Value;

use super::ast::AttributeRef;

/// Which family of problem a [`FilterError`] reports. Meilisearch reports all of them with the
/// same error code (`invalid_search_filter`, or `invalid_document_filter` on document routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterErrorKind {
    /// The filter string does not follow the filter grammar.
    Syntax,
    /// The filter is neither a string nor an array of strings / arrays of strings.
    InvalidType,
    /// The filter references an attribute that is not filterable.
    NotFilterable,
    /// The filter uses a Meilisearch feature this engine does not evaluate (geo, vector and
    /// foreign filters); the message is Miroir's own.
    Unsupported,
}

/// A rejected filter, carrying Meilisearch's exact message text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    kind: FilterErrorKind,
    message: String,
}

impl FilterError {
    /// The full message, including the `\n<start>:<end> <source>` position line when the error
    /// points into a filter string.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The family of the error.
    pub fn kind(&self) -> FilterErrorKind {
        self.kind
    }

    /// Meilisearch's "attribute is not filterable" error for `attribute`, listing the
    /// filterable attribute patterns (sorted and deduplicated, as Meilisearch does).
    ///
    /// Meilisearch prefixes it with ``Index `<uid>`: `` when it reports it for an index; that
    /// prefix is the caller's to add. The position line points into `attribute`'s source, so for
    /// search requests pass an attribute of [`Filter::canonicalized`](super::Filter::canonicalized)
    /// (Meilisearch re-renders search filters before checking them).
    pub fn attribute_not_filterable(
        attribute: &AttributeRef,
        filterable_patterns: &[impl AsRef<str>],
    ) -> Self {
        let mut patterns: Vec<&str> = filterable_patterns.iter().map(AsRef::as_ref).collect();
        patterns.sort_unstable();
        patterns.dedup();
        let mut message = format!("Attribute `{}` is not filterable.", attribute.name());
        if patterns.is_empty() {
            message.push_str(" This index does not have configured filterable attributes.");
        } else {
            let listed: Vec<String> = patterns
                .iter()
                .map(|pattern| format!("`{pattern}`"))
                .collect();
            message.push_str(" Available filterable attribute patterns are: ");
            message.push_str(&listed.join(", "));
            message.push('.');
        }
        message.push('\n');
        message.push_str(&attribute.position());
        Self {
            kind: FilterErrorKind::NotFilterable,
            message,
        }
    }

    /// Meilisearch's error for a filter (or filter sub-expression) of the wrong JSON type;
    /// `expected` lists the accepted types the way Meilisearch names them.
    pub(crate) fn invalid_type(expected: &[&str], found: &Value) -> Self {
        let message = format!(
            "Invalid type for filter subexpression: expected: {}, found: {found}.",
            expected.join(", ")
        );
        Self {
            kind: FilterErrorKind::InvalidType,
            message,
        }
    }

    /// An error at a position of a filter string: `diagnostic` then the position line.
    pub(crate) fn at_position(
        kind: FilterErrorKind,
        diagnostic: &str,
        source: &str,
        byte_start: usize,
        byte_end: usize,
    ) -> Self {
        let message = format!(
            "{diagnostic}\n{}",
            position_line(source, byte_start, byte_end)
        );
        Self { kind, message }
    }
}

/// Meilisearch's position line for the fragment `source[byte_start..byte_end]`:
/// `<column>:<column + chars in fragment> <source>`, the column being 1-based and counted in
/// chars from the last newline before the fragment.
pub(crate) fn position_line(source: &str, byte_start: usize, byte_end: usize) -> String {
    let before = source.get(..byte_start).unwrap_or(source);
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before
        .get(line_start..)
        .map_or(0, |line| line.chars().count())
        + 1;
    let fragment_chars = source
        .get(byte_start..byte_end)
        .map_or(0, |f| f.chars().count());
    format!("{column}:{} {source}", column + fragment_chars)
}
