//! A human summary of the placement a configuration describes.

use std::collections::BTreeMap;
use std::fmt::Write;

use miroir_core::config::Config;
use miroir_core::router::PlacementTable;
use miroir_core::topology::{NodeId, Topology, TopologyError};

/// Renders the cluster shape and how many shards each node holds.
pub fn render(config: &Config) -> Result<String, TopologyError> {
    let topology = Topology::from_config(config)?;
    let table = PlacementTable::build(&topology);
    let mut shards_per_node: BTreeMap<&NodeId, u32> = BTreeMap::new();
    for shard in 0..topology.shards().get() {
        for (_, node) in table.write_targets(shard) {
            *shards_per_node.entry(node).or_default() += 1;
        }
    }
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(
        out,
        "configuration valid: {} shards, replication factor {}, {} replica group(s), {} node(s)",
        topology.shards(),
        topology.replication_factor(),
        topology.group_count(),
        topology.nodes().count()
    );
    let _ = writeln!(
        out,
        "{:<8} {:<24} {:>6}  address",
        "group", "node", "shards"
    );
    for node in topology.nodes() {
        let held = shards_per_node.get(&node.id).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "{:<8} {:<24} {:>6}  {}",
            node.replica_group, node.id, held, node.address
        );
    }
    Ok(out)
}
