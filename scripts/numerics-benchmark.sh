#!/usr/bin/env bash
# Reproducible numerics on a real dataset: trains the default params.yaml once per simulated CPU (each knob through
# which libtorch's libraries or the .NET runtime act on their CPU detection, forced to each value this machine
# supports) and prints the weights' SHA-256 of each, with reproducible numerics (all must agree) and with fast ones
# (they follow the detection); then the cost: seconds per epoch of both, medians of alternating runs, and the ratio.
#
#   scripts/numerics-benchmark.sh [--dataset PATH] [--repeats N] [--out DIR]
#
# Needs libstdc++ from GCC 13+ (scripts/setup-native.sh) and unzip.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dataset="$root/../shared/datasets/planets-moons/raw"
repeats=3
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dataset) dataset="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "numerics-benchmark: unknown option '$1' (expected --dataset PATH, --repeats N, --out DIR)" >&2; exit 2 ;;
  esac
done

name=numerics-benchmark
# shellcheck source=scripts/ml-common.sh
source "$root/scripts/ml-common.sh"
"${ml[@]}" prepare "$dataset" "$out/prepared" --params "$root/params.yaml" > /dev/null
sed 's/^  reproducible: true$/  reproducible: false/' "$root/params.yaml" > "$out/fast.yaml"
grep -q '^  reproducible: false$' "$out/fast.yaml" || { echo "numerics-benchmark: params.yaml has no 'reproducible: true' to turn off" >&2; exit 1; }

# Trains with the given params file and environment; prints the weights' hash and the median seconds per epoch.
train() {
  local params="$1" name="$2"; shift 2
  rm -rf "$out/$name" "$out/$name-store"
  env "$@" "${ml[@]}" train "$out/prepared" "$out/$name" --params "$params" --store "$out/$name-store" > "$out/$name.log"
  local weights seconds
  weights="$(unzip -p "$out/$name/planets-classifier.zip" '*model.pt' | sha256sum | cut -c1-16)"
  seconds="$(grep -o '([0-9.]*s' "$out/$name.log" | tr -d '(s' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
  echo "$weights $seconds"
}

flags="$(grep -m1 '^flags' /proc/cpuinfo)"
has() { [[ " $flags " == *" $1 "* ]]; }
knobs=("none")
knobs+=("ATEN_CPU_CAPABILITY=default")
has avx2 && knobs+=("ATEN_CPU_CAPABILITY=avx2")
has avx512f && has avx512bw && has avx512vl && has avx512dq && knobs+=("ATEN_CPU_CAPABILITY=avx512")
knobs+=("ONEDNN_MAX_CPU_ISA=SSE41")
has avx && knobs+=("ONEDNN_MAX_CPU_ISA=AVX")
has avx2 && knobs+=("ONEDNN_MAX_CPU_ISA=AVX2")
has avx512f && knobs+=("ONEDNN_MAX_CPU_ISA=AVX512_CORE")
has amx_tile && knobs+=("ONEDNN_MAX_CPU_ISA=AVX512_CORE_AMX")
knobs+=("MKL_CBWR=COMPATIBLE" "MKL_CBWR=SSE4_2")
has avx2 && knobs+=("MKL_CBWR=AVX2" "MKL_ENABLE_INSTRUCTIONS=AVX2")
has avx512f && knobs+=("MKL_CBWR=AVX512" "MKL_ENABLE_INSTRUCTIONS=AVX512")
knobs+=("OMP_NUM_THREADS=2" "DOTNET_EnableHWIntrinsic=0")

echo "CPU: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
printf '\n%-34s %-18s %s\n' "forced knob (a simulated CPU)" "reproducible" "fast"
declare -A seen_reproducible seen_fast
for knob in "${knobs[@]}"; do
  variables=()
  [[ "$knob" != none ]] && variables=("$knob")
  read -r reproducible _ <<< "$(train "$root/params.yaml" "r-$knob" "${variables[@]}")"
  read -r fast _ <<< "$(train "$out/fast.yaml" "f-$knob" "${variables[@]}")"
  seen_reproducible[$reproducible]=1
  seen_fast[$fast]=1
  printf '%-34s %-18s %s\n' "$knob" "$reproducible" "$fast"
done
echo "distinct weights: reproducible ${#seen_reproducible[@]}, fast ${#seen_fast[@]} (of ${#knobs[@]} configurations)"

# Alternating runs, so that a noisy machine slows both alike.
echo
reproducible_times=() fast_times=()
for ((i = 1; i <= repeats; i++)); do
  read -r _ seconds <<< "$(train "$root/params.yaml" "time-r")"; reproducible_times+=("$seconds")
  read -r _ seconds <<< "$(train "$out/fast.yaml" "time-f")"; fast_times+=("$seconds")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
r="$(median "${reproducible_times[@]}")"; f="$(median "${fast_times[@]}")"
echo "seconds per epoch, median of $repeats runs each (their per-epoch medians): reproducible $r (${reproducible_times[*]}), fast $f (${fast_times[*]})"
awk -v r="$r" -v f="$f" 'BEGIN { printf "reproducible numerics cost %.2fx the time of fast ones\n", r / f }'
