#!/usr/bin/env bash
# Cake bootstrapper: restores the Cake tool and builds the pipeline's definition (build/), then hands every argument
# to Cake, e.g. ./build.sh --target=Repro or ./build.sh --target=Status. The programs the stages run are built by the
# pipeline itself, before a stage runs, whenever their sources changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet tool restore > /dev/null
dotnet build build/Planets.Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
exec dotnet cake "$@"
