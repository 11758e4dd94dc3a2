#!/usr/bin/env bash
# The x86_64 Windows addon, cross-built on this Debian x86_64 machine without rustup's Windows std:
# Debian's rustc-web/cargo-web with the std sources of rust-web-src (`-Z build-std`, allowed by
# RUSTC_BOOTSTRAP=1), linked by MinGW-w64's gcc for x86_64-pc-windows-gnu. The release workflow
# builds x86_64-pc-windows-msvc on Windows runners; this gnu build runs the same code under Wine
# (scripts/test-windows.sh). Writes calibre-native.win32-x64-gnu.node into $WINDOWS_CACHE
# (default .cache/windows), never into the package.
#
# WINDOWS_PROFILE=release builds with the shipped profile (LTO, one codegen unit: ~5 minutes
# clean); the default `test` is that profile without LTO and with 16 codegen units (faster to
# build, the same code). Installs its Debian packages the first time (root). Builds under the
# build lock (CALIBRE_BUILD_LOCK, default /tmp/calibre-build.lock) into $CARGO_TARGET_DIR
# (default target/).
set -euo pipefail
cd "$(dirname "$0")/.."

triple=x86_64-pc-windows-gnu
cache="${WINDOWS_CACHE:-$PWD/.cache/windows}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
lock="${CALIBRE_BUILD_LOCK:-/tmp/calibre-build.lock}"
profile="${WINDOWS_PROFILE:-test}"
out="$cache/calibre-native.win32-x64-gnu.node"

. scripts/debian-packages.sh
require_debian_packages rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
# Debian's toolchain by path: rustup's rustc and cargo stay first on PATH for everything else.
rustc=/usr/bin/rustc
cargo=/usr/bin/cargo
if [ ! -d "$("$rustc" --print sysroot)/lib/rustlib/src/rust/library/std" ]; then
  echo "build-windows-gnu: $rustc has no std sources (rust-web-src)" >&2
  exit 1
fi

# napi-build links the gnu addon against libnode.dll. napi loads every N-API function from the
# host process at run time (its dyn-symbols), so an empty import library is all it needs.
libnode="$cache/libnode"
if [ ! -f "$libnode/libnode.a" ]; then
  mkdir -p "$libnode"
  : >"$libnode/libnode.dll"
  x86_64-w64-mingw32-ar rcs "$libnode/libnode.a"
fi

case "$profile" in
  release) profile_env=() ;;
  test) profile_env=(CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16) ;;
  *) echo "build-windows-gnu: WINDOWS_PROFILE is release or test, not $profile" >&2; exit 1 ;;
esac

echo "Building $out ($profile) with $("$rustc" --version) and $(x86_64-w64-mingw32-gcc --version | head -1)"
flock -n "$lock" true || echo "Waiting for $lock (another build holds it)"
flock "$lock" env CARGO_TARGET_DIR="$target_dir" RUSTC="$rustc" RUSTC_BOOTSTRAP=1 \
  LIBNODE_PATH="$libnode" "${profile_env[@]}" \
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
  CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar \
  "$cargo" build --release --locked --lib --target "$triple" -Z build-std=std,panic_abort

mkdir -p "$cache"
cp "$target_dir/$triple/release/calibre_native.dll" "$out.partial"
mv "$out.partial" "$out"
file "$out"
echo "$out: $(stat -c %s "$out") bytes"
