#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/) for FUZZ_SECONDS each (default 60), starting from the
# committed seeds in fuzz/seeds/<target>/. New inputs go to a throwaway corpus, so the run
# leaves the tree clean. A crash fails the run and leaves its input in fuzz/artifacts/<target>/:
# keep it as fuzz/regressions/<target>/<name> with the fix (`cargo test --lib` replays it).
# Needs a nightly toolchain; installs the pinned cargo-fuzz when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
cargo_fuzz_version="0.13.2"
targets=(${FUZZ_TARGETS:-config_file decode_response scan_document})

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: a nightly toolchain is needed (rustup toolchain install nightly)" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version 2>/dev/null | grep -qF "$cargo_fuzz_version"; then
  cargo +nightly install cargo-fuzz --version "$cargo_fuzz_version" --locked
fi

# fuzz/ is its own workspace with its own target dir: its sanitizer builds never mix with
# the addon's (even when CARGO_TARGET_DIR points elsewhere for those).
export CARGO_TARGET_DIR="$PWD/fuzz/target"
cargo +nightly fuzz build

corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
for target in "${targets[@]}"; do
  mkdir -p "$corpus/$target"
  echo "fuzz: $target for ${seconds} s"
  set +e
  cargo +nightly fuzz run "$target" "$corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==|SUMMARY|Test unit written|thread .* panicked)'
  status="${PIPESTATUS[0]}"
  set -e
  # grep only hides libFuzzer's progress lines; cargo fuzz's status decides.
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $target failed (exit $status); a crash input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, no crash"
