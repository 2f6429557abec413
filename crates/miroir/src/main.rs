//! `miroir`: one peer of a Miroir cluster.
//!
//! This build loads and validates a configuration (file, then `MIROIR_*` environment
//! overrides) and prints the shard placement it describes. The peer server itself — the
//! Meilisearch HTTP API and the Raft-replicated metadata — arrives with the proxy and Raft
//! issues; until then the process exits after the check.

mod cli;
mod load;
mod summary;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match load::load_config(&args.config, std::env::vars()) {
        Ok(config) => match summary::render(&config) {
            Ok(text) => {
                print!("{text}");
                println!(
                    "the peer server (HTTP proxy and Raft metadata) is not part of this build; \
                     it checked the configuration only"
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("miroir: {error}");
                ExitCode::from(2)
            }
        },
        Err(error) => {
            eprintln!("miroir: {error}");
            ExitCode::from(2)
        }
    }
}
