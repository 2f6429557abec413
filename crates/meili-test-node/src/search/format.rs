//! The `_formatted` object: highlighting and cropping of attributes.
//!
//! Every field of the given document is copied (numbers become strings, as in
//! Meilisearch); strings of fields listed in `attributes_to_crop` are cut to
//! `crop_length` words around the best group of query matches, with `crop_marker` where
//! text was cut; words of fields listed in `attributes_to_highlight` that match a query
//! word are wrapped in the highlight tags (only the matched part for a prefix match).
//! Matching uses the default typo tolerance and no stop words.

use serde_json::{Map, Value};

use super::query::{parse_query, QueryTerm};
use super::tokenize::WordReader;
use super::typo::{path_is_under, typo_cost, DistanceScratch, TypoSettings};

/// Formatting parameters of a search request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatOptions {
    /// `attributesToHighlight` (`"*"` for all).
    pub attributes_to_highlight: Vec<String>,
    /// `highlightPreTag`.
    pub highlight_pre_tag: String,
    /// `highlightPostTag`.
    pub highlight_post_tag: String,
    /// `attributesToCrop`; an entry may carry its own length: `"overview:5"`.
    pub attributes_to_crop: Vec<String>,
    /// `cropLength`, in words.
    pub crop_length: usize,
    /// `cropMarker`.
    pub crop_marker: String,
}

impl Default for FormatOptions {
    fn default() -> Self {
        Self {
            attributes_to_highlight: Vec::new(),
            highlight_pre_tag: "<em>".to_owned(),
            highlight_post_tag: "</em>".to_owned(),
            attributes_to_crop: Vec::new(),
            crop_length: 10,
            crop_marker: "…".to_owned(),
        }
    }
}

/// Builds the `_formatted` object of `document` for `query`.
pub fn format_document(
    document: &Map<String, Value>,
    query: &str,
    options: &FormatOptions,
) -> Map<String, Value> {
    let terms = parse_query(query, &TypoSettings::default(), &[]);
    let mut formatter = Formatter {
        terms: &terms,
        options,
        scratch: DistanceScratch::default(),
    };
    let mut path = String::new();
    formatter.format_object(document, &mut path)
}

/// How one field is formatted.
#[derive(Debug, Clone, Copy, Default)]
struct FieldFormat {
    highlight: bool,
    crop: Option<usize>,
}

struct Formatter<'a> {
    terms: &'a [QueryTerm],
    options: &'a FormatOptions,
    scratch: DistanceScratch,
}

/// A word of a text, with the bytes to highlight if it matches.
struct FormatWord {
    start: usize,
    end: usize,
    highlight_end: Option<usize>,
    term: Option<usize>,
}

impl Formatter<'_> {
    fn format_object(
        &mut self,
        object: &Map<String, Value>,
        path: &mut String,
    ) -> Map<String, Value> {
        let parent_len = path.len();
        let mut formatted = Map::with_capacity(object.len());
        for (key, value) in object {
            if parent_len > 0 {
                path.push('.');
            }
            path.push_str(key);
            formatted.insert(key.clone(), self.format_value(value, path));
            path.truncate(parent_len);
        }
        formatted
    }

    fn format_value(&mut self, value: &Value, path: &mut String) -> Value {
        match value {
            Value::Object(object) => Value::Object(self.format_object(object, path)),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.format_value(item, path))
                    .collect(),
            ),
            Value::String(text) => Value::String(self.format_text(text, self.field_format(path))),
            Value::Number(number) => {
                Value::String(self.format_text(&number.to_string(), self.field_format(path)))
            }
            other => other.clone(),
        }
    }

    fn field_format(&self, path: &str) -> FieldFormat {
        let concerns =
            |attribute: &str| path_is_under(path, attribute) || path_is_under(attribute, path);
        let highlight = self
            .options
            .attributes_to_highlight
            .iter()
            .any(|a| concerns(a));
        let crop = self.options.attributes_to_crop.iter().find_map(|entry| {
            let (attribute, length) = match entry.rsplit_once(':') {
                Some((attribute, length)) => (attribute, length.parse().ok()),
                None => (entry.as_str(), None),
            };
            concerns(attribute).then(|| length.unwrap_or(self.options.crop_length))
        });
        FieldFormat { highlight, crop }
    }

    fn format_text(&mut self, text: &str, format: FieldFormat) -> String {
        if !format.highlight && format.crop.is_none() {
            return text.to_owned();
        }
        let words = self.words_of(text);
        let (first, last) = match format.crop {
            Some(length) => crop_window(&words, length),
            None => (0, words.len()),
        };
        let mut out = String::with_capacity(text.len() + 16);
        let (text_start, text_end) = if format.crop.is_some() {
            if first > 0 {
                out.push_str(&self.options.crop_marker);
            }
            let start = words.get(first).map_or(0, |w| w.start);
            let end = if last > first {
                words[last - 1].end
            } else {
                start
            };
            (start, end)
        } else {
            (0, text.len())
        };
        let mut cursor = text_start;
        for word in &words[first..last] {
            if let (true, Some(highlight_end)) = (format.highlight, word.highlight_end) {
                out.push_str(&text[cursor..word.start]);
                out.push_str(&self.options.highlight_pre_tag);
                out.push_str(&text[word.start..highlight_end]);
                out.push_str(&self.options.highlight_post_tag);
                cursor = highlight_end;
            }
        }
        out.push_str(&text[cursor..text_end]);
        if format.crop.is_some() && last < words.len() {
            out.push_str(&self.options.crop_marker);
        }
        out
    }

    fn words_of(&mut self, text: &str) -> Vec<FormatWord> {
        let mut reader = WordReader::new(text, 0);
        let mut normalized = String::new();
        let mut chars = Vec::new();
        let mut words = Vec::new();
        while let Some(token) = reader.next_word(&mut normalized) {
            chars.clear();
            chars.extend(normalized.chars());
            let mut found = None;
            for (index, term) in self.terms.iter().enumerate() {
                let highlighted_chars = if normalized == term.text {
                    Some(usize::MAX)
                } else if term.is_prefix && normalized.starts_with(term.text.as_str()) {
                    Some(term.chars.len())
                } else {
                    typo_cost(
                        &term.chars,
                        &chars,
                        term.is_prefix,
                        term.max_typos,
                        &mut self.scratch,
                    )
                    .map(|_| usize::MAX)
                };
                if let Some(count) = highlighted_chars {
                    let original = &text[token.byte_start..token.byte_end];
                    let end = original
                        .char_indices()
                        .nth(count)
                        .map_or(token.byte_end, |(offset, _)| token.byte_start + offset);
                    found = Some((index, end));
                    break;
                }
            }
            words.push(FormatWord {
                start: token.byte_start,
                end: token.byte_end,
                highlight_end: found.map(|(_, end)| end),
                term: found.map(|(term, _)| term),
            });
        }
        words
    }
}

/// The words `[first, last)` kept when cropping to `length` words: the window holding the
/// most distinct query words (earliest on ties), shifted to centre its matches.
fn crop_window(words: &[FormatWord], length: usize) -> (usize, usize) {
    if words.len() <= length {
        return (0, words.len());
    }
    if length == 0 {
        return (0, 0);
    }
    let distinct_terms = |window: &[FormatWord]| {
        let mut mask: u64 = 0;
        for term in window.iter().filter_map(|w| w.term) {
            mask |= 1 << (term % 64);
        }
        (
            mask.count_ones(),
            window.iter().filter(|w| w.term.is_some()).count(),
        )
    };
    let mut best_start = 0;
    let mut best_score = distinct_terms(&words[..length]);
    for start in 1..=words.len() - length {
        let score = distinct_terms(&words[start..start + length]);
        if score > best_score {
            best_score = score;
            best_start = start;
        }
    }
    if best_score.0 == 0 {
        return (0, length);
    }
    let window = &words[best_start..best_start + length];
    let first_match = window.iter().position(|w| w.term.is_some()).unwrap_or(0);
    let last_match = window.iter().rposition(|w| w.term.is_some()).unwrap_or(0);
    let free = length - (last_match - first_match + 1);
    let start = (best_start + first_match)
        .saturating_sub(free / 2)
        .min(words.len() - length);
    (start, start + length)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> FormatOptions {
        FormatOptions {
            attributes_to_highlight: vec!["title".into()],
            ..FormatOptions::default()
        }
    }

    #[test]
    fn highlights_like_the_fixture() {
        let document = serde_json::json!({"title": "Inception"});
        let formatted = format_document(document.as_object().unwrap(), "inception", &options());
        assert_eq!(
            Value::Object(formatted),
            serde_json::json!({"title": "<em>Inception</em>"})
        );
    }

    #[test]
    fn prefix_matches_highlight_only_the_prefix_and_numbers_become_strings() {
        let document = serde_json::json!({"id": 8, "title": "Science Fiction", "tags": null});
        let formatted = format_document(document.as_object().unwrap(), "fi", &options());
        assert_eq!(
            Value::Object(formatted),
            serde_json::json!({"id": "8", "title": "Science <em>Fi</em>ction", "tags": null})
        );
    }

    #[test]
    fn typo_matches_are_highlighted_and_other_fields_untouched() {
        let document = serde_json::json!({"title": "Interstellar!", "overview": "Interstellar"});
        let formatted = format_document(document.as_object().unwrap(), "intersteller", &options());
        assert_eq!(formatted["title"], "<em>Interstellar</em>!");
        assert_eq!(formatted["overview"], "Interstellar");
    }

    #[test]
    fn crops_around_matches_with_markers() {
        let document = serde_json::json!({
            "overview": "one two three four five six seven eight nine ten eleven twelve"
        });
        let options = FormatOptions {
            attributes_to_highlight: vec!["*".into()],
            attributes_to_crop: vec!["overview:3".into()],
            ..FormatOptions::default()
        };
        let formatted = format_document(document.as_object().unwrap(), "seven", &options);
        assert_eq!(formatted["overview"], "…six <em>seven</em> eight…");
        let unmatched = format_document(document.as_object().unwrap(), "zzz", &options);
        assert_eq!(unmatched["overview"], "one two three…");
    }
}
