//! [`MetadataPeer`]: one running member of the metadata group and its client API.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use miroir_meta::{Command, MetadataState};
use openraft::async_runtime::WatchReceiver;
use openraft::RaftMetrics;
use tokio::net::TcpListener;

use super::applied::{applied_index, members_behind, AppliedWatch};
use super::bootstrap::{bootstrap, held_membership_at_open, Bootstrap};
use super::config::PeerConfig;
use super::error::PeerError;
use super::forward::Forwarder;
use super::leader_membership::LeaderMembership;
use super::membership::{Membership, MembershipChange};
use super::reports::collect_reports;
use super::server::ServerHandle;
use super::status::{PeerReport, PeerStatus};
use crate::network::{ChannelPool, MetadataRaft, PeerCaller, PeerNetwork, RaftGrpcService};
use crate::storage::{open_store, StateReader, StorageError};
use crate::types::{PeerId, PeerNode, Request, Response, TypeConfig};

/// A running metadata peer. Stop it with [`MetadataPeer::shutdown`].
pub struct MetadataPeer {
    id: PeerId,
    node: PeerNode,
    raft: MetadataRaft,
    reader: StateReader,
    forwarder: Forwarder,
    membership: LeaderMembership,
    caller: PeerCaller,
    server: ServerHandle,
    bootstrap: Bootstrap,
}

impl MetadataPeer {
    /// Binds `config.grpc_addr` and starts the peer (see [`MetadataPeer::start_with_listener`]).
    pub async fn start(config: PeerConfig) -> Result<Self, PeerError> {
        let listener = TcpListener::bind(&config.grpc_addr)
            .await
            .map_err(|source| PeerError::Bind {
                addr: config.grpc_addr.clone(),
                source,
            })?;
        Self::start_with_listener(config, listener).await
    }

    /// Starts the peer serving gRPC on an already bound `listener`: opens the store in
    /// `config.data_dir` (resuming whatever it holds), starts Raft and the server, and on the
    /// very first start of a new cluster lets the lowest id of `initial_peers` initialise it.
    /// A configured port 0 is replaced by the listener's actual address in [`MetadataPeer::node`].
    pub async fn start_with_listener(
        config: PeerConfig,
        listener: TcpListener,
    ) -> Result<Self, PeerError> {
        config.validate()?;
        let raft_config = Arc::new(config.raft.openraft_config(&config.cluster_name)?);
        let bound_addr = listener.local_addr().map_err(|source| PeerError::Bind {
            addr: config.grpc_addr.clone(),
            source,
        })?;
        let node = PeerNode {
            name: config.name.clone(),
            grpc_addr: advertised_grpc_addr(&config.grpc_addr, bound_addr),
            http_addr: config.http_addr.clone(),
        };

        let (log_store, state_machine) = open_store_when_released(&config.data_dir).await?;
        let reader = state_machine.reader();
        let pool = ChannelPool::new(config.tls.as_ref().map(|tls| tls.client_config()));
        let network = PeerNetwork::new(config.id, config.cluster_name.clone(), pool.clone());
        let raft = MetadataRaft::new(config.id, raft_config, network, log_store, state_machine)
            .await
            .map_err(|fatal| PeerError::Fatal(fatal.to_string()))?;

        let initialized = match held_membership_at_open(&raft).await {
            Ok(initialized) => initialized,
            Err(error) => {
                stop_raft(&raft).await;
                return Err(error);
            }
        };
        let membership =
            LeaderMembership::new(raft.clone(), config.id, config.raft.voter_staleness());
        let service = RaftGrpcService::new(
            raft.clone(),
            config.id,
            config.cluster_name.clone(),
            membership.clone(),
        );
        let server = match ServerHandle::spawn(listener, service, config.tls.as_ref()) {
            Ok(server) => server,
            Err(error) => {
                stop_raft(&raft).await;
                return Err(error);
            }
        };
        let bootstrap = match bootstrap(&raft, initialized, config.id, &config.initial_peers).await
        {
            Ok(bootstrap) => bootstrap,
            Err(error) => {
                stop_raft(&raft).await;
                // The start already failed; a server error on the way out adds nothing.
                let _ = server.stop().await;
                return Err(error);
            }
        };
        tracing::info!(peer_id = config.id, addr = %bound_addr, ?bootstrap, "metadata peer started");

        let caller = PeerCaller::new(config.id, config.cluster_name.clone(), pool);
        let forwarder = Forwarder::new(
            raft.clone(),
            config.id,
            caller.clone(),
            membership.clone(),
            config.raft.client_timeout,
        );
        Ok(Self {
            id: config.id,
            node,
            raft,
            reader,
            forwarder,
            membership,
            caller,
            server,
            bootstrap,
        })
    }

    /// Explicit one-time initialisation of a brand-new cluster (`miroir init`): on a pristine
    /// store in `config.data_dir`, records the membership of `config.initial_peers` (this peer
    /// alone when empty) and stops again, without serving. The next start of this peer resumes
    /// from that membership and leads the new cluster's first election. Refuses a store that
    /// already holds Raft state ([`PeerError::AlreadyInitialized`]); returns the voters.
    pub async fn initialize_new_cluster(
        config: PeerConfig,
    ) -> Result<BTreeMap<PeerId, PeerNode>, PeerError> {
        config.validate()?;
        let voters = if config.initial_peers.is_empty() {
            BTreeMap::from([(
                config.id,
                PeerNode {
                    name: config.name.clone(),
                    grpc_addr: config.grpc_addr.clone(),
                    http_addr: config.http_addr.clone(),
                },
            )])
        } else {
            config.initial_peers.clone()
        };
        if !voters.contains_key(&config.id) {
            return Err(PeerError::InvalidConfig(format!(
                "peer {} initialises the cluster, so it must be one of its initial peers",
                config.id
            )));
        }
        let raft_config = Arc::new(config.raft.openraft_config(&config.cluster_name)?);
        let (log_store, state_machine) = open_store_when_released(&config.data_dir).await?;
        let pool = ChannelPool::new(config.tls.as_ref().map(|tls| tls.client_config()));
        let network = PeerNetwork::new(config.id, config.cluster_name.clone(), pool);
        let raft = MetadataRaft::new(config.id, raft_config, network, log_store, state_machine)
            .await
            .map_err(|fatal| PeerError::Fatal(fatal.to_string()))?;
        let outcome = initialize_once(&raft, &config, voters.clone()).await;
        raft.shutdown()
            .await
            .map_err(|join_error| PeerError::Fatal(format!("raft task failed: {join_error}")))?;
        outcome?;
        // Proof that the membership reached the disk: a fresh open of the store sees it.
        let (log_store, _) = open_store_when_released(&config.data_dir).await?;
        if !log_store.holds_raft_state()? {
            return Err(PeerError::Initialize(format!(
                "the membership did not reach the store in {}",
                config.data_dir.display()
            )));
        }
        Ok(voters)
    }

    /// This peer's Raft id.
    pub fn id(&self) -> PeerId {
        self.id
    }

    /// This peer's membership entry (its gRPC address is the configured one, or the bound
    /// address when the configured port was 0).
    pub fn node(&self) -> &PeerNode {
        &self.node
    }

    /// The address the gRPC server listens on.
    pub fn grpc_addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// What the start-up did about the membership.
    pub fn bootstrap(&self) -> Bootstrap {
        self.bootstrap
    }

    /// Commits `command` through the current leader (wherever it is) and returns the state
    /// machine's response; the request is stamped with this peer's wall clock. Retries leader
    /// changes within the client budget while the command provably was not proposed.
    pub async fn apply(&self, command: Command) -> Result<Response, PeerError> {
        let request = Request {
            issued_at_ms: wall_clock_ms(),
            command,
        };
        self.forwarder.write(request).await
    }

    /// Runs `read` on this peer's applied state. Fast, but possibly stale.
    pub async fn read<T>(&self, read: impl FnOnce(&MetadataState) -> T) -> T {
        self.reader.read(read).await
    }

    /// Runs `read` on a state that includes every write committed before the call
    /// (ReadIndex through the leader, then a local read).
    pub async fn linearizable_read<T>(
        &self,
        read: impl FnOnce(&MetadataState) -> T,
    ) -> Result<T, PeerError> {
        self.forwarder.linearize().await?;
        Ok(self.reader.read(read).await)
    }

    /// Waits until this peer has applied log index `index`.
    pub async fn wait_applied(&self, index: u64, timeout: Duration) -> Result<(), PeerError> {
        self.forwarder.wait_applied(index, timeout).await
    }

    /// A copy of the current Raft metrics.
    pub fn metrics(&self) -> RaftMetrics<TypeConfig> {
        self.raft.metrics().borrow_watched().clone()
    }

    /// A watch that wakes up whenever this peer applied new log entries.
    pub fn applied_watch(&self) -> AppliedWatch {
        AppliedWatch::new(self.raft.metrics())
    }

    /// The last log index this peer applied (0 before the first entry).
    pub fn applied_index(&self) -> u64 {
        applied_index(&self.metrics())
    }

    /// When this peer leads: the other members (voters and learners) whose log does not reach
    /// `index` yet. `None` when this peer does not lead.
    pub fn members_behind(&self, index: u64) -> Option<BTreeSet<PeerId>> {
        members_behind(&self.metrics(), index)
    }

    /// The leader this peer knows of.
    pub fn leader(&self) -> Option<PeerId> {
        self.metrics().current_leader
    }

    /// Whether this peer currently leads.
    pub fn is_leader(&self) -> bool {
        self.raft.is_leader()
    }

    /// Applies `change` through the current leader (one hop over the `ChangeMembership` RPC
    /// when this peer is not the leader, retrying leader changes within the client budget while
    /// the change provably was not proposed); returns the membership after the change.
    ///
    /// The leader enforces the safety rules, and a refusal is the same [`PeerError`] wherever
    /// the change was submitted: [`PeerError::AlreadyMember`], [`PeerError::NotALearner`],
    /// [`PeerError::UnknownPeer`], [`PeerError::LastVoter`] (even forced),
    /// [`PeerError::WouldLoseQuorum`] (unless forced), [`PeerError::Membership`] (openraft
    /// refused, e.g. another change kept running for the whole budget). A change that may have
    /// been proposed but whose result is unknown is [`PeerError::OutcomeUnknown`]. A new
    /// learner is given the rest of the budget to catch up before the call returns. Removed ids
    /// must never be reused.
    pub async fn change_membership(
        &self,
        change: MembershipChange,
    ) -> Result<Membership, PeerError> {
        self.forwarder.change_membership(change).await
    }

    /// The current membership (this peer's view: possibly behind the leader's).
    pub fn membership(&self) -> Membership {
        Membership::from_raft(self.metrics().membership_config.membership())
    }

    /// The voters this peer counts as healthy for the quorum check of a removal (itself, and
    /// every voter that acknowledged it recently), or `None` when it does not lead.
    pub fn healthy_voters(&self) -> Option<BTreeSet<PeerId>> {
        self.membership.healthy_voters()
    }

    /// Asks every member (itself locally, the others over the `PeerStatus` RPC, concurrently,
    /// each bounded by `timeout`) for its status, in id order. An unreachable member's status is
    /// the reason it could not be asked.
    pub async fn peer_reports(&self, timeout: Duration) -> Vec<PeerReport> {
        let metrics = self.metrics();
        let membership = Membership::from_raft(metrics.membership_config.membership());
        let own = PeerStatus::from_metrics(&metrics);
        collect_reports(&membership, &own, &self.caller, timeout).await
    }

    /// Stops Raft, then the gRPC server. openraft may drop its storage handles from background
    /// tasks shortly after this returns; a restart in the same process waits for that (bounded).
    pub async fn shutdown(self) -> Result<(), PeerError> {
        let raft_result = self
            .raft
            .shutdown()
            .await
            .map_err(|join_error| PeerError::Fatal(format!("raft task failed: {join_error}")));
        let server_result = self.server.stop().await;
        raft_result.and(server_result)
    }
}

/// How long a start waits for a previous instance in this process to release the store.
const STORE_RELEASE_WAIT: Duration = Duration::from_secs(5);
/// Poll interval of that wait.
const STORE_RELEASE_POLL: Duration = Duration::from_millis(50);

/// Opens the store, waiting (bounded) while RocksDB refuses it with an I/O error such as the
/// lock still held by a just-shut-down instance of this peer in the same process.
async fn open_store_when_released(
    dir: &std::path::Path,
) -> Result<(crate::storage::LogStore, crate::storage::StateMachineStore), PeerError> {
    let started = std::time::Instant::now();
    loop {
        match open_store(dir) {
            Ok(stores) => return Ok(stores),
            Err(StorageError::Open { source, .. })
                if source.kind() == rocksdb::ErrorKind::IOError
                    && started.elapsed() < STORE_RELEASE_WAIT =>
            {
                tracing::debug!(dir = %dir.display(), %source, "store busy; waiting for release");
                tokio::time::sleep(STORE_RELEASE_POLL).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// Initialises `raft` (pristine) with `voters` and waits until the membership entry is in its
/// log.
async fn initialize_once(
    raft: &MetadataRaft,
    config: &PeerConfig,
    voters: BTreeMap<PeerId, PeerNode>,
) -> Result<(), PeerError> {
    let initialized = raft
        .is_initialized()
        .await
        .map_err(|fatal| PeerError::Fatal(fatal.to_string()))?;
    if initialized {
        return Err(PeerError::AlreadyInitialized {
            dir: config.data_dir.clone(),
        });
    }
    raft.initialize(voters)
        .await
        .map_err(|error| PeerError::Initialize(error.to_string()))?;
    raft.wait(Some(config.raft.client_timeout))
        .metrics(
            |metrics| metrics.last_log_index.is_some(),
            "membership entry in the log",
        )
        .await
        .map_err(|error| PeerError::Initialize(error.to_string()))?;
    Ok(())
}

/// Shuts Raft down on a failed start; the start error is what gets reported.
async fn stop_raft(raft: &MetadataRaft) {
    if let Err(error) = raft.shutdown().await {
        tracing::warn!(%error, "raft shutdown after a failed start also failed");
    }
}

/// The address other peers should dial: the configured one (it may be a host name), unless it
/// asked for an ephemeral port, in which case the bound address.
fn advertised_grpc_addr(configured: &str, bound: SocketAddr) -> String {
    match configured.parse::<SocketAddr>() {
        Ok(addr) if addr.port() == 0 => bound.to_string(),
        _ => configured.to_owned(),
    }
}

fn wall_clock_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since_epoch| u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ephemeral_port_is_replaced_by_the_bound_address() {
        let bound: SocketAddr = "127.0.0.1:40123".parse().unwrap();
        assert_eq!(
            advertised_grpc_addr("127.0.0.1:0", bound),
            "127.0.0.1:40123"
        );
        assert_eq!(
            advertised_grpc_addr("miroir-0:7000", bound),
            "miroir-0:7000"
        );
        assert_eq!(
            advertised_grpc_addr("10.0.0.5:7000", bound),
            "10.0.0.5:7000"
        );
    }
}
