#!/usr/bin/env bash
# Cake bootstrapper: restores the Cake tool and builds the pipeline's definition (build/), then hands every argument
# to Cake, e.g. ./build.sh --target=Repro or ./build.sh --target=Status. The programs the stages run are built by the
# pipeline itself, before a stage runs, whenever their sources changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet tool restore > /dev/null

# The definition is rebuilt unless the stamp beside it says this script built it from sources of the same content:
# an up-to-date `dotnet build` still costs seconds, and an experiment's fresh work tree (new file times, same content)
# would compile everything again into the shared build output. build/PlanetsPipeline.cs lists the same sources
# (DefinitionSources) for the check that reads the stamp; a stamp that does not match means a build.
definition=artifacts/bin/Planets.Build/release/Planets.Build.dll
sources=(build src/Pipeline.Storage src/Pipeline.Core src/Pipeline.Annotations src/Pipeline.Reports src/Pipeline.GitHub src/Pipeline.Remotes
    src/Pipeline.Remotes.S3 src/Pipeline.Cake src/Pipeline.Containers src/Pipeline.Kubernetes src/Pipeline.Models src/Pipeline.Monitoring Directory.Build.props Directory.Packages.props
    src/Pipeline.Reports/Vega/node_modules/.package-lock.json)
if ! command -v sha256sum > /dev/null; then
    dotnet build build/Planets.Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
elif [[ ! -f $definition || ! -f $definition.sources || "$(scripts/definition-stamp.sh "$definition" "${sources[@]}")" != "$(< "$definition.sources")" ]]; then
    # Hashed before the build: a source edited meanwhile makes the stamp disagree next time, never agree wrongly.
    sources_before=$(scripts/definition-stamp.sh - "${sources[@]}")
    dotnet build build/Planets.Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
    { sha256sum < "$definition"; printf '%s\n' "$sources_before"; } > "$definition.sources.tmp"
    mv -f "$definition.sources.tmp" "$definition.sources"
fi
exec dotnet cake "$@"
