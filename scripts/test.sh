#!/usr/bin/env bash
# The tests, on a fresh machine, as root or as a user with sudo: installs what they need, builds, then runs every test
# project (extra arguments go to dotnet test, e.g. --filter). The image and pod tests start their own Docker engine,
# which only root can do: for a user, the whole run goes through sudo, and the files it writes in the repository
# are given back to the user afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo > /dev/null || { echo "test: the tests start a Docker engine, which needs root, and sudo is not installed: run this script as root" >&2; exit 1; }
  owner="$(id -u):$(id -g)"
  status=0
  # -H: root's own home, so NuGet's and npm's caches in yours never get files you cannot replace. Your PATH (where
  # dotnet is) with root's sbin folders, where dockerd is.
  sudo -H env "PATH=/usr/local/sbin:/usr/sbin:/sbin:$PATH" bash "$0" "$@" || status=$?
  sudo chown -R "$owner" .
  exit "$status"
fi

bash scripts/setup-native.sh
bash scripts/setup-test-tools.sh
dotnet tool restore
dotnet build Pipeline.sln -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet test Pipeline.sln -c Release --no-build --nologo "$@"
