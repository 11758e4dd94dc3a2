# Sourced by the scripts that need Debian packages (cross builds, Wine, qemu): installs the ones
# that are not installed yet, the first time, as root. Packages named `NAME:arm64` add the arm64
# architecture to dpkg first.
#
# require_debian_packages [--with-recommends] PACKAGE...
require_debian_packages() {
  local recommends=--no-install-recommends
  if [ "${1:-}" = --with-recommends ]; then
    recommends=
    shift
  fi
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "$(basename "$0"): missing Debian packages: ${missing[*]}; run this script as root once" >&2
    exit 1
  fi
  echo "Installing ${missing[*]}"
  case " ${missing[*]}" in
    *:arm64*) dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64 ;;
  esac
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $recommends "${missing[@]}" >/dev/null
}
