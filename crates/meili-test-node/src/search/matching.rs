//! Finding where each query term occurs in a document of a [`WordIndex`].
//!
//! A matcher decides once per query, for each DISTINCT vocabulary word that can match, how
//! it matches each term: exactly, by prefix (last term only) or with typos. Candidate
//! documents are the union of those words' postings (plus the documents holding the second
//! half of a query word split in two, `darkknight` ~ `dark knight`, one typo); only
//! candidates are scanned, token by token, into [`Occurrence`]s. Positions are per field:
//! values of the same field (array items) are 8 positions apart, as in Meilisearch's
//! indexer. Stop words take a position but never match.

use super::fields::SearchableAttributes;
use super::query::QueryTerm;
use super::typo::{typo_cost, DistanceScratch, TypoSettings};
use super::word_index::WordIndex;

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
    /// Path id of the field in the [`WordIndex`].
    path: u32,
    /// Weight of the field in `searchableAttributes` (lower is better).
    pub weight: u16,
    /// Number of indexed (non stop word) words in the field.
    pub word_count: u32,
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

    /// Index of the field with path id `path`, creating it if needed.
    fn field_index(&mut self, path: u32, weight: u16) -> usize {
        if let Some(index) = self.fields().iter().position(|field| field.path == path) {
            return index;
        }
        if self.field_count == self.fields.len() {
            self.fields.push(FieldStats::default());
        }
        self.fields[self.field_count] = FieldStats {
            path,
            weight,
            word_count: 0,
        };
        self.field_count += 1;
        self.field_count - 1
    }
}

/// How one vocabulary word matches one term.
#[derive(Debug, Clone, Copy, Default)]
struct WordMatch {
    /// Without typo: `Some(exact)` for an exact or prefix match.
    plain: Option<bool>,
    /// With typos (when the field and the word allow them): the typo count.
    typos: Option<u8>,
}

/// No entry for a word in [`DocumentMatcher::word_slots`].
const NO_MATCH: u32 = u32::MAX;
/// A stop word in [`DocumentMatcher::word_slots`].
const STOP_WORD: u32 = u32::MAX - 1;

/// A searchable field of the search: its weight and whether typos are allowed in it.
#[derive(Debug, Clone, Copy)]
struct SearchableField {
    weight: u16,
    typos_allowed: bool,
}

/// Matches documents of one [`WordIndex`] against one query.
pub(super) struct DocumentMatcher<'q> {
    terms: &'q [QueryTerm],
    index: &'q WordIndex,
    /// By path id: the field's search settings, `None` when it is not searchable.
    paths: Vec<Option<SearchableField>>,
    /// By word id: `NO_MATCH`, `STOP_WORD`, or the row of the word in `matches`.
    word_slots: Vec<u32>,
    /// `terms.len()` entries per matching word.
    matches: Vec<WordMatch>,
    /// By term: `(first half, second half)` word ids of the term split in two.
    splits: Vec<Vec<(u32, u32)>>,
}

impl<'q> DocumentMatcher<'q> {
    /// Prepares the matcher: matches every distinct word of `index` against `terms` once.
    /// `stop_words` are normalised.
    pub(super) fn new(
        terms: &'q [QueryTerm],
        index: &'q WordIndex,
        attributes: SearchableAttributes<'_>,
        typo_settings: &TypoSettings,
        stop_words: &[String],
    ) -> Self {
        let paths = (0..index.path_count() as u32)
            .map(|path| {
                let path = index.path(path);
                attributes.weight(path).map(|weight| SearchableField {
                    weight,
                    typos_allowed: !typo_settings.disabled_on_field(path),
                })
            })
            .collect();
        let mut matcher = Self {
            terms,
            index,
            paths,
            word_slots: vec![NO_MATCH; index.vocabulary_len()],
            matches: Vec::new(),
            splits: Vec::with_capacity(terms.len()),
        };
        matcher.match_vocabulary(typo_settings);
        for stop_word in stop_words {
            if let Some(word) = index.word_id(stop_word) {
                matcher.word_slots[word as usize] = STOP_WORD;
            }
        }
        for term in terms {
            let splits = term
                .text
                .char_indices()
                .skip(1)
                .filter_map(|(split, _)| {
                    let first = index.word_id(&term.text[..split])?;
                    let second = index.word_id(&term.text[split..])?;
                    Some((first, second))
                })
                .collect();
            matcher.splits.push(splits);
        }
        matcher
    }

    /// The entry of `word` for `term`, creating the word's row if needed.
    fn entry(&mut self, word: u32, term: usize) -> &mut WordMatch {
        let slot = &mut self.word_slots[word as usize];
        if *slot == NO_MATCH {
            *slot = (self.matches.len() / self.terms.len()) as u32;
            self.matches
                .extend(std::iter::repeat_n(WordMatch::default(), self.terms.len()));
        }
        let row = *slot as usize;
        &mut self.matches[row * self.terms.len() + term]
    }

    fn match_vocabulary(&mut self, typo_settings: &TypoSettings) {
        let index = self.index;
        let mut scratch = DistanceScratch::default();
        let mut word_chars: Vec<char> = Vec::new();
        for (term_index, term) in self.terms.iter().enumerate() {
            if let Some(word) = index.word_id(&term.text) {
                self.entry(word, term_index).plain = Some(true);
            }
            if term.is_prefix {
                for word in index.words_with_prefix(&term.text) {
                    let entry = self.entry(word, term_index);
                    entry.plain = entry.plain.or(Some(false));
                }
            }
            if term.max_typos == 0 {
                continue;
            }
            let Some(&first) = term.chars.first() else {
                continue;
            };
            // A one-typo match keeps the first character; a two-typo match may change it.
            let candidates: Box<dyn Iterator<Item = u32>> = if term.max_typos == 1 {
                Box::new(index.words_starting_with_char(first).iter().copied())
            } else {
                Box::new(index.all_words())
            };
            for word in candidates {
                let text = index.word(word);
                if !typo_settings.typos_on_numbers() && text.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let plain = self.word_slots[word as usize] != NO_MATCH
                    && self.matches
                        [self.word_slots[word as usize] as usize * self.terms.len() + term_index]
                        .plain
                        .is_some();
                if plain {
                    continue;
                }
                word_chars.clear();
                word_chars.extend(text.chars());
                if let Some(typos) = typo_cost(
                    &term.chars,
                    &word_chars,
                    term.is_prefix,
                    term.max_typos,
                    &mut scratch,
                ) {
                    self.entry(word, term_index).typos = Some(typos);
                }
            }
        }
    }

    /// Document numbers that may contain a match, ascending: every document that does, and
    /// the documents holding only the second half of a split query word (the scan decides).
    pub(super) fn candidates(&self) -> Vec<u32> {
        let mut seen = vec![0u64; self.index.len().div_ceil(64)];
        let mut mark = |word: u32| {
            for &document in self.index.postings(word) {
                seen[document as usize / 64] |= 1 << (document % 64);
            }
        };
        for (word, &slot) in self.word_slots.iter().enumerate() {
            if slot != NO_MATCH && slot != STOP_WORD {
                mark(word as u32);
            }
        }
        for &(_, second) in self.splits.iter().flatten() {
            mark(second);
        }
        let mut documents = Vec::new();
        for (block_index, &block) in seen.iter().enumerate() {
            let mut bits = block;
            while bits != 0 {
                documents.push((block_index * 64) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        documents
    }

    /// Scans document number `document`, replacing the content of `matches`.
    pub(super) fn scan(&self, document: usize, matches: &mut DocumentMatches) {
        matches.reset();
        let words = self.index.document(document);
        for leaf in &words.leaves {
            let path = words.fields[leaf.field as usize];
            let Some(field_settings) = self.paths[path as usize] else {
                continue;
            };
            let field = matches.field_index(path, field_settings.weight);
            let mut previous: Option<(u32, u32)> = None;
            for token in &words.tokens[leaf.start as usize..leaf.end as usize] {
                let slot = self.word_slots[token.word as usize];
                if slot == STOP_WORD {
                    previous = None;
                    continue;
                }
                matches.fields[field].word_count += 1;
                self.match_token(
                    token.word,
                    token.position,
                    slot,
                    field,
                    field_settings.typos_allowed,
                    previous,
                    matches,
                );
                previous = Some((token.word, token.position));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn match_token(
        &self,
        word: u32,
        position: u32,
        slot: u32,
        field: usize,
        typos_allowed: bool,
        previous: Option<(u32, u32)>,
        matches: &mut DocumentMatches,
    ) {
        let adjacent_previous = previous.filter(|&(_, p)| p + 1 == position);
        if slot == NO_MATCH && adjacent_previous.is_none() {
            return;
        }
        for (term_index, term) in self.terms.iter().enumerate() {
            let found = if slot == NO_MATCH {
                None
            } else {
                let entry = self.matches[slot as usize * self.terms.len() + term_index];
                match entry.plain {
                    Some(exact) => Some((0, exact)),
                    None if typos_allowed && term.max_typos > 0 => {
                        entry.typos.map(|typos| (typos, false))
                    }
                    None => None,
                }
            };
            if let Some((typos, exact)) = found {
                matches.occurrences.push(Occurrence {
                    term: term_index,
                    field,
                    position,
                    typos,
                    exact,
                });
            } else if let Some((previous_word, previous_position)) = adjacent_previous {
                // A query word split in two consecutive document words costs one typo.
                if self.splits[term_index].contains(&(previous_word, word)) {
                    matches.occurrences.push(Occurrence {
                        term: term_index,
                        field,
                        position: previous_position,
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
    use serde_json::Value;

    fn scan(query: &str, document: Value) -> (Vec<Occurrence>, Vec<(String, u32)>) {
        let settings = TypoSettings::default();
        let stop_words = vec!["the".to_owned()];
        let terms = parse_query(query, &settings, &stop_words);
        let all = vec!["*".to_owned()];
        let index = WordIndex::build([document.as_object().unwrap()]);
        let matcher = DocumentMatcher::new(
            &terms,
            &index,
            SearchableAttributes::new(&all),
            &settings,
            &stop_words,
        );
        let mut matches = DocumentMatches::default();
        matcher.scan(0, &mut matches);
        let fields = matches
            .fields()
            .iter()
            .map(|f| (index.path(f.path).to_owned(), f.word_count))
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

    #[test]
    fn candidates_are_documents_with_a_match_split_or_typo() {
        let documents = [
            serde_json::json!({"title": "The Dark Knight"}),
            serde_json::json!({"title": "Interstellar"}),
            serde_json::json!({"title": "Up"}),
            serde_json::json!({"title": "Knight and Day", "year": 2010}),
        ];
        let index = WordIndex::build(documents.iter().map(|d| d.as_object().unwrap()));
        let settings = TypoSettings::default();
        let all = vec!["*".to_owned()];
        let candidates = |query: &str| {
            let terms = parse_query(query, &settings, &[]);
            DocumentMatcher::new(
                &terms,
                &index,
                SearchableAttributes::new(&all),
                &settings,
                &[],
            )
            .candidates()
        };
        // Document 3 holds "knight", the second half of the split: a candidate to scan.
        assert_eq!(candidates("darkknight"), vec![0, 3]);
        assert_eq!(candidates("intersteller"), vec![1]);
        assert_eq!(candidates("knight"), vec![0, 3]);
        assert_eq!(candidates("201"), vec![3]);
        assert!(candidates("zzz").is_empty());
    }
}
