#!/usr/bin/env bash
# JPEG decode speed: `imagestack decode` vs libjpeg-turbo `djpeg` (both writing netpbm to /dev/null), per file on
# the large JPEGs (Benchmarks/large/, fetched by Benchmarks/fetch-large.sh when missing) and on every corpus JPEG.
# Paired runs (Benchmarks/paired-runs.py: djpeg, ours single-threaded, ours on all cores, interleaved RUNS times,
# default 9 for large files and 5 for the corpus); prints median wall and CPU (user+sys) milliseconds and the ratios
# ours/djpeg: 1T = IMAGESTACK_THREADS=1 (the issue's single-threaded target), MT = the default thread budget.
# Ends with the geometric mean of each ratio per group. SET=large or SET=corpus runs one group only.
# Usage: Benchmarks/bench-decode-jpeg.sh   (expects a release build; Benchmarks/run.sh makes one)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/corpus.sh
bin=${IMAGESTACK_BIN:-.build/release/imagestack}  # IMAGESTACK_BIN: measure another build
[ -x "$bin" ] || swift build -c release >/dev/null
set_filter=${SET:-all}
summary=$(mktemp); trap 'rm -f "$summary"' EXIT

bench_group() { # NAME RUNS FILES...
  local name=$1 runs=$2; shift 2
  : >"$summary"
  echo "== $name ($# files, $runs paired runs each; wall and CPU in ms, medians)"
  printf '%-40s %8s %8s %8s %7s %7s | %8s %8s %8s %7s %7s\n' file djpeg ours1T oursMT 1T/dj MT/dj \
    djCPU 1T_CPU MT_CPU 1T/dj MT/dj
  for f in "$@"; do
    mapfile -t r < <(python3 Benchmarks/paired-runs.py "$runs" djpeg -pnm -outfile /dev/null "$f" ";;" \
      env IMAGESTACK_THREADS=1 "$bin" decode "$f" -o /dev/null ";;" "$bin" decode "$f" -o /dev/null)
    if [[ "${r[0]}" == *fail || "${r[1]}" == *fail || "${r[2]}" == *fail ]]; then
      printf '%-40s %s\n' "$(basename "$f")" "skipped (a decoder rejects it)"; continue
    fi
    read -r dw dc _ <<<"${r[0]}"; read -r ow oc _ <<<"${r[1]}"; read -r mw mc _ <<<"${r[2]}"
    awk -v n="$(basename "$f")" -v dw="$dw" -v ow="$ow" -v mw="$mw" -v dc="$dc" -v oc="$oc" -v mc="$mc" 'BEGIN {
      printf "%-40s %8.1f %8.1f %8.1f %6.2fx %6.2fx | %8.1f %8.1f %8.1f %6.2fx %6.2fx\n", substr(n, 1, 40), dw, ow, mw,
        ow / dw, mw / dw, dc, oc, mc, oc / (dc > 0 ? dc : 0.01), mc / (dc > 0 ? dc : 0.01) }'
    echo "$dw $ow $mw $dc $oc $mc" >>"$summary"
  done
  awk '{ for (i = 2; i <= 3; i++) w[i] += log($i / $1); for (i = 5; i <= 6; i++) c[i] += log($i / ($4 > 0 ? $4 : 0.01)); n++ }
    END { if (n) printf "geomean over %d files: wall 1T %.2fx, MT %.2fx; CPU 1T %.2fx, MT %.2fx\n",
      n, exp(w[2] / n), exp(w[3] / n), exp(c[5] / n), exp(c[6] / n) }' "$summary"
}

if [ "$set_filter" != corpus ]; then
  need_large
  bench_group "large/" "${RUNS:-9}" "$LARGE"/*.jpg
fi
if [ "$set_filter" != large ]; then
  mapfile -t corpus_files < <(find "$CORPUS" -name '*.jpg' -o -name '*.jpeg' | sort)
  bench_group "corpus" "${RUNS:-5}" "${corpus_files[@]}"
fi
