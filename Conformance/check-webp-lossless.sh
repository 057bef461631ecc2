#!/usr/bin/env bash
# Encodes every valid corpus PNG (and the photo JPEGs) with `imagestack encode --format webp --lossless`, decodes
# the result with libwebp's dwebp and compares it, as RGBA 8-bit (16-bit sources rounded as Raster.to8Bit does),
# with the pixels the encoder was given (`imagestack decode`; check-png.sh and check-jpeg.sh hold those decoders
# to libpng and djpeg — libpng's pngtopam differs on purpose for PngSuite's tRNS + bKGD files).
# Prints a table and the count of exact files; exits non-zero on any mismatch. Usage: check-webp-lossless.sh [BIN]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
CORPUS=${CORPUS:-Conformance/corpus}
for tool in dwebp; do command -v $tool >/dev/null || { echo "$tool is required"; exit 2; }; done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

same_rgba8() {  # OURS_PAM REFERENCE_PNM: exit 0 when the RGBA 8-bit pixels are identical
  python3 - "$@" <<'PY'
import sys
sys.path.insert(0, "Conformance")
from pnmcompare import read_pnm
def rgba8(path):
    w, h, d, maxval, s = read_pnm(path)
    if maxval != 255:
        s = [(v * 255 + maxval // 2) // maxval for v in s]
    out = bytearray()
    for i in range(0, len(s), d):
        px = s[i:i + d]
        if d == 1: out += bytes((px[0], px[0], px[0], 255))
        elif d == 2: out += bytes((px[0], px[0], px[0], px[1]))
        elif d == 3: out += bytes((px[0], px[1], px[2], 255))
        else: out += bytes(px)
    return w, h, bytes(out)
a, b = rgba8(sys.argv[1]), rgba8(sys.argv[2])
if a[:2] != b[:2]:
    print(f"size {a[:2]} vs {b[:2]}"); sys.exit(1)
if a[2] != b[2]:
    n = next(i for i in range(len(a[2])) if a[2][i] != b[2][i])
    print(f"first difference at pixel {n // 4}"); sys.exit(1)
PY
}

files=$( { ls "$CORPUS"/png/pngsuite/*.png | grep -v '/x[^/]*\.png$'; ls "$CORPUS"/png/*.png "$CORPUS"/png/variants/*.png \
          "$CORPUS"/photos/*.png "$CORPUS"/photos/*.jpg; } 2>/dev/null)
pass=0; fail=0
printf '%-44s %s\n' file result
for f in $files; do
  name=${f#"$CORPUS"/}
  if ! "$BIN" decode "$f" -o "$tmp/ref.pnm" > "$tmp/log" 2>&1; then
    printf '%-44s FAIL decode: %s\n' "$name" "$(head -1 "$tmp/log")"; fail=$((fail + 1)); continue
  fi
  if ! "$BIN" encode "$f" -o "$tmp/out.webp" --format webp --lossless > "$tmp/log" 2>&1; then
    printf '%-44s FAIL encode: %s\n' "$name" "$(head -1 "$tmp/log")"; fail=$((fail + 1)); continue
  fi
  if ! dwebp -quiet -pam "$tmp/out.webp" -o "$tmp/out.pam" 2> "$tmp/log"; then
    printf '%-44s FAIL dwebp: %s\n' "$name" "$(head -1 "$tmp/log")"; fail=$((fail + 1)); continue
  fi
  if msg=$(same_rgba8 "$tmp/out.pam" "$tmp/ref.pnm"); then
    printf '%-44s ok\n' "$name"; pass=$((pass + 1))
  else
    printf '%-44s FAIL %s\n' "$name" "$msg"; fail=$((fail + 1))
  fi
done
echo "webp lossless: $pass exact, $fail failed"
[ "$fail" -eq 0 ]
