#!/usr/bin/env bash
# Every corpus image our decoder accepts → `imagestack encode --format avif` (default quality 60, 4:2:0; plus
# 4:4:4 and --lossless for a subset) → decoded by libavif (avifdec, strict; PSNR floors against our decode of the
# source), by dav1d on the raw AV1 OBUs of the colour and alpha items (bit-exact against libaom via avifdec -c aom)
# and by headless Chromium (natural size; pixels against avifdec's output, one page for all files).
# The work is in Conformance/avifcorpus.py (floors and knobs are described there); two images at a time.
# Prints a table and a summary line; exits non-zero on any failure. docs/conformance-avif.md has the figures.
# Usage: check-avif-corpus.sh [IMAGESTACK_BINARY]   (CORPUS=... overrides Conformance/corpus; ONLY=regex restricts
# the corpus paths; KEEP_TMP=1 keeps the work directory with the files and the page)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
CORPUS=${CORPUS:-Conformance/corpus}
for tool in avifdec avifenc dav1d pngtopam convert python3; do
  command -v $tool >/dev/null || { echo "$tool is required"; exit 2; }
done
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null ||
  { echo "chromium is required"; exit 2; }
python3 -c 'import numpy' 2>/dev/null || { echo "python3 numpy is required (pip install numpy)"; exit 2; }
[ -x "$BIN" ] || { echo "no imagestack binary at $BIN (swift build -c release)"; exit 2; }
tmp=$(mktemp -d); [ -n "${KEEP_TMP:-}" ] && echo "temp: $tmp"
cleanup() { [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"; }
trap cleanup EXIT
python3 Conformance/avifcorpus.py "$(realpath "$BIN")" "$CORPUS" "$tmp"
