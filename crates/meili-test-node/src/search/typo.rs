//! Typo tolerance: the index's `typoTolerance` settings and the bounded edit distance used
//! to decide whether a document word is a typo of a query word.
//!
//! As in Meilisearch, the distance is Damerau-Levenshtein with adjacent transpositions
//! (optimal string alignment), counted in characters. A query word allowed one typo only
//! matches words with the same first character; a query word allowed two typos may match a
//! word with a different first character, but such a match costs two typos and must be
//! within one edit. The last query word is a prefix: it matches a document word when some
//! prefix of that word is within the allowed distance.

use serde_json::Value;

use super::normalize::normalize_word;

/// Meilisearch's default `minWordSizeForTypos.oneTypo`.
const DEFAULT_ONE_TYPO_MIN_LEN: usize = 5;
/// Meilisearch's default `minWordSizeForTypos.twoTypos`.
const DEFAULT_TWO_TYPOS_MIN_LEN: usize = 9;
/// Longest word (in characters) considered for typo matching; longer words only match
/// exactly or by prefix.
pub(super) const MAX_TYPO_WORD_CHARS: usize = 64;

/// The typo-relevant part of an index's `typoTolerance` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TypoSettings {
    enabled: bool,
    one_typo_min_len: usize,
    two_typos_min_len: usize,
    disabled_words: Vec<String>,
    disabled_attributes: Vec<String>,
    disabled_on_numbers: bool,
}

impl Default for TypoSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            one_typo_min_len: DEFAULT_ONE_TYPO_MIN_LEN,
            two_typos_min_len: DEFAULT_TWO_TYPOS_MIN_LEN,
            disabled_words: Vec::new(),
            disabled_attributes: Vec::new(),
            disabled_on_numbers: false,
        }
    }
}

impl TypoSettings {
    /// Reads the settings object; missing or malformed members keep Meilisearch's defaults.
    pub(super) fn from_json(settings: &Value) -> Self {
        let mut parsed = Self::default();
        let Some(object) = settings.as_object() else {
            return parsed;
        };
        if let Some(enabled) = object.get("enabled").and_then(Value::as_bool) {
            parsed.enabled = enabled;
        }
        if let Some(sizes) = object.get("minWordSizeForTypos").and_then(Value::as_object) {
            let read = |key: &str| sizes.get(key).and_then(Value::as_u64).map(|n| n as usize);
            parsed.one_typo_min_len = read("oneTypo").unwrap_or(parsed.one_typo_min_len);
            parsed.two_typos_min_len = read("twoTypos").unwrap_or(parsed.two_typos_min_len);
        }
        let strings = |key: &str| -> Vec<String> {
            object
                .get(key)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        parsed.disabled_words = strings("disableOnWords")
            .iter()
            .map(|w| normalize_word(w))
            .collect();
        parsed.disabled_attributes = strings("disableOnAttributes");
        parsed.disabled_on_numbers = object
            .get("disableOnNumbers")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        parsed
    }

    /// How many typos a normalised query word may contain (0, 1 or 2).
    pub(super) fn max_typos_for(&self, word: &str) -> u8 {
        let char_count = word.chars().count();
        let is_number = word.chars().all(|c| c.is_ascii_digit());
        if !self.enabled
            || char_count < self.one_typo_min_len
            || char_count > MAX_TYPO_WORD_CHARS
            || (self.disabled_on_numbers && is_number)
            || self.disabled_words.iter().any(|disabled| disabled == word)
        {
            0
        } else if char_count < self.two_typos_min_len {
            1
        } else {
            2
        }
    }

    /// Whether document words that are numbers can be typo-matched.
    pub(super) fn typos_on_numbers(&self) -> bool {
        !self.disabled_on_numbers
    }

    /// Whether typos are disabled for words found in the field at `path`.
    pub(super) fn disabled_on_field(&self, path: &str) -> bool {
        self.disabled_attributes
            .iter()
            .any(|attribute| path_is_under(path, attribute))
    }
}

/// `true` when `path` is `attribute` or a nested field of it (`a.b` is under `a`).
pub(super) fn path_is_under(path: &str, attribute: &str) -> bool {
    attribute == "*"
        || path == attribute
        || (path.len() > attribute.len()
            && path.starts_with(attribute)
            && path.as_bytes()[attribute.len()] == b'.')
}

/// Reusable rows for the edit-distance computation.
#[derive(Debug, Default)]
pub(super) struct DistanceScratch {
    before_previous: Vec<u8>,
    previous: Vec<u8>,
    current: Vec<u8>,
}

/// Typos needed for document word `word` to match query word `query` allowed `max_typos`,
/// or `None` if it does not match with a typo. Exact and plain prefix matches are the
/// caller's business (they cost 0 typos); this returns 1 or 2.
pub(super) fn typo_cost(
    query: &[char],
    word: &[char],
    is_prefix: bool,
    max_typos: u8,
    scratch: &mut DistanceScratch,
) -> Option<u8> {
    let (Some(query_first), Some(word_first)) = (query.first(), word.first()) else {
        return None;
    };
    if max_typos == 0 || word.len() > MAX_TYPO_WORD_CHARS {
        return None;
    }
    let same_first = query_first == word_first;
    match (max_typos, same_first) {
        (1, false) => None,
        (1, true) => bounded_distance(query, word, is_prefix, 1, scratch).filter(|&d| d == 1),
        (_, true) => bounded_distance(query, word, is_prefix, 2, scratch).filter(|&d| d >= 1),
        (_, false) => bounded_distance(query, word, is_prefix, 1, scratch).map(|_| 2),
    }
}

/// Optimal-string-alignment distance between `query` and `word` (or the best prefix of
/// `word` when `is_prefix`), or `None` when it exceeds `bound`.
fn bounded_distance(
    query: &[char],
    word: &[char],
    is_prefix: bool,
    bound: u8,
    scratch: &mut DistanceScratch,
) -> Option<u8> {
    let bound_len = usize::from(bound);
    if is_prefix {
        if word.len() + bound_len < query.len() {
            return None;
        }
    } else if word.len().abs_diff(query.len()) > bound_len {
        return None;
    }
    let columns = query.len() + 1;
    let cap = |value: usize| value.min(usize::from(u8::MAX)) as u8;
    let DistanceScratch {
        before_previous,
        previous,
        current,
    } = scratch;
    before_previous.clear();
    before_previous.resize(columns, u8::MAX);
    previous.clear();
    previous.extend((0..columns).map(cap));
    current.clear();
    current.resize(columns, 0);
    // Row j holds the distances between word[..j] and every prefix of the query.
    let mut best = previous[columns - 1];
    for (j, &word_char) in word.iter().enumerate() {
        current[0] = cap(j + 1);
        let mut row_min = current[0];
        for i in 1..columns {
            let substitution = u8::from(query[i - 1] != word_char);
            let mut value = (previous[i - 1].saturating_add(substitution))
                .min(previous[i].saturating_add(1))
                .min(current[i - 1].saturating_add(1));
            if i > 1 && j > 0 && query[i - 1] == word[j - 1] && query[i - 2] == word_char {
                value = value.min(before_previous[i - 2].saturating_add(1));
            }
            current[i] = value;
            row_min = row_min.min(value);
        }
        if is_prefix {
            best = best.min(current[columns - 1]);
        }
        std::mem::swap(before_previous, previous);
        std::mem::swap(previous, current);
        if row_min > bound {
            // Every later row is at least `row_min`: no longer prefix can get closer.
            return (is_prefix && best <= bound).then_some(best);
        }
    }
    let distance = if is_prefix {
        best
    } else {
        previous[columns - 1]
    };
    (distance <= bound).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    fn cost(query: &str, word: &str, prefix: bool, max: u8) -> Option<u8> {
        typo_cost(
            &chars(query),
            &chars(word),
            prefix,
            max,
            &mut DistanceScratch::default(),
        )
    }

    #[test]
    fn one_substitution_is_one_typo() {
        assert_eq!(cost("intersteller", "interstellar", false, 2), Some(1));
        assert_eq!(cost("knigth", "knight", false, 1), Some(1), "transposition");
    }

    #[test]
    fn first_character_rules() {
        assert_eq!(cost("bnight", "knight", false, 1), None);
        assert_eq!(cost("bnterstellar", "interstellar", false, 2), Some(2));
    }

    #[test]
    fn distance_bound_is_respected() {
        assert_eq!(cost("kniggts", "knight", false, 1), None);
        assert_eq!(cost("intarstalkar", "interstellar", false, 2), None);
        assert_eq!(cost("interstalkar", "interstellar", false, 2), Some(2));
        assert_eq!(cost("interstallar", "interstellar", false, 2), Some(1));
    }

    #[test]
    fn prefix_queries_match_word_prefixes() {
        assert_eq!(cost("intersteller", "interstellaris", true, 2), Some(1));
        assert_eq!(cost("intersteller", "interstellaris", false, 2), None);
    }

    #[test]
    fn settings_are_read_from_json() {
        let settings = TypoSettings::from_json(&serde_json::json!({
            "enabled": true,
            "minWordSizeForTypos": {"oneTypo": 3, "twoTypos": 6},
            "disableOnWords": ["Knight"],
            "disableOnAttributes": ["director"],
            "disableOnNumbers": true
        }));
        assert_eq!(settings.max_typos_for("dark"), 1);
        assert_eq!(settings.max_typos_for("waters"), 2);
        assert_eq!(settings.max_typos_for("knight"), 0);
        assert_eq!(settings.max_typos_for("123456"), 0);
        assert!(settings.disabled_on_field("director"));
        assert!(settings.disabled_on_field("director.name"));
        assert!(!settings.disabled_on_field("directors"));
        let disabled = TypoSettings::from_json(&serde_json::json!({"enabled": false}));
        assert_eq!(disabled.max_typos_for("interstellar"), 0);
        assert_eq!(
            TypoSettings::from_json(&serde_json::Value::Null),
            TypoSettings::default()
        );
    }
}
