//! Splitting one text value into positioned, normalised words without allocating.
//!
//! ```text
//! "Mad Max: Fury Road. Again"
//!  mad(0) max(1) fury(2) road(3) again(11)   <- `.` is a hard separator: +8
//! ```
//! The first word of a value gets the starting position given by the caller; every
//! following word is 1 further, or 8 further when a hard separator precedes it.

use super::normalize::{classify, push_normalized, CharClass};

/// Distance added between words separated by a hard separator, and between two values of
/// the same field (Meilisearch's `MAX_DISTANCE`).
pub(super) const HARD_SEPARATOR_DISTANCE: u32 = 8;

/// One word of a text value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct WordToken {
    /// Byte offset of the word's first character in the original text.
    pub byte_start: usize,
    /// Byte offset just past the word's last character in the original text.
    pub byte_end: usize,
    /// Word position inside its field.
    pub position: u32,
}

/// Iterator-like reader of the words of one text; the normalised word is written into a
/// caller-owned buffer so that scanning many documents reuses one allocation.
pub(super) struct WordReader<'t> {
    text: &'t str,
    cursor: usize,
    next_base: u32,
    seen_word: bool,
}

impl<'t> WordReader<'t> {
    /// Starts reading `text`; its first word gets `start_position`.
    pub(super) fn new(text: &'t str, start_position: u32) -> Self {
        Self {
            text,
            cursor: 0,
            next_base: start_position,
            seen_word: false,
        }
    }

    /// Reads the next word, writing its normalised form into `normalized` (cleared first).
    pub(super) fn next_word(&mut self, normalized: &mut String) -> Option<WordToken> {
        normalized.clear();
        let rest = &self.text[self.cursor..];
        let mut hard_separator_seen = false;
        let mut word_start = None;
        let mut word_end = self.text.len();
        for (offset, character) in rest.char_indices() {
            let absolute = self.cursor + offset;
            match classify(character) {
                CharClass::Word => {
                    if word_start.is_none() {
                        word_start = Some(absolute);
                    }
                    push_normalized(character, normalized);
                }
                separator => {
                    if word_start.is_some() {
                        word_end = absolute;
                        break;
                    }
                    hard_separator_seen |= separator == CharClass::HardSeparator;
                }
            }
        }
        let byte_start = word_start?;
        self.cursor = word_end;
        let position = if self.seen_word {
            let gap = if hard_separator_seen {
                HARD_SEPARATOR_DISTANCE
            } else {
                1
            };
            self.next_base + gap
        } else {
            self.next_base
        };
        self.seen_word = true;
        self.next_base = position;
        Some(WordToken {
            byte_start,
            byte_end: word_end,
            position,
        })
    }

    /// Position of the last word read, if any word was read.
    pub(super) fn last_position(&self) -> Option<u32> {
        self.seen_word.then_some(self.next_base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, start: u32) -> Vec<(String, u32)> {
        let mut reader = WordReader::new(text, start);
        let mut buffer = String::new();
        let mut out = Vec::new();
        while let Some(token) = reader.next_word(&mut buffer) {
            out.push((buffer.clone(), token.position));
        }
        out
    }

    #[test]
    fn soft_separators_are_one_position_apart() {
        assert_eq!(
            words("Mad Max: Fury Road", 0),
            vec![
                ("mad".into(), 0),
                ("max".into(), 1),
                ("fury".into(), 2),
                ("road".into(), 3)
            ]
        );
    }

    #[test]
    fn hard_separators_are_eight_positions_apart() {
        assert_eq!(
            words("One. Two", 16),
            vec![("one".into(), 16), ("two".into(), 24)]
        );
    }

    #[test]
    fn byte_offsets_point_into_the_original_text() {
        let text = "  Éclair-au café";
        let mut reader = WordReader::new(text, 0);
        let mut buffer = String::new();
        let first = reader.next_word(&mut buffer).unwrap();
        assert_eq!(&text[first.byte_start..first.byte_end], "Éclair");
        assert_eq!(buffer, "eclair");
        reader.next_word(&mut buffer).unwrap();
        let third = reader.next_word(&mut buffer).unwrap();
        assert_eq!(&text[third.byte_start..third.byte_end], "café");
        assert_eq!(third.position, 2);
        assert_eq!(reader.last_position(), Some(2));
        assert!(reader.next_word(&mut buffer).is_none());
    }
}
