#!/usr/bin/env bash
# Makes TorchSharp's native shim loadable: libLibTorchSharp.so (TorchSharp 0.107) needs
# GLIBCXX_3.4.32, i.e. libstdc++ of GCC 13+. Debian 12 ships only GLIBCXX_3.4.30, so on such a
# machine this takes libstdc++6 (and the libc6 it needs) from Debian 13 "trixie", pinned low so
# that nothing else is upgraded from trixie. Idempotent, non-interactive, must run as root.
set -euo pipefail

readonly LIBSTDCXX=/lib/x86_64-linux-gnu/libstdc++.so.6
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

if has_needed_glibcxx; then
  echo "setup-native: $LIBSTDCXX already provides $NEEDED; nothing to do"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "setup-native: $LIBSTDCXX lacks $NEEDED and fixing it needs root (run: sudo $0)" >&2
  exit 1
fi

echo "setup-native: $NEEDED missing; installing libstdc++6 from Debian trixie (pinned low)"
printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
  > /etc/apt/sources.list.d/trixie.sources
printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' \
  > /etc/apt/preferences.d/trixie-low
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y -t trixie libstdc++6

if ! has_needed_glibcxx; then
  echo "setup-native: $LIBSTDCXX still lacks $NEEDED after the install" >&2
  exit 1
fi
echo "setup-native: done; $LIBSTDCXX now provides $NEEDED"
