//! `miroir-ctl` as a process against real `miroir` peer processes: every subcommand's table and
//! JSON output checked against what the cluster really is, its exit codes on refusals and
//! wrong keys, and the Raft membership flow (add a learner, promote it, refuse a removal that
//! would lose the healthy majority, remove dead peers).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::sync::mpsc;

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::cluster::{
    call, finished_task, start_cluster, start_joining_peer, succeed, Layout, Nodes, ADMIN_KEY,
};
use crate::ctl_run::{
    cells, ctl, ctl_command, ctl_json, ctl_table, ctl_with_key, endpoint, ids, section_rows,
    Running,
};
use crate::process::{eventually, request, Peer, WAIT};

/// Invariant: `status`, `peers list`, `nodes list`, `groups list` and `rebalance status` show the
/// cluster as it is — 3 voters with exactly one leader, all healthy; 3 healthy nodes owning the
/// 64 shards between them in one group; nothing degraded, nothing running — in the table and
/// in the JSON, and the JSON is the message the HTTP twin answers.
#[test]
fn status_and_lists_show_the_real_cluster() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let peer = &peers[0];
    let node_addresses: BTreeMap<String, String> = nodes
        .addresses()
        .iter()
        .enumerate()
        .map(|(n, addr)| (format!("meili-{n}"), format!("http://{addr}")))
        .collect();

    let status = eventually("a status with every peer healthy", || {
        let status = ctl_json(peer, &["status"]);
        let all_healthy = status["peers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|peer| peer["health"] == "healthy");
        (all_healthy && status["leader_id"].as_u64() != Some(0)).then_some(status)
    });
    let leader = status["leader_id"].as_u64().unwrap();
    assert_eq!(status["answered_by"], 1);
    assert_eq!(ids(&status["peers"], "id"), BTreeSet::from([1, 2, 3]));
    let leaders: Vec<u64> = status["peers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|peer| peer["role"] == "leader")
        .map(|peer| peer["id"].as_u64().unwrap())
        .collect();
    assert_eq!(leaders, [leader]);
    for member in status["peers"].as_array().unwrap() {
        assert_eq!(member["membership"], "voter", "{member}");
    }
    assert_eq!(
        (
            &status["shards"],
            &status["replication_factor"],
            &status["replica_groups"]
        ),
        (&json!(64), &json!(1), &json!(1))
    );
    let status_nodes = status["nodes"].as_array().unwrap();
    assert_eq!(status_nodes.len(), 3);
    let mut owned_shards = 0;
    for node in status_nodes {
        let id = node["id"].as_str().unwrap();
        assert_eq!(node["address"].as_str(), Some(node_addresses[id].as_str()));
        assert_eq!(node["health"], "healthy", "{node}");
        assert_eq!(node["replica_group"], 0);
        owned_shards += node["shard_count"].as_u64().unwrap();
    }
    assert_eq!(
        owned_shards, 64,
        "each shard has one owner in the one group"
    );
    assert_eq!(status["degraded_shards"], json!([]));
    assert_eq!(status["operations"], json!([]));

    let screen = ctl_table(peer, &["status"]);
    assert!(
        screen.starts_with(&format!("leader: peer {leader}")),
        "{screen}"
    );
    assert!(
        screen.contains("layout: 64 shards, replication factor 1, 1 replica group\n"),
        "{screen}"
    );
    let peer_rows = section_rows(&screen, "PEERS");
    assert_eq!(peer_rows.len(), 3, "{screen}");
    for row in &peer_rows {
        assert_eq!(
            (row[2].as_str(), row[6].as_str()),
            ("voter", "healthy"),
            "{screen}"
        );
    }
    let leader_rows: Vec<&Vec<String>> =
        peer_rows.iter().filter(|row| row[3] == "leader").collect();
    assert_eq!(leader_rows.len(), 1, "{screen}");
    assert_eq!(leader_rows[0][0], leader.to_string());
    let node_rows = section_rows(&screen, "NODES");
    assert_eq!(node_rows.len(), 3, "{screen}");
    let table_shards: u64 = node_rows
        .iter()
        .map(|row| row[4].parse::<u64>().unwrap())
        .sum();
    assert_eq!(table_shards, 64);
    for row in &node_rows {
        assert_eq!(row[3], "healthy", "{screen}");
        assert_eq!(row[5], node_addresses[&row[0]], "{screen}");
    }
    assert!(
        section_rows(&screen, "DEGRADED SHARDS").is_empty(),
        "{screen}"
    );
    assert!(
        section_rows(&screen, "RUNNING OPERATIONS").is_empty(),
        "{screen}"
    );

    let listed = ctl_json(peer, &["peers", "list"]);
    assert_eq!(ids(&listed, "id"), BTreeSet::from([1, 2, 3]));
    for member in listed.as_array().unwrap() {
        let id = member["id"].as_u64().unwrap();
        assert_eq!(member["http_address"], format!("127.0.0.1:{}", 7700 + id));
    }
    let peer_table = ctl_table(peer, &["peers", "list"]);
    let rows: Vec<Vec<String>> = peer_table.lines().skip(1).map(cells).collect();
    assert_eq!(rows.len(), 3, "{peer_table}");
    for row in &rows {
        let id: u64 = row[0].parse().unwrap();
        assert_eq!(row[8], format!("127.0.0.1:{}", 7700 + id), "{peer_table}");
    }

    let topology = ctl_json(peer, &["nodes", "list"]);
    assert_eq!(topology["shards"], 64);
    assert_eq!(topology["replication_factor"], 1);
    assert_eq!(topology["rebalance_in_progress"], false);
    let topology_nodes: BTreeMap<String, String> = topology["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| {
            (
                node["id"].as_str().unwrap().to_owned(),
                node["address"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(topology_nodes, node_addresses);
    assert_eq!(
        topology["groups"],
        json!([{"id": 0, "nodes": ["meili-0", "meili-1", "meili-2"]}])
    );
    let http_topology = request(
        peer.serving.http,
        "GET",
        "/_miroir/topology",
        Some(ADMIN_KEY),
        None,
    );
    assert_eq!(http_topology.status, 200, "{}", http_topology.body);
    assert_eq!(http_topology.json()["groups"], topology["groups"]);
    let node_table = ctl_table(peer, &["nodes", "list"]);
    assert!(
        node_table.starts_with("64 shards, replication factor 1, rebalance in progress: no\n"),
        "{node_table}"
    );
    let node_table_rows: Vec<Vec<String>> = node_table.lines().skip(3).map(cells).collect();
    assert_eq!(node_table_rows.len(), 3, "{node_table}");
    for row in &node_table_rows {
        assert_eq!(row[5], node_addresses[&row[0]], "{node_table}");
    }

    let group_table = ctl_table(peer, &["groups", "list"]);
    let group_rows: Vec<Vec<String>> = group_table.lines().skip(3).map(cells).collect();
    assert_eq!(
        group_rows,
        [["0", "3", "meili-0,meili-1,meili-2"]],
        "{group_table}"
    );
    assert_eq!(
        ctl_json(peer, &["groups", "list"])["groups"],
        topology["groups"]
    );

    assert_eq!(
        ctl_table(peer, &["rebalance", "status"]),
        "no rebalance in progress\n"
    );
    let rebalance = ctl_json(peer, &["rebalance", "status"]);
    assert_eq!(rebalance["in_progress"], false);
    assert_eq!(rebalance["phases"], json!([]));
    assert_eq!(
        ctl_table(peer, &["rebalance", "status", "--watch"]),
        "no rebalance in progress\n"
    );
    let watched = ctl(
        peer,
        &["--output", "json", "rebalance", "status", "--watch"],
    );
    assert_eq!(watched.code, 0, "{watched:?}");
    let snapshots: Vec<Value> = watched
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let last = snapshots.last().expect("at least one snapshot");
    assert_eq!(last["operations"], json!([]));
    assert_eq!(last["rebalance"]["in_progress"], false);
}

/// Invariant: an index created through the HTTP API shows in `indexes list` with its primary
/// key and 64 shards, and `indexes shards` is the placement `GET /_miroir/shards` answers;
/// `tasks get|list|watch` show the real tasks (the JSON carries the `GET /tasks/{uid}` body),
/// `tasks watch` exits 0 on a succeeded task and 1 on a failed one.
#[test]
fn indexes_and_finished_tasks_are_shown_as_registered() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let (a, b) = (&peers[0], &peers[1]);
    let created = succeed(
        a,
        b,
        "POST",
        "/indexes",
        Some(&json!({"uid": "movies", "primaryKey": "id"})),
    );
    let created_uid = created["uid"].as_u64().unwrap();
    let again = call(a, "POST", "/indexes", Some(&json!({"uid": "movies"})));
    assert_eq!(again.status, 202, "{}", again.body);
    let failed_uid = again.json()["taskUid"].as_u64().unwrap();
    let failed = finished_task(b, failed_uid);
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error"]["code"], "index_already_exists");

    let indexes = eventually("the index on peer c", || {
        let list = ctl_json(&peers[2], &["indexes", "list"]);
        (list["indexes"].as_array().unwrap().len() == 1).then_some(list)
    });
    let index = &indexes["indexes"][0];
    assert_eq!(
        (
            &index["uid"],
            &index["primary_key"],
            &index["shard_count"],
            &index["state"]
        ),
        (&json!("movies"), &json!("id"), &json!(64), &json!("ready"))
    );
    let index_table = ctl_table(&peers[2], &["indexes", "list"]);
    let index_rows: Vec<Vec<String>> = index_table.lines().skip(1).map(cells).collect();
    assert_eq!(index_rows.len(), 1, "{index_table}");
    assert_eq!(&index_rows[0][..3], ["movies", "id", "64"], "{index_table}");
    assert_eq!(index_rows[0][4], "ready", "{index_table}");

    let shard_map = ctl_json(a, &["indexes", "shards", "movies"]);
    let http_shards = request(
        a.serving.http,
        "GET",
        "/_miroir/shards?index=movies",
        Some(ADMIN_KEY),
        None,
    );
    assert_eq!(http_shards.status, 200, "{}", http_shards.body);
    assert_eq!(shard_map, http_shards.json());
    let shards = shard_map["indexes"][0]["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 64);
    for shard in shards {
        let group = &shard["groups"][0];
        assert_eq!(group["owners"].as_array().unwrap().len(), 1, "{shard}");
        assert_eq!(
            group["owners"], group["target_owners"],
            "nothing moves: {shard}"
        );
    }
    let shard_table = ctl_table(a, &["indexes", "shards", "movies"]);
    let shard_lines: Vec<&str> = shard_table.lines().collect();
    assert_eq!(shard_lines[0], "index movies (primary key id, 64 shards)");
    assert_eq!(shard_lines.len(), 2 + 64, "{shard_table}");
    for (line, shard) in shard_lines[2..].iter().zip(shards) {
        let row = cells(line);
        assert_eq!(row[0], shard["shard"].to_string());
        assert_eq!(
            Some(row[2].as_str()),
            shard["groups"][0]["owners"][0].as_str()
        );
        assert_eq!(row[3], "-");
    }
    assert_eq!(
        ctl_json(a, &["indexes", "shards"])["indexes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let unknown = ctl(a, &["indexes", "shards", "nope"]);
    assert_eq!(unknown.code, 1, "{unknown:?}");
    assert!(unknown.stderr.contains("`nope`"), "{unknown:?}");

    let task = ctl_json(b, &["tasks", "get", &created_uid.to_string()]);
    assert_eq!(
        (
            &task["uid"],
            &task["status"],
            &task["type"],
            &task["index_uid"]
        ),
        (
            &json!(created_uid),
            &json!("succeeded"),
            &json!("indexCreation"),
            &json!("movies")
        )
    );
    let http_task = call(b, "GET", &format!("/tasks/{created_uid}"), None).json();
    let embedded: Value = serde_json::from_str(task["json"].as_str().unwrap()).unwrap();
    assert_eq!(embedded, http_task);
    let task_table = ctl_table(b, &["tasks", "get", &created_uid.to_string()]);
    assert!(
        task_table.contains("status:       succeeded\n"),
        "{task_table}"
    );
    let missing = ctl(b, &["tasks", "get", "999999"]);
    assert_eq!(missing.code, 1, "{missing:?}");
    assert!(missing.stderr.contains("999999"), "{missing:?}");

    let listed = ctl_json(a, &["tasks", "list", "--index", "movies"]);
    let uids: Vec<u64> = listed["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["uid"].as_u64().unwrap())
        .collect();
    assert_eq!(uids, [failed_uid, created_uid], "newest first");
    assert_eq!(listed["total"], 2);
    let only_failed = ctl_json(
        a,
        &["tasks", "list", "--index", "movies", "--status", "failed"],
    );
    assert_eq!(
        ids(&only_failed["tasks"], "uid"),
        BTreeSet::from([failed_uid])
    );
    let first_page = ctl_json(a, &["tasks", "list", "--index", "movies", "--limit", "1"]);
    assert_eq!(
        ids(&first_page["tasks"], "uid"),
        BTreeSet::from([failed_uid])
    );
    assert_eq!(first_page["next"], created_uid);
    let second_page = ctl_json(
        a,
        &[
            "tasks",
            "list",
            "--index",
            "movies",
            "--limit",
            "1",
            "--from",
            &created_uid.to_string(),
        ],
    );
    assert_eq!(
        ids(&second_page["tasks"], "uid"),
        BTreeSet::from([created_uid])
    );
    assert_eq!(second_page["next"], Value::Null);
    let list_table = ctl_table(a, &["tasks", "list", "--index", "movies"]);
    let list_lines: Vec<&str> = list_table.lines().collect();
    assert_eq!(list_lines.len(), 4, "{list_table}");
    assert_eq!(
        cells(list_lines[1])[..4],
        [
            failed_uid.to_string(),
            "movies".into(),
            "indexCreation".into(),
            "failed".into()
        ]
    );
    assert_eq!(list_lines[3], "2 of 2 matching tasks");

    let watched = ctl(a, &["tasks", "watch", &created_uid.to_string()]);
    assert_eq!(watched.code, 0, "{watched:?}");
    assert!(
        watched.stdout.contains("status:       succeeded\n"),
        "{watched:?}"
    );
    let watched_failure = ctl(
        a,
        &[
            "--output",
            "json",
            "tasks",
            "watch",
            &failed_uid.to_string(),
        ],
    );
    assert_eq!(watched_failure.code, 1, "{watched_failure:?}");
    let last: Value = serde_json::from_str(watched_failure.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["status"], "failed");
    assert!(
        watched_failure.stderr.starts_with(&format!(
            "miroir-ctl: task {failed_uid} failed (index_already_exists)"
        )),
        "{watched_failure:?}"
    );
}

/// Invariant: `tasks watch` follows a task while it waits and ends when `tasks cancel` stops
/// it — with exit 1, its last state `canceled` and `canceled_by` naming the cancelation task,
/// which itself succeeds.
#[test]
fn a_watched_task_ends_canceled_by_tasks_cancel() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let (a, b) = (&peers[0], &peers[1]);
    succeed(
        a,
        b,
        "POST",
        "/indexes",
        Some(&json!({"uid": "queue", "primaryKey": "id"})),
    );
    nodes.set_tasks_stalled(true);
    let documents: Vec<Value> = (0..20).map(|id| json!({"id": id})).collect();
    let write = call(
        a,
        "POST",
        "/indexes/queue/documents",
        Some(&Value::Array(documents)),
    );
    assert_eq!(write.status, 202, "{}", write.body);
    let write_uid = write.json()["taskUid"].as_u64().unwrap();

    let (mut command, _home) = ctl_command(
        &endpoint(a),
        ADMIN_KEY,
        &["--output", "json", "tasks", "watch", &write_uid.to_string()],
    );
    let mut watcher = Running(
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = watcher.0.stdout.take().unwrap();
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let first: Value = serde_json::from_str(&lines.recv_timeout(WAIT).unwrap()).unwrap();
    assert_eq!(first["uid"], write_uid);
    assert_eq!(first["status"], "enqueued", "{first}");

    let cancel = ctl_json(b, &["tasks", "cancel", "--uids", &write_uid.to_string()]);
    assert_eq!(cancel["type"], "taskCancelation", "{cancel}");
    let cancel_uid = cancel["uid"].as_u64().unwrap();
    nodes.set_tasks_stalled(false);

    let exit = eventually("the watch to end", || watcher.0.try_wait().unwrap());
    assert_eq!(exit.code(), Some(1));
    let rest: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(&line).unwrap())
        .collect();
    let last = rest.last().unwrap_or(&first);
    assert_eq!(last["status"], "canceled", "{last}");
    assert_eq!(last["canceled_by"], cancel_uid);
    let mut stderr = String::new();
    watcher
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(
        stderr.trim_end(),
        format!("miroir-ctl: task {write_uid} canceled")
    );

    let cancelation = ctl(a, &["tasks", "watch", &cancel_uid.to_string()]);
    assert_eq!(cancelation.code, 0, "{cancelation:?}");
    assert!(
        cancelation
            .stdout
            .contains("type:         taskCancelation\n"),
        "{cancelation:?}"
    );
    let canceled = ctl_json(a, &["tasks", "list", "--status", "canceled"]);
    assert_eq!(ids(&canceled["tasks"], "uid"), BTreeSet::from([write_uid]));
    let detail = ctl_table(b, &["tasks", "get", &write_uid.to_string()]);
    assert!(
        detail.contains(&format!("canceled by:  {cancel_uid}\n")),
        "{detail}"
    );
}

/// Invariant: node and group changes are refused with exit 1 and the server's message (this
/// version has no online migration) and change nothing; a wrong admin key is exit 3 with a
/// sentence naming the endpoint.
#[test]
fn refused_changes_and_wrong_keys_exit_non_zero() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let peer = &peers[1];
    let before = ctl_json(peer, &["nodes", "list"]);

    // Topology changes that conflict with the cluster are refused before anything changes.
    let refusals: [(&[&str], &str); 6] = [
        (
            &[
                "nodes",
                "add",
                "meili-0",
                "--address",
                "http://127.0.0.1:9",
                "--group",
                "0",
            ],
            "Node `meili-0` is already part of the topology.",
        ),
        (
            &[
                "nodes",
                "add",
                "meili-9",
                "--address",
                "http://127.0.0.1:9",
                "--group",
                "7",
            ],
            "Replica group 7 does not exist",
        ),
        (
            &["nodes", "drain", "meili-9"],
            "Node `meili-9` is not part of the topology.",
        ),
        (&["nodes", "remove", "meili-0"], "drain it first"),
        (
            &["groups", "add", "0", "--node", "meili-9=http://127.0.0.1:9"],
            "Replica group 0 exists already",
        ),
        (&["groups", "remove", "0"], "is the last active group"),
    ];
    for (args, reason) in refusals {
        let refused = ctl(peer, args);
        assert_eq!(refused.code, 1, "{args:?}: {refused:?}");
        assert!(refused.stdout.is_empty(), "{args:?}: {refused:?}");
        assert!(
            refused.stderr.starts_with(&format!(
                "miroir-ctl: {} refused the request: ",
                endpoint(peer)
            )),
            "{args:?}: {refused:?}"
        );
        assert!(refused.stderr.contains(reason), "{args:?}: {refused:?}");
    }
    let rebalance = ctl_json(peer, &["rebalance", "status"]);
    assert_eq!(
        rebalance["operation_id"], "",
        "nothing was submitted: {rebalance}"
    );
    let after = ctl_json(peer, &["nodes", "list"]);
    assert_eq!(after["groups"], before["groups"]);
    assert_eq!(ids(&after["nodes"], "replica_group"), BTreeSet::from([0]));
    let node_ids = |topology: &Value| -> Vec<String> {
        topology["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(node_ids(&after), node_ids(&before));

    let wrong = ctl_with_key(&endpoint(peer), "not-the-admin-key", &["status"]);
    assert_eq!(wrong.code, 3, "{wrong:?}");
    assert!(wrong.stdout.is_empty(), "{wrong:?}");
    assert_eq!(
        wrong.stderr.trim_end(),
        format!(
            "miroir-ctl: the admin key was rejected by {}: The provided admin key is invalid.",
            endpoint(peer)
        )
    );
}

/// Invariant: a started fourth peer joins through `peers add` (learner) and `peers promote`
/// (voter) and `status` then shows 4 healthy voters; a removal that would leave the voters
/// without a healthy majority is refused (exit 1) without `--force` and changes nothing, while
/// removing dead peers succeeds.
///
/// To make "unhealthy" independent of how long ago a peer died, the cluster grows to 5 voters
/// and loses a follower and the leader: the survivors elect a new leader that never heard from
/// either dead peer, so it counts both unhealthy at once.
#[test]
fn peers_join_get_promoted_and_removals_keep_a_healthy_majority() {
    let nodes = Nodes::start(3);
    let dir = TempDir::new().unwrap();
    let layout = Layout::single_group(3);
    let originals = start_cluster(&dir, &nodes.addresses(), &layout);
    let fourth = start_joining_peer(&dir, &nodes.addresses(), &layout, 4);
    let fifth = start_joining_peer(&dir, &nodes.addresses(), &layout, 5);
    let mut peers: BTreeMap<u64, Peer> = (1..).zip(originals).collect();

    for joining in [fourth, fifth] {
        let id = peers.len() as u64 + 1;
        let via = &peers[&1];
        let added = ctl_json(
            via,
            &[
                "--timeout",
                "60",
                "peers",
                "add",
                &id.to_string(),
                "--grpc-address",
                &joining.serving.grpc.to_string(),
                "--http-address",
                &joining.serving.http.to_string(),
            ],
        );
        let new_member = added["peers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|member| member["id"] == id)
            .unwrap_or_else(|| panic!("peer {id} missing from {added}"))
            .clone();
        assert_eq!(new_member["membership"], "learner", "{added}");
        let promoted = ctl(via, &["peers", "promote", &id.to_string()]);
        assert_eq!(promoted.code, 0, "{promoted:?}");
        assert!(
            promoted
                .stdout
                .starts_with(&format!("peer {id} promoted to voter\n")),
            "{promoted:?}"
        );
        let voters = eventually(&format!("{id} healthy voters"), || {
            let status = ctl_json(via, &["status"]);
            let members = status["peers"].as_array().unwrap();
            (members.len() as u64 == id
                && members
                    .iter()
                    .all(|member| member["membership"] == "voter" && member["health"] == "healthy"))
            .then_some(status)
        });
        assert_eq!(ids(&voters["peers"], "id"), (1..=id).collect());
        if id == 4 {
            let screen = ctl_table(via, &["status"]);
            let rows = section_rows(&screen, "PEERS");
            assert_eq!(rows.len(), 4, "{screen}");
            assert!(rows.iter().all(|row| row[2] == "voter"), "{screen}");
            assert_eq!(
                rows.iter().filter(|row| row[3] == "leader").count(),
                1,
                "{screen}"
            );
        }
        peers.insert(id, joining);
    }

    let leader = ctl_json(&peers[&1], &["status"])["leader_id"]
        .as_u64()
        .unwrap();
    let dead_follower = *peers.keys().find(|id| **id != leader).unwrap();
    peers.remove(&dead_follower).unwrap().kill();
    peers.remove(&leader).unwrap().kill();
    let survivors: Vec<u64> = peers.keys().copied().collect();
    let via = &peers[&survivors[0]];
    let new_leader = eventually("a leader among the survivors", || {
        let run = ctl(via, &["--output", "json", "status"]);
        let status: Value = serde_json::from_str(&run.stdout).ok()?;
        let leader = status["leader_id"].as_u64()?;
        survivors.contains(&leader).then_some(leader)
    });
    let healthy_voter = *survivors.iter().find(|id| **id != new_leader).unwrap();

    let refused = ctl(via, &["peers", "remove", &healthy_voter.to_string()]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("refused the request")
            && refused
                .stderr
                .contains(&format!("removing peer {healthy_voter} would leave"))
            && refused.stderr.contains("majority"),
        "{refused:?}"
    );
    let unchanged = ctl_json(via, &["peers", "list"]);
    assert_eq!(ids(&unchanged, "id"), (1..=5).collect());

    for dead in [dead_follower, leader] {
        eventually(&format!("dead peer {dead} removed"), || {
            let run = ctl(
                via,
                &["--timeout", "30", "peers", "remove", &dead.to_string()],
            );
            let members = ctl_json(via, &["peers", "list"]);
            (run.code == 0 || !ids(&members, "id").contains(&dead)).then_some(())
        });
    }
    let remaining = eventually("the survivors as the only voters", || {
        let status = ctl_json(via, &["status"]);
        let members = status["peers"].as_array().unwrap();
        members
            .iter()
            .all(|member| member["health"] == "healthy")
            .then_some(status)
    });
    assert_eq!(
        ids(&remaining["peers"], "id"),
        survivors.iter().copied().collect()
    );
}
