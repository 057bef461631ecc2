#!/usr/bin/env bash
# WebP lossless: ours (`imagestack encode --format webp --lossless`, effort 4) vs `cwebp -lossless -exact`
# (libwebp defaults -q 75 -m 4, i.e. lossless preset -z 6) on every corpus class: photos, tuning photos and art,
# RGBA wallpaper art, art with real alpha, screenshots, PNG variants, PngSuite and the large wallpapers.
# Per image and per class: size ratio, CPU ratio (user+sys of all threads) and wall ratio, ours/cwebp; runs
# alternate one process at a time (best of --repeat). See Benchmarks/webp-lossless-bench.py for the options:
#   bash Benchmarks/bench-webp-lossless.sh [--repeat 3] [--effort 4] [--classes art-rgba,screenshots] [--z9]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/imagestack
[ -x "$BIN" ] || swift build -c release >/dev/null
source Benchmarks/corpus.sh
need_large
for tool in cwebp dwebp pngtopam djpeg; do command -v $tool >/dev/null || { echo "$tool is required"; exit 2; }; done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 Benchmarks/webp-lossless-bench.py "$BIN" "$WORK" "$@"
