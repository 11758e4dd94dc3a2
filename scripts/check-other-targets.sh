#!/usr/bin/env bash
# Type-checks and lints the crate (`cargo clippy --lib -- -D warnings`) for the systems this
# machine cannot build for: macOS (x64, arm64) and Windows with MSVC, so their
# `cfg(target_os/vendor/env = …)` code at least compiles, warning-free, before the release
# workflow builds it on their own runners. Debian's
# rustc-web/cargo-web build each target's std from rust-web-src (`-Z build-std`, allowed by
# RUSTC_BOOTSTRAP=1). Nothing is linked, so no SDK is needed, except by ring's build script,
# which compiles C against the target's headers (the macOS SDK, MSVC's): it only produces the
# objects for the link, so it is not run (a `links` override in place of its output).
#
# Installs its Debian packages the first time (root). Builds under the build lock
# (CALIBRE_BUILD_LOCK, default /tmp/calibre-build.lock) into $CARGO_TARGET_DIR (default target/).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(${CHECK_TARGETS:-aarch64-apple-darwin x86_64-apple-darwin x86_64-pc-windows-msvc})
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
lock="${CALIBRE_BUILD_LOCK:-/tmp/calibre-build.lock}"

. scripts/debian-packages.sh
require_debian_packages rustc-web cargo-web rust-web-src rust-web-clippy

# ring's `links` name, from the lock file: its build script's output is replaced by nothing.
ring_version="$(awk '/^name = "ring"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)"
ring_links="ring_core_${ring_version//./_}_"

# Debian's cargo-clippy, with Debian's cargo (CARGO) and rustc: rustup's come first on PATH.
for target in "${targets[@]}"; do
  echo "cargo clippy --lib --target $target"
  flock "$lock" env CARGO_TARGET_DIR="$target_dir" CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
    /usr/bin/cargo-clippy clippy --locked --lib --target "$target" -Z build-std=std,panic_abort \
    --config "target.$target.$ring_links.rustc-link-lib=[]" --message-format short -- -D warnings
done
