//! In-process cluster fixture: peers on ephemeral ports with stores in one temporary directory,
//! plus `wait_*` helpers that poll observable state with a bound (never sleep-and-hope).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use miroir_raft_store::network::TlsConfig;
use miroir_raft_store::peer::{MetadataPeer, PeerConfig, RaftTuning};
use miroir_raft_store::types::{PeerId, PeerNode};
use tempfile::TempDir;
use tokio::net::TcpListener;

/// Upper bound of every wait in the tests (generous: CI machines are slow).
pub const WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(20);

/// Polls `probe` until it yields `Some`, panicking with `what` after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Knobs of a test cluster.
#[derive(Clone, Default)]
pub struct Options {
    /// Raft tuning of every peer (`None`: defaults).
    pub tuning: Option<RaftTuning>,
    /// TLS material per peer id.
    pub tls: BTreeMap<PeerId, TlsConfig>,
    /// Form the cluster the `miroir init` way: the lowest id's store is initialised explicitly
    /// before any peer starts, and every peer then starts without `initial_peers`.
    pub explicit_init: bool,
}

/// A cluster of in-process peers. Peers are `Arc`s so test tasks can share them.
pub struct Cluster {
    root: TempDir,
    options: Options,
    /// Configuration of every peer ever started, running or not.
    pub configs: BTreeMap<PeerId, PeerConfig>,
    /// The running peers.
    pub peers: BTreeMap<PeerId, Arc<MetadataPeer>>,
}

impl Cluster {
    /// Starts peers `1..=size` forming a new cluster (peer 1 initialises it).
    pub async fn start(size: u64, options: Options) -> Self {
        let root = TempDir::new().unwrap();
        let mut listeners = BTreeMap::new();
        for id in 1..=size {
            listeners.insert(id, TcpListener::bind("127.0.0.1:0").await.unwrap());
        }
        let initial_peers: BTreeMap<PeerId, PeerNode> = listeners
            .iter()
            .map(|(id, listener)| (*id, node(*id, &listener.local_addr().unwrap().to_string())))
            .collect();
        let mut cluster = Self {
            root,
            options,
            configs: BTreeMap::new(),
            peers: BTreeMap::new(),
        };
        if cluster.options.explicit_init {
            let mut config = cluster.config(1, &initial_peers[&1].grpc_addr);
            config.initial_peers = initial_peers.clone();
            let voters = MetadataPeer::initialize_new_cluster(config).await.unwrap();
            assert_eq!(voters, initial_peers);
        }
        for (id, listener) in listeners {
            let mut config = cluster.config(id, &initial_peers[&id].grpc_addr);
            if !cluster.options.explicit_init {
                config.initial_peers = initial_peers.clone();
            }
            cluster.launch(config, listener).await;
        }
        cluster
    }

    fn config(&self, id: PeerId, grpc_addr: &str) -> PeerConfig {
        let mut config = PeerConfig::new(
            id,
            format!("miroir-{id}"),
            grpc_addr,
            format!("127.0.0.1:{}", 7700 + id),
            self.root.path().join(format!("peer-{id}")),
        );
        if let Some(tuning) = &self.options.tuning {
            config.raft = tuning.clone();
        }
        config.tls = self.options.tls.get(&id).cloned();
        config
    }

    async fn launch(&mut self, config: PeerConfig, listener: TcpListener) {
        let id = config.id;
        let peer = MetadataPeer::start_with_listener(config.clone(), listener)
            .await
            .unwrap();
        self.configs.insert(id, config);
        self.peers.insert(id, Arc::new(peer));
    }

    /// Starts a brand-new peer `id` that belongs to no membership yet (it joins through a
    /// `MembershipChange::AddLearner`).
    pub async fn start_joiner(&mut self, id: PeerId) -> PeerNode {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let config = self.config(id, &addr);
        self.launch(config, listener).await;
        self.peers[&id].node().clone()
    }

    /// Running peer `id`.
    pub fn peer(&self, id: PeerId) -> Arc<MetadataPeer> {
        self.peers[&id].clone()
    }

    /// Shuts peer `id` down (its store stays on disk). No other `Arc` of it may be alive.
    pub async fn stop(&mut self, id: PeerId) {
        let peer = self.peers.remove(&id).unwrap();
        let peer = Arc::try_unwrap(peer)
            .unwrap_or_else(|_| panic!("peer {id} is still shared by a test task"));
        peer.shutdown().await.unwrap();
    }

    /// Restarts stopped peer `id` on its old address and store.
    pub async fn restart(&mut self, id: PeerId) {
        let config = self.configs[&id].clone();
        let peer = MetadataPeer::start(config).await.unwrap();
        self.peers.insert(id, Arc::new(peer));
    }

    /// Shuts every running peer down.
    pub async fn stop_all(&mut self) {
        let ids: Vec<PeerId> = self.peers.keys().copied().collect();
        for id in ids {
            self.stop(id).await;
        }
    }

    /// Waits until every running peer names the same running leader, and that leader agrees.
    pub async fn wait_for_leader(&self) -> PeerId {
        eventually("an agreed leader", WAIT, || async {
            let leader = self.peers.values().next()?.leader()?;
            let agreed = self
                .peers
                .values()
                .all(|peer| peer.leader() == Some(leader));
            let leads = self.peers.get(&leader).is_some_and(|peer| peer.is_leader());
            (agreed && leads).then_some(leader)
        })
        .await
    }

    /// Waits until every running peer has applied the same log index and holds the same state
    /// digest; returns that digest.
    pub async fn wait_converged(&self) -> u64 {
        eventually("identical state on every peer", WAIT, || async {
            let mut applied = Vec::new();
            let mut digests = Vec::new();
            for peer in self.peers.values() {
                applied.push(peer.metrics().last_applied.map(|log_id| log_id.index));
                digests.push(peer.read(|state| state.digest()).await);
            }
            let same_applied = applied.windows(2).all(|pair| pair[0] == pair[1]);
            let same_digest = digests.windows(2).all(|pair| pair[0] == pair[1]);
            (same_applied && same_digest).then(|| digests[0])
        })
        .await
    }
}

fn node(id: PeerId, grpc_addr: &str) -> PeerNode {
    PeerNode {
        name: format!("miroir-{id}"),
        grpc_addr: grpc_addr.to_owned(),
        http_addr: format!("127.0.0.1:{}", 7700 + id),
    }
}
