# Sourced by the ML benchmark scripts: checks what they need, makes their output folder (a temporary one, removed at
# exit, unless --out named one) and builds the ML program into ${ml[@]}. Expects $name (the script's name for its
# messages), $root, $dataset and $out.

command -v unzip > /dev/null || { echo "$name: needs unzip (apt-get install unzip) to hash the weights in the model archive" >&2; exit 2; }
[[ -d "$dataset" ]] || { echo "$name: dataset folder '$dataset' does not exist (pass --dataset PATH)" >&2; exit 2; }
if [[ -z "$out" ]]; then
  out="$(mktemp -d -t "$name.XXXXXX")"
  trap 'rm -rf "$out"' EXIT
fi

dotnet build "$root/src/Planets.Ml" -c Release -v q -nologo > "$out/build.log" || { cat "$out/build.log" >&2; exit 1; }
# shellcheck disable=SC2034  # used by the sourcing script
ml=(dotnet "$root/artifacts/bin/Planets.Ml/release/Planets.Ml.dll")
