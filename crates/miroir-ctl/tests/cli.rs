//! `miroir-ctl` as a process, without any peer: credential failures, unreachable endpoints and
//! usage errors, with their exit codes and messages.

// Test fixtures fail loudly: an unwrap here is an assertion.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

/// `miroir-ctl <args>` with `HOME` set to `home` and every `MIROIR_*` variable removed.
fn ctl(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_miroir-ctl"));
    command.args(args).env("HOME", home);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("MIROIR_")) {
        command.env_remove(name);
    }
    command
}

fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    (
        status.code().unwrap(),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// An endpoint where nothing listens: a port that was just released.
fn dead_endpoint() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

fn write_credentials(home: &Path, contents: &str) -> std::path::PathBuf {
    let path = home.join(".config/miroir/credentials");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

/// Without a key in the environment, the credentials file or the flag, nothing is attempted:
/// exit 3 and a message naming all three sources (not a connection error, although the
/// endpoint is dead).
#[test]
fn no_key_anywhere_exits_3_before_connecting() {
    let home = tempfile::tempdir().unwrap();
    let endpoint = dead_endpoint();
    let (code, stdout, stderr) = run(&mut ctl(home.path(), &["--endpoint", &endpoint, "status"]));
    assert_eq!(code, 3, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.starts_with("miroir-ctl: no admin key found"),
        "{stderr}"
    );
    assert!(stderr.contains("MIROIR_ADMIN_API_KEY"), "{stderr}");
    assert!(stderr.contains("--admin-key"), "{stderr}");
    assert!(!stderr.contains("cannot reach"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// A credentials file that is not valid TOML is an error naming the file, even when a flag
/// would provide a key (the file comes first).
#[test]
fn a_malformed_credentials_file_is_named() {
    let home = tempfile::tempdir().unwrap();
    let path = write_credentials(home.path(), "admin_api_key = not-quoted\n");
    let (code, _, stderr) = run(&mut ctl(
        home.path(),
        &["--admin-key", "from-flag", "peers", "list"],
    ));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    assert!(stderr.contains("malformed"), "{stderr}");
}

/// A dead endpoint gives exit 4 and one sentence naming the endpoint and the cause.
#[test]
fn a_dead_endpoint_exits_4_naming_it() {
    let home = tempfile::tempdir().unwrap();
    let endpoint = dead_endpoint();
    let (code, stdout, stderr) = run(ctl(
        home.path(),
        &["--endpoint", &endpoint, "--timeout", "2", "status"],
    )
    .env("MIROIR_ADMIN_API_KEY", "admin-key-0123456789abcdef"));
    assert_eq!(code, 4, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(
        stderr.trim_end(),
        format!("miroir-ctl: cannot reach {endpoint} (connection refused) within 2s")
    );
}

/// A key from the credentials file is enough to go on to the network (here: a dead endpoint,
/// read from MIROIR_ENDPOINT, in JSON mode — errors still go to stderr only).
#[test]
fn a_key_from_the_credentials_file_is_used() {
    let home = tempfile::tempdir().unwrap();
    write_credentials(
        home.path(),
        "admin_api_key = \"admin-key-0123456789abcdef\"\n",
    );
    let endpoint = dead_endpoint();
    let (code, stdout, stderr) = run(ctl(
        home.path(),
        &["--timeout", "2", "--output", "json", "tasks", "list"],
    )
    .env("MIROIR_ENDPOINT", &endpoint));
    assert_eq!(code, 4, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(&format!("cannot reach {endpoint}")),
        "{stderr}"
    );
}

/// Usage errors are clap's exit 2: a cancel without filters, an endpoint without scheme, a CA
/// file for a plain-text endpoint.
#[test]
fn usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(&mut ctl(home.path(), &["tasks", "cancel"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--uids"), "{stderr}");
    let (code, _, stderr) = run(&mut ctl(
        home.path(),
        &["--endpoint", "127.0.0.1:7900", "status"],
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("http://"), "{stderr}");
    let (code, _, stderr) = run(ctl(
        home.path(),
        &[
            "--endpoint",
            &dead_endpoint(),
            "--ca-file",
            "/ca.pem",
            "status",
        ],
    )
    .env("MIROIR_ADMIN_API_KEY", "k"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("needs an https:// endpoint"), "{stderr}");
}

/// `--help` documents the exit codes, the credential order with its process-list warning, and
/// points at the runbooks; every command's help has an example.
#[test]
fn help_documents_exit_codes_credentials_and_runbooks() {
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(&mut ctl(home.path(), &["--help"]));
    assert_eq!(code, 0);
    for needle in [
        "Exit codes:",
        "4  cannot reach the peer",
        "MIROIR_ADMIN_API_KEY",
        "~/.config/miroir/credentials",
        "process lists",
        "docs/ctl.md",
    ] {
        assert!(stdout.contains(needle), "{needle} missing from:\n{stdout}");
    }
    let commands: [&[&str]; 19] = [
        &["status"],
        &["peers", "list"],
        &["peers", "add"],
        &["peers", "promote"],
        &["peers", "remove"],
        &["nodes", "list"],
        &["nodes", "add"],
        &["nodes", "drain"],
        &["nodes", "remove"],
        &["groups", "list"],
        &["groups", "add"],
        &["groups", "remove"],
        &["tasks", "list"],
        &["tasks", "get"],
        &["tasks", "cancel"],
        &["tasks", "watch"],
        &["indexes", "list"],
        &["indexes", "shards"],
        &["rebalance", "status"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let (code, stdout, _) = run(&mut ctl(home.path(), &args));
        assert_eq!(code, 0, "{command:?}");
        assert!(
            stdout.contains("Example:\n  miroir-ctl "),
            "{command:?}:\n{stdout}"
        );
        assert!(stdout.contains("docs/ctl.md"), "{command:?}:\n{stdout}");
    }
}
