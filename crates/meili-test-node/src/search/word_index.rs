//! The searchable words of every document of an index, tokenised once: what a search needs
//! to find candidate documents and to match them without re-reading their JSON.
//!
//! ```text
//! documents ──tokenise every leaf of every field──▶ per document: fields, leaves, tokens
//!                                                   vocabulary: word id ⇄ normalised word
//!                                                   postings:   word id ─▶ document numbers
//! ```
//!
//! Nothing here depends on the settings: every field is tokenised (the searchable
//! attributes of a search select fields by path), stop words are kept as words (a search
//! skips them) and positions follow Meilisearch's indexer (values of the same field are 8
//! positions apart, see [`super::tokenize`]). Documents are numbered in iteration order.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::fields::{visit_searchable_leaves, SearchableAttributes};
use super::tokenize::{WordReader, HARD_SEPARATOR_DISTANCE};

/// One word of a leaf value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    /// Word id in the vocabulary.
    pub word: u32,
    /// Position of the word in its field.
    pub position: u32,
}

/// One leaf value of a searchable field: its tokens are `tokens[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Leaf {
    /// Index of the leaf's field in [`DocumentWords::fields`].
    pub field: u32,
    /// First token of the leaf.
    pub start: u32,
    /// One past the last token of the leaf.
    pub end: u32,
}

/// The tokenised searchable values of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct DocumentWords {
    /// Path ids of the document's fields, in the order they are first met.
    pub fields: Vec<u32>,
    /// Leaf values, in document order.
    pub leaves: Vec<Leaf>,
    /// Every word of every leaf.
    pub tokens: Vec<Token>,
}

/// The tokenised documents of an index with their vocabulary and inverted index.
#[derive(Debug, Clone, Default)]
pub struct WordIndex {
    words: Vec<String>,
    word_ids: HashMap<String, u32>,
    /// Word ids sorted by word, for prefix lookups.
    sorted_words: Vec<u32>,
    /// Word ids by the first character of their word, for one-typo lookups.
    by_first_char: HashMap<char, Vec<u32>>,
    /// Document numbers containing each word (sorted, without duplicates).
    postings: Vec<Vec<u32>>,
    paths: Vec<String>,
    documents: Vec<DocumentWords>,
}

impl WordIndex {
    /// Tokenises `documents`; document number `n` is the `n`-th item.
    pub fn build<'d>(documents: impl IntoIterator<Item = &'d Map<String, Value>>) -> Self {
        let mut builder = Builder::default();
        for document in documents {
            builder.add(document);
        }
        builder.finish()
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether there is no document.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The normalised word of `word`.
    pub(super) fn word(&self, word: u32) -> &str {
        &self.words[word as usize]
    }

    /// Number of distinct words.
    pub(super) fn vocabulary_len(&self) -> usize {
        self.words.len()
    }

    /// The id of `word`, if some document contains it.
    pub(super) fn word_id(&self, word: &str) -> Option<u32> {
        self.word_ids.get(word).copied()
    }

    /// Ids of the words starting with `prefix` (including `prefix` itself).
    pub(super) fn words_with_prefix<'s>(
        &'s self,
        prefix: &'s str,
    ) -> impl Iterator<Item = u32> + 's {
        let start = self
            .sorted_words
            .partition_point(|&word| self.word(word) < prefix);
        self.sorted_words[start..]
            .iter()
            .copied()
            .take_while(move |&word| self.word(word).starts_with(prefix))
    }

    /// Ids of the words whose first character is `first`.
    pub(super) fn words_starting_with_char(&self, first: char) -> &[u32] {
        self.by_first_char
            .get(&first)
            .map_or(&[], |words| words.as_slice())
    }

    /// Every word id.
    pub(super) fn all_words(&self) -> std::ops::Range<u32> {
        0..self.words.len() as u32
    }

    /// Document numbers containing `word`, ascending.
    pub(super) fn postings(&self, word: u32) -> &[u32] {
        &self.postings[word as usize]
    }

    /// The dotted path of field `path`.
    pub(super) fn path(&self, path: u32) -> &str {
        &self.paths[path as usize]
    }

    /// Number of distinct field paths.
    pub(super) fn path_count(&self) -> usize {
        self.paths.len()
    }

    /// The words of document number `document`.
    pub(super) fn document(&self, document: usize) -> &DocumentWords {
        &self.documents[document]
    }
}

#[derive(Default)]
struct Builder {
    index: WordIndex,
    path_ids: HashMap<String, u32>,
    path_buffer: String,
    number_buffer: String,
    word: String,
}

impl Builder {
    fn add(&mut self, document: &Map<String, Value>) {
        let number = self.index.documents.len() as u32;
        let mut words = DocumentWords::default();
        let mut last_positions: Vec<Option<u32>> = Vec::new();
        let all = ["*".to_owned()];
        let mut path_buffer = std::mem::take(&mut self.path_buffer);
        visit_searchable_leaves(
            document,
            SearchableAttributes::new(&all),
            &mut path_buffer,
            &mut |path, _, leaf| {
                let path_id = self.path_id(path);
                let field = match words.fields.iter().position(|&known| known == path_id) {
                    Some(field) => field,
                    None => {
                        words.fields.push(path_id);
                        last_positions.push(None);
                        words.fields.len() - 1
                    }
                };
                let start = match last_positions[field] {
                    None => 0,
                    Some(last) => last + HARD_SEPARATOR_DISTANCE,
                };
                last_positions[field] = Some(start);
                let first_token = words.tokens.len() as u32;
                let last = self.tokenise(leaf, start, number, &mut words.tokens);
                if let Some(last) = last {
                    last_positions[field] = Some(last);
                }
                words.leaves.push(Leaf {
                    field: field as u32,
                    start: first_token,
                    end: words.tokens.len() as u32,
                });
            },
        );
        self.path_buffer = path_buffer;
        self.index.documents.push(words);
    }

    fn path_id(&mut self, path: &str) -> u32 {
        if let Some(&id) = self.path_ids.get(path) {
            return id;
        }
        let id = self.index.paths.len() as u32;
        self.index.paths.push(path.to_owned());
        self.path_ids.insert(path.to_owned(), id);
        id
    }

    /// Appends the words of `leaf` from `start`; returns the last position, if any word.
    fn tokenise(
        &mut self,
        leaf: &Value,
        start: u32,
        document: u32,
        tokens: &mut Vec<Token>,
    ) -> Option<u32> {
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
        let last_position = self.tokenise_text(text, start, document, tokens);
        self.number_buffer = number_buffer;
        last_position
    }

    fn tokenise_text(
        &mut self,
        text: &str,
        start: u32,
        document: u32,
        tokens: &mut Vec<Token>,
    ) -> Option<u32> {
        let mut reader = WordReader::new(text, start);
        let mut word = std::mem::take(&mut self.word);
        while let Some(token) = reader.next_word(&mut word) {
            let word_id = self.word_id(&word);
            let postings = &mut self.index.postings[word_id as usize];
            if postings.last() != Some(&document) {
                postings.push(document);
            }
            tokens.push(Token {
                word: word_id,
                position: token.position,
            });
        }
        self.word = word;
        reader.last_position()
    }

    fn word_id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.index.word_ids.get(word) {
            return id;
        }
        let id = self.index.words.len() as u32;
        self.index.words.push(word.to_owned());
        self.index.word_ids.insert(word.to_owned(), id);
        self.index.postings.push(Vec::new());
        id
    }

    fn finish(mut self) -> WordIndex {
        let index = &mut self.index;
        let mut sorted: Vec<u32> = (0..index.words.len() as u32).collect();
        sorted
            .sort_by(|&left, &right| index.words[left as usize].cmp(&index.words[right as usize]));
        index.sorted_words = sorted;
        for (id, word) in index.words.iter().enumerate() {
            if let Some(first) = word.chars().next() {
                index
                    .by_first_char
                    .entry(first)
                    .or_default()
                    .push(id as u32);
            }
        }
        self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn index(documents: &[Value]) -> WordIndex {
        WordIndex::build(
            documents
                .iter()
                .map(|document| document.as_object().unwrap()),
        )
    }

    #[test]
    fn values_of_one_field_are_eight_positions_apart() {
        let index = index(&[json!({"genres": ["Adventure", "Science Fiction"], "id": 7})]);
        let document = index.document(0);
        let words: Vec<(&str, u32)> = document
            .tokens
            .iter()
            .map(|token| (index.word(token.word), token.position))
            .collect();
        assert_eq!(
            words,
            vec![("adventure", 0), ("science", 8), ("fiction", 9), ("7", 0)]
        );
        let paths: Vec<&str> = document.fields.iter().map(|&p| index.path(p)).collect();
        assert_eq!(paths, vec!["genres", "id"]);
        assert_eq!(document.leaves.len(), 3);
    }

    #[test]
    fn postings_and_prefixes_cover_the_vocabulary() {
        let index = index(&[
            json!({"title": "dark dark knight"}),
            json!({"title": "darkness"}),
        ]);
        let dark = index.word_id("dark").unwrap();
        assert_eq!(index.postings(dark), &[0]);
        let prefixed: Vec<&str> = index
            .words_with_prefix("dar")
            .map(|word| index.word(word))
            .collect();
        assert_eq!(prefixed, vec!["dark", "darkness"]);
        assert_eq!(index.words_starting_with_char('k').len(), 1);
        assert_eq!(index.len(), 2);
        assert!(index.word_id("light").is_none());
    }
}
