//! Pure search and ranking for the test node: which documents match a query, in which
//! order, with which `_rankingScore` / `_rankingScoreDetails`, and their `_formatted` form.
//!
//! No I/O and no index-wide statistics: **a document's score and details depend only on
//! the query, the document and the settings**, so the same document scores the same on
//! every node and a proxy can merge shards by these details.
//!
//! ```text
//! q ──parse──▶ terms ─┐
//! document ──scan──▶ occurrences ──steps (rankingRules)──▶ outcomes ──▶ score, details
//!                                                           └──stable sort──▶ hits
//! ```
//!
//! The rules follow Meilisearch v1.50's milli (`words`, `typo`, `proximity`,
//! `attributeRank`, `wordPosition`, legacy `attribute`, `exactness`, `sort`, custom
//! `field:asc|desc`) and reproduce its details and scores for what a single document
//! decides; see each module for the remaining differences.

mod details;
mod evaluate;
mod fields;
mod format;
mod matching;
mod normalize;
mod query;
mod rank;
mod rules;
mod sort_cache;
mod sort_value;
mod tokenize;
mod typo;
mod word_index;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use serde_json::{Map, Value};

pub use format::{format_document, FormatOptions};
pub use sort_cache::SortValueCache;
pub use word_index::WordIndex;

use evaluate::{compare_outcomes, evaluate_document, Outcome, SearchContext};
use fields::SearchableAttributes;
use matching::{DocumentMatcher, DocumentMatches};
use normalize::normalize_word;
use rules::Step;
use typo::TypoSettings;

/// How many query words a document must contain (`matchingStrategy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MatchingStrategy {
    /// Documents must contain the first query words; words are dropped from the end, and
    /// documents containing more of them rank first (Meilisearch's default).
    #[default]
    Last,
    /// Documents must contain every query word; no `words` rule runs.
    All,
    /// Documents must contain at least one query word; documents containing more rank
    /// first. (Meilisearch drops the most frequent words first, which depends on the whole
    /// index; here a document counts every query word it contains.)
    Frequency,
}

/// One search, with the index settings that affect ranking.
#[derive(Debug, Clone, Copy)]
pub struct RankingRequest<'a> {
    /// The `q` parameter; empty (or only separators) means a placeholder search.
    pub query: &'a str,
    /// The index's `rankingRules`.
    pub ranking_rules: &'a [String],
    /// The index's `searchableAttributes`; `["*"]` means every field in document order.
    pub searchable_attributes: &'a [String],
    /// The `sort` parameter: `"field:asc"` / `"field:desc"`.
    pub sort: &'a [String],
    /// The `matchingStrategy` parameter.
    pub matching_strategy: MatchingStrategy,
    /// The index's `typoTolerance` settings object.
    pub typo_tolerance: &'a Value,
    /// The index's `stopWords`.
    pub stop_words: &'a [String],
}

/// A matching document with its ranking.
#[derive(Debug, Clone)]
pub struct RankedDocument<'d> {
    /// The document as stored.
    pub document: &'d Map<String, Value>,
    /// The document's number in the searched documents.
    number: usize,
    /// The outcomes of every ranked document of the search, one per step each; this
    /// document's are `all_outcomes[outcomes]`. Details are rendered from them on demand.
    all_outcomes: Arc<[Outcome]>,
    outcomes: std::ops::Range<usize>,
    steps: Arc<[Step]>,
}

/// Equal when the same document ranked the same way (same steps and outcomes).
impl PartialEq for RankedDocument<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.document == other.document
            && self.number == other.number
            && self.steps == other.steps
            && self.all_outcomes[self.outcomes.clone()]
                == other.all_outcomes[other.outcomes.clone()]
    }
}

impl RankedDocument<'_> {
    /// The document's number in the searched documents ([`IndexedDocuments`] order).
    pub fn number(&self) -> usize {
        self.number
    }

    /// `_rankingScore`, in `0.0..=1.0`.
    pub fn ranking_score(&self) -> f64 {
        details::ranking_score(&self.all_outcomes[self.outcomes.clone()])
    }

    /// `_rankingScoreDetails` (rendered on each call: ask only for the hits shown).
    pub fn ranking_score_details(&self) -> Map<String, Value> {
        details::ranking_score_details(&self.steps, &self.all_outcomes[self.outcomes.clone()])
    }
}

/// Returns the documents matching `request`, best first; documents that rank equally keep
/// their iteration (insertion) order. Tokenises `documents` first: to search the same
/// documents repeatedly, build a [`WordIndex`] once and use [`rank_indexed`].
pub fn rank_documents<'d>(
    request: &RankingRequest<'_>,
    documents: impl Iterator<Item = &'d Map<String, Value>>,
) -> Vec<RankedDocument<'d>> {
    let documents: Vec<&'d Map<String, Value>> = documents.collect();
    let words = WordIndex::build(documents.iter().copied());
    let indexed = IndexedDocuments {
        words: &words,
        sort_values: &SortValueCache::default(),
        document_at: &|number| documents[number],
    };
    rank_indexed(request, &indexed, &|_| true, RankedOrder::All)
}

/// The documents of an index with what searches reuse between requests.
#[derive(Clone, Copy)]
pub struct IndexedDocuments<'a, 'd> {
    /// The tokenised documents.
    pub words: &'a WordIndex,
    /// Sort values of the same documents.
    pub sort_values: &'a SortValueCache,
    /// The document `words` numbered `n`.
    pub document_at: &'a dyn Fn(usize) -> &'d Map<String, Value>,
}

/// How much of the ranked documents must be in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankedOrder {
    /// Every document in rank order.
    All,
    /// Only the first `n` documents are the best `n` in rank order; the others follow in
    /// no particular order (enough to show one page, much cheaper on many matches).
    First(usize),
}

/// Returns the documents of `indexed` matching `request` among those `is_allowed` accepts
/// (by document number), best first as far as `order` asks; documents that rank equally
/// keep their number order.
pub fn rank_indexed<'d>(
    request: &RankingRequest<'_>,
    indexed: &IndexedDocuments<'_, 'd>,
    is_allowed: &dyn Fn(usize) -> bool,
    order: RankedOrder,
) -> Vec<RankedDocument<'d>> {
    let words = indexed.words;
    let document_at = indexed.document_at;
    let typo_settings = TypoSettings::from_json(request.typo_tolerance);
    let stop_words: Vec<String> = request
        .stop_words
        .iter()
        .map(|w| normalize_word(w))
        .collect();
    let terms = query::parse_query(request.query, &typo_settings, &stop_words);
    let attributes = SearchableAttributes::new(request.searchable_attributes);

    // Pushed in ascending document number: the number breaks ties, as a stable sort would.
    // Each document's outcomes are `outcomes[start..start + steps.len()]`.
    let mut scored: Vec<(usize, usize)> = Vec::new();
    let mut outcomes: Vec<Outcome> = Vec::new();
    let steps: Arc<[Step]>;
    if terms.is_empty() {
        steps = rules::placeholder_steps(request.ranking_rules, request.sort).into();
        let context = SearchContext {
            terms: &terms,
            steps: &steps,
            strategy: MatchingStrategy::All,
            max_attribute_weight: attributes.max_weight(),
            sort_values: &sort_values_of(&steps, indexed),
        };
        let no_matches = DocumentMatches::default();
        for number in (0..words.len()).filter(|&number| is_allowed(number)) {
            let start = outcomes.len();
            if evaluate_document(&context, number, &no_matches, &mut outcomes) {
                scored.push((number, start));
            }
        }
    } else {
        steps = rules::query_steps(
            request.ranking_rules,
            request.sort,
            request.matching_strategy,
        )
        .into();
        let context = SearchContext {
            terms: &terms,
            steps: &steps,
            strategy: request.matching_strategy,
            max_attribute_weight: attributes.max_weight(),
            sort_values: &sort_values_of(&steps, indexed),
        };
        let matcher = DocumentMatcher::new(&terms, words, attributes, &typo_settings, &stop_words);
        let mut matches = DocumentMatches::default();
        for number in matcher.candidates() {
            let number = number as usize;
            if !is_allowed(number) {
                continue;
            }
            matcher.scan(number, &mut matches);
            let start = outcomes.len();
            if evaluate_document(&context, number, &matches, &mut outcomes) {
                scored.push((number, start));
            }
        }
    }
    let step_count = steps.len();
    let outcomes: Arc<[Outcome]> = outcomes.into();
    let outcomes_at = |start: usize| &outcomes[start..start + step_count];
    let rank_order = |(left_number, left): &(usize, usize),
                      (right_number, right): &(usize, usize)| {
        compare_outcomes(outcomes_at(*left), outcomes_at(*right))
            .then(left_number.cmp(right_number))
    };
    match order {
        RankedOrder::First(first) if first < scored.len() => {
            if first > 0 {
                scored.select_nth_unstable_by(first - 1, rank_order);
                scored[..first].sort_unstable_by(rank_order);
            }
        }
        _ => scored.sort_unstable_by(rank_order),
    }
    scored
        .into_iter()
        .map(|(number, start)| RankedDocument {
            document: document_at(number),
            number,
            all_outcomes: Arc::clone(&outcomes),
            outcomes: start..start + step_count,
            steps: Arc::clone(&steps),
        })
        .collect()
}

/// By step index: the cached sort values of each sort step.
fn sort_values_of(
    steps: &[Step],
    indexed: &IndexedDocuments<'_, '_>,
) -> Vec<Option<Arc<Vec<sort_value::SortValue>>>> {
    steps
        .iter()
        .map(|step| match step {
            Step::Sort(criterion) => Some(indexed.sort_values.values(
                &criterion.field,
                criterion.ascending,
                indexed.words.len(),
                indexed.document_at,
            )),
            _ => None,
        })
        .collect()
}
