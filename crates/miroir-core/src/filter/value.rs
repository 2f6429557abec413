//! Values: attribute names and operands, unquoted words or `'..'` / `".."` strings.
//!
//! ```text
//! value = WS* ( word | "'" chars "'" | '"' chars '"' ) WS*      (word: alphanumeric, _ - .)
//! ```
//! A value is unescaped twice, like Meilisearch does: first `\<quote>` inside a quoted string,
//! then the general escape sequences (`\n`, `\x41`, `\u{1F600}`, ...). Before any of that, the
//! geo functions are rejected as values.

use super::lexical::{is_keyword, unescape, UnescapeError};
use super::scanner::Scanner;
use super::syntax_error::{backtrack, cut, ParseFailure, Parsed, SyntaxErrorKind};

/// A parsed value: its unescaped text and the byte range of its written text (inside the
/// quotes when quoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Scanner<'_> {
    /// Parses a value at `pos`, skipping whitespace before and separators after it.
    pub(crate) fn value(&self, pos: usize) -> Parsed<Token> {
        let start = self.skip_whitespace(pos);
        self.reject_geo_value(start)?;
        let (after, raw) = match self.rest(start).chars().next() {
            Some(quote @ ('\'' | '"')) => self.quoted(start, quote)?,
            _ => self.bare_word(start)?,
        };
        let after = self.skip_separators(after);
        let text = match unescape(&raw.text) {
            Ok(text) => text,
            Err(UnescapeError::Incomplete) => return Err(ParseFailure::Incomplete),
            Err(UnescapeError::InvalidNumber) => {
                return Err(backtrack(
                    SyntaxErrorKind::InvalidEscapedNumber,
                    raw.start,
                    raw.end,
                ))
            }
            Err(UnescapeError::InvalidChar) => {
                return Err(backtrack(
                    SyntaxErrorKind::MalformedValue,
                    raw.start,
                    raw.end,
                ))
            }
        };
        Ok((after, Token { text, ..raw }))
    }

    /// Fails for the geo functions written where a value is expected.
    fn reject_geo_value(&self, start: usize) -> Result<(), ParseFailure> {
        let rest_end = self.end();
        let reserved = if self.literal(start, "_geoPoint").is_some() {
            Some(SyntaxErrorKind::ReservedGeo("_geoPoint"))
        } else if self.literal(start, "_geoDistance").is_some() {
            Some(SyntaxErrorKind::ReservedGeo("_geoDistance"))
        } else if self.exact_word(start, "_geo").is_some() {
            Some(SyntaxErrorKind::ReservedGeo("_geo"))
        } else if self.exact_word(start, "_geoRadius").is_some() {
            Some(SyntaxErrorKind::MisusedGeoRadius)
        } else if self.exact_word(start, "_geoBoundingBox").is_some() {
            Some(SyntaxErrorKind::MisusedGeoBoundingBox)
        } else {
            None
        };
        match reserved {
            Some(kind) => Err(cut(kind, start, rest_end)),
            None => Ok(()),
        }
    }

    /// A string between `quote`s starting at `start`; `\<quote>` stands for the quote.
    fn quoted(&self, start: usize, quote: char) -> Parsed<Token> {
        let content_start = start + quote.len_utf8();
        let content = self.rest(content_start);
        let mut escaped_quote = false;
        let mut chars = content.char_indices();
        while let Some((offset, c)) = chars.next() {
            if c == quote {
                let written = &content[..offset];
                let text = if escaped_quote {
                    written.replace(&format!("\\{quote}"), &quote.to_string())
                } else {
                    written.to_owned()
                };
                let end = content_start + offset;
                let token = Token {
                    text,
                    start: content_start,
                    end,
                };
                return Ok((end + quote.len_utf8(), token));
            }
            if c == '\\' {
                match chars.next() {
                    Some((_, escaped)) => escaped_quote |= escaped == quote,
                    None => {
                        return Err(cut(
                            SyntaxErrorKind::MalformedValue,
                            content_start,
                            self.end(),
                        ))
                    }
                }
            }
        }
        Err(cut(
            SyntaxErrorKind::MissingClosingDelimiter(quote),
            start,
            self.end(),
        ))
    }

    /// An unquoted word that is not a keyword.
    fn bare_word(&self, start: usize) -> Parsed<Token> {
        let end = self.word_end(start);
        let word = self.src.get(start..end).unwrap_or_default();
        if word.is_empty() || is_keyword(word) {
            let kind = SyntaxErrorKind::ExpectedValue {
                reserved_keyword: !word.is_empty(),
            };
            return Err(backtrack(kind, start, self.error_word_end(start)));
        }
        Ok((
            end,
            Token {
                text: word.to_owned(),
                start,
                end,
            },
        ))
    }
}
