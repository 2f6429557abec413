//! K-way merge of the nodes' hit lists, which each node already returns in the merged order.
//!
//! ```text
//!   node 0: a0 a1 a2 …  ─┐
//!   node 1: b0 b1 …     ─┼─► pick the best head, advance that node ─► [skip | window] ─► stop
//!   node 2: c0 c1 c2 …  ─┘
//! ```
//!
//! Only heads are compared, so each node's own order is kept (stable) and only the hits up to
//! the end of the window are ever parsed. Heads are compared with a [`HeadKey`] — for a search,
//! [`RankingKey::merge_order`](super::ranking::RankingKey) — and, on a full tie, the lower node
//! index wins: the result is a deterministic function of the input. A linear scan over the heads
//! is used: the covering set is small (a handful of nodes), so it beats a heap and never
//! allocates per hit.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::error::{MergeError, Result};
use super::ranking::{RankingKey, RankingKeyError};

/// The comparable part of a head hit, reused from hit to hit of one node.
pub(super) trait HeadKey<'a> {
    /// Reads `hit` (at `position` of `node`'s hits) into `self`, replacing what was there.
    fn read(&mut self, hit: &'a Map<String, Value>, node: usize, position: usize) -> Result<()>;
    /// `Less` when the hit of `self` is merged before the hit of `other`.
    fn merge_order(&self, other: &Self) -> Ordering;
}

/// A single-index search's key: Meilisearch's bucket order, then the primary key.
struct SearchKey<'a> {
    primary_key: &'a str,
    ranking: RankingKey<'a>,
}

impl<'a> HeadKey<'a> for SearchKey<'a> {
    fn read(&mut self, hit: &'a Map<String, Value>, node: usize, position: usize) -> Result<()> {
        read_ranking_key(&mut self.ranking, hit, self.primary_key, node, position)
    }

    fn merge_order(&self, other: &Self) -> Ordering {
        self.ranking.merge_order(&other.ranking)
    }
}

/// Fills `key` from `hit`, naming the hit in errors.
pub(super) fn read_ranking_key<'a>(
    key: &mut RankingKey<'a>,
    hit: &'a Map<String, Value>,
    primary_key: &str,
    node: usize,
    position: usize,
) -> Result<()> {
    key.fill(hit, primary_key).map_err(|error| match error {
        RankingKeyError::Missing => MergeError::MissingRankingScore { node, position },
        RankingKeyError::Invalid(reason) => MergeError::InvalidRankingData {
            node,
            position,
            reason,
        },
    })
}

/// One node's hits with a cursor on its head.
struct NodeCursor<'a, K> {
    node: usize,
    hits: &'a [Value],
    /// Position of the head in `hits`; `hits.len()` once exhausted.
    position: usize,
    head: K,
}

impl<'a, K: HeadKey<'a>> NodeCursor<'a, K> {
    fn new(node: usize, hits: &'a [Value], head: K) -> Result<Self> {
        let mut cursor = NodeCursor {
            node,
            hits,
            position: 0,
            head,
        };
        cursor.read_head()?;
        Ok(cursor)
    }

    fn has_head(&self) -> bool {
        self.position < self.hits.len()
    }

    fn advance(&mut self) -> Result<()> {
        self.position += 1;
        self.read_head()
    }

    fn read_head(&mut self) -> Result<()> {
        let Some(hit) = self.hits.get(self.position) else {
            return Ok(());
        };
        let (node, position) = (self.node, self.position);
        let hit = hit
            .as_object()
            .ok_or(MergeError::NonObjectHit { node, position })?;
        self.head.read(hit, node, position)
    }
}

/// Merges `hits_per_node` into Meilisearch order, skips the first `offset` merged hits and
/// returns the `(node, position)` of the next `limit` ones.
pub(super) fn select_window(
    hits_per_node: &[Vec<Value>],
    primary_key: &str,
    offset: usize,
    limit: usize,
) -> Result<Vec<(usize, usize)>> {
    select_window_by(
        hits_per_node,
        || SearchKey {
            primary_key,
            ranking: RankingKey::default(),
        },
        offset,
        limit,
    )
}

/// [`select_window`] with any head order: `new_key` makes the (reused) key of each node.
pub(super) fn select_window_by<'a, K: HeadKey<'a>>(
    hits_per_node: &'a [Vec<Value>],
    new_key: impl Fn() -> K,
    offset: usize,
    limit: usize,
) -> Result<Vec<(usize, usize)>> {
    let mut cursors = hits_per_node
        .iter()
        .enumerate()
        .map(|(node, hits)| NodeCursor::new(node, hits, new_key()))
        .collect::<Result<Vec<_>>>()?;
    let available: usize = hits_per_node.iter().map(Vec::len).sum();
    let end = offset.saturating_add(limit).min(available);
    let mut window = Vec::with_capacity(end.saturating_sub(offset));

    for merged_position in 0..end {
        let mut best: Option<usize> = None;
        for (index, cursor) in cursors.iter().enumerate() {
            if !cursor.has_head() {
                continue;
            }
            let is_better = match best {
                None => true,
                // Cursors are visited by ascending node index, so on a full tie the earlier
                // node stays best.
                Some(best_index) => {
                    cursor.head.merge_order(&cursors[best_index].head) == Ordering::Less
                }
            };
            if is_better {
                best = Some(index);
            }
        }
        // `end` never exceeds the number of hits, so some cursor still has a head.
        let Some(best_index) = best else { break };
        let cursor = &mut cursors[best_index];
        if merged_position >= offset {
            window.push((cursor.node, cursor.position));
        }
        cursor.advance()?;
    }
    Ok(window)
}
