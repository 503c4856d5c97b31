#!/usr/bin/env bash
# Prints the stamp of a built pipeline definition, as Pipeline.Cake's PipelineDefinition reads it: the assembly's
# SHA-256 ("HASH  -"), then each source file's ("HASH  PATH", sorted by path, bin/ and obj/ left out).
# Usage, from the repository root: scripts/definition-stamp.sh ASSEMBLY|- SOURCE...   (- leaves the assembly's line out)
set -euo pipefail
assembly=$1
shift
existing=()
for source in "$@"; do
    if [[ -e $source ]]; then existing+=("$source"); fi
done
if [[ $assembly != - ]]; then sha256sum < "$assembly"; fi
if (( ${#existing[@]} > 0 )); then
    find "${existing[@]}" -type f -not -path '*/bin/*' -not -path '*/obj/*' | LC_ALL=C sort | xargs -r -d '\n' sha256sum
fi
