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
mod sort_value;
mod tokenize;
mod typo;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

pub use format::{format_document, FormatOptions};

use evaluate::{compare_outcomes, evaluate_document, Outcome, SearchContext};
use fields::SearchableAttributes;
use matching::{DocumentMatcher, DocumentMatches};
use normalize::normalize_word;
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
#[derive(Debug, Clone, PartialEq)]
pub struct RankedDocument<'d> {
    /// The document as stored.
    pub document: &'d Map<String, Value>,
    /// `_rankingScore`, in `0.0..=1.0`.
    pub ranking_score: f64,
    /// `_rankingScoreDetails`.
    pub ranking_score_details: Map<String, Value>,
}

/// Returns the documents matching `request`, best first; documents that rank equally keep
/// their iteration (insertion) order.
pub fn rank_documents<'d>(
    request: &RankingRequest<'_>,
    documents: impl Iterator<Item = &'d Map<String, Value>>,
) -> Vec<RankedDocument<'d>> {
    let typo_settings = TypoSettings::from_json(request.typo_tolerance);
    let stop_words: Vec<String> = request
        .stop_words
        .iter()
        .map(|w| normalize_word(w))
        .collect();
    let terms = query::parse_query(request.query, &typo_settings, &stop_words);
    let attributes = SearchableAttributes::new(request.searchable_attributes);

    let mut scored: Vec<(&'d Map<String, Value>, Vec<Outcome>)> = Vec::new();
    let steps;
    if terms.is_empty() {
        steps = rules::placeholder_steps(request.ranking_rules, request.sort);
        let context = SearchContext {
            terms: &terms,
            steps: &steps,
            strategy: MatchingStrategy::All,
            max_attribute_weight: attributes.max_weight(),
        };
        let no_matches = DocumentMatches::default();
        for document in documents {
            if let Some(outcomes) = evaluate_document(&context, document, &no_matches) {
                scored.push((document, outcomes));
            }
        }
    } else {
        steps = rules::query_steps(
            request.ranking_rules,
            request.sort,
            request.matching_strategy,
        );
        let context = SearchContext {
            terms: &terms,
            steps: &steps,
            strategy: request.matching_strategy,
            max_attribute_weight: attributes.max_weight(),
        };
        let mut matcher = DocumentMatcher::new(&terms, attributes, &typo_settings, &stop_words);
        let mut matches = DocumentMatches::default();
        for document in documents {
            matcher.scan(document, &mut matches);
            if let Some(outcomes) = evaluate_document(&context, document, &matches) {
                scored.push((document, outcomes));
            }
        }
    }
    scored.sort_by(|(_, left), (_, right)| compare_outcomes(left, right));
    scored
        .into_iter()
        .map(|(document, outcomes)| RankedDocument {
            document,
            ranking_score: details::ranking_score(&outcomes),
            ranking_score_details: details::ranking_score_details(&steps, &outcomes),
        })
        .collect()
}
