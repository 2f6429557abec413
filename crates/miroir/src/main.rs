//! `miroir`: one peer of a Miroir cluster.
//!
//! `miroir --config FILE` (or `miroir run`) starts the peer: its replica of the cluster
//! metadata (openraft on RocksDB, gRPC between peers) and its HTTP listener. `miroir check`
//! validates a configuration and prints the shard placement; `miroir init` writes a new
//! cluster's membership once, for `peer.bootstrap: manual`; `miroir probe --url URL` is a
//! health check for images without a shell.

mod admin;
mod cli;
mod clock;
mod http;
mod load;
mod logging;
mod metrics;
mod nodes;
mod peer_config;
mod probe;
mod proxy;
mod rebalance;
mod run;
mod startup;
mod summary;

use std::process::ExitCode;

use clap::Parser;
use miroir_raft_store::peer::MetadataPeer;

use cli::{Action, Args};
use logging::LogSink;
use peer_config::{metadata_peer_config, Purpose};
use startup::StartError;

fn main() -> ExitCode {
    let args = Args::parse();
    match execute(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("miroir: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

fn execute(args: Args) -> Result<(), StartError> {
    let config = || -> Result<_, StartError> {
        let path = args.config.as_deref().ok_or(StartError::MissingConfig)?;
        Ok(load::load_config(path, std::env::vars())?)
    };
    match args.command.clone().unwrap_or(Action::Run) {
        Action::Probe { url, timeout_ms } => {
            Ok(runtime()?.block_on(probe::probe(&url, timeout_ms))?)
        }
        Action::Check => {
            let config = config()?;
            print!("{}", summary::render(&config)?);
            Ok(())
        }
        Action::Init => {
            let config = config()?;
            logging::init(LogSink::Stderr);
            let metadata_config = metadata_peer_config(&config, Purpose::Init)?;
            let data_dir = metadata_config.data_dir.clone();
            let voters =
                runtime()?.block_on(MetadataPeer::initialize_new_cluster(metadata_config))?;
            println!(
                "miroir: initialised a new cluster in {} with {} voter(s):",
                data_dir.display(),
                voters.len()
            );
            for (id, node) in voters {
                println!(
                    "  {id}  {}  grpc={}  http={}",
                    node.name, node.grpc_addr, node.http_addr
                );
            }
            Ok(())
        }
        Action::Run => {
            let config = config()?;
            logging::init(LogSink::Stdout);
            // One crypto provider for every TLS user in the process (ring only).
            let _already_installed = rustls::crypto::ring::default_provider().install_default();
            runtime()?.block_on(run::run(config))
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, StartError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(StartError::Runtime)
}
