//! Finding where each query term occurs in one document.
//!
//! The matcher tokenises every searchable leaf value on the fly (no per-word allocation:
//! one reusable buffer per matcher) and records an [`Occurrence`] for every (word, term)
//! pair that matches: exactly, by prefix (last term only), with typos, or as the two
//! halves of a word split in two (`darkknight` ~ `dark knight`, one typo). Positions are
//! per field: values of the same field (array items) are 8 positions apart, as in
//! Meilisearch's indexer. Stop words take a position but never match.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::fields::{visit_searchable_leaves, SearchableAttributes};
use super::query::QueryTerm;
use super::tokenize::{WordReader, HARD_SEPARATOR_DISTANCE};
use super::typo::{typo_cost, DistanceScratch, TypoSettings};

/// One place where a query term matches a document word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Occurrence {
    /// Index of the query term.
    pub term: usize,
    /// Index of the field in [`DocumentMatches::fields`].
    pub field: usize,
    /// Position of the (first) matched word inside its field.
    pub position: u32,
    /// Typos this match costs (0, 1 or 2).
    pub typos: u8,
    /// Whether the document word is exactly the query word (no prefix, no typo).
    pub exact: bool,
}

/// A searchable field met while scanning a document.
#[derive(Debug, Clone, Default)]
pub(super) struct FieldStats {
    path: String,
    /// Weight of the field in `searchableAttributes` (lower is better).
    pub weight: u16,
    /// Number of indexed (non stop word) words in the field.
    pub word_count: u32,
    last_position: Option<u32>,
}

/// Everything the ranking rules need to know about one document.
#[derive(Debug, Default)]
pub(super) struct DocumentMatches {
    /// All matches, in document order.
    pub occurrences: Vec<Occurrence>,
    /// The fields met, in document order (only the first `field_count` are live).
    fields: Vec<FieldStats>,
    field_count: usize,
}

impl DocumentMatches {
    /// The searchable fields of the scanned document.
    pub(super) fn fields(&self) -> &[FieldStats] {
        &self.fields[..self.field_count]
    }

    fn reset(&mut self) {
        self.occurrences.clear();
        self.field_count = 0;
    }

    /// Index of the field at `path`, creating it if needed (reusing old allocations).
    fn field_index(&mut self, path: &str, weight: u16) -> usize {
        if let Some(index) = self.fields().iter().position(|field| field.path == path) {
            return index;
        }
        if self.field_count == self.fields.len() {
            self.fields.push(FieldStats::default());
        }
        let field = &mut self.fields[self.field_count];
        field.path.clear();
        field.path.push_str(path);
        field.weight = weight;
        field.word_count = 0;
        field.last_position = None;
        self.field_count += 1;
        self.field_count - 1
    }
}

/// Scans documents for one query; reuse one matcher for every document of a search.
pub(super) struct DocumentMatcher<'q> {
    terms: &'q [QueryTerm],
    attributes: SearchableAttributes<'q>,
    typo_settings: &'q TypoSettings,
    stop_words: &'q [String],
    any_typo_allowed: bool,
    path_buffer: String,
    number_buffer: String,
    word: String,
    previous_word: String,
    word_chars: Vec<char>,
    scratch: DistanceScratch,
}

impl<'q> DocumentMatcher<'q> {
    /// Prepares a matcher for `terms` (normalised `stop_words`).
    pub(super) fn new(
        terms: &'q [QueryTerm],
        attributes: SearchableAttributes<'q>,
        typo_settings: &'q TypoSettings,
        stop_words: &'q [String],
    ) -> Self {
        Self {
            terms,
            attributes,
            typo_settings,
            stop_words,
            any_typo_allowed: terms.iter().any(|term| term.max_typos > 0),
            path_buffer: String::new(),
            number_buffer: String::new(),
            word: String::new(),
            previous_word: String::new(),
            word_chars: Vec::new(),
            scratch: DistanceScratch::default(),
        }
    }

    /// Scans `document`, replacing the content of `matches`.
    pub(super) fn scan(&mut self, document: &Map<String, Value>, matches: &mut DocumentMatches) {
        matches.reset();
        let mut path_buffer = std::mem::take(&mut self.path_buffer);
        visit_searchable_leaves(
            document,
            self.attributes,
            &mut path_buffer,
            &mut |path, weight, leaf| {
                self.scan_leaf(path, weight, leaf, matches);
            },
        );
        self.path_buffer = path_buffer;
    }

    fn scan_leaf(&mut self, path: &str, weight: u16, leaf: &Value, matches: &mut DocumentMatches) {
        let field = matches.field_index(path, weight);
        let start = match matches.fields[field].last_position {
            None => 0,
            Some(last) => last + HARD_SEPARATOR_DISTANCE,
        };
        matches.fields[field].last_position = Some(start);
        let mut number_buffer = std::mem::take(&mut self.number_buffer);
        let text: &str = match leaf {
            Value::String(text) => text,
            Value::Number(number) => {
                number_buffer.clear();
                // Writing into a String cannot fail.
                let _ = write!(number_buffer, "{number}");
                &number_buffer
            }
            Value::Bool(true) => "true",
            Value::Bool(false) => "false",
            _ => "",
        };
        let typos_allowed = self.any_typo_allowed && !self.typo_settings.disabled_on_field(path);
        let mut reader = WordReader::new(text, start);
        let mut previous_position = None;
        let mut word = std::mem::take(&mut self.word);
        while let Some(token) = reader.next_word(&mut word) {
            if self.stop_words.iter().any(|stop| stop == &word) {
                previous_position = None;
                continue;
            }
            matches.fields[field].word_count += 1;
            self.match_word(
                &word,
                token.position,
                field,
                typos_allowed,
                previous_position,
                matches,
            );
            std::mem::swap(&mut self.previous_word, &mut word);
            previous_position = Some(token.position);
        }
        self.word = word;
        if let Some(last) = reader.last_position() {
            matches.fields[field].last_position = Some(last);
        }
        self.number_buffer = number_buffer;
    }

    fn match_word(
        &mut self,
        word: &str,
        position: u32,
        field: usize,
        typos_allowed: bool,
        previous_position: Option<u32>,
        matches: &mut DocumentMatches,
    ) {
        let typos_allowed = typos_allowed
            && (self.typo_settings.typos_on_numbers() || !word.bytes().all(|b| b.is_ascii_digit()));
        let mut chars_ready = false;
        for (term_index, term) in self.terms.iter().enumerate() {
            let found = if word == term.text {
                Some((0, true))
            } else if term.is_prefix && word.starts_with(term.text.as_str()) {
                Some((0, false))
            } else if typos_allowed && term.max_typos > 0 {
                if !chars_ready {
                    self.word_chars.clear();
                    self.word_chars.extend(word.chars());
                    chars_ready = true;
                }
                typo_cost(
                    &term.chars,
                    &self.word_chars,
                    term.is_prefix,
                    term.max_typos,
                    &mut self.scratch,
                )
                .map(|typos| (typos, false))
            } else {
                None
            };
            if let Some((typos, exact)) = found {
                matches.occurrences.push(Occurrence {
                    term: term_index,
                    field,
                    position,
                    typos,
                    exact,
                });
            } else if let Some(previous) = previous_position.filter(|p| p + 1 == position) {
                // A query word split in two consecutive document words costs one typo.
                let split = term.text.strip_prefix(self.previous_word.as_str());
                if split == Some(word) && !self.previous_word.is_empty() {
                    matches.occurrences.push(Occurrence {
                        term: term_index,
                        field,
                        position: previous,
                        typos: 1,
                        exact: false,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse_query;

    fn scan(query: &str, document: Value) -> (Vec<Occurrence>, Vec<(String, u32)>) {
        let settings = TypoSettings::default();
        let stop_words = vec!["the".to_owned()];
        let terms = parse_query(query, &settings, &stop_words);
        let all = vec!["*".to_owned()];
        let mut matcher = DocumentMatcher::new(
            &terms,
            SearchableAttributes::new(&all),
            &settings,
            &stop_words,
        );
        let mut matches = DocumentMatches::default();
        matcher.scan(document.as_object().unwrap(), &mut matches);
        let fields = matches
            .fields()
            .iter()
            .map(|f| (f.path.clone(), f.word_count))
            .collect();
        (matches.occurrences.clone(), fields)
    }

    #[test]
    fn array_items_are_eight_positions_apart() {
        let (occurrences, fields) = scan(
            "fi",
            serde_json::json!({"genres": ["Adventure", "Drama", "Science Fiction"]}),
        );
        assert_eq!(
            occurrences,
            vec![Occurrence {
                term: 0,
                field: 0,
                position: 17,
                typos: 0,
                exact: false
            }]
        );
        assert_eq!(fields, vec![("genres".to_owned(), 4)]);
    }

    #[test]
    fn exact_typo_and_split_matches() {
        let (occurrences, _) = scan(
            "darkknight intersteller",
            serde_json::json!({"title": "The Dark Knight", "other": "Interstellar"}),
        );
        assert_eq!(
            occurrences,
            vec![
                Occurrence {
                    term: 0,
                    field: 0,
                    position: 1,
                    typos: 1,
                    exact: false
                },
                Occurrence {
                    term: 1,
                    field: 1,
                    position: 0,
                    typos: 1,
                    exact: false
                },
            ]
        );
    }

    #[test]
    fn stop_words_keep_their_position_but_never_match() {
        let (occurrences, fields) = scan("the dark", serde_json::json!({"title": "The Dark"}));
        // "the" is the last query word only when it ends the query; here it is skipped.
        assert_eq!(
            occurrences,
            vec![Occurrence {
                term: 0,
                field: 0,
                position: 1,
                typos: 0,
                exact: true
            }]
        );
        assert_eq!(fields, vec![("title".to_owned(), 1)]);
    }
}
