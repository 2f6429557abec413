//! Command-line arguments of the peer process.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

/// One peer of a Miroir cluster: Meilisearch sharded over many nodes.
///
/// Settings come from the YAML file given with --config, then from MIROIR_* environment
/// variables (MIROIR_SCATTER__TIMEOUT_MS=500 overrides scatter.timeout_ms); secrets such as
/// MIROIR_MASTER_KEY belong in the environment. See docs/configuration.md.
/// Log verbosity follows RUST_LOG (default `info`).
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
pub struct Args {
    /// Path of the YAML configuration file.
    #[arg(long, short = 'c', value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// What to do; without a command the peer runs.
    #[command(subcommand)]
    pub command: Option<Action>,
}

/// The peer's commands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Action {
    /// Run the peer: join (or form) the metadata Raft group and serve until SIGTERM/Ctrl-C.
    Run,
    /// Validate the configuration and print the shard placement it describes, then exit.
    Check,
    /// Initialise a brand-new cluster's membership in this peer's (empty) data directory, once,
    /// before its first start (for `peer.bootstrap: manual`); then exit.
    Init,
    /// Health check for images without a shell: GET the URL once and exit 0 only when it
    /// answers 200 (exit 1 otherwise). Needs no configuration.
    Probe {
        /// The URL to GET (plain http).
        #[arg(long, default_value = "http://127.0.0.1:7700/_miroir/ready")]
        url: String,
        /// How long to wait for the answer, in milliseconds.
        #[arg(long, default_value = "2000", value_parser = parse_millis)]
        timeout_ms: Duration,
    },
}

fn parse_millis(text: &str) -> Result<Duration, std::num::ParseIntError> {
    text.parse().map(Duration::from_millis)
}
