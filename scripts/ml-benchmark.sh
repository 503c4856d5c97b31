#!/usr/bin/env bash
# The classifier's quality bar on a real dataset, beside the reference's own figures: prepare, then train and
# evaluate at 5 and 10 epochs with the default params.yaml (epochs changed in a temporary copy, never in place).
# Optionally the same over other training seeds, to see the spread that a single seed hides.
#
#   scripts/ml-benchmark.sh [--dataset PATH] [--seeds "1 2 3"] [--out DIR]
#
# Prints val_acc and val_loss per epoch count with the reference's, seconds per epoch (median), and the SHA-256 of
# the weights (run it twice: the hashes must agree). Needs libstdc++ from GCC 13+ (scripts/setup-native.sh).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dataset="$root/../shared/datasets/planets-moons/raw"
seeds=""
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dataset) dataset="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "ml-benchmark: unknown option '$1' (expected --dataset PATH, --seeds \"N ...\", --out DIR)" >&2; exit 2 ;;
  esac
done

name=ml-benchmark
# shellcheck source=scripts/ml-common.sh
source "$root/scripts/ml-common.sh"

# The value of one key in a flat metrics.json.
metric() { tr -d ' \n' < "$1" | grep -o "\"$2\":[0-9.eE+-]*" | cut -d: -f2; }

# A params file with the given epochs and training seed, from the repository's params.yaml.
params() {
  sed "s/^  epochs: 5$/  epochs: $1/; /^train:/,\$ s/^  seed: 77$/  seed: $2/" "$root/params.yaml" > "$out/params-$1-$2.yaml"
  echo "$out/params-$1-$2.yaml"
}

# Trains and evaluates; prints: epochs seed val_acc val_loss median-s/epoch weights-sha256
run() {
  local epochs="$1" seed="$2" model="$out/model-$1-$2"
  "${ml[@]}" train "$out/prepared" "$model" --params "$(params "$epochs" "$seed")" --store "$out/store" > "$out/train-$epochs-$seed.log"
  "${ml[@]}" evaluate "$model" "$out/prepared" --out "$out/evaluation-$epochs-$seed" --store "$out/store" > /dev/null
  local seconds weights
  seconds="$(grep -o '([0-9.]*s' "$out/train-$epochs-$seed.log" | tr -d '(s' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
  weights="$(unzip -p "$model/planets-classifier.zip" '*model.pt' | sha256sum | cut -c1-16)"
  echo "$epochs $seed $(metric "$out/evaluation-$epochs-$seed/metrics.json" val_acc) $(metric "$out/evaluation-$epochs-$seed/metrics.json" val_loss) $seconds $weights"
}

"${ml[@]}" prepare "$dataset" "$out/prepared" --params "$root/params.yaml"
echo
printf '%-7s %-5s %-8s %-9s %-13s %-13s %-7s %s\n' epochs seed val_acc val_loss "reference acc" "reference loss" s/epoch "weights (sha256)"
for epochs in 5 10; do
  if [[ $epochs == 5 ]]; then reference="0.4891 1.8967"; else reference="0.6854 1.3275"; fi
  read -r ref_acc ref_loss <<< "$reference"
  for seed in 77 $seeds; do
    read -r e s acc loss seconds weights <<< "$(run "$epochs" "$seed")"
    verdict="$(awk -v a="$acc" -v l="$loss" -v ra="$ref_acc" -v rl="$ref_loss" 'BEGIN { print (a >= ra ? "acc beats" : "acc MISSES") ", " (l <= rl ? "loss beats" : "loss MISSES") }')"
    printf '%-7s %-5s %-8s %-9s %-13s %-13s %-7s %s  %s\n' "$e" "$s" "$acc" "$loss" "$ref_acc" "$ref_loss" "$seconds" "$weights" "$verdict"
  done
done
