//! Ranks and how Meilisearch combines them into `_rankingScore`.
//!
//! A rule puts a document in one of `max_rank` buckets; `rank == max_rank` is the best.
//! The global score is not an average: ranks are merged lexicographically, so an earlier
//! rule always outweighs every later one (`score_details.rs` `Rank::merge` in milli):
//!
//! ```text
//! merge(outer, inner) = { rank: (outer.rank - 1) * inner.max + inner.rank,
//!                         max:  outer.max * inner.max }
//! score = fold(merge, {1, 1}, ranks).rank / .max
//! ```

use std::cmp::Ordering;

/// A bucket index among `max_rank` buckets (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rank {
    /// Bucket of the document, `1..=max_rank`.
    pub rank: u32,
    /// Number of buckets (at least 1).
    pub max_rank: u32,
}

impl Rank {
    /// Builds the rank of a cost-based rule: cost 0 is the best bucket.
    pub(super) fn from_cost(cost: u32, max_cost: u32) -> Rank {
        debug_assert!(cost <= max_cost, "cost {cost} above max {max_cost}");
        Rank {
            rank: max_cost + 1 - cost.min(max_cost),
            max_rank: max_cost + 1,
        }
    }

    /// `rank / max_rank`, the score shown in the details.
    pub(super) fn local_score(self) -> f64 {
        f64::from(self.rank) / f64::from(self.max_rank)
    }

    /// Orders two ranks of the same rule (better first is `Greater`).
    pub(super) fn compare(self, other: Rank) -> Ordering {
        let left = u64::from(self.rank) * u64::from(other.max_rank);
        let right = u64::from(other.rank) * u64::from(self.max_rank);
        left.cmp(&right)
    }

    /// Combines ranks, earlier ranks dominating, into the global score.
    pub(super) fn global_score(ranks: impl IntoIterator<Item = Rank>) -> f64 {
        let mut rank: u128 = 1;
        let mut max_rank: u128 = 1;
        for inner in ranks {
            rank = rank.saturating_sub(1) * u128::from(inner.max_rank) + u128::from(inner.rank);
            max_rank *= u128::from(inner.max_rank);
            if max_rank > u128::from(u64::MAX) {
                // Keep the ratio while staying in range; precision beyond f64 is irrelevant.
                rank >>= 32;
                max_rank >>= 32;
            }
        }
        rank as f64 / max_rank as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_score_matches_meilisearch_fixture() {
        // "dark" on "The Dark Knight": typo {2,2}, position {10,11}, noExactMatch {1,3},
        // exact words {2,2} => 61/66 in the recorded response.
        let ranks = [
            Rank {
                rank: 1,
                max_rank: 1,
            },
            Rank {
                rank: 2,
                max_rank: 2,
            },
            Rank::from_cost(0, 0),
            Rank::from_cost(0, 0),
            Rank {
                rank: 10,
                max_rank: 11,
            },
            Rank {
                rank: 1,
                max_rank: 3,
            },
            Rank {
                rank: 2,
                max_rank: 2,
            },
        ];
        assert_eq!(Rank::global_score(ranks), 0.9242424242424242);
        assert_eq!(Rank::global_score([]), 1.0);
    }

    #[test]
    fn earlier_rules_dominate() {
        let worse_first = Rank::global_score([
            Rank {
                rank: 1,
                max_rank: 2,
            },
            Rank::from_cost(0, 9),
        ]);
        let worse_second = Rank::global_score([
            Rank {
                rank: 2,
                max_rank: 2,
            },
            Rank::from_cost(9, 9),
        ]);
        assert!(worse_first < worse_second);
    }

    #[test]
    fn from_cost_and_compare() {
        assert_eq!(
            Rank::from_cost(2, 20),
            Rank {
                rank: 19,
                max_rank: 21
            }
        );
        assert_eq!(Rank::from_cost(0, 0), Rank::from_cost(0, 0));
        assert_eq!(
            Rank {
                rank: 1,
                max_rank: 2
            }
            .compare(Rank {
                rank: 2,
                max_rank: 4
            }),
            Ordering::Equal
        );
        assert_eq!(
            Rank::from_cost(0, 3).compare(Rank::from_cost(1, 3)),
            Ordering::Greater
        );
    }
}
