//! Search throughput of the test node: spawns a node in-process, indexes 10 000 generated
//! movies, then runs concurrent keep-alive clients issuing a mix of keyword, typo, filter,
//! facet and sort searches, and prints searches/s with p50/p99 latencies.
//!
//! ```sh
//! cargo run --release -p meili-test-node --example search_load -- [total] [clients] [max_seconds]
//! ```
//! Defaults: 20 000 searches, 16 clients, at most 60 s. A fourth argument (0-4) runs only
//! one kind of search: keyword, two words, filter, facets, filter + sort.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use meili_test_node::{spawn, NodeOptions};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const DOCUMENTS: usize = 10_000;
const WORDS: &[&str] = &[
    "dark", "knight", "rising", "star", "wars", "return", "empire", "lost", "city", "golden",
    "river", "shadow", "silent", "storm", "winter", "summer", "secret", "garden", "broken",
    "arrow", "iron", "heart", "crimson", "tide", "last", "kingdom", "hidden", "valley", "night",
    "falls", "blue", "moon", "red", "planet", "wild", "hunt", "ghost", "ship", "black", "swan",
    "little", "women", "great", "escape", "final", "frontier", "dragon", "fire", "glass", "tower",
];
const GENRES: &[&str] = &[
    "Action",
    "Drama",
    "Comedy",
    "Romance",
    "Thriller",
    "Documentary",
    "Horror",
    "Fantasy",
];

/// A deterministic xorshift generator (no dependency, reproducible data).
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn documents() -> Vec<Value> {
    let mut generator = Generator(0x9e37_79b9_7f4a_7c15);
    (0..DOCUMENTS)
        .map(|id| {
            let words = 2 + generator.next() % 3;
            let title: Vec<&str> = (0..words).map(|_| generator.pick(WORDS)).collect();
            let first_genre = generator.pick(GENRES);
            let second_genre = generator.pick(GENRES);
            json!({
                "id": id,
                "title": title.join(" "),
                "genres": [first_genre, second_genre],
                "year": 1950 + generator.next() % 75,
                "rating": (generator.next() % 100) as f64 / 10.0,
            })
        })
        .collect()
}

/// The search of request number `n`: a fixed mix of five kinds, or only kind `only`.
fn search_body(n: usize, only: Option<usize>) -> Value {
    let word = WORDS[n % WORDS.len()];
    match only.unwrap_or(n % 5) {
        0 => json!({"q": word}),
        1 => json!({"q": format!("{word} {}", WORDS[(n / 5) % WORDS.len()]), "limit": 10}),
        2 => json!({"q": "", "filter": "year > 2000 AND genres = Drama", "limit": 10}),
        3 => json!({"q": word, "facets": ["genres", "year"]}),
        _ => json!({"q": "", "filter": "rating >= 5", "sort": ["rating:desc"], "limit": 10}),
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    reader: BufReader<TcpStream>,
}

impl Connection {
    async fn open(address: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::new(stream),
        })
    }

    /// Sends one request and returns the status and body.
    async fn request(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        // Head and body in one write, as HTTP clients do: two small writes would make the
        // second wait for the server's (delayed) ACK of the first.
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        self.reader.get_mut().write_all(&request).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).await?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut response = vec![0; length];
        self.reader.read_exact(&mut response).await?;
        Ok((status, response))
    }
}

async fn wait_for_task(address: SocketAddr, task_uid: u64) -> std::io::Result<()> {
    let mut connection = Connection::open(address).await?;
    loop {
        let (_, body) = connection
            .request("GET", &format!("/tasks/{task_uid}"), b"")
            .await?;
        let task: Value = serde_json::from_slice(&body).map_err(std::io::Error::other)?;
        match task["status"].as_str() {
            Some("succeeded") => return Ok(()),
            Some("failed" | "canceled") => return Err(std::io::Error::other(task.to_string())),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn post(address: SocketAddr, path: &str, body: &Value) -> std::io::Result<Value> {
    let mut connection = Connection::open(address).await?;
    let bytes = serde_json::to_vec(body).map_err(std::io::Error::other)?;
    let (_, response) = connection.request("POST", path, &bytes).await?;
    serde_json::from_slice(&response).map_err(std::io::Error::other)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let position = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted.get(position).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arguments: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let total = arguments.first().copied().unwrap_or(20_000);
    let clients = arguments.get(1).copied().unwrap_or(16).max(1);
    let max_time = Duration::from_secs(arguments.get(2).copied().unwrap_or(60) as u64);
    let only = arguments.get(3).copied().filter(|kind| *kind < 5);

    let node = spawn(NodeOptions::default()).await?;
    let address = node.address();
    let settings = json!({"filterableAttributes": ["genres", "year", "rating"], "sortableAttributes": ["year", "rating"]});
    let mut connection = Connection::open(address).await?;
    let (_, created) = connection
        .request(
            "PATCH",
            "/indexes/movies/settings",
            &serde_json::to_vec(&settings)?,
        )
        .await?;
    let created: Value = serde_json::from_slice(&created)?;
    wait_for_task(address, created["taskUid"].as_u64().unwrap_or(0)).await?;
    let indexing = Instant::now();
    let added = post(
        address,
        "/indexes/movies/documents",
        &Value::Array(documents()),
    )
    .await?;
    wait_for_task(address, added["taskUid"].as_u64().unwrap_or(0)).await?;
    println!("indexed {DOCUMENTS} documents in {:?}", indexing.elapsed());

    let started = Instant::now();
    let mut workers = Vec::new();
    for client in 0..clients {
        workers.push(tokio::spawn(async move {
            let mut connection = Connection::open(address).await?;
            let mut latencies = Vec::new();
            let mut n = client;
            while n < total && started.elapsed() < max_time {
                let body =
                    serde_json::to_vec(&search_body(n, only)).map_err(std::io::Error::other)?;
                let sent = Instant::now();
                let (status, response) = connection
                    .request("POST", "/indexes/movies/search", &body)
                    .await?;
                latencies.push(sent.elapsed());
                if status != 200 {
                    return Err(std::io::Error::other(
                        String::from_utf8_lossy(&response).into_owned(),
                    ));
                }
                n += clients;
            }
            Ok::<_, std::io::Error>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "{} searches, {clients} clients, {:.2?}: {:.0} searches/s, p50 {:.2?}, p99 {:.2?}",
        latencies.len(),
        elapsed,
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );
    node.shutdown().await;
    Ok(())
}
