//! `status`.

use miroir_admin_proto::v1::GetClusterStatusRequest;

use crate::connect::AdminClient;
use crate::error::Result;
use crate::output::Output;
use crate::render::status::cluster_status;

/// `status` [GetClusterStatus].
pub async fn status(admin: &AdminClient, output: Output) -> Result<()> {
    let status = admin
        .unary(
            |mut client, request| async move { client.get_cluster_status(request).await },
            GetClusterStatusRequest {},
        )
        .await?;
    output.show(&status, cluster_status)
}
