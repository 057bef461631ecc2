#!/usr/bin/env bash
# Checks the benchmarks' SSIMULACRA2/PSNR scorer (tools/ssimulacra2.swift) against the PyPI `ssimulacra2` package
# and a numpy PSNR on a few corpus images compressed by cwebp at q30 (odd sizes, gray, art). Prints both; fails on a
# difference above 0.01.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
swiftc -Ounchecked Benchmarks/tools/ssimulacra2.swift -o "$WORK/scorer" 2>/dev/null
status=0
for f in photos/chelsea.png photos/camera.png photos/page.png tuning/art-rhythm.png; do
  pngtopam "Conformance/corpus/$f" > "$WORK/a.pnm" 2>/dev/null
  cwebp -quiet -q 30 "$WORK/a.pnm" -o "$WORK/a.webp"
  dwebp -quiet "$WORK/a.webp" -ppm -o "$WORK/a.ppm"
  pnmtopng "$WORK/a.pnm" > "$WORK/a.png"; dwebp -quiet "$WORK/a.webp" -o "$WORK/d.png"
  ours=$("$WORK/scorer" "$WORK/a.pnm" "$WORK/a.ppm")
  ref=$(python3 Benchmarks/avif_metrics.py score "$WORK/a.png" "$WORK/d.png")
  echo "$f swift: $ours  python: $ref"
  python3 -c "import sys; a=list(map(float,'$ours'.split())); b=list(map(float,'$ref'.split())); sys.exit(0 if all(abs(x-y)<=0.01 for x,y in zip(a,b)) else 1)" || status=1
done
exit $status
