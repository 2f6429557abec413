//! Running `miroir-ctl` as a process in tests: where the binary is, a clean environment (only
//! the admin key, an empty HOME), and reading its table and JSON output.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command};

use serde_json::Value;
use tempfile::TempDir;

use crate::cluster::ADMIN_KEY;
use crate::process::Peer;

/// The `miroir-ctl` binary next to this test binary's `deps/` directory.
pub fn ctl_binary() -> PathBuf {
    let test_binary = std::env::current_exe().unwrap();
    let target_dir = test_binary.parent().unwrap().parent().unwrap();
    let binary = target_dir.join("miroir-ctl");
    assert!(
        binary.exists(),
        "{} is missing: build it with cargo build -p miroir-ctl",
        binary.display()
    );
    binary
}

/// The admin endpoint of `peer`.
pub fn endpoint(peer: &Peer) -> String {
    format!("http://{}", peer.serving.admin)
}

/// `miroir-ctl --endpoint <endpoint> <args>` with `key` in MIROIR_ADMIN_API_KEY, an empty
/// HOME and no other MIROIR_* variable.
pub fn ctl_command(endpoint: &str, key: &str, args: &[&str]) -> (Command, TempDir) {
    let home = TempDir::new().unwrap();
    let mut command = Command::new(ctl_binary());
    command.arg("--endpoint").arg(endpoint).args(args);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("MIROIR_")) {
        command.env_remove(name);
    }
    command
        .env("MIROIR_ADMIN_API_KEY", key)
        .env("HOME", home.path());
    (command, home)
}

/// What one `miroir-ctl` run printed and how it exited.
#[derive(Debug)]
pub struct CtlRun {
    /// Exit code.
    pub code: i32,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

/// Runs `miroir-ctl <args>` against `peer` with the cluster's admin key.
pub fn ctl(peer: &Peer, args: &[&str]) -> CtlRun {
    ctl_with_key(&endpoint(peer), ADMIN_KEY, args)
}

pub fn ctl_with_key(endpoint: &str, key: &str, args: &[&str]) -> CtlRun {
    let (mut command, _home) = ctl_command(endpoint, key, args);
    let output = command.output().unwrap();
    CtlRun {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs `miroir-ctl <args>` (table output), asserting success; returns stdout.
pub fn ctl_table(peer: &Peer, args: &[&str]) -> String {
    let run = ctl(peer, args);
    assert_eq!(run.code, 0, "miroir-ctl {args:?}: {run:?}");
    assert!(run.stderr.is_empty(), "miroir-ctl {args:?}: {run:?}");
    run.stdout
}

/// Runs `miroir-ctl --output json <args>`, asserting success; returns the one JSON document.
pub fn ctl_json(peer: &Peer, args: &[&str]) -> Value {
    let mut all = vec!["--output", "json"];
    all.extend_from_slice(args);
    let run = ctl(peer, &all);
    assert_eq!(run.code, 0, "miroir-ctl {all:?}: {run:?}");
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("miroir-ctl {all:?} printed no JSON ({error}): {run:?}"))
}

/// Rows (cells split on whitespace) of the table under the line `title` of a `status` screen,
/// header excluded, up to the next blank line.
pub fn section_rows(screen: &str, title: &str) -> Vec<Vec<String>> {
    let mut lines = screen
        .lines()
        .skip_while(|line| *line != title)
        .skip(1)
        .take_while(|line| !line.is_empty());
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("no {title} in:\n{screen}"));
    if header == "none" {
        return Vec::new();
    }
    lines.map(cells).collect()
}

/// The whitespace-separated cells of a table line.
pub fn cells(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

/// The `id` field of every element of a JSON array.
pub fn ids(array: &Value, field: &str) -> BTreeSet<u64> {
    array
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_u64().unwrap())
        .collect()
}

/// A `miroir-ctl` child process, killed if the test fails before it exits.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
