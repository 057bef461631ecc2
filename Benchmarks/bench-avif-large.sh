#!/usr/bin/env bash
# AVIF on the large wallpapers: size, wall and CPU time and PSNR of our encoder vs avifenc (libaom speed 6 and 8),
# 4:2:0, one quality point (default 60; libavif's quantizer mapping as in bench-avif.sh). No SSIMULACRA2 here:
# scoring 15-megapixel images in Python takes longer than encoding them.
# usage: Benchmarks/bench-avif-large.sh [quality]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/imagestack
[ -x "$BIN" ] || swift build -c release >/dev/null
Q=${1:-60}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
source Benchmarks/corpus.sh
need_large
timed() {
  local t TIMEFORMAT='%R %U %S'
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 | tail -1 )
  echo "$t" | awk '{printf "%.2f %.2f", $1, $2 + $3}'
}
quant=$(( ((100 - Q) * 63 + 50) / 100 ))
for img in "$LARGE"/*.jpg "$LARGE"/canopee-3840x2160-rgb.png; do
  name=$(basename "$img"); base=$WORK/${name%.*}
  case "$img" in
    *.png) pngtopam "$img" > "$base.pnm" ;;
    *.jpg) djpeg "$img" > "$base.pnm" ;;
  esac
  pnmtopng "$base.pnm" > "$base.png"
  for enc in ours aom-s6 aom-s8; do
    out=$base.$enc.avif
    case $enc in
      ours)   t=$(timed "$BIN" encode "$base.pnm" -o "$out" --format avif --quality "$Q") ;;
      aom-s6) t=$(timed avifenc -y 420 -s 6 --min "$quant" --max "$quant" "$base.png" "$out") ;;
      aom-s8) t=$(timed avifenc -y 420 -s 8 --min "$quant" --max "$quant" "$base.png" "$out") ;;
    esac
    avifdec "$out" "$out.png" >/dev/null
    psnr=$(python3 -c "
import numpy as np, math
from PIL import Image
Image.MAX_IMAGE_PIXELS = None
a = np.asarray(Image.open('$base.png').convert('RGB'), dtype=np.float64)
b = np.asarray(Image.open('$out.png').convert('RGB'), dtype=np.float64)
print('%.2f' % (10 * math.log10(255 * 255 / ((a - b) ** 2).mean())))")
    printf '%-36s %-7s q%-3s %9s bytes  wall %7ss cpu %7ss  psnr %6s\n' "$name" "$enc" "$Q" "$(stat -c %s "$out")" $t "$psnr"
  done
done
