#!/usr/bin/env bash
# Cake bootstrapper: restores the Cake tool, builds the pipeline (build/), the ML program it runs and the prediction
# service, then hands every argument to Cake, e.g. ./build.sh --target=Repro or ./build.sh --target=Status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet tool restore > /dev/null
dotnet build build/Planets.Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build src/Planets.Ml/Planets.Ml.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build src/Planets.Serving/Planets.Serving.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
exec dotnet cake "$@"
