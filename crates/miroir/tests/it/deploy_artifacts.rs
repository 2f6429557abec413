//! The deployment artifacts under `deploy/`, checked without a container engine or helm:
//!
//! - **Compose** — Debian's `docker-compose` (1.29) normalises `deploy/docker-compose.yml` with
//!   `config` (no engine needed); the test reads the result (3 peers + 3 pinned Meilisearch
//!   nodes, volumes, health checks, keys from the env file) and runs `miroir check` on the
//!   mounted peer configuration with each peer's environment.
//! - **Helm** — values are merged like helm does (values.yaml, then an override), validated
//!   against `values.schema.json` (draft-07, as helm does), rendered by `deploy/helm/render`
//!   (Go's text/template, the engine helm is built on, with the Helm/sprig functions the chart
//!   uses), parsed, and checked: kinds, odd voter count, a PodDisruptionBudget keeping quorum,
//!   probes, PVCs, peer DNS names that match the headless Service, learners only on request,
//!   and `miroir check` on every rendered peer configuration. Unsafe values are refused by the
//!   schema with the reason expected.
//!
//! A missing `docker-compose` or `go` fails the tests loudly: they are part of CI.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::{json, Value};
use tempfile::TempDir;

/// Keys handed to `miroir check`, as the Secret or the env file would: long and distinct, so
/// redundant topologies (which demand production keys) validate too.
const CHECK_KEYS: [(&str, &str); 3] = [
    ("MIROIR_MASTER_KEY", "deploy-test-client-key-0123456789"),
    ("MIROIR_NODE_MASTER_KEY", "deploy-test-node-key-0123456789"),
    ("MIROIR_ADMIN_API_KEY", "deploy-test-admin-key-0123456789"),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn deploy_dir() -> PathBuf {
    repo_root().join("deploy")
}

fn chart_dir() -> PathBuf {
    deploy_dir().join("helm/miroir")
}

/// Runs a tool that CI installs; its absence is a failure that says what to install.
fn run_tool(command: &mut Command, tool: &str, install_hint: &str) -> Output {
    match command.output() {
        Ok(output) => output,
        Err(error) if error.kind() == ErrorKind::NotFound => {
            panic!("`{tool}` is not installed, and this test needs it: {install_hint}")
        }
        Err(error) => panic!("cannot run `{tool}`: {error}"),
    }
}

/// `miroir check --config <config>` with exactly `env` (plus PATH) in the environment.
fn miroir_check(config: &Path, env: &[(String, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_miroir"));
    command
        .arg("check")
        .arg("--config")
        .arg(config)
        .env_clear()
        .envs(env.iter().map(|(name, value)| (name, value)));
    command.output().unwrap()
}

fn assert_check_passes(config: &Path, env: &[(String, String)], expected_summary: &str) {
    let output = miroir_check(config, env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "miroir check refused {}:\n{stdout}\n{}",
        config.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(expected_summary), "{stdout}");
}

fn check_keys() -> Vec<(String, String)> {
    CHECK_KEYS
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// docker compose
// ---------------------------------------------------------------------------------------------

/// `docker-compose config` of the shipped file with `env_file` as its `.env`.
fn compose_config(env_file: &Path) -> Output {
    let mut command = Command::new("docker-compose");
    command
        .arg("--file")
        .arg(deploy_dir().join("docker-compose.yml"))
        .arg("--env-file")
        .arg(env_file)
        .arg("config")
        // Only the env file may supply the keys.
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    run_tool(
        &mut command,
        "docker-compose",
        "apt-get install docker-compose (Debian's 1.29 validates a file without an engine)",
    )
}

/// The normalised compose file, rendered with `deploy/.env.example` as its env file.
fn normalized_compose() -> serde_yaml::Value {
    let output = compose_config(&deploy_dir().join(".env.example"));
    assert!(
        output.status.success(),
        "docker-compose config failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_yaml::from_slice(&output.stdout).unwrap()
}

/// `NAME=value` lines of an env file.
fn env_file_entries(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

fn env_value(entries: &[(String, String)], name: &str) -> String {
    entries
        .iter()
        .find(|(entry, _)| entry == name)
        .map(|(_, value)| value.clone())
        .unwrap_or_else(|| panic!("{name} is missing"))
}

/// A service's `environment` as pairs (compose normalises it to a mapping).
fn service_env(service: &serde_yaml::Value) -> Vec<(String, String)> {
    service["environment"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(name, value)| {
            let value = match value {
                serde_yaml::Value::String(text) => text.clone(),
                other => serde_yaml::to_string(other).unwrap().trim().to_owned(),
            };
            (name.as_str().unwrap().to_owned(), value)
        })
        .collect()
}

fn strings(value: &serde_yaml::Value) -> Vec<String> {
    value
        .as_sequence()
        .unwrap()
        .iter()
        .map(|item| item.as_str().unwrap().to_owned())
        .collect()
}

/// The compose cluster is 3 Miroir peers built from the repository's Dockerfile and 3
/// Meilisearch v1.50 nodes; each has a named data volume and a health check, the peers wait for
/// healthy nodes, the keys come from the env file, and only the peers publish host ports.
#[test]
fn compose_runs_three_peers_in_front_of_three_pinned_meilisearch_nodes() {
    let compose = normalized_compose();
    let env_example = env_file_entries(&deploy_dir().join(".env.example"));
    let services = compose["services"].as_mapping().unwrap();
    let names: BTreeSet<&str> = services.keys().map(|key| key.as_str().unwrap()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["meili-1", "meili-2", "meili-3", "miroir-1", "miroir-2", "miroir-3"])
    );

    let meili_master_key = env_value(&env_example, "MEILI_MASTER_KEY");
    let mut published = BTreeSet::new();
    for index in 1..=3 {
        let peer = &compose["services"][format!("miroir-{index}").as_str()];
        assert_eq!(peer["image"].as_str(), Some("miroir:0.1.0"));
        assert_eq!(
            Path::new(peer["build"]["context"].as_str().unwrap())
                .canonicalize()
                .unwrap(),
            repo_root(),
            "the image is built from the repository root"
        );
        assert_eq!(peer["build"]["dockerfile"].as_str(), Some("Dockerfile"));
        assert_eq!(
            strings(&peer["healthcheck"]["test"]),
            [
                "CMD",
                "/miroir",
                "probe",
                "--url",
                "http://127.0.0.1:7700/_miroir/ready"
            ]
        );
        for node in 1..=3 {
            assert_eq!(
                peer["depends_on"][format!("meili-{node}").as_str()]["condition"].as_str(),
                Some("service_healthy"),
                "miroir-{index} waits for meili-{node}"
            );
        }
        let volumes = strings(&peer["volumes"]);
        assert!(
            volumes.contains(&format!("miroir-{index}-data:/var/lib/miroir:rw")),
            "{volumes:?}"
        );
        let config_mount = volumes
            .iter()
            .find(|volume| volume.contains(":/etc/miroir/miroir.yaml"))
            .unwrap();
        assert!(config_mount.ends_with(":ro"), "{config_mount}");

        let env = service_env(peer);
        assert_eq!(env_value(&env, "MIROIR_PEER__ID"), index.to_string());
        assert_eq!(
            env_value(&env, "MIROIR_PEER__NAME"),
            format!("miroir-{index}")
        );
        for key in ["MIROIR_MASTER_KEY", "MIROIR_ADMIN_API_KEY"] {
            assert_eq!(env_value(&env, key), env_value(&env_example, key), "{key}");
        }
        assert_eq!(env_value(&env, "MIROIR_NODE_MASTER_KEY"), meili_master_key);

        for port in peer["ports"].as_sequence().unwrap() {
            let port = port.as_str().unwrap();
            let host_port = port.split(':').nth(1).unwrap().to_owned();
            assert!(
                port.starts_with("127.0.0.1:"),
                "published on loopback: {port}"
            );
            assert!(
                published.insert(host_port),
                "host port published twice: {port}"
            );
        }
    }
    assert!(
        published.contains("7700") && published.contains("7900"),
        "{published:?}"
    );

    for index in 1..=3 {
        let node = &compose["services"][format!("meili-{index}").as_str()];
        assert_eq!(node["image"].as_str(), Some("getmeili/meilisearch:v1.50"));
        assert!(
            node.get("ports").is_none(),
            "meili-{index} stays off the host"
        );
        let health = strings(&node["healthcheck"]["test"]);
        assert_eq!(health[..2], ["CMD", "curl"]);
        assert_eq!(health.last().unwrap(), "http://127.0.0.1:7700/health");
        assert_eq!(
            strings(&node["volumes"]),
            [format!("meili-{index}-data:/meili_data:rw")]
        );
        let env = service_env(node);
        assert_eq!(env_value(&env, "MEILI_MASTER_KEY"), meili_master_key);
        assert_eq!(env_value(&env, "MEILI_ENV"), "production");
    }

    let volumes: BTreeSet<&str> = compose["volumes"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|key| key.as_str().unwrap())
        .collect();
    for index in 1..=3 {
        assert!(volumes.contains(format!("miroir-{index}-data").as_str()));
        assert!(volumes.contains(format!("meili-{index}-data").as_str()));
    }
}

/// Without an env file holding the keys, compose refuses to render and names the variable.
#[test]
fn compose_refuses_to_start_without_the_keys() {
    let dir = TempDir::new().unwrap();
    let empty_env = dir.path().join("empty.env");
    std::fs::write(&empty_env, "").unwrap();
    let output = compose_config(&empty_env);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("MIROIR_MASTER_KEY in deploy/.env")
            || stderr.contains("MEILI_MASTER_KEY in deploy/.env")
            || stderr.contains("MIROIR_ADMIN_API_KEY in deploy/.env"),
        "{stderr}"
    );
}

/// The example keys are placeholders a production Meilisearch and Miroir accept (at least 16
/// bytes, distinct), so the walkthrough works with the file copied as is.
#[test]
fn the_example_env_file_holds_three_distinct_long_keys() {
    let entries = env_file_entries(&deploy_dir().join(".env.example"));
    let keys: Vec<String> = [
        "MEILI_MASTER_KEY",
        "MIROIR_MASTER_KEY",
        "MIROIR_ADMIN_API_KEY",
    ]
    .iter()
    .map(|name| env_value(&entries, name))
    .collect();
    assert!(keys.iter().all(|key| key.len() >= 16), "{keys:?}");
    assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), 3, "{keys:?}");
}

/// The configuration each peer mounts passes `miroir check` with that peer's environment
/// (identity and keys as compose hands them over), and a peer claiming another's identity is
/// refused — so the check really covers the per-peer variables.
#[test]
fn every_compose_peer_configuration_passes_miroir_check() {
    let compose = normalized_compose();
    let mut first_peer_env = Vec::new();
    let mut config_path = PathBuf::new();
    for index in 1..=3 {
        let peer = &compose["services"][format!("miroir-{index}").as_str()];
        let volumes = strings(&peer["volumes"]);
        let mount = volumes
            .iter()
            .find(|volume| volume.contains(":/etc/miroir/miroir.yaml"))
            .unwrap();
        config_path = PathBuf::from(mount.split(':').next().unwrap());
        let env = service_env(peer);
        assert_check_passes(
            &config_path,
            &env,
            "configuration valid: 64 shards, replication factor 1, 1 replica group(s), 3 node(s)",
        );
        if index == 1 {
            first_peer_env = env;
        }
    }

    let impostor: Vec<(String, String)> = first_peer_env
        .into_iter()
        .map(|(name, value)| match name.as_str() {
            "MIROIR_PEER__GRPC_ADVERTISE" => (name, "miroir-2:7800".to_owned()),
            _ => (name, value),
        })
        .collect();
    let output = miroir_check(&config_path, &impostor);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("peer.grpc_advertise"));
}

// ---------------------------------------------------------------------------------------------
// Helm chart
// ---------------------------------------------------------------------------------------------

fn yaml_file_as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Helm's coalescing of an override onto the values: maps merge key by key, anything else
/// replaces, and `null` deletes the key.
fn coalesce(base: &mut Value, override_values: &Value) {
    let (Value::Object(base_map), Value::Object(override_map)) = (&mut *base, override_values)
    else {
        *base = override_values.clone();
        return;
    };
    for (key, value) in override_map {
        match (base_map.get_mut(key), value) {
            (_, Value::Null) => {
                base_map.remove(key);
            }
            (Some(existing @ Value::Object(_)), Value::Object(_)) => coalesce(existing, value),
            _ => {
                base_map.insert(key.clone(), value.clone());
            }
        }
    }
}

/// values.yaml with `override_values` coalesced onto it.
fn chart_values(override_values: &Value) -> Value {
    let mut values = yaml_file_as_json(&chart_dir().join("values.yaml"));
    coalesce(&mut values, override_values);
    values
}

/// A schema violation: where in the values, and which schema keyword refused it.
#[derive(Debug)]
struct Violation {
    instance_path: String,
    schema_path: String,
}

fn schema_violations(values: &Value) -> Vec<Violation> {
    let schema = yaml_file_as_json(&chart_dir().join("values.schema.json"));
    let validator = jsonschema::draft7::new(&schema).unwrap();
    validator
        .iter_errors(values)
        .map(|error| Violation {
            instance_path: error.instance_path().as_str().to_owned(),
            schema_path: error.schema_path().as_str().to_owned(),
        })
        .collect()
}

/// The renderer, built once per test run with the machine's Go toolchain (stdlib only).
fn renderer() -> &'static Path {
    static RENDERER: OnceLock<PathBuf> = OnceLock::new();
    RENDERER.get_or_init(|| {
        let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("helm-render");
        std::fs::create_dir_all(&out_dir).unwrap();
        let binary = out_dir.join("render");
        let mut command = Command::new("go");
        command
            .args(["build", "-o"])
            .arg(&binary)
            .arg(".")
            .current_dir(deploy_dir().join("helm/render"))
            .env("GOCACHE", out_dir.join("go-cache"))
            .env("GOPATH", out_dir.join("gopath"))
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local");
        let output = run_tool(
            &mut command,
            "go",
            "apt-get install golang-go (the chart is rendered with Go's text/template)",
        );
        assert!(
            output.status.success(),
            "go build of deploy/helm/render failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        binary
    })
}

/// A rendered chart: its manifests and its NOTES.txt.
struct Rendered {
    documents: Vec<Value>,
    notes: String,
}

impl Rendered {
    fn of_kind(&self, kind: &str) -> Vec<&Value> {
        self.documents
            .iter()
            .filter(|document| document["kind"] == kind)
            .collect()
    }

    fn named(&self, kind: &str, name: &str) -> &Value {
        self.of_kind(kind)
            .into_iter()
            .find(|document| document["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} named {name}"))
    }

    fn has(&self, kind: &str, name: &str) -> bool {
        self.of_kind(kind)
            .iter()
            .any(|document| document["metadata"]["name"] == name)
    }
}

/// Renders the chart with already merged `values`; Err carries the renderer's error.
fn try_render(values: &Value, release: &str, namespace: &str) -> Result<Rendered, String> {
    let dir = TempDir::new().unwrap();
    let input = json!({
        "chart": yaml_file_as_json(&chart_dir().join("Chart.yaml")),
        "values": values,
        "release": {"name": release, "namespace": namespace},
    });
    let input_path = dir.path().join("input.json");
    std::fs::write(&input_path, input.to_string()).unwrap();
    let notes_path = dir.path().join("NOTES.txt");
    let output = Command::new(renderer())
        .arg("-chart")
        .arg(chart_dir())
        .arg("-input")
        .arg(&input_path)
        .arg("-notes")
        .arg(&notes_path)
        .output()
        .unwrap();
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let text = String::from_utf8(output.stdout).unwrap();
    let documents = serde_yaml::Deserializer::from_str(&text)
        .map(|document| serde::Deserialize::deserialize(document).unwrap())
        .filter(|document: &Value| !document.is_null())
        .collect();
    Ok(Rendered {
        documents,
        notes: std::fs::read_to_string(&notes_path).unwrap(),
    })
}

/// Validates then renders, like `helm install`: the values must pass the schema.
fn render(override_values: &Value, release: &str, namespace: &str) -> Rendered {
    let values = chart_values(override_values);
    let violations = schema_violations(&values);
    assert!(violations.is_empty(), "{violations:?}");
    try_render(&values, release, namespace).unwrap()
}

/// The peer configuration files of a rendered ConfigMap, written to `dir`: (file name, path,
/// parsed contents).
fn peer_configs(rendered: &Rendered, configmap: &str, dir: &Path) -> Vec<(String, PathBuf, Value)> {
    rendered.named("ConfigMap", configmap)["data"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(file, text)| {
            let text = text.as_str().unwrap();
            let path = dir.join(file);
            std::fs::write(&path, text).unwrap();
            (file.clone(), path, serde_yaml::from_str(text).unwrap())
        })
        .collect()
}

fn container<'a>(workload: &'a Value, name: &str) -> &'a Value {
    workload["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|container| container["name"] == name)
        .unwrap()
}

/// Whether `selector` (matchLabels or a Service selector) selects pods labelled `labels`.
fn selects(selector: &Value, labels: &Value) -> bool {
    selector
        .as_object()
        .unwrap()
        .iter()
        .all(|(key, value)| labels[key] == *value)
}

/// Checks the voter StatefulSet and everything around it for `voters` voters of release
/// `release` in `namespace`; returns the voters' configuration files, all `miroir check`ed.
fn assert_quorum_safe_voters(
    rendered: &Rendered,
    release: &str,
    namespace: &str,
    voters: u64,
    dir: &Path,
) {
    let fullname = format!("{release}-miroir");
    let peers_service_name = format!("{fullname}-peers");
    let statefulset = rendered.named("StatefulSet", &fullname);
    assert_eq!(statefulset["spec"]["replicas"], voters);
    assert_eq!(voters % 2, 1, "an odd number of voters");
    assert_eq!(statefulset["spec"]["podManagementPolicy"], "Parallel");
    assert_eq!(
        statefulset["spec"]["serviceName"],
        peers_service_name.as_str()
    );
    let pod_labels = &statefulset["spec"]["template"]["metadata"]["labels"];
    assert_eq!(pod_labels["app.kubernetes.io/component"], "voter");
    assert!(selects(
        &statefulset["spec"]["selector"]["matchLabels"],
        pod_labels
    ));

    let peers_service = rendered.named("Service", &peers_service_name);
    assert_eq!(peers_service["spec"]["clusterIP"], "None");
    assert_eq!(peers_service["spec"]["publishNotReadyAddresses"], true);
    assert!(selects(&peers_service["spec"]["selector"], pod_labels));
    for (service, port) in [
        (fullname.clone(), 7700),
        (format!("{fullname}-admin"), 7900),
    ] {
        let service = rendered.named("Service", &service);
        assert!(selects(&service["spec"]["selector"], pod_labels));
        assert!(service["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["port"] == port));
    }

    let budget = rendered.named("PodDisruptionBudget", &format!("{fullname}-voters"));
    assert_eq!(
        budget["spec"]["minAvailable"],
        voters / 2 + 1,
        "a majority stays up"
    );
    assert!(selects(
        &budget["spec"]["selector"]["matchLabels"],
        pod_labels
    ));

    let pod_spec = &statefulset["spec"]["template"]["spec"];
    assert_eq!(
        pod_spec["enableServiceLinks"], false,
        "no MIROIR_*_SERVICE_* variables"
    );
    assert_eq!(pod_spec["securityContext"]["runAsUser"], 65532);
    assert_eq!(pod_spec["securityContext"]["runAsNonRoot"], true);
    let miroir = container(statefulset, "miroir");
    assert_eq!(
        miroir["readinessProbe"]["httpGet"]["path"],
        "/_miroir/ready"
    );
    assert_eq!(miroir["livenessProbe"]["httpGet"]["path"], "/health");
    assert_eq!(miroir["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(
        miroir["args"],
        json!(["run", "--config", "/etc/miroir/$(POD_NAME).yaml"])
    );
    let env = miroir["env"].as_array().unwrap();
    assert!(env.iter().any(|entry| entry["name"] == "POD_NAME"
        && entry["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"));
    let miroir_vars: BTreeSet<&str> = env
        .iter()
        .filter_map(|entry| entry["name"].as_str())
        .filter(|name| name.starts_with("MIROIR_"))
        .collect();
    assert_eq!(
        miroir_vars,
        BTreeSet::from([
            "MIROIR_ADMIN_API_KEY",
            "MIROIR_MASTER_KEY",
            "MIROIR_NODE_MASTER_KEY"
        ]),
        "every other MIROIR_* variable would be read as a configuration override"
    );
    for entry in env
        .iter()
        .filter(|entry| entry["name"] != "POD_NAME" && entry["name"] != "RUST_LOG")
    {
        assert_eq!(entry["valueFrom"]["secretKeyRef"]["name"], "miroir-keys");
    }
    let claim = &statefulset["spec"]["volumeClaimTemplates"][0];
    assert_eq!(claim["metadata"]["name"], "data");
    assert!(miroir["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|mount| mount["name"] == "data" && mount["mountPath"] == "/var/lib/miroir"));

    let host = |pod: &str| format!("{pod}.{peers_service_name}.{namespace}.svc.cluster.local");
    let configs = peer_configs(rendered, &format!("{fullname}-voters-config"), dir);
    assert_eq!(configs.len() as u64, voters);
    for ordinal in 0..voters {
        let pod = format!("{fullname}-{ordinal}");
        let (_, path, config) = configs
            .iter()
            .find(|(file, _, _)| *file == format!("{pod}.yaml"))
            .unwrap_or_else(|| panic!("no configuration for pod {pod}"));
        let peer = &config["peer"];
        assert_eq!(peer["id"], ordinal + 1);
        assert_eq!(peer["name"], pod.as_str());
        assert_eq!(peer["grpc_advertise"], format!("{}:7800", host(&pod)));
        assert_eq!(peer["http_advertise"], format!("{}:7700", host(&pod)));
        assert_eq!(peer["bootstrap"], "auto");
        assert_eq!(peer["data_dir"], "/var/lib/miroir");
        let initial: Vec<(u64, String)> = peer["initial_peers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                (
                    entry["id"].as_u64().unwrap(),
                    entry["grpc_address"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected: Vec<(u64, String)> = (0..voters)
            .map(|other| {
                (
                    other + 1,
                    format!("{}:7800", host(&format!("{fullname}-{other}"))),
                )
            })
            .collect();
        assert_eq!(initial, expected);
        assert_check_passes(path, &check_keys(), "configuration valid");
    }
}

/// Every rendered object carries a kind, a DNS-safe name and the chart's labels.
fn assert_well_formed(rendered: &Rendered) {
    for document in &rendered.documents {
        let kind = document["kind"].as_str().unwrap();
        assert!(document["apiVersion"].is_string(), "{kind}");
        let name = document["metadata"]["name"].as_str().unwrap();
        assert!(
            name.len() <= 63
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{kind} {name}"
        );
        assert_eq!(
            document["metadata"]["labels"]["app.kubernetes.io/managed-by"], "Helm",
            "{kind} {name}"
        );
    }
}

/// The defaults pass the schema and render three voters with stable DNS names, a quorum-keeping
/// PodDisruptionBudget, readiness on /_miroir/ready, a PVC for RocksDB, the bundled Meilisearch
/// nodes and no learners; every peer configuration passes `miroir check`.
#[test]
fn default_values_render_a_quorum_safe_three_voter_cluster() {
    let rendered = render(&json!({}), "prod", "search");
    assert_well_formed(&rendered);
    let kinds: BTreeSet<&str> = rendered
        .documents
        .iter()
        .map(|document| document["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "ConfigMap",
            "PodDisruptionBudget",
            "Service",
            "ServiceAccount",
            "StatefulSet"
        ])
    );
    let dir = TempDir::new().unwrap();
    assert_quorum_safe_voters(&rendered, "prod", "search", 3, dir.path());

    assert!(
        !rendered.has("StatefulSet", "prod-miroir-learner"),
        "no learners by default"
    );
    assert!(!rendered.has("ConfigMap", "prod-miroir-learners-config"));

    let meili = rendered.named("StatefulSet", "prod-miroir-meili");
    assert_eq!(meili["spec"]["replicas"], 3);
    assert_eq!(
        container(meili, "meilisearch")["image"],
        "getmeili/meilisearch:v1.50"
    );
    let (_, _, config) = &peer_configs(&rendered, "prod-miroir-voters-config", dir.path())[0];
    let addresses: Vec<&str> = config["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        (0..3)
            .map(|index| format!(
                "http://prod-miroir-meili-{index}.prod-miroir-meili.search.svc.cluster.local:7700"
            ))
            .collect::<Vec<_>>()
    );
    assert!(rendered
        .notes
        .contains("kubectl -n search exec prod-miroir-0 -- /miroir-ctl status"));
}

/// Each values file under the chart's `ci/` (the chart-testing convention: valid installs)
/// passes the schema, renders, keeps quorum and yields configurations `miroir check` accepts.
#[test]
fn every_ci_values_file_renders_a_valid_cluster() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(chart_dir().join("ci"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with("-values.yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    for file in files {
        let override_values = yaml_file_as_json(&file);
        let rendered = render(&override_values, "ci", "default");
        assert_well_formed(&rendered);
        let voters = chart_values(&override_values)["voters"]["replicas"]
            .as_u64()
            .unwrap();
        let dir = TempDir::new().unwrap();
        assert_quorum_safe_voters(&rendered, "ci", "default", voters, dir.path());
    }
}

/// With `release == chart name` the full name is the release name, as in helm's convention;
/// addresses still name the headless Service.
#[test]
fn a_release_named_like_the_chart_keeps_short_names() {
    let rendered = render(&json!({}), "miroir", "default");
    assert!(rendered.has("StatefulSet", "miroir"));
    assert!(rendered.has("Service", "miroir-peers"));
}

/// Learners exist only when asked for: a StatefulSet (stable ids and addresses, own RocksDB)
/// under the same headless Service, peer ids from `learners.firstId`, waiting for the leader
/// (`bootstrap: manual`, no initial voters), and NOTES.txt prints the `peers add` command of
/// each. Their configurations pass `miroir check`.
#[test]
fn learners_render_only_when_requested_and_join_through_peers_add() {
    let rendered = render(
        &json!({"learners": {"replicas": 2, "firstId": 201}}),
        "prod",
        "search",
    );
    let learners = rendered.named("StatefulSet", "prod-miroir-learner");
    assert_eq!(learners["spec"]["replicas"], 2);
    assert_eq!(learners["spec"]["serviceName"], "prod-miroir-peers");
    let labels = &learners["spec"]["template"]["metadata"]["labels"];
    assert_eq!(labels["app.kubernetes.io/component"], "learner");
    assert!(selects(
        &rendered.named("Service", "prod-miroir-peers")["spec"]["selector"],
        labels
    ));
    assert!(selects(
        &rendered.named("Service", "prod-miroir")["spec"]["selector"],
        labels
    ));
    assert!(
        !selects(
            &rendered.named("PodDisruptionBudget", "prod-miroir-voters")["spec"]["selector"]
                ["matchLabels"],
            labels
        ),
        "learners do not count for quorum"
    );
    assert_eq!(
        container(learners, "miroir")["readinessProbe"]["httpGet"]["path"],
        "/_miroir/ready"
    );

    let dir = TempDir::new().unwrap();
    let configs = peer_configs(&rendered, "prod-miroir-learners-config", dir.path());
    assert_eq!(configs.len(), 2);
    for ordinal in 0..2u64 {
        let pod = format!("prod-miroir-learner-{ordinal}");
        let (_, path, config) = configs
            .iter()
            .find(|(file, _, _)| *file == format!("{pod}.yaml"))
            .unwrap();
        let peer = &config["peer"];
        assert_eq!(peer["id"], 201 + ordinal);
        assert_eq!(peer["bootstrap"], "manual");
        assert!(peer.get("initial_peers").is_none());
        let host = format!("{pod}.prod-miroir-peers.search.svc.cluster.local");
        assert_eq!(peer["grpc_advertise"], format!("{host}:7800"));
        assert_check_passes(path, &check_keys(), "configuration valid");
        assert!(
            rendered.notes.contains(&format!(
                "/miroir-ctl peers add {} --name {pod} --grpc-address {host}:7800 --http-address {host}:7700",
                201 + ordinal
            )),
            "{}",
            rendered.notes
        );
    }
}

/// With the bundled Meilisearch disabled, the configuration lists exactly the user's nodes and
/// groups, no Meilisearch workload is rendered, and extra configuration blocks reach every peer.
#[test]
fn user_supplied_nodes_replace_the_bundled_meilisearch() {
    let override_values = yaml_file_as_json(&chart_dir().join("ci/external-nodes-values.yaml"));
    let rendered = render(&override_values, "prod", "search");
    assert!(!rendered.has("StatefulSet", "prod-miroir-meili"));
    assert!(!rendered.has("Service", "prod-miroir-meili"));
    let dir = TempDir::new().unwrap();
    for (_, path, config) in peer_configs(&rendered, "prod-miroir-voters-config", dir.path()) {
        let ids: Vec<&str> = config["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["meili-a0", "meili-a1", "meili-b0", "meili-b1"]);
        assert_eq!(config["hedging"]["enabled"], false);
        assert_eq!(config["peer"]["raft"]["heartbeat_ms"], 100);
        assert_check_passes(
            &path,
            &check_keys(),
            "configuration valid: 32 shards, replication factor 1, 2 replica group(s), 4 node(s)",
        );
    }
}

/// What the schema cannot express the chart refuses at render time: bundled nodes too few to
/// give every replica group `replicationFactor` nodes.
#[test]
fn too_few_bundled_nodes_for_the_groups_fail_the_render() {
    let values = chart_values(&json!({"cluster": {"replicaGroups": 2, "replicationFactor": 2}}));
    assert!(schema_violations(&values).is_empty());
    let error = try_render(&values, "prod", "search").err().unwrap();
    assert!(
        error.contains(
            "meilisearch.replicas (3) must be at least replicaGroups × replicationFactor (4)"
        ),
        "{error}"
    );
}

/// Each unsafe value is refused by values.schema.json at the value it concerns and by the rule
/// it breaks, so helm would refuse to install it.
#[test]
fn unsafe_values_are_refused_by_the_schema_with_the_reason() {
    // (what, override, instance path, schema path suffix)
    let cases = [
        (
            "an even number of voters",
            json!({"voters": {"replicas": 4}}),
            "/voters/replicas",
            "/not",
        ),
        (
            "more than 7 voters",
            json!({"voters": {"replicas": 9}}),
            "/voters/replicas",
            "/maximum",
        ),
        (
            "fewer than 3 voters with ha",
            json!({"voters": {"replicas": 1}}),
            "/voters/replicas",
            "/allOf/0/then/properties/voters/properties/replicas/minimum",
        ),
        (
            "replication factor 0",
            json!({"cluster": {"replicationFactor": 0}}),
            "/cluster/replicationFactor",
            "/minimum",
        ),
        (
            "zero shards",
            json!({"cluster": {"shards": 0}}),
            "/cluster/shards",
            "/minimum",
        ),
        (
            "too many shards",
            json!({"cluster": {"shards": 5000}}),
            "/cluster/shards",
            "/maximum",
        ),
        (
            "zero replica groups",
            json!({"cluster": {"replicaGroups": 0}}),
            "/cluster/replicaGroups",
            "/minimum",
        ),
        (
            "negative learners",
            json!({"learners": {"replicas": -1}}),
            "/learners/replicas",
            "/minimum",
        ),
        (
            "learner ids among voter ids",
            json!({"learners": {"firstId": 3}}),
            "/learners/firstId",
            "/minimum",
        ),
        (
            "an empty secret name",
            json!({"auth": {"existingSecret": ""}}),
            "/auth/existingSecret",
            "/minLength",
        ),
        (
            "no secret name",
            json!({"auth": {"existingSecret": null}}),
            "/auth",
            "/required",
        ),
        (
            "no nodes without the bundled Meilisearch",
            json!({"meilisearch": {"enabled": false}}),
            "/cluster/nodes",
            "/minItems",
        ),
        (
            "nodes beside the bundled Meilisearch",
            json!({"cluster": {"nodes": [{"id": "m", "address": "http://m:7700", "replicaGroup": 0}]}}),
            "/cluster/nodes",
            "/maxItems",
        ),
        (
            "a node without a group",
            json!({"meilisearch": {"enabled": false}, "cluster": {"nodes": [{"id": "m", "address": "http://m:7700"}]}}),
            "/cluster/nodes/0",
            "/required",
        ),
        (
            "the peer block through extraConfig",
            json!({"extraConfig": {"peer": {"id": 9}}}),
            "/extraConfig",
            "/propertyNames/not",
        ),
        (
            "a misspelt key",
            json!({"voter": {"replicas": 3}}),
            "",
            "/additionalProperties",
        ),
        (
            "a string replica count",
            json!({"voters": {"replicas": "3"}}),
            "/voters/replicas",
            "/type",
        ),
    ];
    for (what, override_values, instance_path, schema_suffix) in cases {
        let violations = schema_violations(&chart_values(&override_values));
        assert!(
            violations.iter().any(|violation| violation.instance_path == instance_path
                && violation.schema_path.ends_with(schema_suffix)),
            "{what}: expected a violation at `{instance_path}` by `…{schema_suffix}`, got {violations:?}"
        );
    }
}

/// The values the chart documents as safe are accepted: the defaults, 5 voters, a single voter
/// without ha, learners, and user-supplied nodes.
#[test]
fn safe_values_are_accepted_by_the_schema() {
    for override_values in [
        json!({}),
        json!({"voters": {"replicas": 5}}),
        json!({"ha": false, "voters": {"replicas": 1}}),
        json!({"learners": {"replicas": 3}}),
        json!({"meilisearch": {"enabled": false}, "cluster": {"nodes": [{"id": "m", "address": "https://m.example:7700", "replicaGroup": 0}]}}),
    ] {
        let violations = schema_violations(&chart_values(&override_values));
        assert!(violations.is_empty(), "{override_values}: {violations:?}");
    }
}
