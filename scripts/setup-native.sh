#!/usr/bin/env bash
# Makes TorchSharp's native shim loadable: libLibTorchSharp.so (TorchSharp 0.107) needs GLIBCXX_3.4.32, i.e.
# libstdc++ of GCC 13+. Debian 13, Ubuntu 24.04 and later have it: nothing to do. Debian 12 ships only
# GLIBCXX_3.4.30, so there this takes libstdc++6 (and the libc6 it needs) from Debian 13 "trixie", pinned low so
# that nothing else is upgraded from trixie. Elsewhere it says what to do. Idempotent and non-interactive; it needs
# root only to install, and then uses sudo when not run as root.
set -euo pipefail

readonly LIBSTDCXX="${SETUP_NATIVE_LIBSTDCXX:-/lib/x86_64-linux-gnu/libstdc++.so.6}"
readonly OS_RELEASE="${SETUP_NATIVE_OS_RELEASE:-/etc/os-release}"
readonly NEEDED=GLIBCXX_3.4.32

has_needed_glibcxx() {
  [[ -e "$LIBSTDCXX" ]] || return 1
  # No `grep -q` after a pipe: it exits at the first match, `strings` then dies of SIGPIPE,
  # and pipefail would report the match as a failure.
  if command -v strings >/dev/null 2>&1; then
    strings "$LIBSTDCXX" | grep "$NEEDED" >/dev/null
  else
    grep -a "$NEEDED" "$LIBSTDCXX" >/dev/null
  fi
}

# Runs a command as root: directly when root, else through sudo.
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "setup-native: installing libstdc++ needs root, and sudo is not installed: run this script as root" >&2
    exit 1
  fi
}

# The plots page's scripts (npm packages the build embeds) are part of the set-up too, but nothing else needs them:
# a failure there is said and the set-up goes on. (No dirname or bash from PATH: the script runs on bare systems.)
case "${BASH_SOURCE[0]}" in */*) here="${BASH_SOURCE[0]%/*}" ;; *) here=. ;; esac
"$BASH" "$here/setup-plots.sh" || echo "setup-native: the plots page's scripts are not installed (see above); everything but the Plots targets works" >&2

if has_needed_glibcxx; then
  echo "setup-native: $LIBSTDCXX already provides $NEEDED; nothing to do"
  exit 0
fi

# shellcheck disable=SC1090
os_id="$(. "$OS_RELEASE" 2>/dev/null && echo "${ID:-unknown} ${VERSION_ID:-}")" || os_id="unknown"
case "$os_id" in
  "debian 12")
    echo "setup-native: $NEEDED missing; installing libstdc++6 from Debian trixie (pinned low)"
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      | as_root tee /etc/apt/sources.list.d/trixie.sources > /dev/null
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' | as_root tee /etc/apt/preferences.d/trixie-low > /dev/null
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -t trixie libstdc++6
    ;;
  "ubuntu 22.04")
    echo "setup-native: Ubuntu 22.04's libstdc++ lacks $NEEDED (it needs GCC 13's); install it from the toolchain PPA:" >&2
    echo "  sudo add-apt-repository -y ppa:ubuntu-toolchain-r/test && sudo apt-get install -y libstdc++6" >&2
    echo "or use Ubuntu 24.04 or Debian 13, which have it" >&2
    exit 1
    ;;
  *)
    echo "setup-native: $LIBSTDCXX lacks $NEEDED and this script knows no fix for '$os_id': install libstdc++ of GCC 13 or later (Debian 13 and Ubuntu 24.04 have it)" >&2
    exit 1
    ;;
esac

if ! has_needed_glibcxx; then
  echo "setup-native: $LIBSTDCXX still lacks $NEEDED after the install" >&2
  exit 1
fi
echo "setup-native: done; $LIBSTDCXX now provides $NEEDED"
