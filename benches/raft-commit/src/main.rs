//! Commit latency and throughput of the metadata Raft group, end to end: in-process peers with
//! real RocksDB stores (every log append fsynced) in a temporary directory, gRPC on 127.0.0.1,
//! clients submitting task-enqueue commands concurrently through the leader's client API.
//!
//! ```sh
//! cargo run --release -p miroir-raft-bench -- [--commands 20000] [--peers 1,3] [--clients 1,16,128]
//! ```
//! Prints one row per (peers, clients) scenario: throughput and the p50/p99/max latency of one
//! acknowledged command (submit → committed on a quorum → applied on the leader → reply).

mod scenario;
mod stats;

use std::process::ExitCode;

use clap::Parser;

use scenario::{run_scenario, Scenario};

/// Commit latency and throughput of Miroir's metadata Raft group.
#[derive(Debug, Parser)]
#[command(about, long_about)]
struct Args {
    /// Commands acknowledged per scenario (after a warm-up of 10 %).
    #[arg(long, default_value_t = 20_000)]
    commands: usize,
    /// Cluster sizes to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 3])]
    peers: Vec<u64>,
    /// Concurrent clients to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 16, 128])]
    clients: Vec<usize>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("raft-commit-bench: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("| peers | clients | commands | commands/s | p50 | p99 | max |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for &peers in &args.peers {
        for &clients in &args.clients {
            let scenario = Scenario {
                peers,
                clients,
                commands: args.commands,
            };
            match runtime.block_on(run_scenario(scenario)) {
                Ok(report) => println!("{report}"),
                Err(error) => {
                    eprintln!("raft-commit-bench: {peers} peer(s), {clients} client(s): {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}
