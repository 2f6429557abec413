//! `scripts/dev-cluster.sh` end to end, as a newcomer uses it: start it, run exactly the curl
//! commands it prints, stop it with Ctrl-C, start it again on the same data directory.
//!
//! ```text
//! test ── spawns ──▶ dev-cluster.sh --bin-dir <debug binaries> --node-bin meili-test-node
//!  │                   --ports ephemeral --data-dir <temp>
//!  │                   ├─ 3 meili-test-node processes
//!  │                   └─ 3 miroir peers (Raft), sample movies loaded through peer 1
//!  ├─ reads its stdout up to "Press Ctrl-C", runs the printed `curl …` lines with `sh -c`
//!  │  and checks their JSON against scripts/sample-data/movies.json
//!  └─ SIGINT to its process group (what Ctrl-C does) → exit 0, every started pid gone
//! ```
//!
//! The binaries come from this test binary's target directory (cargo must not be run from a
//! test: it holds the build lock). A guard kills the script's process group whatever happens.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// Bound of the script's start-up (three debug peers, three nodes, the sample data).
const START_WAIT: Duration = Duration::from_secs(300);
/// Bound of the script's shutdown after a signal.
const STOP_WAIT: Duration = Duration::from_secs(90);
/// The line the script prints once everything runs.
const READY_LINE: &str = "Press Ctrl-C to stop the cluster.";

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory of the debug `miroir`, which must also hold `miroir-ctl` and
/// `meili-test-node` (built by `cargo test --workspace`, or `cargo build -p miroir-ctl -p
/// meili-test-node`).
fn bin_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_miroir")).parent().unwrap();
    for binary in ["miroir-ctl", "meili-test-node"] {
        assert!(
            dir.join(binary).exists(),
            "{} is missing: build it with cargo build -p miroir-ctl -p meili-test-node",
            dir.join(binary).display()
        );
    }
    dir.to_owned()
}

/// The sample documents by id.
fn sample_movies() -> BTreeMap<u64, Value> {
    let text =
        std::fs::read_to_string(repository_root().join("scripts/sample-data/movies.json")).unwrap();
    let movies: Vec<Value> = serde_json::from_str(&text).unwrap();
    movies
        .into_iter()
        .map(|movie| (movie["id"].as_u64().unwrap(), movie))
        .collect()
}

/// One run of the script; its whole process group is killed on drop.
struct ScriptRun {
    child: Child,
    lines: Receiver<String>,
    transcript: Vec<String>,
    stderr_path: PathBuf,
}

/// What the script printed before [`READY_LINE`].
struct Printed {
    transcript: Vec<String>,
}

impl ScriptRun {
    /// Starts the script on `data_dir` in its own process group, stderr to a file there.
    fn start(data_dir: &Path, stderr_dir: &Path, attempt: &str) -> ScriptRun {
        let stderr_path = stderr_dir.join(format!("dev-cluster-{attempt}.stderr"));
        let bins = bin_dir();
        let mut command = Command::new(repository_root().join("scripts/dev-cluster.sh"));
        command
            .arg("--bin-dir")
            .arg(&bins)
            .arg("--node-bin")
            .arg(bins.join("meili-test-node"))
            .args(["--ports", "ephemeral", "--data-dir"])
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr_path).unwrap())
            .process_group(0);
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("MIROIR_")) {
            command.env_remove(name);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        ScriptRun {
            child,
            lines,
            transcript: Vec::new(),
            stderr_path,
        }
    }

    /// Everything printed so far, for failure messages.
    fn context(&self) -> String {
        let stderr = std::fs::read_to_string(&self.stderr_path).unwrap_or_default();
        format!("stdout:\n{}\nstderr:\n{stderr}", self.transcript.join("\n"))
    }

    /// Reads stdout until [`READY_LINE`].
    fn wait_until_ready(&mut self) -> Printed {
        let deadline = Instant::now() + START_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let ready = line == READY_LINE;
                    self.transcript.push(line);
                    if ready {
                        return Printed {
                            transcript: self.transcript.clone(),
                        };
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "the dev cluster was not ready within {START_WAIT:?}\n{}",
                    self.context()
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().unwrap();
                    panic!(
                        "the script ended ({status}) before it was ready\n{}",
                        self.context()
                    )
                }
            }
        }
    }

    /// Sends `signal` to the script (`group`: to its whole process group, like Ctrl-C in a
    /// terminal) and waits for its exit.
    fn stop(&mut self, signal: &str, group: bool) -> ExitStatus {
        let target = if group {
            format!("-{}", self.child.id())
        } else {
            self.child.id().to_string()
        };
        let sent = Command::new("kill")
            .args([signal, "--", &target])
            .status()
            .unwrap();
        assert!(sent.success(), "kill {signal} {target} failed");
        let deadline = Instant::now() + STOP_WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Keep what it printed while stopping, for the messages.
                while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
                    self.transcript.push(line);
                }
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the script did not exit within {STOP_WAIT:?} of {signal}\n{}",
                self.context()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ScriptRun {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        // Whatever is left of the group (the script killed mid-way leaves its children).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Printed {
    /// The lines starting with `prefix` (after the two-space indent), without the indent.
    fn commands(&self, prefix: &str) -> Vec<String> {
        self.transcript
            .iter()
            .filter_map(|line| line.strip_prefix("  "))
            .filter(|line| line.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    }

    /// Whether some line contains `text`.
    fn has_line(&self, text: &str) -> bool {
        self.transcript.iter().any(|line| line.contains(text))
    }

    /// The `name=pid` pairs of the `pids:` line.
    fn pids(&self) -> BTreeMap<String, u32> {
        let line = self
            .transcript
            .iter()
            .find_map(|line| line.strip_prefix("pids:"))
            .unwrap_or_else(|| panic!("no pids line in {:#?}", self.transcript));
        line.split_whitespace()
            .map(|pair| {
                let (name, pid) = pair.split_once('=').unwrap();
                (name.to_owned(), pid.parse().unwrap())
            })
            .collect()
    }

    /// The Meilisearch API endpoint of peer 1.
    fn endpoint(&self) -> SocketAddr {
        let line = self
            .transcript
            .iter()
            .find_map(|line| line.strip_prefix("endpoint:"))
            .unwrap_or_else(|| panic!("no endpoint line in {:#?}", self.transcript));
        let url = line.split_whitespace().next().unwrap();
        url.strip_prefix("http://").unwrap().parse().unwrap()
    }
}

/// Runs one printed command line with `sh -c`; asserts it succeeded; returns its stdout.
fn run_printed(command_line: &str) -> String {
    let output = Command::new("sh")
        .arg("-c")
        .arg(command_line)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{command_line}\nexited {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn run_printed_json(command_line: &str) -> Value {
    let stdout = run_printed(command_line);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("{command_line}\nanswered non-JSON ({error}): {stdout}"))
}

/// The text of a movie's searchable attributes, lower-cased.
fn searchable_text(movie: &Value) -> String {
    let genres: Vec<&str> = movie["genres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|genre| genre.as_str().unwrap())
        .collect();
    format!(
        "{} {} {} {}",
        movie["title"].as_str().unwrap(),
        movie["overview"].as_str().unwrap(),
        movie["director"].as_str().unwrap(),
        genres.join(" ")
    )
    .to_lowercase()
}

/// The search curl: `harbor`, limit 3. Every hit is the sample document of its id, and the
/// total counts every sample movie mentioning the word.
fn check_search(command_line: &str, movies: &BTreeMap<u64, Value>) {
    assert!(command_line.contains(r#""q":"harbor""#), "{command_line}");
    let answer = run_printed_json(command_line);
    let expected_total = movies
        .values()
        .filter(|movie| searchable_text(movie).contains("harbor"))
        .count();
    assert!(expected_total > 3, "the sample data should mention harbor");
    assert_eq!(answer["estimatedTotalHits"], expected_total, "{answer}");
    let hits = answer["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3, "{answer}");
    for hit in hits {
        let id = hit["id"].as_u64().unwrap();
        assert_eq!(hit, &movies[&id], "hit {id} differs from the sample");
        assert!(searchable_text(hit).contains("harbor"), "{hit}");
    }
}

/// The filtered, faceted, sorted curl: `genres = Drama AND year >= 2000` by rating. Hits obey
/// the filter in rating order from the best, the total and both facet distributions are
/// exactly those of the matching sample movies.
fn check_filtered_search(command_line: &str, movies: &BTreeMap<u64, Value>) {
    assert!(
        command_line.contains("genres = Drama AND year >= 2000"),
        "{command_line}"
    );
    let answer = run_printed_json(command_line);
    let matching: Vec<&Value> = movies
        .values()
        .filter(|movie| {
            movie["genres"]
                .as_array()
                .unwrap()
                .contains(&Value::from("Drama"))
                && movie["year"].as_u64().unwrap() >= 2000
        })
        .collect();
    assert!(!matching.is_empty());
    assert_eq!(answer["estimatedTotalHits"], matching.len(), "{answer}");

    let mut genres: BTreeMap<String, u64> = BTreeMap::new();
    let mut years: BTreeMap<String, u64> = BTreeMap::new();
    for movie in &matching {
        for genre in movie["genres"].as_array().unwrap() {
            *genres
                .entry(genre.as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        *years.entry(movie["year"].to_string()).or_default() += 1;
    }
    let distribution = &answer["facetDistribution"];
    assert_eq!(
        distribution["genres"],
        serde_json::json!(genres),
        "{answer}"
    );
    assert_eq!(distribution["year"], serde_json::json!(years), "{answer}");

    let hits = answer["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3.min(matching.len()), "{answer}");
    let ratings: Vec<f64> = hits
        .iter()
        .map(|hit| hit["rating"].as_f64().unwrap())
        .collect();
    assert!(
        ratings.windows(2).all(|pair| pair[0] >= pair[1]),
        "{answer}"
    );
    let best = matching
        .iter()
        .map(|movie| movie["rating"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    assert_eq!(ratings[0], best, "{answer}");
    for hit in hits {
        let id = hit["id"].as_u64().unwrap();
        assert_eq!(hit, &movies[&id], "hit {id} differs from the sample");
        assert!(matching.iter().any(|movie| movie["id"] == id), "{hit}");
    }
}

/// The document curl: document 42 exactly as in the sample.
fn check_document(command_line: &str, movies: &BTreeMap<u64, Value>) {
    assert!(command_line.contains("/documents/42"), "{command_line}");
    assert_eq!(run_printed_json(command_line), movies[&42]);
}

/// The printed `miroir-ctl … status`: three healthy voters, one leader.
fn check_status(command_line: &str) {
    let screen = run_printed(command_line);
    let peer_rows: Vec<&str> = screen
        .lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_digit()) && line.contains("miroir-"))
        .collect();
    assert_eq!(peer_rows.len(), 3, "{screen}");
    assert!(
        peer_rows
            .iter()
            .all(|row| row.contains(" voter ") && row.ends_with("healthy")),
        "{screen}"
    );
    assert_eq!(
        peer_rows
            .iter()
            .filter(|row| row.contains(" leader "))
            .count(),
        1,
        "{screen}"
    );
}

/// After the script exited: none of the processes it started exists any more (the script
/// reaped them) and the endpoint refuses connections.
fn assert_everything_stopped(printed: &Printed) {
    let pids = printed.pids();
    assert_eq!(pids.len(), 6, "{pids:?}");
    for (name, pid) in &pids {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "{name} (pid {pid}) outlived the script"
        );
    }
    assert!(
        TcpStream::connect_timeout(&printed.endpoint(), Duration::from_secs(5)).is_err(),
        "the endpoint still accepts connections"
    );
}

/// Invariant: on a fresh data directory the script forms a 3-peer cluster (peer 1
/// initialises, peers 2 and 3 join and become voters) in front of 3 test nodes, says it uses
/// the test node, and the three curl commands and the status command it prints work as
/// printed; Ctrl-C (SIGINT to its process group) stops everything and exits 0. A second start
/// on the same directory resumes all three peers from their data (no new cluster), reloads the
/// sample into the fresh in-memory nodes, serves the same search, and SIGTERM to the script
/// alone stops everything it started.
#[test]
fn the_printed_commands_work_and_the_cluster_stops_and_resumes() {
    let movies = sample_movies();
    let dir = TempDir::new().unwrap();
    let data_dir = dir.path().join("dev-cluster");

    let mut first = ScriptRun::start(&data_dir, dir.path(), "first");
    let printed = first.wait_until_ready();
    let context = first.context();
    assert!(
        printed.has_line("nodes: meili-test-node (in-memory TEST NODE, not Meilisearch"),
        "{context}"
    );
    assert!(
        printed.has_line("peer 1 (miroir-1): initialized a new cluster"),
        "{context}"
    );
    for id in [2, 3] {
        assert!(
            printed.has_line(&format!("peer {id} (miroir-{id}): promoted to voter")),
            "{context}"
        );
    }
    let curls = printed.commands("curl ");
    assert_eq!(curls.len(), 3, "{context}");
    check_search(&curls[0], &movies);
    check_filtered_search(&curls[1], &movies);
    check_document(&curls[2], &movies);
    let status = printed.commands("MIROIR_ADMIN_API_KEY=");
    assert_eq!(status.len(), 1, "{context}");
    check_status(&status[0]);

    let exit = first.stop("-INT", true);
    assert!(
        exit.success(),
        "exit {exit} after Ctrl-C\n{}",
        first.context()
    );
    assert_everything_stopped(&printed);
    drop(first);

    let mut second = ScriptRun::start(&data_dir, dir.path(), "second");
    let resumed = second.wait_until_ready();
    let context = second.context();
    for id in 1..=3 {
        assert!(
            resumed.has_line(&format!("peer {id} (miroir-{id}): resumed from its data")),
            "{context}"
        );
    }
    assert!(!resumed.has_line("initialized a new cluster"), "{context}");
    assert!(!resumed.has_line("added as a learner"), "{context}");
    let curls = resumed.commands("curl ");
    assert_eq!(curls.len(), 3, "{context}");
    check_search(&curls[0], &movies);

    let exit = second.stop("-TERM", false);
    assert!(
        exit.success(),
        "exit {exit} after SIGTERM\n{}",
        second.context()
    );
    assert_everything_stopped(&resumed);
}
