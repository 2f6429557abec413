#!/usr/bin/env bash
# A local Miroir cluster on loopback, for trying Miroir out and for end-to-end tests:
#
#   3 Meilisearch nodes ──▶ 3 Miroir peers (one Raft group, 1 replica group, RF 1)
#   (real `meilisearch` from PATH, else the in-memory meili-test-node)
#
# It builds the binaries (unless --bin-dir), starts everything, loads the sample movies
# through Miroir, prints the endpoint, the keys and three curl commands, and stops every
# process it started on Ctrl-C or SIGTERM (exit 0). Everything lives under one data directory
# (keys, ports, configs, RocksDB of the peers, Meilisearch databases, logs) and is reused by
# the next start. See docs/quickstart.md.
set -euo pipefail

if ((BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4))); then
    printf 'dev-cluster: bash 4.4 or newer is needed (this is bash %s)\n' "$BASH_VERSION" >&2
    exit 2
fi

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly SAMPLE_DATA="$REPO_ROOT/scripts/sample-data/movies.json"
readonly INDEX_UID="movies"
readonly PEER_IDS=(1 2 3)
readonly NODE_INDEXES=(0 1 2)
# Bounded waits, in seconds (generous: debug builds on busy machines are slow).
readonly START_WAIT=120
readonly STOP_WAIT=30

usage() {
    cat <<'EOF'
Usage: scripts/dev-cluster.sh [OPTIONS]

Starts a local 3-peer Miroir cluster in front of 3 Meilisearch nodes, loads the sample
movies, prints the endpoint, keys and example curl commands; Ctrl-C stops everything.

Options:
  --data-dir DIR      everything is kept here and reused on the next start
                      (default: .dev-cluster in the repository)
  --bin-dir DIR       use the prebuilt miroir, miroir-ctl and meili-test-node in DIR and skip
                      the build (default: env MIROIR_BIN_DIR; unset = cargo build --release)
  --node-bin PATH     the Meilisearch node binary: a `meilisearch` or a `meili-test-node`
                      (default: meilisearch from PATH, else meili-test-node from the bin dir)
  --base-port N       fixed ports (default 7700): peer HTTP N..N+2, nodes N+10..N+12,
                      peer Raft gRPC N+100..N+102, admin gRPC N+200..N+202,
                      metrics N+1390..N+1392 (9090..9092 for 7700)
  --ports ephemeral   no fixed ports: listeners bind port 0 and the script reads the bound
                      addresses (same as --base-port 0); for tests and CI
  -h, --help          this help

MIROIR_* variables of your environment are not passed to the peers: the script writes
their whole configuration.
EOF
}

# ---------------------------------------------------------------------------------------------
# Messages and failures

say() { printf '%s\n' "$*"; }
warn() { printf 'dev-cluster: %s\n' "$*" >&2; }

# Prints an error, stops whatever was started and exits 1.
die() {
    warn "error: $*"
    stop_all
    exit 1
}

# Prints the last lines of a log file on stderr.
show_log_tail() {
    local log=$1
    if [[ -s $log ]]; then
        warn "last lines of $log:"
        tail -n 25 "$log" | sed 's/^/    /' >&2
    fi
}

# ---------------------------------------------------------------------------------------------
# Options

data_dir="$REPO_ROOT/.dev-cluster"
bin_dir="${MIROIR_BIN_DIR:-}"
node_bin=""
base_port=7700

parse_options() {
    while (($# > 0)); do
        case $1 in
        --data-dir) data_dir=${2:?--data-dir needs a directory}; shift 2 ;;
        --bin-dir) bin_dir=${2:?--bin-dir needs a directory}; shift 2 ;;
        --node-bin) node_bin=${2:?--node-bin needs a path}; shift 2 ;;
        --base-port) base_port=${2:?--base-port needs a number}; shift 2 ;;
        --ports)
            case ${2:-} in
            ephemeral) base_port=0 ;;
            fixed) ;;
            *) warn "--ports takes 'ephemeral' or 'fixed', not '${2:-}'"; exit 2 ;;
            esac
            shift 2
            ;;
        -h | --help) usage; exit 0 ;;
        *) warn "unknown option '$1' (see --help)"; exit 2 ;;
        esac
    done
    if ! [[ $base_port =~ ^[0-9]+$ ]] || ((base_port != 0 && (base_port < 1024 || base_port > 64000))); then
        warn "--base-port must be 0 (ephemeral) or between 1024 and 64000, not '$base_port'"
        exit 2
    fi
}

# ---------------------------------------------------------------------------------------------
# Child processes: every process this script starts is recorded here, logs to its own file,
# and is stopped by stop_all.

child_pids=()
child_names=()
stopping=0
sleeper=""

# start_process NAME LOG COMMAND...: runs COMMAND in the background, output to LOG.
start_process() {
    local name=$1 log=$2
    shift 2
    # The previous start's log is kept as LOG.previous.
    [[ ! -s $log ]] || mv -f "$log" "$log.previous"
    "$@" >"$log" 2>&1 </dev/null &
    child_pids+=("$!")
    child_names+=("$name")
}

pid_of() {
    local name=$1 i
    for i in "${!child_names[@]}"; do
        if [[ ${child_names[$i]} == "$name" ]]; then
            printf '%s' "${child_pids[$i]}"
            return 0
        fi
    done
    return 1
}

is_alive() { kill -0 "$1" 2>/dev/null; }

# died NAME PID LOG [WHEN]: reports a process that exited on its own (exit status and the
# end of its log), stops the others and exits 1.
died() {
    local name=$1 pid=$2 log=$3 when=${4:-while starting} status=0
    wait "$pid" 2>/dev/null || status=$?
    warn "$name exited $when (exit status $status)"
    show_log_tail "$log"
    die "$name stopped unexpectedly; see $log"
}

# Sends SIGTERM to the named processes, waits up to STOP_WAIT seconds, then SIGKILLs them.
terminate() {
    local names=("$@") name pid alive deadline
    local pids=()
    for name in "${names[@]}"; do
        if pid=$(pid_of "$name") && is_alive "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    deadline=$((SECONDS + STOP_WAIT))
    while ((SECONDS < deadline)); do
        alive=0
        for pid in "${pids[@]}"; do
            if is_alive "$pid"; then alive=1; fi
        done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        if is_alive "$pid"; then
            warn "process $pid ignored SIGTERM for ${STOP_WAIT}s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
}

# Stops every started process: the peers first (they drain requests and stop Raft), then the
# nodes. Safe to call more than once.
stop_all() {
    ((!stopping)) || return 0
    stopping=1
    # A second Ctrl-C while stopping kills everything at once.
    trap 'kill_all; exit 130' INT TERM
    local peers=() nodes=() name
    for name in ${child_names[@]+"${child_names[@]}"}; do
        case $name in
        peer-*) peers+=("$name") ;;
        *) nodes+=("$name") ;;
        esac
    done
    ((${#peers[@]} == 0)) || terminate "${peers[@]}"
    ((${#nodes[@]} == 0)) || terminate "${nodes[@]}"
    rm -f "$data_dir/dev-cluster.pid"
}

kill_all() {
    local pid
    for pid in "${child_pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -f "$data_dir/dev-cluster.pid"
}

on_signal() {
    [[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null || true
    say ""
    say "stopping the dev cluster..."
    stop_all
    say "stopped; data kept in $data_dir"
    exit 0
}

on_exit() {
    local status=$?
    stop_all
    exit "$status"
}

# wait_until NAME LOG WHAT COMMAND...: retries COMMAND until it succeeds; dies (showing the
# end of LOG) if process NAME exits or the wait runs out, saying "WHAT within …".
wait_until() {
    local name=$1 log=$2 what=$3 pid deadline
    shift 3
    pid=$(pid_of "$name")
    deadline=$((SECONDS + START_WAIT))
    until "$@"; do
        is_alive "$pid" || died "$name" "$pid" "$log"
        if ((SECONDS >= deadline)); then
            show_log_tail "$log"
            die "$what within ${START_WAIT}s; see $log"
        fi
        sleep 0.1
    done
}

# log_has_line LOG PATTERN: whether LOG has a line matching the extended regex PATTERN; the
# first such line goes to $matched_line.
matched_line=""
log_has_line() {
    matched_line=$(grep -m 1 -E -e "$2" "$1" 2>/dev/null || true)
    [[ -n $matched_line ]]
}

# wait_for_log_line NAME LOG PATTERN: waits (see wait_until) until LOG has a line matching
# PATTERN and stores it in $matched_line.
wait_for_log_line() {
    wait_until "$1" "$2" "$1 did not start" log_has_line "$2" "$3"
}

# answers_200 URL: whether GET URL answers 200.
answers_200() {
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) == 200 ]]
}

# ---------------------------------------------------------------------------------------------
# Small files in the data directory: KEY=VALUE lines, read without evaluating them.

read_value() {
    local file=$1 name=$2
    [[ -f $file ]] || return 0
    sed -n "s/^$name=//p" "$file" | tail -n 1
}

write_value() {
    local file=$1 name=$2 value=$3
    printf '%s=%s\n' "$name" "$value" >>"$file"
}

random_hex() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# ---------------------------------------------------------------------------------------------
# Ports

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

chosen_ports=()
picked_port=""
# Picks (into $picked_port) a port nobody listens on, below the kernel's ephemeral range, so
# that no other program's port-0 bind or outgoing connection takes it while the cluster is
# stopped. Dies when none is found.
pick_free_port() {
    local what=$1 attempt port used taken
    for ((attempt = 0; attempt < 200; attempt++)); do
        port=$((20000 + (RANDOM % 12768)))
        taken=0
        for used in "${chosen_ports[@]}"; do
            if [[ $used == "$port" ]]; then taken=1; fi
        done
        if ((!taken)) && ! port_in_use "$port"; then
            chosen_ports+=("$port")
            picked_port=$port
            return 0
        fi
    done
    die "found no free port in 20000-32767 for $what"
}

# require_free_port PORT WHAT: dies with a clear message when something listens on PORT.
require_free_port() {
    local port=$1 what=$2
    ((port != 0)) || return 0
    if port_in_use "$port"; then
        die "port $port ($what) is already in use — is another dev cluster or Meilisearch running? \
Stop it, or pick other ports with --base-port N or --ports ephemeral"
    fi
}

# ---------------------------------------------------------------------------------------------
# Binaries

miroir_bin="" ctl_bin="" node_kind="" node_version=""

resolve_binaries() {
    if [[ -z $bin_dir ]]; then
        say "building miroir, miroir-ctl and meili-test-node (release)..."
        (cd "$REPO_ROOT" && cargo build --release -p miroir -p miroir-ctl -p meili-test-node)
        local target_dir=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
        [[ $target_dir == /* ]] || target_dir="$REPO_ROOT/$target_dir"
        bin_dir="$target_dir/release"
    fi
    [[ -d $bin_dir ]] || die "--bin-dir $bin_dir is not a directory"
    bin_dir=$(cd "$bin_dir" && pwd)
    miroir_bin="$bin_dir/miroir"
    ctl_bin="$bin_dir/miroir-ctl"
    local binary
    for binary in "$miroir_bin" "$ctl_bin"; do
        [[ -x $binary ]] || die "$binary is missing or not executable \
(build it with: cargo build --release -p miroir -p miroir-ctl -p meili-test-node)"
    done

    if [[ -n $node_bin ]]; then
        [[ $node_bin == */* ]] || node_bin=$(command -v "$node_bin" || printf '%s' "$node_bin")
    elif command -v meilisearch >/dev/null 2>&1; then
        node_bin=$(command -v meilisearch)
    else
        node_bin="$bin_dir/meili-test-node"
    fi
    [[ -x $node_bin ]] || die "node binary $node_bin is missing or not executable \
(install meilisearch, or build meili-test-node: cargo build --release -p meili-test-node)"
    node_bin="$(cd "$(dirname "$node_bin")" && pwd)/$(basename "$node_bin")"
    node_version=$("$node_bin" --version 2>/dev/null | head -n 1 || true)
    case $node_version in
    meilisearch*) node_kind=meilisearch ;;
    meili-test-node*) node_kind="test" ;;
    *) die "$node_bin is neither meilisearch nor meili-test-node (its --version printed '$node_version')" ;;
    esac
    for binary in curl od sed grep; do
        command -v "$binary" >/dev/null 2>&1 || die "$binary is required but not on PATH"
    done
}

describe_nodes() {
    if [[ $node_kind == meilisearch ]]; then
        printf 'nodes: %s from %s (real Meilisearch; databases in %s/meili)' \
            "$node_version" "$node_bin" "$data_dir"
    else
        printf 'nodes: meili-test-node (in-memory TEST NODE, not Meilisearch: its data is lost on stop and the sample data is reloaded on every start; install meilisearch to use the real one)'
    fi
}

# ---------------------------------------------------------------------------------------------
# Data directory, keys and pinned ports

master_key="" node_key="" admin_key=""

prepare_data_dir() {
    [[ $data_dir != *[\"\\]* && $data_dir != *$'\n'* ]] ||
        { warn "the data directory path must not contain quotes, backslashes or newlines"; exit 2; }
    mkdir -p "$data_dir"
    data_dir=$(cd "$data_dir" && pwd)
    mkdir -p "$data_dir/logs" "$data_dir/config" "$data_dir/peers" "$data_dir/meili"
    # Keeps the default .dev-cluster/ (inside the repository) out of git.
    [[ -f $data_dir/.gitignore ]] || printf '*\n' >"$data_dir/.gitignore"

    local pid_file="$data_dir/dev-cluster.pid" other
    other=$(cat "$pid_file" 2>/dev/null || true)
    if [[ -n $other && $other != "$$" ]] && is_alive "$other" &&
        { [[ ! -r /proc/$other/cmdline ]] || grep -qa dev-cluster "/proc/$other/cmdline"; }; then
        warn "another dev cluster (pid $other) is running on $data_dir; stop it first (Ctrl-C in its terminal, or kill $other)"
        exit 1
    fi
    printf '%s\n' "$$" >"$pid_file"

    local keys_file="$data_dir/keys.env"
    if [[ ! -f $keys_file ]]; then
        (
            umask 077
            {
                printf '# Keys of the dev cluster, generated on its first start.\n'
                printf 'MASTER_KEY=miroir-master-%s\n' "$(random_hex)"
                printf 'NODE_MASTER_KEY=miroir-node-%s\n' "$(random_hex)"
                printf 'ADMIN_API_KEY=miroir-admin-%s\n' "$(random_hex)"
            } >"$keys_file"
        )
    fi
    master_key=$(read_value "$keys_file" MASTER_KEY)
    node_key=$(read_value "$keys_file" NODE_MASTER_KEY)
    admin_key=$(read_value "$keys_file" ADMIN_API_KEY)
    [[ -n $master_key && -n $node_key && -n $admin_key ]] ||
        die "$keys_file lacks MASTER_KEY, NODE_MASTER_KEY or ADMIN_API_KEY; delete it to generate new keys"
}

# The Raft gRPC port of each peer is recorded in the cluster's membership, so it is chosen
# once, stored in ports.env, and reused by every later start. Sets $picked_port.
pick_peer_grpc_port() {
    local id=$1 ports_file="$data_dir/ports.env" port
    port=$(read_value "$ports_file" "PEER${id}_GRPC_PORT")
    if [[ -z $port ]]; then
        if ((base_port == 0)); then
            pick_free_port "the Raft gRPC port of peer $id"
            port=$picked_port
        else
            port=$((base_port + 100 + id - 1))
        fi
        [[ -f $ports_file ]] || printf '# Raft gRPC ports of the peers, recorded in the membership: reused on every start.\n' >"$ports_file"
        write_value "$ports_file" "PEER${id}_GRPC_PORT" "$port"
    fi
    picked_port=$port
}

# Dies before anything starts when a port this start needs is taken.
check_ports() {
    local index id port
    if ((base_port != 0)); then
        for index in "${NODE_INDEXES[@]}"; do
            require_free_port $((base_port + 10 + index)) "Meilisearch node $index"
        done
        for id in "${PEER_IDS[@]}"; do
            require_free_port $((base_port + id - 1)) "HTTP of peer $id"
            require_free_port $((base_port + 200 + id - 1)) "admin gRPC of peer $id"
            require_free_port $((base_port + 1390 + id - 1)) "metrics of peer $id"
        done
    fi
    for id in "${PEER_IDS[@]}"; do
        port=$(read_value "$data_dir/ports.env" "PEER${id}_GRPC_PORT")
        if [[ -n $port ]]; then
            require_free_port "$port" "Raft gRPC of peer $id, recorded in $data_dir/ports.env"
        elif ((base_port != 0)); then
            require_free_port $((base_port + 100 + id - 1)) "Raft gRPC of peer $id"
        fi
    done
}

# Fixed-mode ports (0 in ephemeral mode).
fixed_port() {
    local offset=$1
    if ((base_port == 0)); then printf '0'; else printf '%s' $((base_port + offset)); fi
}

# ---------------------------------------------------------------------------------------------
# Meilisearch nodes

node_urls=()

start_node() {
    local index=$1
    local name="node-$index" log="$data_dir/logs/node-$index.log" port
    port=$(fixed_port $((10 + index)))
    if [[ $node_kind == test ]]; then
        start_process "$name" "$log" env MEILI_MASTER_KEY="$node_key" \
            "$node_bin" --http-addr "127.0.0.1:$port"
        wait_for_log_line "$name" "$log" 'listening on http://'
        node_urls[index]=$(sed -E 's/.*listening on (http:\/\/[^ ]+).*/\1/' <<<"$matched_line")
    else
        if ((port == 0)); then
            pick_free_port "Meilisearch node $index"
            port=$picked_port
        fi
        require_free_port "$port" "Meilisearch node $index"
        local db="$data_dir/meili/node-$index"
        mkdir -p "$db"
        start_process "$name" "$log" env MEILI_MASTER_KEY="$node_key" \
            "$node_bin" --db-path "$db/data.ms" --dump-dir "$db/dumps" \
            --snapshot-dir "$db/snapshots" --http-addr "127.0.0.1:$port" \
            --env development --no-analytics
        node_urls[index]="http://127.0.0.1:$port"
    fi
}

wait_for_node() {
    local index=$1
    wait_until "node-$index" "$data_dir/logs/node-$index.log" "node-$index did not answer /health" \
        answers_200 "${node_urls[index]}/health"
}

# ---------------------------------------------------------------------------------------------
# Miroir peers

declare -A peer_http=() peer_grpc=() peer_admin=() peer_metrics=() peer_bootstrap=()

write_peer_config() {
    local id=$1 grpc_port=$2
    local config="$data_dir/config/peer-$id.yaml" bootstrap=manual index
    local http_port admin_port metrics_port
    http_port=$(fixed_port $((id - 1)))
    admin_port=$(fixed_port $((200 + id - 1)))
    metrics_port=$(fixed_port $((1390 + id - 1)))
    ((id != 1)) || bootstrap=auto
    # Peer 1 records its HTTP address in the membership of the cluster it creates: on that
    # first start it needs a known port even in ephemeral mode.
    if ((id == 1 && http_port == 0)) && [[ ! -d $data_dir/peers/peer-1 ]]; then
        pick_free_port "the HTTP port of peer 1"
        http_port=$picked_port
    fi
    {
        printf '# Written by scripts/dev-cluster.sh on every start: edits are overwritten.\n'
        printf '# Keys come from the environment (MIROIR_MASTER_KEY, ...); see keys.env.\n'
        printf 'shards: 16\nreplication_factor: 1\nreplica_groups: 1\nnodes:\n'
        for index in "${NODE_INDEXES[@]}"; do
            printf '  - {id: meili-%s, address: "%s", replica_group: 0}\n' "$index" "${node_urls[index]}"
        done
        printf 'server: {bind_address: 127.0.0.1, port: %s, admin_grpc_port: %s, metrics_port: %s}\n' \
            "$http_port" "$admin_port" "$metrics_port"
        printf 'health: {interval_ms: 1000, timeout_ms: 1000}\n'
        printf 'peer:\n  id: %s\n  name: miroir-%s\n  grpc_bind: "127.0.0.1:%s"\n' "$id" "$id" "$grpc_port"
        ((http_port == 0)) || printf '  http_advertise: "127.0.0.1:%s"\n' "$http_port"
        printf '  data_dir: "%s/peers/peer-%s"\n  bootstrap: %s\n' "$data_dir" "$id" "$bootstrap"
    } >"$config"
}

# The value of a string field of a one-line JSON object.
json_field() {
    local field=$1 json=$2
    sed -n -E "s/.*\"$field\":\"([^\"]*)\".*/\1/p" <<<"$json"
}

start_peer() {
    local id=$1
    local name="peer-$id" log="$data_dir/logs/peer-$id.log"
    pick_peer_grpc_port "$id"
    write_peer_config "$id" "$picked_port"
    start_process "$name" "$log" env \
        MIROIR_MASTER_KEY="$master_key" MIROIR_NODE_MASTER_KEY="$node_key" \
        MIROIR_ADMIN_API_KEY="$admin_key" RUST_LOG="${RUST_LOG:-info}" \
        "$miroir_bin" run --config "$data_dir/config/peer-$id.yaml"
}

wait_for_peer_serving() {
    local id=$1
    local name="peer-$id" log="$data_dir/logs/peer-$id.log"
    wait_for_log_line "$name" "$log" '"message":"peer serving"'
    peer_http[$id]=$(json_field http "$matched_line")
    peer_grpc[$id]=$(json_field grpc "$matched_line")
    peer_admin[$id]=$(json_field admin "$matched_line")
    peer_metrics[$id]=$(json_field metrics "$matched_line")
    peer_bootstrap[$id]=$(json_field bootstrap "$matched_line")
    case ${peer_bootstrap[$id]} in
    Initialized) say "peer $id (miroir-$id): initialized a new cluster (data in $data_dir/peers/peer-$id)" ;;
    Resumed) say "peer $id (miroir-$id): resumed from its data in $data_dir/peers/peer-$id" ;;
    AwaitingLeader) say "peer $id (miroir-$id): new, waiting to join the cluster" ;;
    *) die "peer $id printed an unknown bootstrap outcome '${peer_bootstrap[$id]}'" ;;
    esac
}

wait_for_ready() {
    local id=$1
    wait_until "peer-$id" "$data_dir/logs/peer-$id.log" "peer $id was not ready (GET /_miroir/ready)" \
        answers_200 "http://${peer_http[$id]}/_miroir/ready"
}

# The membership of peer ID ("voter", "learner", or empty) as peer 1 sees it.
membership_of() {
    local id=$1 peers
    peers=$(curl -sS -H "Authorization: Bearer $admin_key" "http://${peer_http[1]}/_miroir/peers") ||
        return 1
    [[ $peers == *'"peers":'* ]] || return 1
    tr '{' '\n' <<<"$peers" | sed -n -E "/\"id\":${id}[,}]/ s/.*\"membership\":\"([a-z]*)\".*/\\1/p"
}

ctl() {
    local log="$data_dir/logs/membership.log"
    printf '$ miroir-ctl %s\n' "$*" >>"$log"
    if ! MIROIR_ADMIN_API_KEY="$admin_key" "$ctl_bin" --endpoint "http://${peer_admin[1]}" \
        --timeout 60 "$@" >>"$log" 2>&1; then
        show_log_tail "$log"
        die "miroir-ctl $* failed; see $log"
    fi
}

# Makes peer ID a voter: added as a learner through peer 1, then promoted (what is already
# done is skipped, so an interrupted first start is completed by the next).
ensure_voter() {
    local id=$1 membership
    membership=$(membership_of "$id") || die "cannot read the membership from peer 1"
    if [[ -z $membership ]]; then
        ctl peers add "$id" --grpc-address "${peer_grpc[$id]}" \
            --http-address "${peer_http[$id]}" --name "miroir-$id"
        membership=learner
        say "peer $id (miroir-$id): added as a learner"
    fi
    if [[ $membership == learner ]]; then
        ctl peers promote "$id"
        say "peer $id (miroir-$id): promoted to voter"
    fi
}

# ---------------------------------------------------------------------------------------------
# The sample data, loaded through Miroir with the master key

api_status="" api_body="" task_status=""

# api METHOD PATH [CURL DATA ARGS...]: one request to peer 1; sets api_status and api_body.
api() {
    local method=$1 path=$2 body_file="$data_dir/.api-answer"
    shift 2
    api_status=$(curl -sS -o "$body_file" -w '%{http_code}' -X "$method" \
        -H "Authorization: Bearer $master_key" -H 'Content-Type: application/json' \
        "$@" "http://${peer_http[1]}$path") || die "$method $path: no answer from peer 1"
    api_body=$(cat "$body_file")
    rm -f "$body_file"
}

# Waits until the task of the last answer (202) finished; sets $task_status, and $api_body
# to the task.
wait_for_task() {
    local what=$1 uid status deadline
    [[ $api_status == 202 ]] || die "$what was refused (HTTP $api_status): $api_body"
    uid=$(sed -n -E 's/.*"taskUid":([0-9]+).*/\1/p' <<<"$api_body")
    [[ -n $uid ]] || die "$what: no taskUid in $api_body"
    deadline=$((SECONDS + START_WAIT))
    while :; do
        api GET "/tasks/$uid"
        status=$(json_field status "$api_body")
        case $status in
        succeeded | failed | canceled) task_status=$status; return 0 ;;
        esac
        ((SECONDS < deadline)) || die "$what: task $uid did not finish within ${START_WAIT}s: $api_body"
        sleep 0.2
    done
}

load_sample_data() {
    [[ -f $SAMPLE_DATA ]] || die "the sample data $SAMPLE_DATA is missing"
    api GET "/indexes/$INDEX_UID"
    if [[ $api_status != 200 ]]; then
        api POST /indexes --data "{\"uid\":\"$INDEX_UID\",\"primaryKey\":\"id\"}"
        wait_for_task "creating index $INDEX_UID"
        if [[ $task_status != succeeded && $api_body != *index_already_exists* ]]; then
            die "creating index $INDEX_UID: $api_body"
        fi
    fi
    api PATCH "/indexes/$INDEX_UID/settings" --data '{
        "searchableAttributes": ["title", "overview", "director", "genres"],
        "filterableAttributes": ["genres", "year", "rating", "director"],
        "sortableAttributes": ["year", "rating"]}'
    wait_for_task "updating the settings of $INDEX_UID"
    [[ $task_status == succeeded ]] || die "updating the settings of $INDEX_UID: $api_body"
    api POST "/indexes/$INDEX_UID/documents" --data-binary "@$SAMPLE_DATA"
    wait_for_task "adding the sample documents"
    [[ $task_status == succeeded ]] || die "adding the sample documents: $api_body"
    api GET "/indexes/$INDEX_UID/stats"
    local count
    count=$(sed -n -E 's/.*"numberOfDocuments":([0-9]+).*/\1/p' <<<"$api_body")
    say "sample data: ${count:-?} movies in index '$INDEX_UID' (from scripts/sample-data/movies.json)"
}

# ---------------------------------------------------------------------------------------------
# What the user sees

print_summary() {
    local endpoint="http://${peer_http[1]}" auth="-H 'Authorization: Bearer $master_key'"
    local json="-H 'Content-Type: application/json'"
    say ""
    say "================ Miroir dev cluster is running ================"
    say "$(describe_nodes)"
    say "endpoint:    $endpoint   (Meilisearch API; peers 2 and 3: http://${peer_http[2]}, http://${peer_http[3]})"
    say "admin gRPC:  http://${peer_admin[1]}   (miroir-ctl; peers 2 and 3: http://${peer_admin[2]}, http://${peer_admin[3]})"
    say "metrics:     http://${peer_metrics[1]}/metrics"
    say ""
    say "keys (stored in $data_dir/keys.env):"
    say "  master key:  $master_key"
    say "               the clients' key: search, documents, settings, tasks. Miroir authenticates"
    say "               clients with the master key only, so it is also the search key."
    say "  admin key:   $admin_key"
    say "               /_miroir/* routes and miroir-ctl (MIROIR_ADMIN_API_KEY)"
    say "  node key:    $node_key"
    say "               Miroir -> Meilisearch nodes only; clients never need it"
    say ""
    say "try it (three curl commands):"
    say "  curl -sS -X POST '$endpoint/indexes/$INDEX_UID/search' $auth $json --data '{\"q\":\"harbor\",\"limit\":3}'"
    say "  curl -sS -X POST '$endpoint/indexes/$INDEX_UID/search' $auth $json --data '{\"q\":\"\",\"filter\":\"genres = Drama AND year >= 2000\",\"facets\":[\"genres\",\"year\"],\"sort\":[\"rating:desc\"],\"limit\":3}'"
    say "  curl -sS '$endpoint/indexes/$INDEX_UID/documents/42' $auth"
    say ""
    say "cluster status:"
    say "  MIROIR_ADMIN_API_KEY=$admin_key $ctl_bin --endpoint http://${peer_admin[1]} status"
    say ""
    say "data: $data_dir (reused by the next start; delete it to start from scratch)"
    say "logs: $data_dir/logs/ (node-0.log node-1.log node-2.log peer-1.log peer-2.log peer-3.log membership.log)"
    local started="" i
    for i in "${!child_names[@]}"; do
        started+=" ${child_names[$i]}=${child_pids[$i]}"
    done
    say "pids:$started"
    say "Press Ctrl-C to stop the cluster."
}

# Runs until a signal arrives; a process that exits on its own stops the cluster (exit 1).
watch_processes() {
    local i pid
    while :; do
        for i in "${!child_pids[@]}"; do
            pid=${child_pids[$i]}
            if ! is_alive "$pid"; then
                died "${child_names[$i]}" "$pid" "$data_dir/logs/${child_names[$i]}.log" "on its own"
            fi
        done
        sleep 1 >/dev/null &
        sleeper=$!
        wait "$sleeper" || true
    done
}

main() {
    parse_options "$@"
    prepare_data_dir
    trap on_signal INT TERM
    trap on_exit EXIT
    resolve_binaries
    for name in MIROIR_BIN_DIR $(compgen -e | grep '^MIROIR_' || true); do
        unset "$name"
    done
    say "$(describe_nodes)"

    check_ports
    local index id
    for index in "${NODE_INDEXES[@]}"; do start_node "$index"; done
    for index in "${NODE_INDEXES[@]}"; do wait_for_node "$index"; done
    say "nodes: ${node_urls[*]}"

    start_peer 1
    wait_for_peer_serving 1
    for id in "${PEER_IDS[@]:1}"; do
        start_peer "$id"
        wait_for_peer_serving "$id"
    done
    wait_for_ready 1
    for id in "${PEER_IDS[@]:1}"; do ensure_voter "$id"; done
    for id in "${PEER_IDS[@]}"; do wait_for_ready "$id"; done
    say "peers: 3 voters ready"

    load_sample_data
    print_summary
    watch_processes
}

main "$@"
