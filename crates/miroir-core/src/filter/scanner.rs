//! Position-based scanning primitives over a filter string (byte offsets, always on char
//! boundaries). Each returns the position after what it recognised.

use super::lexical::{is_separator_space, is_syntax_char, is_value_char};

/// A filter string being parsed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scanner<'a> {
    pub(crate) src: &'a str,
}

impl<'a> Scanner<'a> {
    /// The unparsed text from `pos`.
    pub(crate) fn rest(&self, pos: usize) -> &'a str {
        self.src.get(pos..).unwrap_or_default()
    }

    /// Byte length of the whole string.
    pub(crate) fn end(&self) -> usize {
        self.src.len()
    }

    /// Position after the longest prefix of `rest(pos)` whose chars satisfy `keep`.
    fn skip_while(&self, pos: usize, keep: impl Fn(char) -> bool) -> usize {
        let rest = self.rest(pos);
        pos + rest.find(|c: char| !keep(c)).unwrap_or(rest.len())
    }

    /// Skips separator whitespace (possibly none).
    pub(crate) fn skip_separators(&self, pos: usize) -> usize {
        self.skip_while(pos, is_separator_space)
    }

    /// Skips at least one separator whitespace, or `None`.
    pub(crate) fn separators1(&self, pos: usize) -> Option<usize> {
        let after = self.skip_separators(pos);
        (after > pos).then_some(after)
    }

    /// Skips Unicode whitespace (possibly none).
    pub(crate) fn skip_whitespace(&self, pos: usize) -> usize {
        self.skip_while(pos, char::is_whitespace)
    }

    /// End of the unquoted word starting at `pos` (`pos` itself when there is none).
    pub(crate) fn word_end(&self, pos: usize) -> usize {
        self.skip_while(pos, is_value_char)
    }

    /// End of the fragment quoted by "expected a value" errors: up to whitespace or an
    /// operator character.
    pub(crate) fn error_word_end(&self, pos: usize) -> usize {
        self.skip_while(pos, |c| !is_syntax_char(c))
    }

    /// The whole unquoted word at `pos`, if it is exactly `word`.
    pub(crate) fn exact_word(&self, pos: usize, word: &str) -> Option<usize> {
        let end = self.word_end(pos);
        (end > pos && self.src.get(pos..end) == Some(word)).then_some(end)
    }

    /// `exact_word` surrounded by optional separators (both sides consumed).
    pub(crate) fn spaced_word(&self, pos: usize, word: &str) -> Option<usize> {
        let start = self.skip_separators(pos);
        self.exact_word(start, word)
            .map(|end| self.skip_separators(end))
    }

    /// `rest(pos)` starts with `literal` (a plain prefix: `TO` matches the start of `TO1000`).
    pub(crate) fn literal(&self, pos: usize, literal: &str) -> Option<usize> {
        self.rest(pos)
            .starts_with(literal)
            .then_some(pos + literal.len())
    }

    /// The keyword sequence `first WS+ second` (e.g. `IS NOT`), as plain prefixes.
    pub(crate) fn literal_pair(&self, pos: usize, first: &str, second: &str) -> Option<usize> {
        let after_first = self.literal(pos, first)?;
        let after_space = self.separators1(after_first)?;
        self.literal(after_space, second)
    }
}
