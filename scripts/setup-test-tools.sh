#!/usr/bin/env bash
# What the tests start or drive besides .NET: Chromium and its driver (the upload page's tests), the Docker engine
# and an OCI registry (the image and pod tests start their own dockerd and docker-registry, so the host needs no
# running daemon), and sudo (the workflow tests run the steps as a user with sudo, as a hosted runner does).
# Installs only what is missing; idempotent and non-interactive; uses sudo when not run as root.
set -euo pipefail

missing=()
command -v chromium > /dev/null || missing+=(chromium)
command -v chromedriver > /dev/null || missing+=(chromium-driver)
command -v dockerd > /dev/null || [[ -x /usr/sbin/dockerd ]] || missing+=(docker.io)
command -v docker-registry > /dev/null || missing+=(docker-registry)
command -v sudo > /dev/null || missing+=(sudo)

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup-test-tools: chromium, chromedriver, dockerd, docker-registry and sudo are installed; nothing to do"
  exit 0
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo > /dev/null || { echo "setup-test-tools: ${missing[*]} missing and installing needs root, and sudo is not installed: run this script as root" >&2; exit 1; }
  as_root=(sudo)
fi

echo "setup-test-tools: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
