//! `miroir run`: start the metadata peer and the HTTP listener, serve until SIGTERM or
//! Ctrl-C, then stop accepting requests, drain the ones in flight and stop Raft cleanly.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use miroir_core::config::Config;
use miroir_raft_store::peer::MetadataPeer;
use tokio::net::TcpListener;

use crate::admin::{Admin, AdminListener};
use crate::http::{self, AppState, Keys};
use crate::metrics::listener::MetricsListener;
use crate::peer_config::{metadata_peer_config, Purpose};
use crate::proxy::Proxy;
use crate::rebalance::Rebalancer;
use crate::startup::StartError;

/// How long the shutdown waits for the last request handlers to release the peer.
const RELEASE_WAIT: Duration = Duration::from_secs(5);

/// Runs the peer until a shutdown signal.
pub async fn run(config: Config) -> Result<(), StartError> {
    let metadata_config = metadata_peer_config(&config, Purpose::Run)?;
    let http_addr = format!("{}:{}", config.server.bind_address, config.server.port);
    let listener = TcpListener::bind(&http_addr)
        .await
        .map_err(|source| StartError::HttpBind {
            addr: http_addr.clone(),
            source,
        })?;
    let bound_http = listener
        .local_addr()
        .map_err(|source| StartError::HttpBind {
            addr: http_addr,
            source,
        })?;
    let (metrics_listener, bound_metrics) = bind(&format!(
        "{}:{}",
        config.server.bind_address, config.server.metrics_port
    ))
    .await?;
    let peer = Arc::new(MetadataPeer::start(metadata_config).await?);
    let proxy = match Proxy::new(&config, peer.clone()) {
        Ok(proxy) => Arc::new(proxy),
        Err(error) => {
            if let Err(stop_error) = stop_peer(peer).await {
                tracing::warn!(%stop_error, "stopping the metadata peer after a failed start");
            }
            return Err(error.into());
        }
    };
    let admin = Admin::new(proxy.clone());
    let admin_listener = match AdminListener::start(&config, admin.clone()).await {
        Ok(listener) => listener,
        Err(error) => {
            drop((proxy, admin));
            if let Err(stop_error) = stop_peer(peer).await {
                tracing::warn!(%stop_error, "stopping the metadata peer after a failed start");
            }
            return Err(error);
        }
    };
    let prober = tokio::spawn(proxy.clone().probe_nodes_forever());
    let fleet_follower = tokio::spawn(proxy.clone().follow_topology_forever());
    let rebalancer = tokio::spawn(Rebalancer::new(proxy.clone(), &config.rebalancer).run_forever());
    let metrics = proxy.metrics().clone();
    let metrics_listener = MetricsListener::serve(
        metrics_listener,
        bound_metrics,
        metrics.clone(),
        proxy.clone(),
    );
    let state = AppState {
        proxy,
        admin,
        keys: Arc::new(Keys {
            master: config
                .master_key
                .as_ref()
                .map(|key| key.expose().to_owned()),
            admin: config
                .admin_api_key
                .as_ref()
                .map(|key| key.expose().to_owned()),
        }),
        max_body_bytes: usize::try_from(config.server.max_body_bytes).unwrap_or(usize::MAX),
        metrics,
    };
    // One log line that is always written, whatever RUST_LOG filters: where this peer listens
    // (scripts and tests read it). A closed stdout (the log reader went away) must not stop
    // the peer, so the write's failure is only reported.
    let serving_line = serde_json::json!({
        "timestamp": miroir_meta::format_timestamp_ms(crate::clock::wall_clock_ms()),
        "level": "INFO",
        "target": "miroir::run",
        "message": "peer serving",
        "peer_id": peer.id(),
        "name": peer.node().name,
        "http": bound_http.to_string(),
        "grpc": peer.grpc_addr().to_string(),
        "admin": admin_listener.addr().to_string(),
        "metrics": metrics_listener.addr().to_string(),
        "bootstrap": format!("{:?}", peer.bootstrap()),
    });
    if let Err(error) = writeln!(std::io::stdout(), "{serving_line}") {
        eprintln!("miroir: cannot write the serving line to stdout: {error}");
    }

    let served = axum::serve(listener, http::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(StartError::HttpServe);
    let admin_stopped = admin_listener.stop().await;
    metrics_listener.stop().await;
    // The aborted background tasks drop their handles on the proxy (and with it the peer)
    // when they end.
    for (name, task) in [
        ("node health prober", prober),
        ("topology follower", fleet_follower),
        ("rebalancer", rebalancer),
    ] {
        task.abort();
        if let Err(error) = task.await {
            if !error.is_cancelled() {
                tracing::warn!(%error, task = name, "background task ended abnormally");
            }
        }
    }
    tracing::info!(
        peer_id = peer.id(),
        "http listener drained; stopping the metadata peer"
    );
    let stopped = stop_peer(peer).await;
    served.and(admin_stopped).and(stopped)
}

/// Binds an HTTP listener on `addr` and tells where it actually listens.
async fn bind(addr: &str) -> Result<(TcpListener, SocketAddr), StartError> {
    let failed = |source| StartError::HttpBind {
        addr: addr.to_owned(),
        source,
    };
    let listener = TcpListener::bind(addr).await.map_err(failed)?;
    let bound = listener.local_addr().map_err(failed)?;
    Ok((listener, bound))
}

/// Stops Raft once nothing (request handlers, the proxy) holds the peer any more.
async fn stop_peer(mut peer: Arc<MetadataPeer>) -> Result<(), StartError> {
    let started = Instant::now();
    loop {
        match Arc::try_unwrap(peer) {
            Ok(peer) => return Ok(peer.shutdown().await?),
            Err(shared) if started.elapsed() < RELEASE_WAIT => {
                peer = shared;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(_) => {
                // Everything committed is already durable in RocksDB; only the orderly stop is
                // skipped.
                tracing::warn!(
                    "request handlers still hold the peer; exiting without an orderly Raft stop"
                );
                return Ok(());
            }
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("Ctrl-C received; shutting down"),
        () = terminate => tracing::info!("SIGTERM received; shutting down"),
    }
}
