//! Running the ranking steps on one document's matches.
//!
//! Every rule is computed from this document alone (document-local scoring): the rules
//! follow Meilisearch's graph-based rules, but where milli derives a bucket from what
//! the whole index contains, we derive it from the document's own matches.
//!
//! ```text
//! occurrences ──words──▶ remaining terms ──typo──▶ occurrences at each term's best typo
//!             ──proximity / attributeRank / wordPosition / exactness──▶ ranks
//! ```

use std::cmp::Ordering;
use std::sync::Arc;

use super::matching::{DocumentMatches, Occurrence};
use super::query::{QueryTerm, MAX_QUERY_TERMS};
use super::rank::Rank;
use super::rules::Step;
use super::sort_value::SortValue;
use super::MatchingStrategy;

/// Highest cost of one pair of consecutive words in the `proximity` rule.
const MAX_PROXIMITY_COST: u32 = 7;
/// Highest cost of one word in the `wordPosition` rule.
const MAX_POSITION_COST: u32 = 10;

/// How an attribute matches the whole query, for the `exactness` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ExactMatchType {
    /// An attribute is exactly the query.
    ExactMatch,
    /// An attribute starts with the query.
    MatchesStart,
    /// Neither.
    NoExactMatch,
}

impl ExactMatchType {
    /// Name used in the details (`matchType`).
    pub(super) fn name(self) -> &'static str {
        match self {
            ExactMatchType::ExactMatch => "exactMatch",
            ExactMatchType::MatchesStart => "matchesStart",
            ExactMatchType::NoExactMatch => "noExactMatch",
        }
    }

    /// Rank among the three match types.
    pub(super) fn rank(self) -> Rank {
        let rank = match self {
            ExactMatchType::ExactMatch => 3,
            ExactMatchType::MatchesStart => 2,
            ExactMatchType::NoExactMatch => 1,
        };
        Rank { rank, max_rank: 3 }
    }
}

/// The result of one step for one document.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Outcome {
    /// `words`.
    Words { matching: u32, max: u32 },
    /// `typo`.
    Typo { count: u32, max: u32 },
    /// `proximity`.
    Proximity(Rank),
    /// `attributeRank`.
    AttributeRank(Rank),
    /// `wordPosition`.
    WordPosition(Rank),
    /// Legacy `attribute`.
    Attribute {
        attribute_rank: Rank,
        word_position: Rank,
    },
    /// `exactness`: match type, then the count of query words found without typo or prefix.
    Exactness {
        match_type: ExactMatchType,
        exact_words: u32,
        max_words: u32,
    },
    /// A sort criterion, with the step index it came from.
    Sort {
        step: usize,
        ascending: bool,
        value: SortValue,
    },
}

impl Outcome {
    /// Ranks this outcome contributes to the global score, in order.
    pub(super) fn ranks(&self) -> impl Iterator<Item = Rank> {
        let (first, second) = match self {
            Outcome::Words { matching, max } => (
                Some(Rank {
                    rank: *matching,
                    max_rank: *max,
                }),
                None,
            ),
            Outcome::Typo { count, max } => (Some(Rank::from_cost(*count, *max)), None),
            Outcome::Proximity(rank)
            | Outcome::AttributeRank(rank)
            | Outcome::WordPosition(rank) => (Some(*rank), None),
            Outcome::Attribute {
                attribute_rank,
                word_position,
            } => (Some(*attribute_rank), Some(*word_position)),
            Outcome::Exactness {
                match_type,
                exact_words,
                max_words,
            } => (
                Some(match_type.rank()),
                Some(Rank {
                    rank: exact_words + 1,
                    max_rank: max_words + 1,
                }),
            ),
            Outcome::Sort { .. } => (None, None),
        };
        first.into_iter().chain(second)
    }

    /// Order of two documents on this step: `Less` means `self` comes first.
    fn order(&self, other: &Outcome) -> Ordering {
        match (self, other) {
            (
                Outcome::Sort {
                    ascending, value, ..
                },
                Outcome::Sort {
                    value: other_value, ..
                },
            ) => value.order(other_value, *ascending),
            // Single-rank rules, compared directly (the common case when sorting hits).
            (
                Outcome::Words { matching, max },
                Outcome::Words {
                    matching: other_matching,
                    max: other_max,
                },
            ) => Rank {
                rank: *other_matching,
                max_rank: *other_max,
            }
            .compare(Rank {
                rank: *matching,
                max_rank: *max,
            }),
            (
                Outcome::Typo { count, max },
                Outcome::Typo {
                    count: other_count,
                    max: other_max,
                },
            ) => Rank::from_cost(*other_count, *other_max).compare(Rank::from_cost(*count, *max)),
            (Outcome::Proximity(mine), Outcome::Proximity(theirs))
            | (Outcome::AttributeRank(mine), Outcome::AttributeRank(theirs))
            | (Outcome::WordPosition(mine), Outcome::WordPosition(theirs)) => theirs.compare(*mine),
            _ => {
                for (mine, theirs) in self.ranks().zip(other.ranks()) {
                    let ordering = theirs.compare(mine);
                    if ordering != Ordering::Equal {
                        return ordering;
                    }
                }
                Ordering::Equal
            }
        }
    }
}

/// Orders two documents by their outcomes (same steps on both sides).
pub(super) fn compare_outcomes(left: &[Outcome], right: &[Outcome]) -> Ordering {
    left.iter()
        .zip(right)
        .map(|(mine, theirs)| mine.order(theirs))
        .find(|ordering| *ordering != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// Everything fixed for one search.
pub(super) struct SearchContext<'s> {
    /// The query terms.
    pub terms: &'s [QueryTerm],
    /// The steps to run.
    pub steps: &'s [Step],
    /// The matching strategy.
    pub strategy: MatchingStrategy,
    /// Highest weight of a searchable attribute.
    pub max_attribute_weight: u32,
    /// By step index: for a sort step, every document's value (by document number).
    pub sort_values: &'s [Option<Arc<Vec<SortValue>>>],
}

/// Runs the steps on document number `document`, appending one outcome per step to
/// `outcomes`; returns `false` (appending nothing) when it does not match the query.
pub(super) fn evaluate_document(
    context: &SearchContext<'_>,
    document: usize,
    matches: &DocumentMatches,
    outcomes: &mut Vec<Outcome>,
) -> bool {
    let terms = context.terms;
    debug_assert!(terms.len() <= MAX_QUERY_TERMS);
    let mut matched_mask: u32 = 0;
    for occurrence in &matches.occurrences {
        matched_mask |= 1 << occurrence.term;
    }
    let all_mask: u32 = (1 << terms.len()) - 1;
    let remaining_mask = match context.strategy {
        MatchingStrategy::Last => {
            let leading = (!matched_mask).trailing_zeros().min(terms.len() as u32);
            (1u32 << leading) - 1
        }
        MatchingStrategy::All => matched_mask & all_mask,
        MatchingStrategy::Frequency => matched_mask & all_mask,
    };
    let enough = match context.strategy {
        MatchingStrategy::All => remaining_mask == all_mask,
        MatchingStrategy::Last | MatchingStrategy::Frequency => remaining_mask != 0,
    };
    if !enough {
        return false;
    }
    let mut state = DocumentState {
        terms,
        matches,
        remaining: (0..terms.len())
            .filter(|term| remaining_mask & (1 << term) != 0)
            .collect(),
        typo_levels: None,
    };
    outcomes.extend(context.steps.iter().enumerate().map(|(index, step)| {
        match step {
            Step::Words => Outcome::Words {
                matching: state.remaining.len() as u32,
                max: terms.len() as u32,
            },
            Step::Typo => state.typo(),
            Step::Proximity => Outcome::Proximity(state.proximity()),
            Step::AttributeRank => {
                Outcome::AttributeRank(state.attribute_rank(context.max_attribute_weight))
            }
            Step::WordPosition => Outcome::WordPosition(state.word_position()),
            Step::Attribute => Outcome::Attribute {
                attribute_rank: state.attribute_rank(context.max_attribute_weight),
                word_position: state.word_position(),
            },
            Step::Exactness => state.exactness(),
            Step::Sort(criterion) => Outcome::Sort {
                step: index,
                ascending: criterion.ascending,
                value: context.sort_values[index]
                    .as_ref()
                    .map_or(SortValue::Missing, |values| values[document].clone()),
            },
        }
    }));
    true
}

/// Per-document state threaded through the steps.
struct DocumentState<'a> {
    terms: &'a [QueryTerm],
    matches: &'a DocumentMatches,
    /// Terms still in play after `words`, in query order.
    remaining: Vec<usize>,
    /// After `typo`: the typo count each term is restricted to.
    typo_levels: Option<[u8; MAX_QUERY_TERMS]>,
}

impl DocumentState<'_> {
    /// Occurrences of `term` usable by the current step.
    fn occurrences_of(&self, term: usize) -> impl Iterator<Item = &Occurrence> + '_ {
        let level = self.typo_levels.map(|levels| levels[term]);
        self.matches
            .occurrences
            .iter()
            .filter(move |o| o.term == term && level.is_none_or(|level| o.typos == level))
    }

    fn typo(&mut self) -> Outcome {
        let mut levels = [0u8; MAX_QUERY_TERMS];
        let mut count = 0;
        let mut max = 0;
        for &term in &self.remaining {
            let best = self
                .occurrences_of(term)
                .map(|o| o.typos)
                .min()
                .unwrap_or(0);
            levels[term] = best;
            count += u32::from(best);
            max += self.terms[term].max_typo_cost();
        }
        self.typo_levels = Some(levels);
        Outcome::Typo { count, max }
    }

    fn proximity(&self) -> Rank {
        let mut cost = 0;
        let mut max_cost = 0;
        for pair in self.remaining.windows(2) {
            let (left, right) = (pair[0], pair[1]);
            if self.terms[left].position + 1 != self.terms[right].position {
                continue;
            }
            max_cost += MAX_PROXIMITY_COST;
            let mut best = MAX_PROXIMITY_COST;
            for left_occurrence in self.occurrences_of(left) {
                for right_occurrence in self.occurrences_of(right) {
                    if left_occurrence.field == right_occurrence.field {
                        best = best.min(pair_cost(
                            left_occurrence.position,
                            right_occurrence.position,
                        ));
                    }
                }
            }
            cost += best;
        }
        Rank::from_cost(cost, max_cost)
    }

    fn attribute_rank(&self, max_weight: u32) -> Rank {
        let mut cost = 0;
        for &term in &self.remaining {
            let fields = self.matches.fields();
            let best = self
                .occurrences_of(term)
                .map(|o| u32::from(fields[o.field].weight))
                .min();
            cost += best.unwrap_or(max_weight).min(max_weight);
        }
        Rank::from_cost(cost, max_weight * self.remaining.len() as u32)
    }

    fn word_position(&self) -> Rank {
        let mut cost = 0;
        for &term in &self.remaining {
            let query_position = self.terms[term].position;
            let best = self
                .occurrences_of(term)
                .map(|o| position_cost(bucketed_position(o.position).abs_diff(query_position)))
                .min();
            cost += best.unwrap_or(MAX_POSITION_COST);
        }
        Rank::from_cost(cost, MAX_POSITION_COST * self.remaining.len() as u32)
    }

    fn exactness(&self) -> Outcome {
        let exact = |term: usize| self.occurrences_of(term).filter(|o| o.exact);
        let exact_words = self
            .remaining
            .iter()
            .filter(|&&term| exact(term).next().is_some())
            .count();
        let no_hole = self
            .remaining
            .iter()
            .enumerate()
            .all(|(index, &term)| index == term);
        let at_query_positions = self.remaining.iter().all(|&term| {
            let wanted = bucketed_position(self.terms[term].position);
            exact(term).any(|o| bucketed_position(o.position) == wanted)
        });
        let mut match_type = ExactMatchType::NoExactMatch;
        if no_hole && at_query_positions {
            for (field_index, field) in self.matches.fields().iter().enumerate() {
                let all_in_field = self
                    .remaining
                    .iter()
                    .all(|&term| exact(term).any(|o| o.field == field_index));
                if !all_in_field {
                    continue;
                }
                if field.word_count as usize == self.remaining.len() {
                    match_type = ExactMatchType::ExactMatch;
                    break;
                }
                match_type = ExactMatchType::MatchesStart;
            }
        }
        Outcome::Exactness {
            match_type,
            exact_words: exact_words as u32,
            max_words: self.remaining.len() as u32,
        }
    }
}

/// Cost of a pair of consecutive query words found at `left` and `right` in one field:
/// 0 when adjacent in query order, growing with distance, reversed order costs one more.
fn pair_cost(left: u32, right: u32) -> u32 {
    let proximity = match right.cmp(&left) {
        Ordering::Greater => right - left,
        Ordering::Less => left - right + 1,
        Ordering::Equal => return MAX_PROXIMITY_COST,
    };
    (proximity - 1).min(MAX_PROXIMITY_COST)
}

/// milli's `cost_from_distance` for the `wordPosition` rule.
fn position_cost(distance: u32) -> u32 {
    match distance {
        0 => 0,
        1 => 1,
        2..=4 => 2,
        5..=7 => 3,
        8..=11 => 4,
        12..=16 => 5,
        17..=24 => 6,
        25..=64 => 7,
        65..=256 => 8,
        257..=1024 => 9,
        _ => 10,
    }
}

/// milli's `bucketed_position`: exact below 16, then coarser and coarser.
fn bucketed_position(position: u32) -> u32 {
    if position < 16 {
        position
    } else if position < 24 {
        24
    } else {
        position.next_power_of_two()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_costs_follow_milli_proximity_edges() {
        assert_eq!(pair_cost(1, 2), 0, "adjacent in order");
        assert_eq!(pair_cost(2, 1), 1, "adjacent reversed");
        assert_eq!(pair_cost(0, 3), 2);
        assert_eq!(pair_cost(0, 7), 6);
        assert_eq!(pair_cost(0, 8), 7, "too far");
        assert_eq!(pair_cost(0, 40), 7);
        assert_eq!(pair_cost(3, 3), 7);
    }

    #[test]
    fn bucketed_positions_and_costs() {
        assert_eq!(bucketed_position(15), 15);
        assert_eq!(bucketed_position(16), 24);
        assert_eq!(bucketed_position(24), 32);
        assert_eq!(bucketed_position(33), 64);
        assert_eq!(position_cost(17), 6);
        assert_eq!(position_cost(5000), 10);
    }
}
