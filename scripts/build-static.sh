#!/usr/bin/env bash
# Builds statically linked `miroir` and `miroir-ctl` for x86_64-unknown-linux-musl, checks that
# they are static, and copies them to an output directory. The Dockerfile runs this script, and
# CI runs it too, so the image's build is the one CI checks.
#
# Usage: scripts/build-static.sh [--out DIR] [--profile NAME] [--install-tools] [--tools-only]
#   --out DIR          where to put the binaries (default: target/static)
#   --profile NAME     cargo profile: release (default, what the image ships), dev (CI)
#   --install-tools    install what the build needs first (the rustup target; ziglang and
#                      cargo-zigbuild from PyPI); without it, a missing tool is an error
#   --tools-only       stop after installing/checking the tools (CI's setup step)
#
# Why zig: RocksDB is C++, and Debian's musl-tools ships a C compiler only. Zig's bundled clang,
# libc++ and musl (PyPI package `ziglang`, driven by `cargo-zigbuild`) build it for musl.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly TARGET=x86_64-unknown-linux-musl
readonly ZIGLANG_VERSION=0.17.1
readonly ZIGBUILD_VERSION=0.24.0

out=target/static
profile=release
install_tools=false
tools_only=false
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --profile) profile="${2:?--profile needs a name}"; shift 2 ;;
    --install-tools) install_tools=true; shift ;;
    --tools-only) tools_only=true; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "build-static: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

fail() {
  echo "build-static: $*" >&2
  exit 1
}

# pip puts cargo-zigbuild (a binary wheel) in the user scheme's bin directory.
PATH="$PATH:$(python3 -m site --user-base)/bin"
export PATH

if $install_tools; then
  rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"
  if ! python3 -c "import ziglang" 2>/dev/null || ! command -v cargo-zigbuild >/dev/null 2>&1; then
    tools=("ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$ZIGBUILD_VERSION")
    python3 -m pip install --user --disable-pip-version-check --quiet "${tools[@]}" ||
      python3 -m pip install --user --break-system-packages --disable-pip-version-check --quiet \
        "${tools[@]}"
  fi
fi

rustup target list --installed | grep -qx "$TARGET" ||
  fail "the Rust target $TARGET is missing: rustup target add $TARGET (or pass --install-tools)"
python3 -c "import ziglang" 2>/dev/null ||
  fail "zig is missing: python3 -m pip install ziglang==$ZIGLANG_VERSION (or pass --install-tools)"
command -v cargo-zigbuild >/dev/null 2>&1 ||
  fail "cargo-zigbuild is missing: python3 -m pip install --user cargo-zigbuild==$ZIGBUILD_VERSION (or pass --install-tools)"
if $tools_only; then
  echo "build-static: tools ready ($TARGET, zig $(python3 -m ziglang version), $(cargo-zigbuild --version))"
  exit 0
fi

if [ "$profile" != release ]; then
  # Zig turns on clang's undefined-behaviour sanitizer for unoptimised C/C++; not wanted, and
  # it doubles RocksDB's compile time (scripts/test.sh sets the same flags).
  export CFLAGS_x86_64_unknown_linux_musl="-fno-sanitize=undefined"
  export CXXFLAGS_x86_64_unknown_linux_musl="-fno-sanitize=undefined"
fi
echo "build-static: cargo zigbuild --profile $profile --target $TARGET -p miroir -p miroir-ctl"
cargo zigbuild --locked --profile "$profile" --target "$TARGET" -p miroir -p miroir-ctl

case "$profile" in
  dev) profile_dir=debug ;;
  *) profile_dir="$profile" ;;
esac
built="${CARGO_TARGET_DIR:-target}/$TARGET/$profile_dir"
mkdir -p "$out"
for binary in miroir miroir-ctl; do
  [ -f "$built/$binary" ] || fail "cargo reported success but $built/$binary is missing"
  # A static executable has no program interpreter and needs no shared library.
  if readelf --program-headers "$built/$binary" | grep -q INTERP ||
    readelf --dynamic "$built/$binary" | grep -q NEEDED; then
    readelf --dynamic "$built/$binary" | grep NEEDED >&2 || true
    fail "$binary is not statically linked"
  fi
  cp "$built/$binary" "$out/$binary"
  # Symbols are not shipped; panics still name the failing location (file and line).
  strip --strip-all "$out/$binary"
done
# The binaries must run on this machine as they will in an empty image.
"$out/miroir" --version >/dev/null || fail "$out/miroir does not run"
"$out/miroir-ctl" --version >/dev/null || fail "$out/miroir-ctl does not run"

echo "build-static: static binaries in $out:"
(cd "$out" && ls -l miroir miroir-ctl && sha256sum miroir miroir-ctl)
