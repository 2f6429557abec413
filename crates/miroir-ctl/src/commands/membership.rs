//! `peers list|add|promote|remove`: the Raft membership.

use miroir_admin_proto::v1::{
    AddLearnerRequest, GetClusterStatusRequest, MembershipReply, PromoteLearnerRequest,
    RemovePeerRequest,
};

use crate::cli::{AddPeerArgs, PeersCommand};
use crate::connect::AdminClient;
use crate::error::Result;
use crate::output::Output;
use crate::render::peers::{peers_table, PeerColumns};

/// Runs one `peers` subcommand.
pub async fn run(admin: &AdminClient, output: Output, command: PeersCommand) -> Result<()> {
    match command {
        PeersCommand::List => list(admin, output).await,
        PeersCommand::Add(args) => add(admin, output, args).await,
        PeersCommand::Promote { id } => {
            let reply = admin
                .unary(
                    |mut client, request| async move { client.promote_learner(request).await },
                    PromoteLearnerRequest { id },
                )
                .await?;
            show_membership(output, &reply, &format!("peer {id} promoted to voter"))
        }
        PeersCommand::Remove { id, force } => {
            let reply = admin
                .unary(
                    |mut client, request| async move { client.remove_peer(request).await },
                    RemovePeerRequest { id, force },
                )
                .await?;
            show_membership(output, &reply, &format!("peer {id} removed"))
        }
    }
}

/// `peers list` [GetClusterStatus]: JSON is the `peers` list of the status.
async fn list(admin: &AdminClient, output: Output) -> Result<()> {
    let status = admin
        .unary(
            |mut client, request| async move { client.get_cluster_status(request).await },
            GetClusterStatusRequest {},
        )
        .await?;
    output.show(&status.peers, |peers| {
        peers_table(peers, PeerColumns::WithAddresses)
    })
}

/// `peers add` [AddLearner].
async fn add(admin: &AdminClient, output: Output, args: AddPeerArgs) -> Result<()> {
    let id = args.id;
    let request = AddLearnerRequest {
        id,
        name: args.name.unwrap_or_default(),
        grpc_address: args.grpc_address,
        http_address: args.http_address,
    };
    let reply = admin
        .unary(
            |mut client, request| async move { client.add_learner(request).await },
            request,
        )
        .await?;
    show_membership(output, &reply, &format!("peer {id} added as a learner"))
}

/// The membership after a change, under a sentence saying what changed.
fn show_membership(output: Output, reply: &MembershipReply, done: &str) -> Result<()> {
    output.show(reply, |reply| {
        format!(
            "{done}\n\n{}",
            peers_table(&reply.peers, PeerColumns::WithAddresses)
        )
    })
}
