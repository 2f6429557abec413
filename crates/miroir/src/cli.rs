//! Command-line arguments of the peer process.

use std::path::PathBuf;

use clap::Parser;

/// One peer of a Miroir cluster: Meilisearch sharded over many nodes.
///
/// Settings come from the YAML file given with --config, then from MIROIR_* environment
/// variables (MIROIR_SCATTER__TIMEOUT_MS=500 overrides scatter.timeout_ms); secrets such as
/// MIROIR_MASTER_KEY belong in the environment. See docs/configuration.md.
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
pub struct Args {
    /// Path of the YAML configuration file.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
}
