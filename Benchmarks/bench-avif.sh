#!/usr/bin/env bash
# AVIF: our encoder vs avifenc 0.11 (libaom 3.6) at speed 6 (its default) and speed 8, 4:2:0, the same quantizer per
# point, on four classes of images: photos (the colour photos of Conformance/corpus/photos), tuning-photos
# (Conformance/corpus/tuning/photo-*), tuning-art (tuning/art-*) and large (the wallpapers in Benchmarks/large/,
# fetched by Benchmarks/fetch-large.sh); optionally screen (4 screenshots of Conformance/corpus/lossless, where palette
# mode is on: --classes screen).
# Prints every point (bytes, wall and CPU seconds, SSIMULACRA2, PSNR), then per image and per class the BD-rate of
# ours vs each reference on SSIMULACRA2 and on PSNR, and the CPU-time (user+sys) and wall-time ratios.
#
# Quantizer per point: avifenc 0.11 has no -q, so quality q is given to it as --min/--max quantizer
# ((100 − q)·63 + 50)/100 on its 0–63 scale — the mapping libavif uses for -q and that our --quality follows (then
# ×255/63 to base_q_idx) — so both encoders code every point with the same base_q_idx.
#
# Encodes run one after another (timings are not disturbed by the scoring); decoding and scoring then run on both
# cores. avifenc gets -j 2 (both cores, as ours uses them).
#
# usage: Benchmarks/bench-avif.sh [--dev] [--classes "photos tuning-photos tuning-art large"]
#                                 [--qualities "30 50 70 85"] [--refs "s6 s8"] [--speed N] [--tsv FILE]
#                                 [--cache DIR]
#   --dev: fast iteration set (3 photos, 4 tuning photos, 2 art, speed-6 reference only). Judge kept changes on
#   the full run. AVIF_BENCH_BIN=path measures another build of the CLI. --cache DIR keeps avifenc's results
#   (bytes, times, scores) per image and point in DIR and reuses them in later runs (for iterating on ours).
#   --ablate-aom "name=key=value ...": instead of ours vs the references, avifenc at speed 6 ("reference") against
#   one variant per item with that advanced option (`-a key=value`); the report is then, per class, each variant's
#   BD-rate against the reference (Benchmarks/ablate-libaom-avif.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AVIF_BENCH_BIN:-.build/release/imagestack}
QUALITIES="30 50 70 85"
CLASSES="photos tuning-photos tuning-art large"
REFS="s6 s8"
SPEED=6
DEV=0
TSV=""
CACHE=""
ABLATE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dev) DEV=1; REFS="s6"; CLASSES="photos tuning-photos tuning-art" ;;
    --classes) CLASSES="$2"; shift ;;
    --qualities) QUALITIES="$2"; shift ;;
    --refs) REFS="$2"; shift ;;
    --speed) SPEED="$2"; shift ;;
    --tsv) TSV="$2"; shift ;;
    --cache) CACHE="$2"; mkdir -p "$CACHE"; shift ;;
    --ablate-aom) ABLATE="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$ABLATE" ] || [ -x "$BIN" ] || swift build -c release >/dev/null
source Benchmarks/corpus.sh
C=$CORPUS
images_of() {
  case "$1" in
    photos)
      if [ $DEV = 1 ]; then echo "$C/photos/chelsea.png $C/photos/coffee.png $C/photos/rocket.jpg"
      else echo "$C/photos/astronaut.png $C/photos/chelsea.png $C/photos/coffee.png $C/photos/motorcycle_left.png $C/photos/rocket.jpg $C/photos/hubble_deep_field.jpg $C/photos/retina.jpg"; fi ;;
    tuning-photos)
      if [ $DEV = 1 ]; then echo "$C/tuning/photo-Bridge.png $C/tuning/photo-Kleiber.png $C/tuning/photo-sunset.png $C/tuning/photo-umang.png"
      else ls $C/tuning/photo-*.png; fi ;;
    tuning-art)
      if [ $DEV = 1 ]; then echo "$C/tuning/art-rhythm.png $C/tuning/art-string.png"
      else ls $C/tuning/art-*.png; fi ;;
    large) ls $LARGE/*.jpg $LARGE/*.png ;;
    screen) echo "$C/lossless/screen-code.png $C/lossless/screen-readme.png $C/lossless/screen-webp.png $C/lossless/screen-terminal.png" ;;
  esac
}

case " $CLASSES " in *" large "*) need_large ;; esac
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.tsv
printf 'class\timage\tencoder\tquality\tbytes\twall_s\tcpu_s\tssimulacra2\tpsnr\n' > "$RESULTS"

timed() {  # prints "wall cpu" (user + sys seconds) of the command
  local t TIMEFORMAT='%R %U %S'
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 | tail -1 )
  echo "$t" | awk '{printf "%.3f %.3f", $1, $2 + $3}'
}

if [ -n "$ABLATE" ]; then
  ENCODERS="reference $(for v in $ABLATE; do echo "${v%%=*}"; done)"
else
  ENCODERS="ours $(for r in $REFS; do echo aom-$r; done)"
fi
aom_option_of() {  # the `-a key=value` of an --ablate-aom variant
  local v; for v in $ABLATE; do [ "${v%%=*}" = "$1" ] && echo "${v#*=}"; done
}

# Phase 1: encodes, one at a time.
JOBS=$WORK/jobs.txt
: > "$JOBS"
for class in $CLASSES; do
  for img in $(images_of "$class"); do
    name=$(basename "$img"); base=$WORK/$class.${name%.*}
    case "$img" in
      # Drops alpha (all these are opaque but screen-transparent, not benched) and makes 16-bit sources 8-bit, as
      # our encoder codes them (avifenc would code a 16-bit PNG at 12 bits).
      *.png) pngtopam "$img" 2>/dev/null | pamdepth 255 | pnmtopng > "$base.orig.png" ;;
      *.jpg) djpeg "$img" | pnmtopng > "$base.orig.png" ;;
    esac
    for q in $QUALITIES; do
      quant=$(( ((100 - q) * 63 + 50) / 100 ))
      for enc in $ENCODERS; do
        out=$base.$enc.$q.avif
        cached=${CACHE:+$CACHE/$class.$name.$enc.$q.tsv}
        if [ -n "$cached" ] && [ "$enc" != ours ] && [ -s "$cached" ]; then
          echo "cached $cached" >> "$JOBS"; continue
        fi
        case $enc in
          ours) t=$(timed "$BIN" encode "$base.orig.png" -o "$out" --format avif --quality "$q" --speed "$SPEED") ;;
          aom-s*) t=$(timed avifenc -y 420 -s "${enc#aom-s}" -j 2 --min "$quant" --max "$quant" "$base.orig.png" "$out") ;;
          reference) t=$(timed avifenc -y 420 -s 6 -j 2 --min "$quant" --max "$quant" "$base.orig.png" "$out") ;;
          *) t=$(timed avifenc -y 420 -s 6 -j 2 --min "$quant" --max "$quant" -a "$(aom_option_of "$enc")" \
                 "$base.orig.png" "$out") ;;
        esac
        echo "$class $name $enc $q $(stat -c %s "$out") $t $base.orig.png $out ${cached:--}" >> "$JOBS"
      done
    done
  done
done

# Phase 2: decode with avifdec, then score, each on both cores (two scoring processes over halves of the jobs).
awk '$1 != "cached" { print $9 }' "$JOBS" | xargs -P 2 -I{} avifdec {} {}.png >/dev/null
awk 'NR % 2 == 1' "$JOBS" > "$JOBS.a"; awk 'NR % 2 == 0' "$JOBS" > "$JOBS.b"
python3 Benchmarks/avif_metrics.py score-jobs "$JOBS.a" > "$WORK/scores.a" &
python3 Benchmarks/avif_metrics.py score-jobs "$JOBS.b" > "$WORK/scores.b"
wait
cat "$WORK/scores.a" "$WORK/scores.b" >> "$RESULTS"

if [ -n "$ABLATE" ]; then python3 Benchmarks/avif_metrics.py ablation "$RESULTS"
else python3 Benchmarks/avif_metrics.py report "$RESULTS"; fi
[ -n "$TSV" ] && cp "$RESULTS" "$TSV"
exit 0
