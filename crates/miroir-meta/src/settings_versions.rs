//! Per-(index, node) settings freshness (§13.5): the settings version each node has
//! confirmed applying. Versions only move forward, so a late confirmation of an older
//! settings change can never make a node look fresher than it is.

use std::collections::BTreeMap;

use miroir_core::topology::NodeId;
use serde::{Deserialize, Serialize};

use crate::rejection::Rejection;
use crate::response::Response;

/// Changes to the node settings versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SettingsVersionCommand {
    /// Records that `node` applied settings `version` of `index_uid` (never lower than the
    /// recorded one; equal is a no-op).
    Set {
        /// A registered index.
        index_uid: String,
        /// A node of the topology.
        node: NodeId,
        /// The confirmed settings version.
        version: u64,
    },
}

impl SettingsVersionCommand {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Set {
                index_uid,
                node,
                version,
            } => format!("set_node_settings_version {index_uid} {node} {version}"),
        }
    }
}

/// Settings version by (index uid, node id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSettingsVersions {
    versions: BTreeMap<(String, NodeId), u64>,
}

impl NodeSettingsVersions {
    /// The version `node` confirmed for `index_uid`, if any.
    pub fn get(&self, index_uid: &str, node: &NodeId) -> Option<u64> {
        self.versions
            .get(&(index_uid.to_owned(), node.clone()))
            .copied()
    }

    /// Every node's confirmed version of `index_uid`, ascending by node id.
    pub fn for_index<'a>(&'a self, index_uid: &'a str) -> impl Iterator<Item = (&'a NodeId, u64)> {
        self.versions
            .iter()
            .filter(move |((index, _), _)| index == index_uid)
            .map(|((_, node), version)| (node, *version))
    }

    pub(crate) fn apply(
        &mut self,
        command: &SettingsVersionCommand,
    ) -> Result<Response, Rejection> {
        let SettingsVersionCommand::Set {
            index_uid,
            node,
            version,
        } = command;
        let slot = self
            .versions
            .entry((index_uid.clone(), node.clone()))
            .or_insert(0);
        if *version < *slot {
            return Err(Rejection::StaleSettingsVersion {
                index_uid: index_uid.clone(),
                node: node.clone(),
                current: *slot,
                proposed: *version,
            });
        }
        *slot = *version;
        Ok(Response::SettingsVersion { version: *version })
    }

    /// Follows an index swap (`rename = false`: the two indexes' versions are exchanged) or
    /// rename (`first`'s versions move to `second`).
    pub(crate) fn follow_swap(&mut self, first: &str, second: &str, rename: bool) {
        let relabeled: BTreeMap<(String, NodeId), u64> = std::mem::take(&mut self.versions)
            .into_iter()
            .map(|((index, node), version)| {
                let index = if index == first {
                    second.to_owned()
                } else if index == second && !rename {
                    first.to_owned()
                } else {
                    index
                };
                ((index, node), version)
            })
            .collect();
        self.versions = relabeled;
    }

    /// Forgets every version of a deleted index.
    pub(crate) fn remove_index(&mut self, index_uid: &str) {
        self.versions.retain(|(index, _), _| index != index_uid);
    }
}
