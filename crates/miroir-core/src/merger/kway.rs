//! K-way merge of the nodes' hit lists, which each node already returns in Meilisearch order.
//!
//! ```text
//!   node 0: a0 a1 a2 …  ─┐
//!   node 1: b0 b1 …     ─┼─► pick the best head, advance that node ─► [skip | window] ─► stop
//!   node 2: c0 c1 c2 …  ─┘
//! ```
//!
//! Only heads are compared, so each node's own order is kept (stable) and only the hits up to
//! the end of the window are ever parsed. Heads are compared with
//! [`RankingKey::merge_order`](super::ranking::RankingKey) and, on a full tie, the lower node
//! index wins: the result is a deterministic function of the input. A linear scan over the heads
//! is used: the covering set is small (a handful of nodes), so it beats a heap and never
//! allocates per hit.

use std::cmp::Ordering;

use serde_json::Value;

use super::error::{MergeError, Result};
use super::ranking::{RankingKey, RankingKeyError};

/// One node's hits with a cursor on its head.
struct NodeCursor<'a> {
    node: usize,
    hits: &'a [Value],
    /// Position of the head in `hits`; `hits.len()` once exhausted.
    position: usize,
    head: RankingKey<'a>,
}

impl<'a> NodeCursor<'a> {
    fn new(node: usize, hits: &'a [Value], primary_key: &str) -> Result<Self> {
        let mut cursor = NodeCursor {
            node,
            hits,
            position: 0,
            head: RankingKey::default(),
        };
        cursor.read_head(primary_key)?;
        Ok(cursor)
    }

    fn has_head(&self) -> bool {
        self.position < self.hits.len()
    }

    fn advance(&mut self, primary_key: &str) -> Result<()> {
        self.position += 1;
        self.read_head(primary_key)
    }

    fn read_head(&mut self, primary_key: &str) -> Result<()> {
        let Some(hit) = self.hits.get(self.position) else {
            return Ok(());
        };
        let (node, position) = (self.node, self.position);
        let hit = hit
            .as_object()
            .ok_or(MergeError::NonObjectHit { node, position })?;
        self.head
            .fill(hit, primary_key)
            .map_err(|error| match error {
                RankingKeyError::Missing => MergeError::MissingRankingScore { node, position },
                RankingKeyError::Invalid(reason) => MergeError::InvalidRankingData {
                    node,
                    position,
                    reason,
                },
            })
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
    let mut cursors = hits_per_node
        .iter()
        .enumerate()
        .map(|(node, hits)| NodeCursor::new(node, hits, primary_key))
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
        cursor.advance(primary_key)?;
    }
    Ok(window)
}
