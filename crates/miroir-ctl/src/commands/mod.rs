//! Executing a parsed command line: obtain the key, connect, run one subcommand.
//!
//! The key is resolved (and checked to be sendable) before any network I/O, so a missing key
//! never costs a connection attempt.

mod cluster;
mod indexes;
mod membership;
mod rebalance;
mod tasks;
mod topology;

use std::path::PathBuf;

use crate::cli::{Cli, Command};
use crate::connect::{AdminClient, BearerKey, ConnectOptions};
use crate::credentials::{resolve_admin_key, ADMIN_KEY_ENV};
use crate::error::Result;
use crate::output::Output;

/// Runs `cli` against the peer it names.
pub async fn run(cli: Cli) -> Result<()> {
    let env_key = std::env::var(ADMIN_KEY_ENV).ok();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let key = resolve_admin_key(
        env_key.as_deref(),
        home.as_deref(),
        cli.global.admin_key.as_deref(),
    )?;
    let bearer = BearerKey::new(&key)?;
    let options = ConnectOptions {
        endpoint: &cli.global.endpoint,
        ca_file: cli.global.ca_file.as_deref(),
        timeout: cli.global.timeout(),
    };
    let admin = AdminClient::connect(options, bearer).await?;
    let output = Output::new(cli.global.output);
    match cli.command {
        Command::Status => cluster::status(&admin, output).await,
        Command::Peers(command) => membership::run(&admin, output, command).await,
        Command::Nodes(command) => topology::nodes(&admin, output, command).await,
        Command::Groups(command) => topology::groups(&admin, output, command).await,
        Command::Tasks(command) => tasks::run(&admin, output, command).await,
        Command::Indexes(command) => indexes::run(&admin, output, command).await,
        Command::Rebalance(command) => rebalance::run(&admin, output, command).await,
    }
}
