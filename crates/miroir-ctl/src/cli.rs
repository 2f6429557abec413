//! The command line: global flags and every subcommand, as clap derive types.
//!
//! Parsing is the only thing done here; `commands` executes the parsed [`Cli`]. Every command's
//! `--help` ends with an example and a pointer to `docs/ctl.md`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// Default admin endpoint: the local peer's admin gRPC listener.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:7900";

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the cluster refused the request or the operation failed (a watched task failed or was canceled)
  2  usage error (bad flags or arguments, unreadable --ca-file)
  3  authentication: no admin key found, malformed credentials file, key rejected
  4  cannot reach the peer (connection failed, peer unavailable, no answer within --timeout)

Credentials, first found wins: env MIROIR_ADMIN_API_KEY, then ~/.config/miroir/credentials
(TOML: admin_api_key = \"...\"), then --admin-key.

Example:
  MIROIR_ADMIN_API_KEY=... miroir-ctl --endpoint http://miroir-0:7900 status

Runbooks for every command: docs/ctl.md";

/// `miroir-ctl`: operate a Miroir cluster through any peer's admin gRPC API.
#[derive(Debug, Parser)]
#[command(name = "miroir-ctl", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Connection and output settings shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Admin gRPC endpoint of any peer (`http://host:port`, or `https://` for TLS).
    #[arg(
        long,
        global = true,
        env = "MIROIR_ENDPOINT",
        default_value = DEFAULT_ENDPOINT,
        value_parser = parse_endpoint
    )]
    pub endpoint: String,
    /// PEM file with the CA certificate(s) that signed the peer's TLS certificate (https only;
    /// default: the system's trusted roots).
    #[arg(long, global = true, env = "MIROIR_CA_FILE", value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Admin API key. WARNING: flags are visible to every user in process lists (`ps`);
    /// prefer env MIROIR_ADMIN_API_KEY or ~/.config/miroir/credentials, which both win over
    /// this flag.
    #[arg(long, global = true, value_name = "KEY")]
    pub admin_key: Option<String>,
    /// Output format: human tables, or JSON for scripts.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Seconds allowed to connect, and for each request to answer.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

impl GlobalArgs {
    /// `--timeout` as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned human-readable tables.
    Table,
    /// The API's messages as pretty JSON (one document; one line per message when watching).
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole cluster at a glance: peers, leader, nodes, degraded shards, operations.
    #[command(
        after_help = "Example:\n  miroir-ctl status\n  miroir-ctl status --output json | jq .leader_id\n\nSee docs/ctl.md#status"
    )]
    Status,
    /// Miroir peers (Raft members): list, add a learner, promote, remove.
    #[command(subcommand)]
    Peers(PeersCommand),
    /// Meilisearch nodes: list, add, drain, remove.
    #[command(subcommand)]
    Nodes(NodesCommand),
    /// Replica groups: list, add, remove.
    #[command(subcommand)]
    Groups(GroupsCommand),
    /// Miroir tasks: list, get, cancel, watch.
    #[command(subcommand)]
    Tasks(TasksCommand),
    /// Registered indexes and where their shards live.
    #[command(subcommand)]
    Indexes(IndexesCommand),
    /// Shard rebalance progress.
    #[command(subcommand)]
    Rebalance(RebalanceCommand),
}

/// `miroir-ctl peers …`.
#[derive(Debug, Subcommand)]
pub enum PeersCommand {
    /// Every member of the Raft membership with its role, term, applied index and health.
    #[command(after_help = "Example:\n  miroir-ctl peers list\n\nSee docs/ctl.md#peers-list")]
    List,
    /// Adds a started peer to the membership as a learner; returns once it caught up.
    #[command(
        after_help = "Example:\n  miroir-ctl peers add 4 --grpc-address miroir-4:7800 --http-address miroir-4:7700\n\nThe peer must already run with peer.id 4. Raise --timeout if it has much to catch up.\nSee docs/ctl.md#peers-add"
    )]
    Add(AddPeerArgs),
    /// Makes a learner a voter.
    #[command(
        after_help = "Example:\n  miroir-ctl peers promote 4\n\nSee docs/ctl.md#peers-promote"
    )]
    Promote {
        /// Raft id of the learner.
        id: u64,
    },
    /// Removes a peer (voter or learner). Never the last voter; refused when the remaining
    /// voters would have no healthy majority, unless --force.
    #[command(
        after_help = "Example:\n  miroir-ctl peers remove 3\n\nA removed id can never join again. See docs/ctl.md#peers-remove"
    )]
    Remove {
        /// Raft id of the peer.
        id: u64,
        /// Remove even if the remaining voters would have no healthy majority.
        #[arg(long)]
        force: bool,
    },
}

/// Arguments of `peers add`.
#[derive(Debug, Args)]
pub struct AddPeerArgs {
    /// Raft id of the new peer (never the id of a removed peer).
    pub id: u64,
    /// `host:port` other peers dial for Raft traffic.
    #[arg(long, value_name = "HOST:PORT")]
    pub grpc_address: String,
    /// `host:port` of its HTTP listener.
    #[arg(long, value_name = "HOST:PORT")]
    pub http_address: String,
    /// Stable name (default `miroir-<ID>`).
    #[arg(long)]
    pub name: Option<String>,
}

/// `miroir-ctl nodes …`.
#[derive(Debug, Subcommand)]
pub enum NodesCommand {
    /// Every Meilisearch node with its group, state, health and shard count.
    #[command(after_help = "Example:\n  miroir-ctl nodes list\n\nSee docs/ctl.md#nodes-list")]
    List,
    /// Adds a Meilisearch node to a replica group (starts a rebalance).
    #[command(
        after_help = "Example:\n  miroir-ctl nodes add meili-4 --address http://meili-4:7700 --group 0\n\nSee docs/ctl.md#nodes-add"
    )]
    Add {
        /// Node id.
        id: String,
        /// Its base URL.
        #[arg(long, value_name = "URL")]
        address: String,
        /// Its replica group.
        #[arg(long, value_name = "G")]
        group: u32,
    },
    /// Moves every shard off a node (it stays in the topology).
    #[command(
        after_help = "Example:\n  miroir-ctl nodes drain meili-2\n\nSee docs/ctl.md#nodes-drain"
    )]
    Drain {
        /// Node id.
        id: String,
        /// Drain even if a shard would lose its last healthy copy.
        #[arg(long)]
        force: bool,
    },
    /// Drains a node, then removes it from the topology.
    #[command(
        after_help = "Example:\n  miroir-ctl nodes remove meili-2\n\nSee docs/ctl.md#nodes-remove"
    )]
    Remove {
        /// Node id.
        id: String,
        /// Remove even if a shard would lose its last healthy copy.
        #[arg(long)]
        force: bool,
    },
}

/// `miroir-ctl groups …`.
#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// Every replica group with its nodes.
    #[command(after_help = "Example:\n  miroir-ctl groups list\n\nSee docs/ctl.md#groups-list")]
    List,
    /// Adds a replica group with its nodes; it is back-filled, then serves queries.
    #[command(
        after_help = "Example:\n  miroir-ctl groups add 1 --node meili-4=http://meili-4:7700 \\\n    --node meili-5=http://meili-5:7700\n\nSee docs/ctl.md#groups-add"
    )]
    Add {
        /// Group id (never used before).
        id: u32,
        /// A node of the group as `ID=URL`; repeat for each node.
        #[arg(long = "node", value_name = "ID=URL", required = true, value_parser = parse_group_node)]
        nodes: Vec<(String, String)>,
    },
    /// Removes a replica group.
    #[command(
        after_help = "Example:\n  miroir-ctl groups remove 1\n\nSee docs/ctl.md#groups-remove"
    )]
    Remove {
        /// Group id.
        id: u32,
        /// Remove even if it holds the last healthy copy of a shard.
        #[arg(long)]
        force: bool,
    },
}

/// `miroir-ctl tasks …`.
#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Tasks, newest first, filtered like `GET /tasks`.
    #[command(
        after_help = "Example:\n  miroir-ctl tasks list --status failed --index movies --limit 5\n\nSee docs/ctl.md#tasks-list"
    )]
    List(ListTasksArgs),
    /// One task.
    #[command(after_help = "Example:\n  miroir-ctl tasks get 42\n\nSee docs/ctl.md#tasks-get")]
    Get {
        /// Task uid.
        uid: u64,
    },
    /// Cancels the matching tasks (at least one filter); prints the cancelation task.
    #[command(
        after_help = "Example:\n  miroir-ctl tasks cancel --status enqueued --index movies\n\nSee docs/ctl.md#tasks-cancel"
    )]
    Cancel(CancelTasksArgs),
    /// Follows a task until it finishes; exits 0 if it succeeded, 1 if it failed or was canceled.
    #[command(
        after_help = "Example:\n  miroir-ctl tasks watch 42 && echo done\n\nSee docs/ctl.md#tasks-watch"
    )]
    Watch {
        /// Task uid.
        uid: u64,
    },
}

/// Filters of `tasks list`.
#[derive(Debug, Args)]
pub struct ListTasksArgs {
    /// Only these statuses (enqueued, processing, succeeded, failed, canceled).
    #[arg(long, value_delimiter = ',', value_name = "STATUS,..")]
    pub status: Vec<String>,
    /// Only these task types (e.g. documentAdditionOrUpdate).
    #[arg(long = "type", value_delimiter = ',', value_name = "TYPE,..")]
    pub task_type: Vec<String>,
    /// Only these indexes.
    #[arg(long, value_delimiter = ',', value_name = "UID,..")]
    pub index: Vec<String>,
    /// Page size (default 20).
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Start at this uid (newest first).
    #[arg(long, value_name = "UID")]
    pub from: Option<u64>,
}

/// Filters of `tasks cancel`; at least one is required.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("filter").required(true).multiple(true).args(["uids", "status", "task_type", "index"])))]
pub struct CancelTasksArgs {
    /// These task uids.
    #[arg(long, value_delimiter = ',', value_name = "UID,..")]
    pub uids: Vec<u64>,
    /// Tasks in these statuses (enqueued, processing).
    #[arg(long, value_delimiter = ',', value_name = "STATUS,..")]
    pub status: Vec<String>,
    /// Tasks of these types.
    #[arg(long = "type", value_delimiter = ',', value_name = "TYPE,..")]
    pub task_type: Vec<String>,
    /// Tasks of these indexes.
    #[arg(long, value_delimiter = ',', value_name = "UID,..")]
    pub index: Vec<String>,
}

/// `miroir-ctl indexes …`.
#[derive(Debug, Subcommand)]
pub enum IndexesCommand {
    /// Registered indexes with shard count, primary key and settings version.
    #[command(after_help = "Example:\n  miroir-ctl indexes list\n\nSee docs/ctl.md#indexes-list")]
    List,
    /// Where every shard of one index (or of every index) lives.
    #[command(
        after_help = "Example:\n  miroir-ctl indexes shards movies\n\nSee docs/ctl.md#indexes-shards"
    )]
    Shards {
        /// Index uid; every index when omitted.
        uid: Option<String>,
    },
}

/// `miroir-ctl rebalance …`.
#[derive(Debug, Subcommand)]
pub enum RebalanceCommand {
    /// Progress of the current shard rebalance.
    #[command(
        after_help = "Example:\n  miroir-ctl rebalance status --watch\n\nSee docs/ctl.md#rebalance-status"
    )]
    Status {
        /// Follow the running operations with progress bars until none is left.
        #[arg(long)]
        watch: bool,
    },
    /// Refills every replica holding fewer documents of a shard than another replica.
    #[command(
        after_help = "Example:\n  miroir-ctl rebalance start\n\nSee docs/ctl.md#rebalance-start"
    )]
    Start,
}

/// Accepts `http://host[:port]` and `https://host[:port]` (no path).
fn parse_endpoint(raw: &str) -> Result<String, String> {
    let rest = raw
        .strip_prefix("http://")
        .or_else(|| raw.strip_prefix("https://"))
        .ok_or_else(|| format!("`{raw}` must start with http:// or https://"))?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty() || authority.contains('/') {
        return Err(format!(
            "`{raw}` must be http(s)://host:port, without a path"
        ));
    }
    Ok(raw.strip_suffix('/').unwrap_or(raw).to_owned())
}

/// `ID=URL` of `groups add --node`.
fn parse_group_node(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((id, url)) if !id.is_empty() && !url.is_empty() => Ok((id.to_owned(), url.to_owned())),
        _ => Err(format!(
            "`{text}` is not ID=URL (e.g. meili-4=http://meili-4:7700)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn endpoints_need_a_scheme_and_no_path() {
        assert_eq!(parse_endpoint("http://a:1/"), Ok("http://a:1".to_owned()));
        assert_eq!(parse_endpoint("https://a:1"), Ok("https://a:1".to_owned()));
        assert!(parse_endpoint("a:1").is_err());
        assert!(parse_endpoint("ftp://a:1").is_err());
        assert!(parse_endpoint("http://").is_err());
        assert!(parse_endpoint("http://a:1/x").is_err());
    }

    #[test]
    fn cancel_without_a_filter_is_a_usage_error() {
        let error = Cli::try_parse_from(["miroir-ctl", "tasks", "cancel"]).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        let parsed = Cli::try_parse_from(["miroir-ctl", "tasks", "cancel", "--uids", "1,2"]);
        assert!(parsed.is_ok());
    }

    #[test]
    fn list_filters_split_on_commas() {
        let cli = Cli::try_parse_from([
            "miroir-ctl",
            "tasks",
            "list",
            "--status",
            "failed,canceled",
            "--type",
            "indexCreation",
        ])
        .unwrap();
        let Command::Tasks(TasksCommand::List(args)) = cli.command else {
            panic!("parsed as {:?}", cli.command);
        };
        assert_eq!(args.status, ["failed", "canceled"]);
        assert_eq!(args.task_type, ["indexCreation"]);
        assert!(args.index.is_empty());
    }
}
