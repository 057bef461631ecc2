#!/usr/bin/env bash
# `imagestack process IN --query width=800` (same format: JPEG → JPEG) against libvips'
# `vipsthumbnail IN -s 800x -o OUT.jpg[Q=q]` (width 800, any height: the same work as width=800) on every JPEG of
# the large corpus (Benchmarks/large/, fetched by Benchmarks/fetch-large.sh when missing). q is the quality our plan encodes at — the rule default 95 capped at the source's estimated
# quality — so both encoders do comparable work. Wall time, CPU time (user + system: less sensitive to a busy
# machine) and peak RSS, medians of RUNS runs (default 5), as ratios ours / vips (< 1: we are faster / smaller).
# Our runs and vips' alternate, so a busy machine slows both alike.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
BIN=${BIN:-.build/release/imagestack}
[ -x "$BIN" ] || swift build -c release --product imagestack >/dev/null
source Benchmarks/corpus.sh
need_large
LARGE_DIR=${LARGE_DIR:-$LARGE}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Runs a command once; prints "wall_ms peak_kb cpu_ms".
measure() {
  local start end
  start=$(date +%s%N)
  /usr/bin/time -v -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr"
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000000 )) $(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time")" \
    "$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%d", s * 1000}' "$TMP/time")"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }

printf "%-34s %3s %8s %8s %6s %8s %8s %6s %7s %7s %6s %8s %8s\n" file Q ours_ms vips_ms wall× ours_cpu vips_cpu cpu× ours_MB vips_MB mem× ours_B vips_B
for f in "$LARGE_DIR"/*.jpg; do
  name=$(basename "$f")
  : >"$TMP/ours"; : >"$TMP/vips"
  source_q=$("$BIN" info "$f" | grep -o '"estimatedQuality": *[0-9]*' | grep -o '[0-9]*$' || echo 95)
  q=$(( source_q < 95 ? source_q : 95 ))
  for _ in $(seq "$RUNS"); do
    measure "$BIN" process "$f" --query 'width=800' -o "$TMP/ours.jpg" >>"$TMP/ours"
    measure vipsthumbnail "$f" -s 800x -o "$TMP/vips.jpg[Q=$q]" >>"$TMP/vips"
  done
  ours_ms=$(cut -d' ' -f1 "$TMP/ours" | median); vips_ms=$(cut -d' ' -f1 "$TMP/vips" | median)
  ours_kb=$(cut -d' ' -f2 "$TMP/ours" | median); vips_kb=$(cut -d' ' -f2 "$TMP/vips" | median)
  ours_cpu=$(cut -d' ' -f3 "$TMP/ours" | median); vips_cpu=$(cut -d' ' -f3 "$TMP/vips" | median)
  "$BIN" process "$f" --query 'width=800' -o "$TMP/ours.jpg" 2>"$TMP/headers"
  if grep -q '^Img-Skip-Reason' "$TMP/headers"; then
    echo "$name: skipped: $(grep '^Img-Skip-Reason' "$TMP/headers")"
  fi
  printf "%-34s %3d %8d %8d %6.2f %8d %8d %6.2f %7.1f %7.1f %6.2f %8d %8d\n" "$name" "$q" "$ours_ms" "$vips_ms" \
    "$(echo "$ours_ms / $vips_ms" | bc -l)" "$ours_cpu" "$vips_cpu" "$(echo "$ours_cpu / ($vips_cpu + 0.001)" | bc -l)" \
    "$(echo "$ours_kb / 1024" | bc -l)" "$(echo "$vips_kb / 1024" | bc -l)" \
    "$(echo "$ours_kb / $vips_kb" | bc -l)" "$(stat -c %s "$TMP/ours.jpg")" "$(stat -c %s "$TMP/vips.jpg")"
done
