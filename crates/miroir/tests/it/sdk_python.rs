//! The official, unmodified Meilisearch Python SDK (`meilisearch` from PyPI, pinned in
//! `scripts/python-sdk-requirements.txt`, installed by `.ci/run`) drives a whole application
//! flow against a 3-peer Miroir cluster in front of 3 test nodes.
//!
//! ```text
//! python3 tests/sdk/python_sdk_flow.py http://<peer 1> <client key>
//!        │  (SDK HTTP calls only)
//!        ▼
//!   peer 1 ── peers 2, 3 (raft) ── 3 test nodes (RF = 1, one replica group)
//! ```
//!
//! The script owns the expectations (plain `assert`s, one printed line per step); this module
//! only provides the cluster, relays the script's output and asserts its exit status.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use tempfile::TempDir;

use crate::cluster::{start_cluster, Layout, Nodes, CLIENT_KEY};

/// The interpreter CI provides (CPython 3.11 with pip).
const PYTHON: &str = "python3";
/// How to get the SDK, as `.ci/run` does.
const INSTALL_HINT: &str = "run .ci/run, or `python3 -m pip install --user -r scripts/python-sdk-requirements.txt` from the repository root";

/// The flow script, next to this crate's tests.
fn flow_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/python_sdk_flow.py")
}

/// Fails the test (never skips it) unless `python3` runs and imports the SDK.
fn require_python_sdk() {
    let probe = Command::new(PYTHON)
        .args(["-c", "import meilisearch"])
        .output()
        .unwrap_or_else(|error| panic!("cannot run `{PYTHON}` ({error}); {INSTALL_HINT}"));
    assert!(
        probe.status.success(),
        "`{PYTHON}` cannot import the meilisearch SDK ({}): {INSTALL_HINT}",
        String::from_utf8_lossy(&probe.stderr).trim()
    );
}

/// Runs `command`, echoing each line of its stdout and stderr as it arrives; returns the exit
/// status and everything it printed (stdout first, then stderr).
fn run_streaming(command: &mut Command) -> (ExitStatus, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let stderr_relay = std::thread::spawn(move || relay_lines(stderr));
    let stdout = relay_lines(child.stdout.take().unwrap());
    let stderr = stderr_relay.join().unwrap();
    let status = child.wait().unwrap();
    (status, format!("{stdout}{stderr}"))
}

/// Prints every line of `stream` (captured by the test harness unless `--nocapture`) and
/// returns them all.
fn relay_lines(stream: impl Read) -> String {
    let mut all = String::new();
    for line in BufReader::new(stream).lines().map_while(Result::ok) {
        println!("{line}");
        all.push_str(&line);
        all.push('\n');
    }
    all
}

/// Invariant: an application written against the official Python SDK works unchanged through
/// Miroir — index creation, document add and partial update, settings, filtered/faceted/sorted
/// search, single-document reads, offset/limit listing, deletion, the task list and index
/// deletion all behave as on Meilisearch (the script's assertions spell out each expectation).
#[test]
fn python_sdk_flow_runs_unmodified_against_miroir() {
    require_python_sdk();
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let endpoint = format!("http://{}", peers[0].serving.http);

    let (status, output) = run_streaming(
        Command::new(PYTHON)
            .arg(flow_script())
            .args([endpoint.as_str(), CLIENT_KEY]),
    );
    assert!(
        status.success(),
        "the Python SDK flow failed ({status}) against {endpoint}:\n{output}"
    );
    assert!(
        output.contains("python_sdk_flow: all steps held"),
        "the Python SDK flow exited 0 without finishing:\n{output}"
    );

    for peer in peers {
        assert!(peer.terminate());
    }
}
