//! The message of a settings change that could not be applied everywhere: which node failed
//! how, and what was done to leave no node on the uncommitted settings.

use std::collections::BTreeMap;

use super::fault::NodeFault;
use crate::topology::NodeId;

/// What restoring the previous settings achieved after a failed change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoreOutcome {
    /// Nodes verified back on their previous settings.
    pub restored: Vec<NodeId>,
    /// Nodes that may still hold the new settings, with why the restore failed.
    pub not_restored: BTreeMap<NodeId, NodeFault>,
}

/// The message of the `miroir_settings_divergence` error of index `index_uid` after
/// `repair_attempts` repairs: one clause per diverging node, then the restore's outcome.
pub fn divergence_message(
    index_uid: &str,
    repair_attempts: u32,
    diverging: &BTreeMap<NodeId, NodeFault>,
    restore: &RestoreOutcome,
) -> String {
    let per_node: Vec<String> = diverging
        .iter()
        .map(|(node, fault)| format!("node `{node}`: {fault}"))
        .collect();
    let attempts = match repair_attempts {
        1 => "1 repair attempt".to_owned(),
        count => format!("{count} repair attempts"),
    };
    let mut message = format!(
        "Settings of index `{index_uid}` diverge across nodes after {attempts}: {}. The settings version was not committed.",
        per_node.join("; ")
    );
    message.push_str(&restore_summary(restore));
    message
}

/// What a restore achieved, as sentences to append to an error message (each starting with
/// a space).
pub fn restore_summary(restore: &RestoreOutcome) -> String {
    let mut summary = String::new();
    if restore.restored.is_empty() && restore.not_restored.is_empty() {
        summary.push_str(" No node had taken the new settings.");
    }
    if !restore.restored.is_empty() {
        summary.push_str(&format!(
            " Previous settings restored on {}.",
            node_list(restore.restored.iter())
        ));
    }
    if !restore.not_restored.is_empty() {
        let failures: Vec<String> = restore
            .not_restored
            .iter()
            .map(|(node, fault)| format!("node `{node}`: {fault}"))
            .collect();
        summary.push_str(&format!(
            " Previous settings could not be restored on {}: {}.",
            node_list(restore.not_restored.keys()),
            failures.join("; ")
        ));
    }
    summary
}

fn node_list<'a>(nodes: impl Iterator<Item = &'a NodeId>) -> String {
    nodes
        .map(|node| format!("`{node}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn node(name: &str) -> NodeId {
        NodeId::new(name)
    }

    #[test]
    fn every_diverging_node_and_the_restore_are_named() {
        let diverging = BTreeMap::from([(
            node("meili-2"),
            NodeFault::Unreachable("connection refused".into()),
        )]);
        let restore = RestoreOutcome {
            restored: vec![node("meili-0"), node("meili-1")],
            not_restored: BTreeMap::new(),
        };
        assert_eq!(
            divergence_message("movies", 3, &diverging, &restore),
            "Settings of index `movies` diverge across nodes after 3 repair attempts: node \
             `meili-2`: unreachable (connection refused). The settings version was not \
             committed. Previous settings restored on `meili-0`, `meili-1`."
        );
    }

    #[test]
    fn a_failed_restore_is_named_with_its_reason() {
        let diverging = BTreeMap::from([
            (node("a"), NodeFault::TaskUnfinished { task_uid: 7 }),
            (node("b"), NodeFault::ShardFieldNotFilterable),
        ]);
        let restore = RestoreOutcome {
            restored: Vec::new(),
            not_restored: BTreeMap::from([(
                node("a"),
                NodeFault::Refused {
                    status: 500,
                    message: "boom".into(),
                },
            )]),
        };
        let message = divergence_message("books", 1, &diverging, &restore);
        assert!(message.contains("after 1 repair attempt:"), "{message}");
        assert!(
            message.contains("node `a`: node task 7 unfinished at the verify deadline; node `b`: `_miroir_shard` is not filterable"),
            "{message}"
        );
        assert!(
            message.ends_with(
                "Previous settings could not be restored on `a`: node `a`: refused with HTTP 500 (boom)."
            ),
            "{message}"
        );
    }

    #[test]
    fn nothing_to_restore_is_said() {
        let diverging = BTreeMap::from([(node("a"), NodeFault::NoReference)]);
        let message = divergence_message("books", 0, &diverging, &RestoreOutcome::default());
        assert!(
            message.ends_with("No node had taken the new settings."),
            "{message}"
        );
    }
}
