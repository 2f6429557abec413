#!/usr/bin/env bash
# The project's test command: formatting, lints (warnings are errors), every test of every
# crate, and a build of the benchmarks so they cannot rot.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo bench --no-run (criterion benches)"
cargo bench -p miroir-benches --locked --no-run
echo "== cargo test"
cargo test --workspace --locked
