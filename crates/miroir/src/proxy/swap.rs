//! `POST /swap-indexes`: every node swaps (or renames) its indexes in one task of its own;
//! Miroir records one `indexSwap` task over them and swaps the index registry records (shard
//! count, primary key, settings versions) so routing follows the contents.
//!
//! Nodes process their tasks in order, so any write Miroir sends after the nodes accepted the
//! swap lands after it: the registry is swapped as soon as every node accepted. Swaps the
//! nodes will fail (an index that does not exist, reported by the task as in Meilisearch)
//! leave the registry alone. When a node cannot be reached, the nodes that accepted are sent
//! the inverse swaps and the request fails.

use axum::http::Method;
use miroir_meta::{CommandV1, IndexCommand, IndexSwap};
use serde_json::{json, Value};

use super::broadcast::{accepted_tasks, Broadcast};
use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

impl Proxy {
    /// `POST /swap-indexes` with the client's JSON body.
    pub async fn swap_indexes(&self, body: Value) -> Result<Reply, ProxyError> {
        let request = NodeRequest::json(Method::POST, "/swap-indexes", &body);
        let accepted = match accepted_tasks(self.broadcast(&request).await) {
            Ok(accepted) => accepted,
            Err(Broadcast::Refused(error)) => return Err(error),
            Err(Broadcast::Unreachable {
                accepted,
                node,
                source,
            }) => {
                if let Some(swaps) = parse_swaps(&body) {
                    let undo = NodeRequest::json(Method::POST, "/swap-indexes", &inverse(&swaps));
                    let targets = accepted
                        .into_keys()
                        .map(|node| (node, undo.clone()))
                        .collect();
                    for (node, outcome) in self.send_each(targets).await {
                        if !outcome.is_ok_and(|response| response.status.is_success()) {
                            tracing::error!(%node, "could not undo an index swap");
                        }
                    }
                }
                return Err(ProxyError::Node { node, source });
            }
        };
        // Nodes accepted the body, so it has the shape of a swap request.
        let swaps = parse_swaps(&body)
            .ok_or_else(|| ProxyError::Internal("nodes accepted a malformed swap".into()))?;
        let registry_applies = self
            .peer
            .read(|state| {
                swaps.iter().all(|swap| {
                    state.index(&swap.first).is_some()
                        && state.index(&swap.second).is_some() != swap.rename
                })
            })
            .await;
        if registry_applies {
            self.apply(CommandV1::Index(IndexCommand::Swap {
                swaps: swaps.clone(),
            }))
            .await?;
        }
        self.enqueue_task(None, "indexSwap", details(&swaps), accepted)
            .await
    }
}

/// The swaps of a request body Meilisearch accepts: `[{indexes: [a, b], rename?: bool}]`.
fn parse_swaps(body: &Value) -> Option<Vec<IndexSwap>> {
    body.as_array()?
        .iter()
        .map(|entry| {
            let indexes = entry.get("indexes")?.as_array()?;
            let [first, second] = indexes.as_slice() else {
                return None;
            };
            Some(IndexSwap {
                first: first.as_str()?.to_owned(),
                second: second.as_str()?.to_owned(),
                rename: entry
                    .get("rename")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        })
        .collect()
}

/// Meilisearch's `details` of an `indexSwap` task.
fn details(swaps: &[IndexSwap]) -> Value {
    let swaps: Vec<Value> = swaps
        .iter()
        .map(|swap| json!({"indexes": [swap.first, swap.second], "rename": swap.rename}))
        .collect();
    json!({ "swaps": swaps })
}

/// The request undoing `swaps`: a swap is its own inverse, a rename goes back; in reverse
/// order.
fn inverse(swaps: &[IndexSwap]) -> Value {
    let undo: Vec<Value> = swaps
        .iter()
        .rev()
        .map(|swap| {
            if swap.rename {
                json!({"indexes": [swap.second, swap.first], "rename": true})
            } else {
                json!({"indexes": [swap.first, swap.second]})
            }
        })
        .collect();
    Value::Array(undo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_bodies_parse_with_rename_defaulting_to_false() {
        let body = json!([{"indexes": ["a", "b"]}, {"indexes": ["c", "d"], "rename": true}]);
        let swaps = parse_swaps(&body).unwrap();
        assert_eq!(
            swaps,
            [
                IndexSwap {
                    first: "a".into(),
                    second: "b".into(),
                    rename: false
                },
                IndexSwap {
                    first: "c".into(),
                    second: "d".into(),
                    rename: true
                },
            ]
        );
        assert_eq!(
            details(&swaps),
            json!({"swaps": [{"indexes": ["a", "b"], "rename": false}, {"indexes": ["c", "d"], "rename": true}]})
        );
        assert_eq!(
            inverse(&swaps),
            json!([{"indexes": ["d", "c"], "rename": true}, {"indexes": ["a", "b"]}])
        );
    }

    #[test]
    fn malformed_swap_bodies_do_not_parse() {
        for body in [
            json!({"indexes": ["a", "b"]}),
            json!([{"indexes": ["a"]}]),
            json!([{"indexes": ["a", 1]}]),
            json!([{}]),
        ] {
            assert_eq!(parse_swaps(&body), None, "{body}");
        }
    }
}
