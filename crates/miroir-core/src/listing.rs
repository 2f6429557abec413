//! Listing documents across shards (`GET /indexes/{uid}/documents`,
//! `POST /indexes/{uid}/documents/fetch`): the nodes of one covering set each hold a part, and
//! the listing is their concatenation in covering-set order (nodes by id, each in its own
//! order). A page `[offset, offset + limit)` of that sequence is read from the nodes whose
//! parts it overlaps, once their totals are known.

use serde_json::{Map, Number, Value};

/// One node's slice of a page: read `limit` documents from `offset` of that node's part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSlice {
    /// Position of the node in the covering set.
    pub node: usize,
    /// Offset inside that node's part.
    pub offset: usize,
    /// Documents to read from it.
    pub limit: usize,
}

/// The slices of the page `[offset, offset + limit)` over parts of the given `totals`.
pub fn page_slices(totals: &[usize], offset: usize, limit: usize) -> Vec<NodeSlice> {
    let end = offset.saturating_add(limit);
    let mut slices = Vec::new();
    let mut start_of_part = 0usize;
    for (node, total) in totals.iter().enumerate() {
        let end_of_part = start_of_part.saturating_add(*total);
        let from = offset.max(start_of_part);
        let to = end.min(end_of_part);
        if from < to {
            slices.push(NodeSlice {
                node,
                offset: from - start_of_part,
                limit: to - from,
            });
        }
        start_of_part = end_of_part;
    }
    slices
}

/// The `GET` listing parameters as the equivalent `fetch` body, or `None` when a parameter is
/// unknown, repeated or malformed (a node then answers with Meilisearch's own error).
pub fn fetch_body_from_query(query: &str) -> Option<Map<String, Value>> {
    let mut body = Map::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let converted = match name.as_ref() {
            "offset" | "limit" => Value::Number(Number::from(value.parse::<u64>().ok()?)),
            "fields" | "ids" => Value::Array(
                value
                    .split(',')
                    .map(|item| Value::String(item.trim().to_owned()))
                    .collect(),
            ),
            "filter" => Value::String(value.to_string()),
            "retrieveVectors" => Value::Bool(value.parse::<bool>().ok()?),
            _ => return None,
        };
        if body.insert(name.into_owned(), converted).is_some() {
            return None;
        }
    }
    Some(body)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_page_spanning_two_parts_reads_both() {
        assert_eq!(
            page_slices(&[5, 10, 3], 3, 6),
            vec![
                NodeSlice {
                    node: 0,
                    offset: 3,
                    limit: 2
                },
                NodeSlice {
                    node: 1,
                    offset: 0,
                    limit: 4
                },
            ]
        );
        assert_eq!(
            page_slices(&[5, 10, 3], 16, 10),
            vec![NodeSlice {
                node: 2,
                offset: 1,
                limit: 2
            }]
        );
        assert!(page_slices(&[5, 10, 3], 18, 10).is_empty());
        assert!(page_slices(&[5, 0, 3], 0, 0).is_empty());
    }

    #[test]
    fn query_parameters_become_a_fetch_body() {
        let body =
            fetch_body_from_query("offset=2&limit=3&fields=id,title&filter=year%20%3E%202000")
                .unwrap();
        assert_eq!(
            Value::Object(body),
            json!({"offset": 2, "limit": 3, "fields": ["id", "title"], "filter": "year > 2000"})
        );
        assert_eq!(fetch_body_from_query("limit=-1"), None);
        assert_eq!(fetch_body_from_query("sort=id:asc"), None);
    }

    proptest! {
        /// Paging the concatenation slice by slice reads every position exactly once, in order.
        #[test]
        fn pages_partition_the_concatenation(totals in prop::collection::vec(0usize..20, 1..6), page in 1usize..15) {
            let sum: usize = totals.iter().sum();
            let mut seen = Vec::new();
            let mut offset = 0;
            while offset < sum {
                for slice in page_slices(&totals, offset, page) {
                    let start: usize = totals[..slice.node].iter().sum();
                    seen.extend((slice.offset..slice.offset + slice.limit).map(|position| start + position));
                }
                offset += page;
            }
            prop_assert_eq!(seen, (0..sum).collect::<Vec<_>>());
        }
    }
}
