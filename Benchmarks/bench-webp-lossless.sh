#!/usr/bin/env bash
# WebP lossless: our encoder vs `cwebp -lossless` (default effort) on the large and photo corpora, same run.
# Both encoders read the same PAM (PNG via pngtopam -alphapam, JPEG via djpeg), so only encoding is timed.
# Prints per-image size and time ratios (ours / cwebp), whether dwebp gives identical pixels for both files,
# and the median ratios. Usage: bench-webp-lossless.sh [EFFORT] (default 4, like cwebp's -m 4).
set -euo pipefail
cd "$(dirname "$0")/.."
EFFORT="${1:-4}"
BIN=.build/release/imagestack
[ -x "$BIN" ] || swift build -c release >/dev/null
source Benchmarks/corpus.sh
need_large
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s%N; }
sizes=() ; times=()
exact=0; total=0
printf "%-34s %10s %10s %6s %8s %8s %6s %s\n" image ours cwebp size ms_ours ms_cweb time exact
for src in "$LARGE"/*.png "$LARGE"/*.jpg "$CORPUS"/photos/*.png "$CORPUS"/photos/*.jpg; do
  [ -e "$src" ] || continue
  name=$(basename "$src")
  case "$src" in
    *.png) pngtopam -alphapam "$src" > "$WORK/in.pam" 2>/dev/null ;;
    *.jpg) djpeg "$src" > "$WORK/in.pam" ;;
  esac
  t0=$(now); "$BIN" encode "$WORK/in.pam" -o "$WORK/ours.webp" --format webp --lossless --effort "$EFFORT" >/dev/null; t1=$(now)
  cwebp -quiet -lossless "$WORK/in.pam" -o "$WORK/ref.webp"; t2=$(now)
  dwebp -quiet -pam "$WORK/ours.webp" -o "$WORK/ours.pam"
  dwebp -quiet -pam "$WORK/ref.webp" -o "$WORK/ref.pam"
  total=$((total + 1))
  same=no
  if cmp -s "$WORK/ours.pam" "$WORK/ref.pam"; then same=yes; exact=$((exact + 1)); fi
  so=$(stat -c %s "$WORK/ours.webp"); sr=$(stat -c %s "$WORK/ref.webp")
  to=$(( (t1 - t0) / 1000000 )); tr=$(( (t2 - t1) / 1000000 ))
  sratio=$(python3 -c "print(f'{$so/$sr:.3f}')"); tratio=$(python3 -c "print(f'{$to/max($tr,1):.2f}')")
  sizes+=("$sratio"); times+=("$tratio")
  printf "%-34s %10d %10d %6s %8d %8d %6s %s\n" "$name" "$so" "$sr" "$sratio" "$to" "$tr" "$tratio" "$same"
done
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
echo "median size ratio (ours/cwebp): $(median "${sizes[@]}")   goal <= 1.03"
echo "median time ratio (ours/cwebp): $(median "${times[@]}")   goal <= 1.5"
echo "dwebp pixels identical to cwebp's round trip: $exact / $total"
