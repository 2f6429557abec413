//! `nodes …` and `groups …`: Meilisearch nodes and replica groups.

use miroir_admin_proto::v1::{
    AddGroupRequest, AddNodeRequest, DrainNodeRequest, GetTopologyRequest, GroupNode,
    OperationAccepted, RemoveGroupRequest, RemoveNodeRequest, Topology,
};

use crate::cli::{GroupsCommand, NodesCommand};
use crate::connect::AdminClient;
use crate::error::Result;
use crate::output::Output;
use crate::render::nodes::{group_list, node_list, operation_accepted};

/// Runs one `nodes` subcommand.
pub async fn nodes(admin: &AdminClient, output: Output, command: NodesCommand) -> Result<()> {
    let accepted = match command {
        NodesCommand::List => {
            let topology = topology(admin).await?;
            return output.show(&topology, node_list);
        }
        NodesCommand::Add { id, address, group } => {
            admin
                .unary(
                    |mut client, request| async move { client.add_node(request).await },
                    AddNodeRequest {
                        id,
                        address,
                        replica_group: group,
                    },
                )
                .await?
        }
        NodesCommand::Drain { id, force } => {
            admin
                .unary(
                    |mut client, request| async move { client.drain_node(request).await },
                    DrainNodeRequest { id, force },
                )
                .await?
        }
        NodesCommand::Remove { id, force } => {
            admin
                .unary(
                    |mut client, request| async move { client.remove_node(request).await },
                    RemoveNodeRequest { id, force },
                )
                .await?
        }
    };
    show_accepted(output, &accepted)
}

/// Runs one `groups` subcommand.
pub async fn groups(admin: &AdminClient, output: Output, command: GroupsCommand) -> Result<()> {
    let accepted = match command {
        GroupsCommand::List => {
            let topology = topology(admin).await?;
            return output.show(&topology, group_list);
        }
        GroupsCommand::Add { id, nodes } => {
            let nodes = nodes
                .into_iter()
                .map(|(id, address)| GroupNode { id, address })
                .collect();
            admin
                .unary(
                    |mut client, request| async move { client.add_group(request).await },
                    AddGroupRequest { id, nodes },
                )
                .await?
        }
        GroupsCommand::Remove { id, force } => {
            admin
                .unary(
                    |mut client, request| async move { client.remove_group(request).await },
                    RemoveGroupRequest { id, force },
                )
                .await?
        }
    };
    show_accepted(output, &accepted)
}

/// [GetTopology].
async fn topology(admin: &AdminClient) -> Result<Topology> {
    admin
        .unary(
            |mut client, request| async move { client.get_topology(request).await },
            GetTopologyRequest {},
        )
        .await
}

fn show_accepted(output: Output, accepted: &OperationAccepted) -> Result<()> {
    output.show(accepted, operation_accepted)
}
