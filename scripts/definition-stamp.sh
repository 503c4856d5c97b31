#!/usr/bin/env bash
# Prints the stamp of a built pipeline definition, as Pipeline.Cake's PipelineDefinition reads it: the assembly's
# SHA-256 ("HASH  -"), then each source file's ("HASH  PATH", sorted by path; in a folder, bin/, obj/ and node_modules/
# are left out: a file named as a source is always in, such as npm's record of what it installed).
# Usage, from the repository root: scripts/definition-stamp.sh ASSEMBLY|- SOURCE...   (- leaves the assembly's line out)
set -euo pipefail
assembly=$1
shift
folders=()
files=()
for source in "$@"; do
    if [[ -d $source ]]; then folders+=("$source"); elif [[ -e $source ]]; then files+=("$source"); fi
done
if [[ $assembly != - ]]; then sha256sum < "$assembly"; fi
{
    if (( ${#folders[@]} > 0 )); then
        find "${folders[@]}" -type f -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/node_modules/*'
    fi
    if (( ${#files[@]} > 0 )); then printf '%s\n' "${files[@]}"; fi
} | LC_ALL=C sort | xargs -r -d '\n' sha256sum
