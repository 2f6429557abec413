//! The admin gRPC API over TLS (`server.admin_tls`): `miroir-ctl` reaches the listener with the
//! certificate authority that signed it, and is refused without it or in plaintext.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tempfile::TempDir;

use crate::cluster::{Nodes, ADMIN_KEY};
use crate::ctl_run::ctl_with_key;
use crate::process::{ready_leader, write_config, Peer};

/// Writes a CA and a certificate for 127.0.0.1 signed by it under `dir`; returns the paths of
/// the CA, the certificate and its key.
fn admin_certificate(dir: &Path) -> [String; 3] {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "miroir test admin ca");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "miroir admin");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &ca).unwrap();
    let files = [
        ("ca.pem", ca.pem()),
        ("admin.pem", cert.pem()),
        ("admin-key.pem", key.serialize_pem()),
    ];
    files.map(|(name, pem)| {
        let path = dir.join(name);
        std::fs::write(&path, pem).unwrap();
        path.display().to_string()
    })
}

/// Invariant: a peer with `server.admin_tls` serves the admin API over TLS only — `miroir-ctl`
/// given the signing CA (`--ca-file`) gets the real status over `https://`; without the CA
/// (the system roots do not trust it) and over plaintext it fails with a non-zero exit and an
/// error naming the endpoint.
#[test]
fn ctl_reaches_a_tls_admin_listener_only_with_its_ca() {
    let dir = TempDir::new().unwrap();
    let nodes = Nodes::start(1);
    let [ca, cert, key] = admin_certificate(dir.path());
    let yaml = format!(
        "nodes:\n  - {{id: meili-0, address: \"http://{}\", replica_group: 0}}\n\
         admin_api_key: {ADMIN_KEY}\n\
         server:\n  bind_address: 127.0.0.1\n  port: 0\n  admin_grpc_port: 0\n  metrics_port: 0\n  \
         admin_tls: {{cert_file: \"{cert}\", key_file: \"{key}\"}}\n\
         peer:\n  grpc_bind: \"127.0.0.1:0\"\n  data_dir: \"{}\"\n",
        nodes.addresses()[0],
        dir.path().join("data").display()
    );
    let peer = Peer::start(&write_config(dir.path(), "tls", &yaml));
    ready_leader(peer.serving.http);
    let https = format!("https://127.0.0.1:{}", peer.serving.admin.port());

    let run = ctl_with_key(
        &https,
        ADMIN_KEY,
        &["--ca-file", &ca, "--output", "json", "status"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let status: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(status["leader_id"], 1);
    assert_eq!(status["peers"][0]["role"], "leader");
    assert_eq!(status["nodes"][0]["id"], "meili-0");

    let untrusted = ctl_with_key(&https, ADMIN_KEY, &["status"]);
    assert_ne!(untrusted.code, 0, "{untrusted:?}");
    assert!(untrusted.stderr.contains(&https), "{untrusted:?}");
    assert!(untrusted.stdout.is_empty(), "{untrusted:?}");

    let plaintext = format!("http://{}", peer.serving.admin);
    let refused = ctl_with_key(&plaintext, ADMIN_KEY, &["status"]);
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(refused.stderr.contains(&plaintext), "{refused:?}");
}
