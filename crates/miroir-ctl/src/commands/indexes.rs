//! `indexes list|shards`.

use miroir_admin_proto::v1::{GetShardMapRequest, ListIndexesRequest};

use crate::cli::IndexesCommand;
use crate::connect::AdminClient;
use crate::error::Result;
use crate::output::Output;
use crate::render::indexes::{index_list, shard_map};

/// Runs one `indexes` subcommand.
pub async fn run(admin: &AdminClient, output: Output, command: IndexesCommand) -> Result<()> {
    match command {
        IndexesCommand::List => {
            let list = admin
                .unary(
                    |mut client, request| async move { client.list_indexes(request).await },
                    ListIndexesRequest {},
                )
                .await?;
            output.show(&list, index_list)
        }
        IndexesCommand::Shards { uid } => {
            let map = admin
                .unary(
                    |mut client, request| async move { client.get_shard_map(request).await },
                    GetShardMapRequest {
                        index_uid: uid.unwrap_or_default(),
                    },
                )
                .await?;
            output.show(&map, shard_map)
        }
    }
}
