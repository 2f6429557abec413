//! Command-line options of the `meili-test-node` binary.

use std::net::SocketAddr;

use clap::Parser;

use crate::server::NodeOptions;

/// Meilisearch-compatible in-memory TEST NODE — a test and development tool only, never a
/// Miroir component and never a Meilisearch replacement: it keeps everything in memory and
/// implements only what Miroir's tests need (plus fault injection under /_testnode/faults).
#[derive(Debug, Clone, Parser)]
#[command(name = "meili-test-node", version, about, long_about)]
pub struct Cli {
    /// Address to listen on (port 0 picks a free port; the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:7700", env = "MEILI_HTTP_ADDR")]
    pub http_addr: SocketAddr,
    /// Master key; without one, no request is authenticated (like Meilisearch).
    #[arg(long, env = "MEILI_MASTER_KEY")]
    pub master_key: Option<String>,
}

impl Cli {
    /// The node options these arguments ask for.
    pub fn node_options(&self) -> NodeOptions {
        NodeOptions {
            http_addr: self.http_addr,
            master_key: self.master_key.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_address_and_master_key() {
        let cli = Cli::try_parse_from([
            "meili-test-node",
            "--http-addr",
            "127.0.0.1:0",
            "--master-key",
            "k",
        ])
        .unwrap();
        assert_eq!(cli.node_options().master_key.as_deref(), Some("k"));
        assert_eq!(cli.http_addr.port(), 0);
    }

    #[test]
    fn help_says_test_tool_only() {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("test and development tool only"));
    }
}
