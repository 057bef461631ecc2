#!/usr/bin/env bash
# Lossy WebP (VP8) against libwebp's `cwebp -q N` (method 4) at q 30/50/75/90, per image and per class (photos,
# tuning photos, tuning art, large): bytes, SSIMULACRA2 and RGB PSNR of the dwebp-decoded result vs the source,
# BD-rate on each metric (negative = ours smaller at equal quality), CPU and wall time ratios ours/cwebp.
# Ours runs through the CLI (`imagestack encode --format webp`), which is what the server runs; both encoders read
# the same PPM. Encodes are timed one at a time, ours and cwebp alternately; scoring may run in parallel.
#
# Usage: Benchmarks/bench-webp-lossy.sh [--quick] [--jobs N] [--classes photos,tuning-photo,tuning-art,large]
#                                       [--qualities "30 50 75 90"] [--effort N] [--cwebp-args "-sns 0"]
#                                       [--tsv FILE] [image files...]
#   --quick   a dev subset of 10 images across the classes, the large ones downscaled to 1280 px.
# Large images come from Benchmarks/large/ (fetched by Benchmarks/fetch-large.sh when missing).
# Scores are cached in .build/bench-webp-lossy/ by the hash of the WebP bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/corpus.sh
case " $* " in *" --quick "*|*" --classes "*) ;; *) [ $# -gt 0 ] && [ "${1#-}" = "$1" ] || need_large ;; esac
CACHE=.build/bench-webp-lossy
mkdir -p "$CACHE/bin"
SCORER="$CACHE/bin/ssimulacra2"
if [ ! -x "$SCORER" ] || [ Benchmarks/tools/ssimulacra2.swift -nt "$SCORER" ]; then
  swiftc -Ounchecked Benchmarks/tools/ssimulacra2.swift -o "$SCORER" 2>/dev/null || { echo "scorer build failed"; exit 1; }
fi
if [ -z "${NO_BUILD:-}" ]; then
  swift build -c release >/dev/null 2>&1 || { echo "release build failed"; exit 1; }
fi
for tool in cwebp dwebp pngtopam djpeg pamscale; do
  command -v "$tool" >/dev/null || { echo "$tool missing (Scripts/test.sh installs it)"; exit 1; }
done
exec nice -n 5 python3 Benchmarks/webp_lossy.py --cli .build/release/imagestack --scorer "$SCORER" --cache "$CACHE" "$@"
