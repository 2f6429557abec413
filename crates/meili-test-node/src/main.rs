//! `meili-test-node`: runs the Meilisearch-compatible in-memory test node (test and
//! development tool only — never a Miroir component).

use clap::Parser;
use meili_test_node::cli::Cli;
use meili_test_node::server::spawn;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let node = match spawn(cli.node_options()).await {
        Ok(node) => node,
        Err(error) => {
            eprintln!("meili-test-node: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!(
        "meili-test-node (test/dev tool only) listening on {}",
        node.url()
    );
    let _ = tokio::signal::ctrl_c().await;
    node.shutdown().await;
    std::process::ExitCode::SUCCESS
}
