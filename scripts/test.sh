#!/usr/bin/env bash
# The project's test command: formatting; every test of every crate and one run of each
# criterion benchmark, built for x86_64-unknown-linux-musl with zig (cargo-zigbuild), so the
# tests run static binaries like the ones the Dockerfile ships (it builds them with
# `--profile release`); lints with warnings as errors; and a static build of `miroir` and
# `miroir-ctl` checked to need no shared library. Tools:
# `scripts/build-static.sh --install-tools --tools-only`.
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo-zigbuild comes from PyPI (scripts/build-static.sh --install-tools).
PATH="$PATH:$(python3 -m site --user-base)/bin"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo test (x86_64-unknown-linux-musl, static)"
# Zig turns on clang's undefined-behaviour sanitizer for unoptimised C/C++ (RocksDB): not
# wanted in a test build, and it doubles the compile time. scripts/build-static.sh sets the same
# flags, so clippy and the static build below reuse this RocksDB build.
export CFLAGS_x86_64_unknown_linux_musl="-fno-sanitize=undefined"
export CXXFLAGS_x86_64_unknown_linux_musl="-fno-sanitize=undefined"
cargo-zigbuild test --workspace --locked --target x86_64-unknown-linux-musl
echo "== criterion benches, each run once (test mode) so they cannot rot"
cargo-zigbuild test -p miroir-benches --benches --locked --target x86_64-unknown-linux-musl
echo "== cargo clippy -D warnings"
cargo-zigbuild clippy --workspace --all-targets --locked --target x86_64-unknown-linux-musl \
  -- -D warnings
echo "== static binaries (scripts/build-static.sh --profile dev)"
scripts/build-static.sh --profile dev --out "${CARGO_TARGET_DIR:-target}/static-dev"
