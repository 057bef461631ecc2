#!/usr/bin/env bash
# AVIF: our encoder vs avifenc (libaom, speed 6 = its default, and speed 8), 4:2:0, at several quality points.
# Reports size, wall and CPU time, SSIMULACRA2 and PSNR per point, then BD-rate (ours vs each) and CPU-time ratios.
# avifenc 0.11 has no -q, so quality q is given to it as --min/--max quantizer ((100-q)*63+50)/100, the mapping
# libavif uses for -q and that our encoder follows.
# usage: Benchmarks/bench-avif.sh [--large] [--qualities "30 50 70 85"]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/imagestack
[ -x "$BIN" ] || swift build -c release >/dev/null
QUALITIES="30 50 70 85"
WITH_LARGE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --large) WITH_LARGE=1 ;;
    --qualities) QUALITIES="$2"; shift ;;
  esac
  shift
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
source Benchmarks/corpus.sh
IMAGES="$CORPUS/photos/astronaut.png $CORPUS/photos/chelsea.png $CORPUS/photos/coffee.png $CORPUS/photos/motorcycle_left.png $CORPUS/photos/rocket.jpg"
if [ "$WITH_LARGE" = 1 ]; then
  need_large
  IMAGES="$IMAGES $LARGE/autumn-2560x1600-prog444.jpg $LARGE/volna-5120x2880-prog444.jpg"
fi
RESULTS=$WORK/results.tsv
printf 'image\tencoder\tquality\tbytes\twall_s\tcpu_s\tssimulacra2\tpsnr\n' > "$RESULTS"

timed() {  # prints "wall cpu" (user + sys seconds) of the command
  local t TIMEFORMAT='%R %U %S'
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 | tail -1 )
  echo "$t" | awk '{printf "%.3f %.3f", $1, $2 + $3}'
}

for img in $IMAGES; do
  name=$(basename "$img"); base=$WORK/${name%.*}
  case "$img" in
    *.png) pngtopam "$img" > "$base.pnm" 2>/dev/null || continue ;;
    *.jpg) djpeg "$img" > "$base.pnm" ;;
  esac
  pnmtopng "$base.pnm" > "$base.orig.png"
  for q in $QUALITIES; do
    quant=$(( ((100 - q) * 63 + 50) / 100 ))
    for enc in ours aom-s6 aom-s8; do
      out=$base.$enc.$q.avif
      case $enc in
        ours)   t=$(timed "$BIN" encode "$base.pnm" -o "$out" --format avif --quality "$q" --speed 6) ;;
        aom-s6) t=$(timed avifenc -y 420 -s 6 --min "$quant" --max "$quant" "$base.orig.png" "$out") ;;
        aom-s8) t=$(timed avifenc -y 420 -s 8 --min "$quant" --max "$quant" "$base.orig.png" "$out") ;;
      esac
      avifdec "$out" "$out.png" >/dev/null
      m=$(python3 Benchmarks/avif_metrics.py score "$base.orig.png" "$out.png")
      size=$(stat -c %s "$out")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$enc" "$q" "$size" $t $m >> "$RESULTS"
      printf '%-28s %-7s q%-3s %8s bytes  wall %6ss cpu %6ss  ssimulacra2 %7s  psnr %6s\n' "$name" "$enc" "$q" "$size" $t $m
    done
  done
done
echo
python3 Benchmarks/avif_metrics.py bdrate "$RESULTS"
