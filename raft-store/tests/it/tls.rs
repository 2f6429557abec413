//! The cluster over mutual TLS with certificates generated in the test.

use std::collections::BTreeMap;

use miroir_raft_store::network::pb::raft_service_client::RaftServiceClient;
use miroir_raft_store::network::pb::RaftRequest;
use miroir_raft_store::network::TlsConfig;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use crate::cluster::{Cluster, Options};
use crate::workload::{enqueue, has_task, task_uid, Picker};

/// A cluster CA and one certificate per peer (valid for 127.0.0.1, server and client use).
fn mutual_tls_material(peer_ids: &[u64]) -> BTreeMap<u64, TlsConfig> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "miroir test cluster ca");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    peer_ids
        .iter()
        .map(|id| {
            let key = KeyPair::generate().unwrap();
            let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
            params
                .distinguished_name
                .push(DnType::CommonName, format!("miroir-{id}"));
            params.extended_key_usages = vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ];
            let cert = params.signed_by(&key, &ca).unwrap();
            let tls = TlsConfig {
                ca_pem: ca.pem().into_bytes(),
                cert_pem: cert.pem().into_bytes(),
                key_pem: key.serialize_pem().into_bytes(),
                mutual: true,
                server_name: None,
            };
            (*id, tls)
        })
        .collect()
}

/// Invariant: with mutual TLS configured, peers elect a leader, replicate and forward over TLS
/// (writes through every peer converge to one state), and a plaintext client cannot talk to a
/// peer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cluster_runs_over_mutual_tls() {
    // A binary installs the process-wide provider; tests do the same (idempotent per process).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let options = Options {
        tls: mutual_tls_material(&[1, 2, 3]),
        ..Options::default()
    };
    let mut cluster = Cluster::start(3, options).await;
    cluster.wait_for_leader().await;

    let mut picker = Picker::new(7);
    let mut written = Vec::new();
    for sequence in 0..200 {
        let peer = cluster.peer(1 + picker.below(3) as u64);
        let tag = format!("e-{sequence}");
        written.push((task_uid(&peer.apply(enqueue(&tag)).await.unwrap()), tag));
    }
    cluster.wait_converged().await;
    for peer in cluster.peers.values() {
        let expected = written.clone();
        let all_present = peer
            .read(move |state| expected.iter().all(|(uid, tag)| has_task(state, *uid, tag)))
            .await;
        assert!(all_present, "peer {} misses writes", peer.id());
    }

    let addr = cluster.peer(1).grpc_addr();
    let plaintext = async {
        let mut client = RaftServiceClient::connect(format!("http://{addr}")).await?;
        client
            .read_index(RaftRequest {
                cluster: "miroir-meta".into(),
                from_peer_id: 2,
                to_peer_id: 1,
                payload: Default::default(),
            })
            .await
            .map(drop)
            .map_err(Box::<dyn std::error::Error>::from)
    };
    assert!(
        plaintext.await.is_err(),
        "a plaintext client must be refused"
    );
    cluster.stop_all().await;
}
