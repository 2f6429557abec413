//! Routing throughput: 10 000 documents over 64 shards on 3 nodes (one group, RF = 1), from
//! canonical primary keys to one document list per node. Target: ≤ 150 µs per batch.

use std::hint::black_box;
use std::num::NonZeroU32;

use criterion::{criterion_group, criterion_main, Criterion};
use miroir_core::router::PlacementTable;
use miroir_core::topology::{Node, NodeId, NodeState, Topology};

fn three_node_table() -> PlacementTable {
    let nodes = (0..3).map(|i| Node {
        id: NodeId::new(format!("meili-{i}")),
        address: format!("http://meili-{i}:7700"),
        replica_group: 0,
        state: NodeState::Active,
    });
    let shards = NonZeroU32::new(64).unwrap_or(NonZeroU32::MIN);
    match Topology::new(shards, 1, nodes) {
        Ok(topology) => PlacementTable::build(&topology),
        Err(error) => panic!("benchmark topology is invalid: {error}"),
    }
}

fn route_ten_thousand_documents(c: &mut Criterion) {
    let table = three_node_table();
    let keys: Vec<String> = (0..10_000).map(|i| format!("product-{i:06}")).collect();
    c.bench_function("route 10k docs / 64 shards / 3 nodes", |b| {
        b.iter(|| table.route_batch(black_box(&keys).iter().map(String::as_str)))
    });
}

criterion_group!(benches, route_ten_thousand_documents);
criterion_main!(benches);
