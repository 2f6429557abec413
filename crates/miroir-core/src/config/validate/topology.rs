//! Rules on the cluster's shape: shard count, replication factor, replica groups and nodes.

use std::collections::BTreeMap;

use super::Checker;
use crate::config::Config;

/// Largest accepted shard count. Every search fans out over all shards of an index, and each
/// shard is a `_miroir_shard` filter value; beyond a few thousand the per-shard overhead
/// dominates any benefit.
pub const MAX_SHARDS: u32 = 4096;

/// Longest accepted node id, in bytes.
const MAX_NODE_ID_BYTES: usize = 128;

pub(super) fn check(config: &Config, checker: &mut Checker) {
    if config.shards == 0 {
        checker.fail("shards", "must be at least 1, got 0");
    } else if config.shards > MAX_SHARDS {
        checker.fail(
            "shards",
            format!("must be at most {MAX_SHARDS}, got {}", config.shards),
        );
    }
    if config.replication_factor == 0 {
        checker.fail("replication_factor", "must be at least 1, got 0");
    }
    if config.replica_groups == 0 {
        checker.fail("replica_groups", "must be at least 1, got 0");
    }
    check_nodes(config, checker);
    check_group_sizes(config, checker);
}

fn check_nodes(config: &Config, checker: &mut Checker) {
    let mut first_with_id: BTreeMap<&str, usize> = BTreeMap::new();
    let mut first_with_address: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, node) in config.nodes.iter().enumerate() {
        let id = node.id.as_str();
        if let Err(reason) = check_node_id(id) {
            checker.fail(format!("nodes[{index}].id"), reason);
        } else if let Some(first) = first_with_id.insert(id, index) {
            checker.fail(
                format!("nodes[{index}].id"),
                format!("duplicate node id `{id}` (also nodes[{first}].id)"),
            );
        }
        checker.http_url(&format!("nodes[{index}].address"), &node.address);
        let address = node.address.trim_end_matches('/');
        if let Some(first) = first_with_address.insert(address, index) {
            checker.fail(
                format!("nodes[{index}].address"),
                format!(
                    "`{}` is also the address of nodes[{first}]; two ids for one node would \
                     place two replicas of a shard on the same machine",
                    node.address
                ),
            );
        }
        if node.replica_group >= config.replica_groups {
            checker.fail(
                format!("nodes[{index}].replica_group"),
                format!(
                    "group {} is not declared in replica_groups (declared groups: 0..{})",
                    node.replica_group, config.replica_groups
                ),
            );
        }
    }
}

/// A node id is hashed byte for byte by the router, so it must be non-empty, bounded and free
/// of whitespace and control characters that copy-paste or templating silently change.
fn check_node_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if id.len() > MAX_NODE_ID_BYTES {
        return Err(format!(
            "must be at most {MAX_NODE_ID_BYTES} bytes, got {}",
            id.len()
        ));
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "must not contain whitespace or control characters, got {id:?}"
        ));
    }
    Ok(())
}

/// Each declared group needs `replication_factor` distinct nodes, or a shard could not be
/// placed RF times inside it.
fn check_group_sizes(config: &Config, checker: &mut Checker) {
    let rf = config.replication_factor;
    if config.replica_groups == 0 || rf == 0 {
        return;
    }
    if config.nodes.is_empty() {
        checker.fail("nodes", "must list at least one Meilisearch node");
        return;
    }
    // With more groups than nodes, listing each empty group could be unbounded.
    if u64::from(config.replica_groups) > config.nodes.len() as u64 {
        checker.fail(
            "replica_groups",
            format!(
                "{} groups are declared but only {} node(s) are configured; every group needs \
                 at least replication_factor ({rf}) node(s)",
                config.replica_groups,
                config.nodes.len()
            ),
        );
        return;
    }
    let mut members: BTreeMap<u32, u64> = config.declared_groups().map(|g| (g, 0)).collect();
    for node in &config.nodes {
        if let Some(count) = members.get_mut(&node.replica_group) {
            *count += 1;
        }
    }
    for (group, count) in members {
        if count == 0 {
            checker.fail(
                "replica_groups",
                format!("group {group} is declared but has no nodes"),
            );
        } else if count < u64::from(rf) {
            checker.fail(
                "replication_factor",
                format!(
                    "must not exceed the node count of any group: group {group} has {count} \
                     node(s), fewer than replication_factor {rf}"
                ),
            );
        }
    }
}
