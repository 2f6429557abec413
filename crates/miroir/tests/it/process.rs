//! Running `miroir` peers as child processes: configs in temporary directories, ephemeral
//! ports, the stdout "serving" line, plain HTTP probes, and cleanup on drop.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Upper bound of every wait (generous: CI machines are slow).
pub const WAIT: Duration = Duration::from_secs(60);

/// A `miroir` command with the caller's `MIROIR_*` variables removed.
pub fn miroir(args: &[&str], config: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_miroir"));
    command.args(args).arg("--config").arg(config);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("MIROIR_")) {
        command.env_remove(name);
    }
    command
}

/// Runs `miroir <args> --config <config>` to completion.
pub fn run_to_end(args: &[&str], config: &Path) -> Output {
    miroir(args, config).output().unwrap()
}

/// A port that was free a moment ago, for addresses that other peers must know before the
/// process starts. It is picked below Linux's ephemeral range (32768..=60999), where no
/// listener bound to port 0 by a concurrent test can land between the check and the peer's
/// own bind, and never twice in this process.
pub fn released_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut handed_out = HANDED_OUT.lock().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let start = 20_000 + (seed % 12_000) as u16;
    (0..12_000u16)
        .map(|offset| 20_000 + (start - 20_000 + offset) % 12_000)
        .find(|port| !handed_out.contains(port) && TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .inspect(|port| {
            handed_out.insert(*port);
        })
        .expect("a free port in 20000..32000")
}

/// Where a started peer listens, from its stdout line.
#[derive(Debug, Clone, Copy)]
pub struct Serving {
    /// Its HTTP listener.
    pub http: SocketAddr,
    /// Its peer gRPC (Raft) listener.
    pub grpc: SocketAddr,
    /// Its admin gRPC listener.
    pub admin: SocketAddr,
    /// Its metrics listener (`GET /metrics`).
    pub metrics: SocketAddr,
    /// What the start did about the membership (`Initialized`, `Resumed`, `AwaitingLeader`).
    pub bootstrap: &'static str,
}

/// A running peer process; killed on drop.
pub struct Peer {
    child: Child,
    stdout_lines: Arc<Mutex<Vec<String>>>,
    /// Its listeners.
    pub serving: Serving,
}

impl Peer {
    /// Starts `miroir run --config <config>` (logging at `warn`) and waits for its "peer
    /// serving" line.
    pub fn start(config: &Path) -> Peer {
        Peer::start_logging(config, "warn")
    }

    /// [`Peer::start`] with `RUST_LOG=<log_filter>`. Every stdout line is kept (see
    /// [`Peer::stdout_lines`]); the pipe is drained for the whole life of the process.
    pub fn start_logging(config: &Path, log_filter: &str) -> Peer {
        let mut child = miroir(&["run"], config)
            .env("RUST_LOG", log_filter)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let stdout_lines = Arc::new(Mutex::new(Vec::new()));
        let kept = stdout_lines.clone();
        let (serving_line, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("\"peer serving\"") {
                    // The receiver is gone once the start was waited for.
                    let _ = serving_line.send(line.clone());
                }
                kept.lock().unwrap().push(line);
            }
        });
        let line = match received.recv_timeout(WAIT) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().unwrap();
                panic!(
                    "the peer exited ({status}) before its serving line; its stderr is above, its stdout was: {:?}",
                    stdout_lines.lock().unwrap()
                )
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                panic!("no serving line from the peer within {WAIT:?}")
            }
        };
        let serving: serde_json::Value = serde_json::from_str(&line).unwrap();
        let address = |name: &str| -> SocketAddr {
            serving[name]
                .as_str()
                .unwrap_or_else(|| panic!("no {name} in the serving line: {line}"))
                .parse()
                .unwrap()
        };
        let bootstrap = match serving["bootstrap"].as_str().unwrap_or_default() {
            "Initialized" => "Initialized",
            "Resumed" => "Resumed",
            "AwaitingLeader" => "AwaitingLeader",
            other => panic!("unknown bootstrap outcome {other}"),
        };
        Peer {
            child,
            stdout_lines,
            serving: Serving {
                http: address("http"),
                grpc: address("grpc"),
                admin: address("admin"),
                metrics: address("metrics"),
                bootstrap,
            },
        }
    }

    /// Every line the peer wrote on stdout so far.
    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout_lines.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the exit; returns whether the process exited successfully.
    pub fn terminate(mut self) -> bool {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            assert!(Instant::now() < deadline, "the peer ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the process (SIGKILL) and reaps it.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // Already reaped after terminate/kill; otherwise make sure nothing outlives the test.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status and body.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Raw header block.
    pub headers: String,
    /// Body bytes as text.
    pub body: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.body))
    }
}

/// `GET path` over a fresh HTTP/1.1 connection, without credentials.
pub fn get(addr: SocketAddr, path: &str) -> Answer {
    request(addr, "GET", path, None, None)
}

/// One HTTP/1.1 request on a fresh connection: `key` as bearer token, `body` as
/// `(content type, bytes)`.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<(&str, &[u8])>,
) -> Answer {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(key) = key {
        head.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    if let Some((content_type, bytes)) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            bytes.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    if let Some((_, bytes)) = body {
        stream.write_all(bytes).unwrap();
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let body = dechunk(head, body);
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    Answer {
        status,
        headers: head.to_owned(),
        body,
    }
}

/// The body of a `Transfer-Encoding: chunked` answer reassembled (others unchanged).
fn dechunk(head: &str, body: &str) -> String {
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_owned();
    }
    let mut rest = body;
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

impl Answer {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// Polls `probe` until it yields `Some`, panicking with `what` after [`WAIT`].
pub fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the peer at `http` is ready and returns the leader it names.
pub fn ready_leader(http: SocketAddr) -> u64 {
    eventually("the peer to be ready", || {
        let answer = get(http, "/_miroir/ready");
        (answer.status == 200).then(|| answer.json()["metadata"]["leader"].as_u64().unwrap())
    })
}

/// The `peer.initial_peers` list entries of peers listening for gRPC on 127.0.0.1 `ports`.
pub fn initial_peers_yaml(ports: &std::collections::BTreeMap<u64, u16>) -> String {
    ports
        .iter()
        .map(|(id, port)| {
            format!(
                "    - {{id: {id}, grpc_address: \"127.0.0.1:{port}\", http_address: \"127.0.0.1:{}\"}}\n",
                7700 + id
            )
        })
        .collect()
}

/// Writes `yaml` as `<dir>/<name>.yaml`.
pub fn write_config(dir: &Path, name: &str, yaml: &str) -> PathBuf {
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, yaml).unwrap();
    path
}
