#!/usr/bin/env bash
# The OS keyring (src/auth/keyring/) against a real Secret Service: a private session bus
# (dbus-run-session) with gnome-keyring unlocked in a temporary HOME, so nothing touches the
# user's own keyring. Runs the gated Rust tests (CALIBRE_TEST_SECRET_SERVICE) there: round trips,
# secret-tool cross-checks both ways, a bus that never answers and no bus at all (bounded, clear
# errors); then, each in a bus of its own, a bus without a Secret Service, a gnome-keyring with no
# keyring yet, and a locked collection; then the Node suites that use the keyring, the
# env-threads stress in a bus of its own.
#
# To add a test: append a `step NAME COMMAND...` line to the list at the end. Steps run inside
# the session with DBUS_SESSION_BUS_ADDRESS, HOME and XDG_RUNTIME_DIR pointing at it and the
# default collection unlocked.
#
# Installs its Debian packages the first time (root). Builds under the build lock
# (CALIBRE_BUILD_LOCK, default /tmp/calibre-build.lock).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${CALIBRE_KEYRING_SESSION:-}" ]; then
  . scripts/debian-packages.sh
  require_debian_packages dbus gnome-keyring libsecret-tools
  lock="${CALIBRE_BUILD_LOCK:-/tmp/calibre-build.lock}"
  echo "Building the Rust tests"
  rust_tests="$(flock "$lock" cargo test --locked --lib --no-run --message-format=json |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"
  [ -x "$rust_tests" ] || { echo "test-keyring: no Rust test binary" >&2; exit 1; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -m 700 "$tmp/home" "$tmp/run"
  status=0
  env HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" CALIBRE_KEYRING_SESSION=1 \
    CALIBRE_KEYRING_TMP="$tmp" CALIBRE_RUST_TESTS="$rust_tests" \
    dbus-run-session -- bash "$0" "$@" || status=$?
  exit "$status"
fi

# Inside the session bus.
tmp="$CALIBRE_KEYRING_TMP"
echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null

passed=0
failed=0
step() {
  local name="$1"
  shift
  echo "--- $name"
  local started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "--- ok: $name ($((SECONDS - started)) s)"
  else
    failed=$((failed + 1))
    echo "--- FAILED: $name"
  fi
}

# The Rust tests of the keyring module matching $1, with the variables that follow.
rust() {
  local filter="$1"
  shift
  env "$@" "$CALIBRE_RUST_TESTS" --nocapture "auth::keyring::$filter"
}

# A command in a bus of its own: HOME and XDG_RUNTIME_DIR of its own too (gnome-keyring finds a
# running daemon through them), and `config` for dbus-daemon when given.
private_bus() {
  local name="$1" config="$2"
  shift 2
  local dir="$tmp/$name"
  mkdir -m 700 -p "$dir/home" "$dir/run"
  env HOME="$dir/home" XDG_RUNTIME_DIR="$dir/run" \
    dbus-run-session ${config:+--config-file="$config"} -- "$@"
}

# A bus with nothing to activate: no Secret Service answers on it.
cat >"$tmp/bare-bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=$tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

# An unlocked gnome-keyring of the bus's own.
unlocked_keyring() {
  echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$@"
}
export -f unlocked_keyring

# An unlocked gnome-keyring holding the `locked` account's item, then its collection locked
# (Service.Lock needs no prompt; unlocking would).
locked_keyring() {
  echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  printf 'locked-token' | secret-tool store --label=locked service calibre-native username locked
  dbus-send --session --print-reply=literal --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/aliases/default >/dev/null
  "$@"
}
export -f locked_keyring

step "Rust: keyring round trips, secret-tool both ways, hanging bus, no bus" \
  rust "" CALIBRE_TEST_SECRET_SERVICE=1
step "Rust: a bus without a Secret Service" \
  private_bus bare "$tmp/bare-bus.conf" \
  env CALIBRE_TEST_SECRET_SERVICE=none "$CALIBRE_RUST_TESTS" --nocapture \
  auth::keyring::tests::linux::real::no_secret_service_says_so
step "Rust: a Secret Service with no keyring yet" \
  private_bus empty "" env CALIBRE_TEST_SECRET_SERVICE=empty "$CALIBRE_RUST_TESTS" --nocapture \
  auth::keyring::tests::linux::real::no_default_collection_reads_nothing_and_cannot_store
step "Rust: a locked collection" \
  private_bus locked "" bash -c 'locked_keyring "$@"' locked_keyring \
  env CALIBRE_TEST_SECRET_SERVICE=locked "$CALIBRE_RUST_TESTS" --nocapture \
  auth::keyring::tests::linux::real::a_locked_collection_fails_without_a_prompt

# The package itself (the addon `npm ci` or `npm run build` made): the chain's keyring source
# end to end (set, resolve, call, refresh back into the keyring, list, remove, secret-tool both
# ways) and the "never contacted when an earlier source has a token" check, against this
# session's Secret Service.
step "Node: keyring round trip, token sources" \
  env CALIBRE_TEST_SECRET_SERVICE=1 node --test __test__/keyring.spec.mjs __test__/token-sources.spec.mjs

# The env-threads stress over keyring-backed calls, in a bus of its own. gnome-keyring 42
# registers a new caller asynchronously and, in a burst of short connections, sometimes handles
# its first call before that: an OpenSession then crashed it (GLib-ERROR after
# "gkd_secret_service_get_pkcs11_session: assertion 'client' failed"; 3 of 9 runs), and the
# daemon D-Bus starts in its place finds the keyring locked. The client now opens its session
# only after a search, where the race gives an error reply instead (0 crashes in 8 runs); the
# stress checks that calibre-native never crashes, whatever the keyring answers, and a keyring
# that still fell over here must not fail the steps above.
step "Node: env-threads stress over keyring-backed calls (a bus of its own)" \
  private_bus stress "" bash -c 'unlocked_keyring "$@"' unlocked_keyring \
  env CALIBRE_TEST_SECRET_SERVICE=1 node --test __test__/env-threads.spec.mjs

echo "keyring: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
