#!/usr/bin/env bash
# Cake bootstrapper: restores the tools (.config/dotnet-tools.json), then hands every argument to Cake,
# e.g. ./build.sh --target=Repro or ./build.sh --target=Status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet tool restore > /dev/null
exec dotnet cake "$@"
