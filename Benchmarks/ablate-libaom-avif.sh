#!/usr/bin/env bash
# What each of libaom's coding tools is worth at speed 6, as avifenc drives it: the dev set of bench-avif.sh is
# encoded with `avifenc -y 420 -s 6` (the reference) and again with one tool switched by an advanced option
# (`-a key=value`, passed to aom_codec_set_option), the same quantizer per point; the report gives, per class, the
# BD-rate on SSIMULACRA2 and PSNR of each variant against the reference (positive = the tool saves that much when
# on). It tells which of the tools our encoder lacks is worth building first (docs/avif.md).
#
# usage: Benchmarks/ablate-libaom-avif.sh [--qualities "30 50 70 85"] [--tools "name=key=value ..."]
set -euo pipefail
cd "$(dirname "$0")/.."
QUALITIES="30 50 70 85"
# A variant is name=key=value; the defaults switch off what libaom speed 6 uses, or on what it leaves off.
TOOLS="no-rect=enable-rect-partitions=0 no-filter-intra=enable-filter-intra=0 no-edge-filter=enable-intra-edge-filter=0
no-smooth=enable-smooth-intra=0 no-paeth=enable-paeth-intra=0 no-cfl=enable-cfl-intra=0
no-angle-delta=enable-angle-delta=0 no-trellis=disable-trellis-quant=1 tune-psnr=tune=psnr
qm-on=enable-qm=1 chroma-deltaq-on=enable-chroma-deltaq=1 deltaq-on=deltaq-mode=1"
while [ $# -gt 0 ]; do
  case "$1" in
    --qualities) QUALITIES="$2"; shift ;;
    --tools) TOOLS="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
source Benchmarks/corpus.sh
C=$CORPUS
dev_images() {  # the --dev set of bench-avif.sh
  case "$1" in
    photos) echo "$C/photos/chelsea.png $C/photos/coffee.png $C/photos/rocket.jpg" ;;
    tuning-photos) echo "$C/tuning/photo-Bridge.png $C/tuning/photo-Kleiber.png $C/tuning/photo-sunset.png $C/tuning/photo-umang.png" ;;
    tuning-art) echo "$C/tuning/art-rhythm.png $C/tuning/art-string.png" ;;
  esac
}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
JOBS=$WORK/jobs.txt
: > "$JOBS"
for class in photos tuning-photos tuning-art; do
  for img in $(dev_images "$class"); do
    name=$(basename "$img"); base=$WORK/$class.${name%.*}
    case "$img" in
      *.png) pngtopam "$img" 2>/dev/null | pnmtopng > "$base.orig.png" ;;
      *.jpg) djpeg "$img" | pnmtopng > "$base.orig.png" ;;
    esac
    for q in $QUALITIES; do
      quant=$(( ((100 - q) * 63 + 50) / 100 ))
      for variant in reference $TOOLS; do
        name_of=${variant%%=*}; option=${variant#*=}
        out=$base.$name_of.$q.avif
        if [ "$variant" = reference ]; then
          avifenc -y 420 -s 6 -j 2 --min "$quant" --max "$quant" "$base.orig.png" "$out" >/dev/null
        else
          avifenc -y 420 -s 6 -j 2 --min "$quant" --max "$quant" -a "$option" "$base.orig.png" "$out" >/dev/null
        fi
        echo "$class $name $name_of $q $(stat -c %s "$out") 0 0 $base.orig.png $out -" >> "$JOBS"
      done
    done
  done
done
awk '{ print $9 }' "$JOBS" | xargs -P 2 -I{} avifdec {} {}.png >/dev/null
awk 'NR % 2 == 1' "$JOBS" > "$JOBS.a"; awk 'NR % 2 == 0' "$JOBS" > "$JOBS.b"
python3 Benchmarks/avif_metrics.py score-jobs "$JOBS.a" > "$WORK/scores.a" &
python3 Benchmarks/avif_metrics.py score-jobs "$JOBS.b" > "$WORK/scores.b"
wait
printf 'class\timage\tencoder\tquality\tbytes\twall_s\tcpu_s\tssimulacra2\tpsnr\n' > "$WORK/results.tsv"
cat "$WORK/scores.a" "$WORK/scores.b" >> "$WORK/results.tsv"
python3 Benchmarks/avif_metrics.py ablation "$WORK/results.tsv"
