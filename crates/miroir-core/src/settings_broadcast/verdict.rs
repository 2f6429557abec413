//! The verify phase's decision: which settings every node must hold, and which nodes do not
//! hold them.
//!
//! The reference is a node's read-back, not settings Miroir computes itself: Meilisearch
//! merges a partial update into the index settings and fills defaults, and only a node can
//! say what that merge produced. The first node (in node-id order) whose proposal tasks all
//! succeeded is the reference; a node is verified when its read-back has the reference's
//! digest and `_miroir_shard` is filterable on it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::digest::settings_digest;
use super::fault::NodeFault;
use crate::shard_filterable::with_shard_filterable;
use crate::topology::NodeId;

/// The setting that must list `_miroir_shard` on every node.
const FILTERABLE_FIELD: &str = "filterableAttributes";

/// The settings every node must hold after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedSettings {
    /// The node whose read-back they are.
    pub source: NodeId,
    /// The settings as that node reported them (`_miroir_shard` included).
    pub settings: Value,
    /// Their [`settings_digest`].
    pub digest: String,
}

/// The reference settings: the read-back of the first node without a task fault, if any.
pub fn choose_expected(
    read_backs: &BTreeMap<NodeId, Result<Value, NodeFault>>,
    task_faults: &BTreeMap<NodeId, NodeFault>,
) -> Option<ExpectedSettings> {
    read_backs.iter().find_map(|(node, read_back)| {
        if task_faults.contains_key(node) {
            return None;
        }
        let settings = read_back.as_ref().ok()?;
        Some(ExpectedSettings {
            source: node.clone(),
            settings: settings.clone(),
            digest: settings_digest(settings),
        })
    })
}

/// Every node of `read_backs` that does not hold `expected`, with why. A node's task fault
/// explains a divergence better than its read-back, so it is reported first; a node whose
/// read-back matches is verified even if its task was reported failed or unfinished.
pub fn diverging_nodes(
    expected: Option<&ExpectedSettings>,
    read_backs: &BTreeMap<NodeId, Result<Value, NodeFault>>,
    task_faults: &BTreeMap<NodeId, NodeFault>,
) -> BTreeMap<NodeId, NodeFault> {
    let mut diverging = BTreeMap::new();
    for (node, read_back) in read_backs {
        let fault = match (expected, read_back) {
            (_, Err(read_fault)) => read_fault.clone(),
            (None, Ok(_)) => NodeFault::NoReference,
            (Some(expected), Ok(settings)) => {
                let digest = settings_digest(settings);
                if digest != expected.digest {
                    NodeFault::Mismatch {
                        expected_digest: expected.digest.clone(),
                        actual_digest: digest,
                    }
                } else if !shard_field_filterable(settings) {
                    NodeFault::ShardFieldNotFilterable
                } else {
                    continue;
                }
            }
        };
        let reported = task_faults.get(node).cloned().unwrap_or(fault);
        diverging.insert(node.clone(), reported);
    }
    diverging
}

/// Whether every node refused the change in its own task (a change Meilisearch rejects, not a
/// divergence): nothing was applied, so there is nothing to repair or restore.
pub fn rejected_everywhere(diverging: &BTreeMap<NodeId, NodeFault>, node_count: usize) -> bool {
    node_count > 0
        && diverging.len() == node_count
        && diverging
            .values()
            .all(|fault| matches!(fault, NodeFault::TaskFailed { .. }))
}

/// Whether `settings` lists `_miroir_shard` among its filterable attributes.
pub fn shard_field_filterable(settings: &Value) -> bool {
    match settings.get(FILTERABLE_FIELD) {
        Some(list @ Value::Array(_)) => with_shard_filterable(list) == *list,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{json, Value};

    use super::*;

    fn node(name: &str) -> NodeId {
        NodeId::new(name)
    }

    fn settings(synonym: &str) -> Value {
        json!({"filterableAttributes": ["_miroir_shard"], "synonyms": {"car": [synonym]}})
    }

    #[test]
    fn the_reference_is_the_first_node_whose_tasks_succeeded() {
        let read_backs = BTreeMap::from([
            (node("a"), Ok(settings("old"))),
            (node("b"), Ok(settings("new"))),
            (node("c"), Ok(settings("new"))),
        ]);
        let task_faults = BTreeMap::from([(node("a"), NodeFault::TaskUnfinished { task_uid: 4 })]);
        let expected = choose_expected(&read_backs, &task_faults).unwrap();
        assert_eq!(expected.source, node("b"));
        let diverging = diverging_nodes(Some(&expected), &read_backs, &task_faults);
        assert_eq!(
            diverging,
            BTreeMap::from([(node("a"), NodeFault::TaskUnfinished { task_uid: 4 })])
        );
    }

    #[test]
    fn mismatches_unreachable_nodes_and_a_missing_shard_field_diverge() {
        let read_backs = BTreeMap::from([
            (node("a"), Ok(settings("new"))),
            (node("b"), Ok(settings("old"))),
            (node("c"), Err(NodeFault::Unreachable("refused".into()))),
        ]);
        let expected = choose_expected(&read_backs, &BTreeMap::new()).unwrap();
        let diverging = diverging_nodes(Some(&expected), &read_backs, &BTreeMap::new());
        assert_eq!(diverging.len(), 2);
        assert!(matches!(diverging[&node("b")], NodeFault::Mismatch { .. }));
        assert_eq!(
            diverging[&node("c")],
            NodeFault::Unreachable("refused".into())
        );

        let without_shard = json!({"filterableAttributes": ["genre"]});
        let read_backs = BTreeMap::from([(node("a"), Ok(without_shard))]);
        let expected = choose_expected(&read_backs, &BTreeMap::new()).unwrap();
        let diverging = diverging_nodes(Some(&expected), &read_backs, &BTreeMap::new());
        assert_eq!(
            diverging,
            BTreeMap::from([(node("a"), NodeFault::ShardFieldNotFilterable)])
        );
    }

    #[test]
    fn identical_nodes_verify() {
        let read_backs = BTreeMap::from([
            (node("a"), Ok(settings("new"))),
            (node("b"), Ok(settings("new"))),
        ]);
        let expected = choose_expected(&read_backs, &BTreeMap::new()).unwrap();
        assert!(diverging_nodes(Some(&expected), &read_backs, &BTreeMap::new()).is_empty());
    }

    #[test]
    fn a_change_every_node_refused_is_not_a_divergence() {
        let failed = |uid| NodeFault::TaskFailed {
            task_uid: uid,
            message: "invalid embedder".into(),
        };
        let read_backs = BTreeMap::from([
            (node("a"), Ok(settings("old"))),
            (node("b"), Ok(settings("old"))),
        ]);
        let task_faults = BTreeMap::from([(node("a"), failed(1)), (node("b"), failed(2))]);
        assert_eq!(choose_expected(&read_backs, &task_faults), None);
        let diverging = diverging_nodes(None, &read_backs, &task_faults);
        assert!(rejected_everywhere(&diverging, 2));
        let one_unreachable =
            BTreeMap::from([(node("a"), failed(1)), (node("b"), NodeFault::NoReference)]);
        assert!(!rejected_everywhere(&one_unreachable, 2));
    }

    #[test]
    fn granular_filterable_entries_count_for_the_shard_field() {
        assert!(shard_field_filterable(&json!({
            "filterableAttributes": [{"attributePatterns": ["_miroir_shard"]}]
        })));
        assert!(!shard_field_filterable(
            &json!({"filterableAttributes": null})
        ));
    }
}
