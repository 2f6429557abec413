//! `miroir-ctl`: the operator CLI of a Miroir cluster. It talks to the admin gRPC API of any
//! peer (see `docs/ctl.md`); exit codes are listed in `exit`.

mod cli;
mod commands;
mod connect;
mod credentials;
mod error;
mod exit;
mod output;
mod progress;
mod render;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("miroir-ctl: {error}");
            ExitCode::from(exit::exit_for(&error).code())
        }
    }
}
