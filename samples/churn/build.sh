#!/usr/bin/env bash
# Cake bootstrapper: restores the tools, then hands every argument to Cake (./build.sh --target=Repro).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet tool restore > /dev/null
exec dotnet cake "$@"
