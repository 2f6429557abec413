//! Turning the `q` string into located query terms.
//!
//! Each word of the query becomes a term at a query position (1 apart, 8 apart across a
//! hard separator). Stop words are skipped unless they are the last word. The last word is
//! a prefix term unless the query ends with a separator. At most [`MAX_QUERY_TERMS`] terms
//! are kept, as in Meilisearch.

use super::tokenize::WordReader;
use super::typo::{TypoSettings, MAX_TYPO_WORD_CHARS};

/// Meilisearch's default limit on the number of query words.
pub(super) const MAX_QUERY_TERMS: usize = 10;

/// One word of the query with what it may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct QueryTerm {
    /// Normalised word.
    pub text: String,
    /// The word's characters, for the edit distance.
    pub chars: Vec<char>,
    /// Position of the word in the query.
    pub position: u32,
    /// Whether document words starting with this word match it.
    pub is_prefix: bool,
    /// Typos allowed for this word (0, 1 or 2).
    pub max_typos: u8,
}

impl QueryTerm {
    /// Highest typo cost this term can have in the `typo` rule: 1 for words allowed no typo
    /// (a word split in two counts as one typo), otherwise the allowed typos.
    pub(super) fn max_typo_cost(&self) -> u32 {
        u32::from(self.max_typos.max(1))
    }
}

/// Parses a query into its terms; an empty result means a placeholder search.
pub(super) fn parse_query(
    query: &str,
    typo_settings: &TypoSettings,
    stop_words: &[String],
) -> Vec<QueryTerm> {
    let mut reader = WordReader::new(query, 0);
    let mut word = String::new();
    let mut terms = Vec::new();
    while let Some(token) = reader.next_word(&mut word) {
        if terms.len() >= MAX_QUERY_TERMS {
            break;
        }
        let is_last = token.byte_end == query.len();
        if !is_last && stop_words.iter().any(|stop| stop == &word) {
            continue;
        }
        let chars: Vec<char> = word.chars().collect();
        let max_typos = if chars.len() > MAX_TYPO_WORD_CHARS {
            0
        } else {
            typo_settings.max_typos_for(&word)
        };
        terms.push(QueryTerm {
            text: word.clone(),
            chars,
            position: token.position,
            is_prefix: is_last,
            max_typos,
        });
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_word_is_a_prefix_and_typos_follow_word_length() {
        let terms = parse_query("Dark knight", &TypoSettings::default(), &[]);
        assert_eq!(terms.len(), 2);
        assert_eq!((terms[0].text.as_str(), terms[0].position), ("dark", 0));
        assert_eq!((terms[1].text.as_str(), terms[1].position), ("knight", 1));
        assert!(!terms[0].is_prefix && terms[1].is_prefix);
        assert_eq!((terms[0].max_typos, terms[1].max_typos), (0, 1));
        assert_eq!((terms[0].max_typo_cost(), terms[1].max_typo_cost()), (1, 1));
        let long = parse_query("intersteller", &TypoSettings::default(), &[]);
        assert_eq!(long[0].max_typos, 2);
    }

    #[test]
    fn trailing_separator_disables_prefix() {
        let terms = parse_query("knight ", &TypoSettings::default(), &[]);
        assert!(!terms[0].is_prefix);
    }

    #[test]
    fn stop_words_are_skipped_except_last_but_keep_positions() {
        let stop_words = vec!["the".to_owned()];
        let terms = parse_query("the dark. the", &TypoSettings::default(), &stop_words);
        let texts: Vec<(&str, u32)> = terms
            .iter()
            .map(|t| (t.text.as_str(), t.position))
            .collect();
        assert_eq!(texts, vec![("dark", 1), ("the", 9)]);
    }

    #[test]
    fn placeholder_and_word_limit() {
        assert!(parse_query("  ,, ", &TypoSettings::default(), &[]).is_empty());
        let many = parse_query("a b c d e f g h i j k l", &TypoSettings::default(), &[]);
        assert_eq!(many.len(), MAX_QUERY_TERMS);
        assert!(!many[9].is_prefix);
    }
}
