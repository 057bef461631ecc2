#!/usr/bin/env bash
# JPEG decode speed: `imagestack decode` vs libjpeg-turbo `djpeg` on every large JPEG (Benchmarks/large/, fetched
# by Benchmarks/fetch-large.sh when missing).
# Both write netpbm to /dev/null. Runs are interleaved (djpeg, ours 1 thread, ours all cores) RUNS times (default
# 7); prints the median wall time and the median CPU time (user+sys) of each, and the ratios ours/djpeg.
# IMAGESTACK_THREADS=1 makes our decoder single-threaded (the issue's target compares that with djpeg).
# Usage: Benchmarks/bench-decode-jpeg.sh [LARGE_DIR]   (expects a release build; Benchmarks/run.sh makes one)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/corpus.sh
need_large
large="${1:-$LARGE}"
bin=.build/release/imagestack
[ -x "$bin" ] || swift build -c release >/dev/null
runs=${RUNS:-7}
timefile=$(mktemp); trap 'rm -f "$timefile"' EXIT

# Prints "wall cpu" in seconds for one run of the command.
measure() {
  /usr/bin/time -f "%e %U %S" -o "$timefile" "$@" >/dev/null 2>&1
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$timefile"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

printf '%-42s %9s %9s %9s %7s %7s | %8s %8s %7s\n' file "djpeg s" "ours1 s" "ours s" "1T/dj" "MT/dj" "djpegCPU" "ours1CPU" "CPU/dj"
for f in "$large"/*.jpg "$large"/*.jpeg; do
  [ -f "$f" ] || continue
  : >"$timefile.d"; : >"$timefile.1"; : >"$timefile.m"
  for _ in $(seq "$runs"); do
    measure djpeg -pnm -outfile /dev/null "$f" >>"$timefile.d"
    IMAGESTACK_THREADS=1 measure "$bin" decode "$f" -o /dev/null >>"$timefile.1"
    measure "$bin" decode "$f" -o /dev/null >>"$timefile.m"
  done
  dw=$(cut -d' ' -f1 "$timefile.d" | median); dc=$(cut -d' ' -f2 "$timefile.d" | median)
  ow=$(cut -d' ' -f1 "$timefile.1" | median); oc=$(cut -d' ' -f2 "$timefile.1" | median)
  mw=$(cut -d' ' -f1 "$timefile.m" | median)
  awk -v n="$(basename "$f")" -v dw="$dw" -v ow="$ow" -v mw="$mw" -v dc="$dc" -v oc="$oc" 'BEGIN {
    r1 = dw > 0 ? ow / dw : 0; rm = dw > 0 ? mw / dw : 0; rc = dc > 0 ? oc / dc : 0
    printf "%-42s %9.3f %9.3f %9.3f %6.2fx %6.2fx | %8.3f %8.3f %6.2fx\n", n, dw, ow, mw, r1, rm, dc, oc, rc }'
  rm -f "$timefile.d" "$timefile.1" "$timefile.m"
done
