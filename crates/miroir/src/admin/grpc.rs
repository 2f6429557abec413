//! The admin gRPC API (`proto/miroir/admin/v1/admin.proto`): every RPC delegates to [`Admin`];
//! this file only authenticates, maps [`AdminError`] to status codes, and turns the watch RPCs
//! into streams.

use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::Stream;
use miroir_admin_proto::v1 as pb;
use miroir_admin_proto::v1::admin_service_server::{AdminService, AdminServiceServer};
use miroir_admin_proto::AUTHORIZATION_METADATA;
use miroir_raft_store::peer::MembershipChange;
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use super::membership::add_learner_change;
use super::{Admin, AdminError};

/// How often a watch looks for changes.
const WATCH_POLL: Duration = Duration::from_millis(250);
/// Default longest pause between two operation snapshots.
const DEFAULT_SNAPSHOT_INTERVAL: Duration = Duration::from_millis(1000);

/// A server-streaming reply.
type ReplyStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// The tonic service: the admin key check in front of [`AdminGrpc`].
pub type AuthenticatedAdmin = InterceptedService<AdminServiceServer<AdminGrpc>, AdminKeyCheck>;

/// The admin service wrapped in its key check. `admin_key` `None` leaves the API open (only
/// for clusters without any key configured).
pub fn service(admin: Admin, admin_key: Option<String>) -> AuthenticatedAdmin {
    AdminServiceServer::with_interceptor(
        AdminGrpc { admin },
        AdminKeyCheck {
            expected: admin_key.map(Arc::from),
        },
    )
}

/// Refuses calls without the admin key in `authorization: Bearer <key>` metadata.
#[derive(Clone)]
pub struct AdminKeyCheck {
    expected: Option<Arc<str>>,
}

impl tonic::service::Interceptor for AdminKeyCheck {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let Some(expected) = &self.expected else {
            return Ok(request);
        };
        let Some(value) = request.metadata().get(AUTHORIZATION_METADATA) else {
            return Err(Status::unauthenticated(
                "The admin key is missing: send `authorization: Bearer <admin key>`.",
            ));
        };
        let token = value
            .to_str()
            .unwrap_or_default()
            .strip_prefix("Bearer ")
            .unwrap_or_default()
            .trim();
        if bool::from(token.as_bytes().ct_eq(expected.as_bytes())) {
            Ok(request)
        } else {
            Err(Status::permission_denied(
                "The provided admin key is invalid.",
            ))
        }
    }
}

/// The RPC implementations.
pub struct AdminGrpc {
    admin: Admin,
}

/// The status code and message of an admin failure.
pub fn status(error: AdminError) -> Status {
    let message = error.to_string();
    match error {
        AdminError::InvalidArgument(_) => Status::invalid_argument(message),
        AdminError::NotFound(_) => Status::not_found(message),
        AdminError::Refused(_) | AdminError::TopologyConflict(_) => {
            Status::failed_precondition(message)
        }
        AdminError::Unavailable(_) => Status::unavailable(message),
        AdminError::Internal(_) => {
            tracing::error!(%message, "admin request failed inside Miroir");
            Status::internal(message)
        }
        AdminError::Api(error) => {
            let message = error.to_body().message;
            match error.http_status() {
                404 => Status::not_found(message),
                400..=499 => Status::invalid_argument(message),
                503 => Status::unavailable(message),
                _ => Status::internal(message),
            }
        }
    }
}

fn reply<T>(outcome: Result<T, AdminError>) -> Result<Response<T>, Status> {
    outcome.map(Response::new).map_err(status)
}

#[tonic::async_trait]
impl AdminService for AdminGrpc {
    async fn get_cluster_status(
        &self,
        _request: Request<pb::GetClusterStatusRequest>,
    ) -> Result<Response<pb::ClusterStatus>, Status> {
        reply(self.admin.cluster_status().await)
    }

    async fn get_topology(
        &self,
        _request: Request<pb::GetTopologyRequest>,
    ) -> Result<Response<pb::Topology>, Status> {
        reply(self.admin.topology())
    }

    async fn get_shard_map(
        &self,
        request: Request<pb::GetShardMapRequest>,
    ) -> Result<Response<pb::ShardMap>, Status> {
        reply(self.admin.shard_map(&request.into_inner().index_uid).await)
    }

    async fn add_learner(
        &self,
        request: Request<pb::AddLearnerRequest>,
    ) -> Result<Response<pb::MembershipReply>, Status> {
        let change = add_learner_change(&request.into_inner()).map_err(status)?;
        reply(self.admin.change_membership(change).await)
    }

    async fn promote_learner(
        &self,
        request: Request<pb::PromoteLearnerRequest>,
    ) -> Result<Response<pb::MembershipReply>, Status> {
        let id = request.into_inner().id;
        reply(
            self.admin
                .change_membership(MembershipChange::Promote { id })
                .await,
        )
    }

    async fn remove_peer(
        &self,
        request: Request<pb::RemovePeerRequest>,
    ) -> Result<Response<pb::MembershipReply>, Status> {
        let pb::RemovePeerRequest { id, force } = request.into_inner();
        reply(
            self.admin
                .change_membership(MembershipChange::Remove { id, force })
                .await,
        )
    }

    async fn add_node(
        &self,
        request: Request<pb::AddNodeRequest>,
    ) -> Result<Response<pb::OperationAccepted>, Status> {
        let request = request.into_inner();
        reply(
            self.admin
                .add_node(&request.id, &request.address, request.replica_group)
                .await,
        )
    }

    async fn drain_node(
        &self,
        request: Request<pb::DrainNodeRequest>,
    ) -> Result<Response<pb::OperationAccepted>, Status> {
        let pb::DrainNodeRequest { id, force } = request.into_inner();
        reply(self.admin.drain_node(&id, force).await)
    }

    async fn remove_node(
        &self,
        request: Request<pb::RemoveNodeRequest>,
    ) -> Result<Response<pb::OperationAccepted>, Status> {
        let pb::RemoveNodeRequest { id, force } = request.into_inner();
        reply(self.admin.remove_node(&id, force).await)
    }

    async fn add_group(
        &self,
        request: Request<pb::AddGroupRequest>,
    ) -> Result<Response<pb::OperationAccepted>, Status> {
        let pb::AddGroupRequest { id, nodes } = request.into_inner();
        reply(self.admin.add_group(id, &nodes).await)
    }

    async fn remove_group(
        &self,
        request: Request<pb::RemoveGroupRequest>,
    ) -> Result<Response<pb::OperationAccepted>, Status> {
        let pb::RemoveGroupRequest { id, force } = request.into_inner();
        reply(self.admin.remove_group(id, force).await)
    }

    async fn get_task(
        &self,
        request: Request<pb::GetTaskRequest>,
    ) -> Result<Response<pb::Task>, Status> {
        reply(self.admin.task(request.into_inner().uid).await)
    }

    async fn list_tasks(
        &self,
        request: Request<pb::ListTasksRequest>,
    ) -> Result<Response<pb::TaskList>, Status> {
        reply(self.admin.list_tasks(&request.into_inner()).await)
    }

    async fn cancel_tasks(
        &self,
        request: Request<pb::CancelTasksRequest>,
    ) -> Result<Response<pb::Task>, Status> {
        reply(self.admin.cancel_tasks(&request.into_inner()).await)
    }

    type WatchTaskStream = ReplyStream<pb::Task>;

    async fn watch_task(
        &self,
        request: Request<pb::WatchTaskRequest>,
    ) -> Result<Response<Self::WatchTaskStream>, Status> {
        let uid = request.into_inner().uid;
        // The first state is fetched before the stream starts: a missing task is NOT_FOUND.
        let first = self.admin.task(uid).await.map_err(status)?;
        let (sender, receiver) = mpsc::channel(4);
        tokio::spawn(watch_task(self.admin.clone(), first, sender));
        Ok(Response::new(Box::pin(receiver_stream(receiver))))
    }

    async fn list_indexes(
        &self,
        _request: Request<pb::ListIndexesRequest>,
    ) -> Result<Response<pb::IndexList>, Status> {
        reply(self.admin.indexes().await)
    }

    async fn get_rebalance_status(
        &self,
        _request: Request<pb::GetRebalanceStatusRequest>,
    ) -> Result<Response<pb::RebalanceStatus>, Status> {
        reply(self.admin.rebalance_status().await)
    }

    async fn start_rebalance(
        &self,
        _request: Request<pb::StartRebalanceRequest>,
    ) -> Result<Response<pb::OperationAccepted>, Status> {
        reply(self.admin.start_rebalance().await)
    }

    type WatchOperationsStream = ReplyStream<pb::OperationsSnapshot>;

    async fn watch_operations(
        &self,
        request: Request<pb::WatchOperationsRequest>,
    ) -> Result<Response<Self::WatchOperationsStream>, Status> {
        let request = request.into_inner();
        let interval = match request.interval_ms {
            0 => DEFAULT_SNAPSHOT_INTERVAL,
            ms => Duration::from_millis(u64::from(ms)),
        };
        let (sender, receiver) = mpsc::channel(4);
        tokio::spawn(watch_operations(
            self.admin.clone(),
            interval,
            request.follow,
            sender,
        ));
        Ok(Response::new(Box::pin(receiver_stream(receiver))))
    }
}

/// The items of `receiver` as a stream.
fn receiver_stream<T: Send + 'static>(
    receiver: mpsc::Receiver<Result<T, Status>>,
) -> impl Stream<Item = Result<T, Status>> + Send {
    futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    })
}

/// Sends `first`, then every change of the task, until it is finished or the client left.
async fn watch_task(admin: Admin, first: pb::Task, sender: mpsc::Sender<Result<pb::Task, Status>>) {
    let mut last = first.clone();
    if sender.send(Ok(first)).await.is_err() {
        return;
    }
    while !is_terminal(&last.status) {
        tokio::time::sleep(WATCH_POLL).await;
        match admin.task(last.uid).await {
            Ok(task) if task == last => {}
            Ok(task) => {
                last = task.clone();
                if sender.send(Ok(task)).await.is_err() {
                    return;
                }
            }
            Err(error) => {
                // The client learns why the watch ended; it may be gone already.
                let _ = sender.send(Err(status(error))).await;
                return;
            }
        }
    }
}

fn is_terminal(task_status: &str) -> bool {
    matches!(task_status, "succeeded" | "failed" | "canceled")
}

/// Sends a snapshot whenever the operations change and at least every `interval`; ends after
/// the first snapshot with nothing running unless `follow`, or when the client left.
async fn watch_operations(
    admin: Admin,
    interval: Duration,
    follow: bool,
    sender: mpsc::Sender<Result<pb::OperationsSnapshot, Status>>,
) {
    let mut last: Option<(pb::OperationsSnapshot, Instant)> = None;
    loop {
        let snapshot = match admin.operations_snapshot().await {
            Ok(snapshot) => snapshot,
            Err(error) => {
                let _ = sender.send(Err(status(error))).await;
                return;
            }
        };
        let due = last.as_ref().is_none_or(|(previous, sent_at)| {
            *previous != snapshot || sent_at.elapsed() >= interval
        });
        let idle = snapshot.operations.is_empty()
            && !snapshot
                .rebalance
                .as_ref()
                .is_some_and(|rebalance| rebalance.in_progress);
        if due {
            if sender.send(Ok(snapshot.clone())).await.is_err() {
                return;
            }
            last = Some((snapshot, Instant::now()));
        }
        if idle && !follow {
            return;
        }
        tokio::time::sleep(WATCH_POLL.min(interval)).await;
    }
}

#[cfg(test)]
mod tests {
    use miroir_core::error::{ApiError, ErrorCode};
    use tonic::service::Interceptor;
    use tonic::Code;

    use super::*;

    fn call_with(check: &mut AdminKeyCheck, header: Option<&str>) -> Result<(), Code> {
        let mut request = Request::new(());
        if let Some(header) = header {
            request
                .metadata_mut()
                .insert(AUTHORIZATION_METADATA, header.parse().unwrap());
        }
        check
            .call(request)
            .map(drop)
            .map_err(|status| status.code())
    }

    #[test]
    fn the_admin_key_is_required_when_configured() {
        let mut check = AdminKeyCheck {
            expected: Some(Arc::from("admin-key")),
        };
        assert_eq!(call_with(&mut check, None), Err(Code::Unauthenticated));
        assert_eq!(
            call_with(&mut check, Some("Bearer wrong")),
            Err(Code::PermissionDenied)
        );
        assert_eq!(
            call_with(&mut check, Some("admin-key")),
            Err(Code::PermissionDenied),
            "the bearer scheme is required"
        );
        assert_eq!(call_with(&mut check, Some("Bearer admin-key")), Ok(()));
        let mut open = AdminKeyCheck { expected: None };
        assert_eq!(call_with(&mut open, None), Ok(()));
    }

    #[test]
    fn failures_map_to_status_codes_with_the_operator_message() {
        let cases = [
            (
                AdminError::InvalidArgument("a".into()),
                Code::InvalidArgument,
            ),
            (AdminError::NotFound("b".into()), Code::NotFound),
            (AdminError::Refused("c".into()), Code::FailedPrecondition),
            (
                AdminError::TopologyConflict("d".into()),
                Code::FailedPrecondition,
            ),
            (AdminError::Unavailable("e".into()), Code::Unavailable),
            (AdminError::Internal("f".into()), Code::Internal),
        ];
        for (error, code) in cases {
            let message = error.to_string();
            let status = status(error);
            assert_eq!(status.code(), code);
            assert_eq!(status.message(), message);
        }
        let parse_error = ApiError::new(ErrorCode::InvalidTaskStatuses, "bad status");
        let status = status(AdminError::Api(parse_error));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), "bad status");
    }
}
