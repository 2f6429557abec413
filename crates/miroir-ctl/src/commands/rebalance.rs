//! `rebalance status [--watch]` and `rebalance start`.

use miroir_admin_proto::v1::{
    GetRebalanceStatusRequest, StartRebalanceRequest, WatchOperationsRequest,
};

use crate::cli::RebalanceCommand;
use crate::connect::AdminClient;
use crate::error::Result;
use crate::output::Output;
use crate::progress::OperationBars;
use crate::render::nodes::operation_accepted;
use crate::render::operations::{is_idle, progress_items, rebalance_status, NO_REBALANCE};

/// Runs one `rebalance` subcommand.
pub async fn run(admin: &AdminClient, output: Output, command: RebalanceCommand) -> Result<()> {
    let watch = match command {
        RebalanceCommand::Status { watch } => watch,
        RebalanceCommand::Start => {
            let accepted = admin
                .unary(
                    |mut client, request| async move { client.start_rebalance(request).await },
                    StartRebalanceRequest {},
                )
                .await?;
            return output.show(&accepted, operation_accepted);
        }
    };
    if watch {
        return watch_operations(admin, output).await;
    }
    let status = admin
        .unary(
            |mut client, request| async move { client.get_rebalance_status(request).await },
            GetRebalanceStatusRequest {},
        )
        .await?;
    output.show(&status, rebalance_status)
}

/// `rebalance status --watch` [WatchOperations]: progress bars (tables) or one JSON line per
/// snapshot, until the peer reports nothing running.
async fn watch_operations(admin: &AdminClient, output: Output) -> Result<()> {
    let mut stream = admin
        .stream(
            |mut client, request| async move { client.watch_operations(request).await },
            WatchOperationsRequest {
                interval_ms: 0,
                follow: false,
            },
        )
        .await?;
    let mut bars = (!output.is_json()).then(OperationBars::default);
    let mut saw_work = false;
    while let Some(snapshot) = admin.next(&mut stream).await? {
        output.stream_line(&snapshot)?;
        saw_work |= !is_idle(&snapshot);
        if let Some(bars) = &mut bars {
            bars.show(&progress_items(&snapshot));
        }
    }
    drop(bars);
    if saw_work {
        output.text("every operation finished\n")
    } else {
        output.text(NO_REBALANCE)
    }
}
