//! `miroir check`: configuration validation and the placement summary, as a process.

use std::path::PathBuf;
use std::process::{Command, Output};

fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn run_miroir(config: &std::path::Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_miroir"));
    command.arg("check").arg("--config").arg(config);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("MIROIR_")) {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("the miroir binary runs")
}

fn write_temp_config(name: &str, yaml: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("miroir-it-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("miroir.yaml");
    std::fs::write(&path, yaml).expect("write config");
    path
}

/// The shipped example configuration is accepted and reports every node's shards.
#[test]
fn the_example_configuration_is_valid_and_spreads_all_shards() {
    let output = run_miroir(&repo_file("docs/examples/miroir.yaml"), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(
            "configuration valid: 64 shards, replication factor 1, 1 replica group(s), 3 node(s)"
        ),
        "{stdout}"
    );
    let held: u32 = stdout
        .lines()
        .filter(|line| line.contains("meili-"))
        .filter_map(|line| line.split_whitespace().nth(2)?.parse::<u32>().ok())
        .sum();
    assert_eq!(
        held, 64,
        "every shard is held by exactly one node: {stdout}"
    );
}

/// A bad replication factor fails with exit code 2 and a message naming the field.
#[test]
fn an_invalid_configuration_exits_2_naming_the_field() {
    let path = write_temp_config(
        "rf0",
        "shards: 8\nreplication_factor: 0\nnodes:\n  - { id: a, address: \"http://a:7700\", replica_group: 0 }\n",
    );
    let output = run_miroir(&path, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("replication_factor"), "{stderr}");
}

/// Environment overrides apply on top of the file, and unknown ones are refused.
#[test]
fn environment_overrides_apply_and_unknown_ones_are_refused() {
    let example = repo_file("docs/examples/miroir.yaml");
    let output = run_miroir(&example, &[("MIROIR_SHARDS", "12")]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("configuration valid: 12 shards"));

    let output = run_miroir(&example, &[("MIROIR_SHARDZ", "12")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("MIROIR_SHARDZ"));
}

/// A missing file is reported with its path.
#[test]
fn a_missing_file_is_reported_with_its_path() {
    let output = run_miroir(std::path::Path::new("/nonexistent/miroir.yaml"), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/miroir.yaml"));
}
