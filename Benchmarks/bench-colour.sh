#!/usr/bin/env bash
# Colour management figures for docs/colour.md (issue 17's three cases) and the colour stage's cost.
#  1. CMYK JPEG with ghostscript's SWOP profile → width=200&fmt=webp: output size, ICC chunk present?, PSNR of the
#     thumbnail against LittleCMS's conversion (ImageMagick + lcms, relative colorimetric, to colord's sRGB.icc)
#     resized by the same resampler (`imagestack process ref.png --query width=200`, lossless PNG), before (our
#     pixels, `decode --srgb` then resized) and after WebP encoding; and the old naive conversion for comparison.
#  2. Adobe RGB and ProPhoto JPEGs: `decode --srgb` vs LittleCMS at full size (max difference, PSNR); 200-px WebP
#     size with the profile kept ("keep") and converted ("srgb"), and cwebp's size from the lcms pixels.
#  3. A large wallpaper tagged with an sRGB profile (jpegtran -icc, scans untouched): 200-px WebP with and without
#     the profile; the "srgb" output must be byte-identical to the untagged file's.
#  4. Stage cost: CPU time of `decode` vs `decode --srgb` (best of 3) on large Adobe-RGB and CMYK versions of a
#     wallpaper (ImageMagick + lcms), i.e. the conversion's share of a full-size decode.
# Needs Benchmarks/large/ (Benchmarks/fetch-large.sh, or copies of the shared corpus's large/). The machine may be
# shared: CPU time, not wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/imagestack
icc=/usr/share/color/icc
srgb=$icc/colord/sRGB.icc
corpus=Conformance/corpus/icc
large=Benchmarks/large
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
psnr() { python3 - "$1" "$2" <<'PY'
import sys, numpy as np
from PIL import Image
a = np.asarray(Image.open(sys.argv[1]).convert("RGB"), dtype=np.float64)
b = np.asarray(Image.open(sys.argv[2]).convert("RGB"), dtype=np.float64)
mse = ((a - b) ** 2).mean()
print("PSNR %.2f dB, max %d" % (99 if mse == 0 else 10 * np.log10(255 * 255 / mse), np.abs(a - b).max()))
PY
}
has_icc() { python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); print("profile: yes" if b"ICCP" in d or b"iCCP" in d or b"prof" in d else "profile: none")' "$1"; }
thumb() { "$bin" process "$1" --query "width=200$2" --accept image/webp ${3:+--config "$3"} -o "$4" 2>/dev/null; }
echo '{"colorProfile":"keep"}' > "$tmp/keep.json"

echo "== 1. CMYK (SWOP) JPEG → 200-px WebP"
f=$corpus/cmyk-swop.jpg
convert "$f" -intent relative -profile "$srgb" -strip "$tmp/ref.png" 2>/dev/null
thumb "$tmp/ref.png" "" "" "$tmp/ref-200.png"
thumb "$f" "&fmt=webp" "" "$tmp/ours.webp"; dwebp -quiet "$tmp/ours.webp" -o "$tmp/ours-webp.png"
"$bin" decode "$f" --srgb -o "$tmp/ours-full.png" 2>/dev/null; thumb "$tmp/ours-full.png" "" "" "$tmp/ours-200.png"
"$bin" decode "$f" -o "$tmp/naive-full.png"; thumb "$tmp/naive-full.png" "" "" "$tmp/naive-200.png"
echo "source $(stat -c %s "$f") bytes (profile 187484); ours.webp $(stat -c %s "$tmp/ours.webp") bytes, $(has_icc "$tmp/ours.webp")"
echo "thumbnail vs lcms, before encoding: $(psnr "$tmp/ours-200.png" "$tmp/ref-200.png")"
echo "thumbnail vs lcms, after WebP:      $(psnr "$tmp/ours-webp.png" "$tmp/ref-200.png")"
echo "full size vs lcms:                  $(psnr "$tmp/ours-full.png" "$tmp/ref.png")"
echo "old naive conversion, thumbnail:    $(psnr "$tmp/naive-200.png" "$tmp/ref-200.png")"
# Control: the lcms pixels themselves through the same WebP encoder at the same quality (the source's estimate).
q=$("$bin" info "$f" | python3 -c 'import json, sys; print(min(95, json.load(sys.stdin)["estimatedQuality"]))')
echo "{\"quality\": $q}" > "$tmp/q.json"
thumb "$tmp/ref.png" "&fmt=webp" "$tmp/q.json" "$tmp/ref.webp"; dwebp -quiet "$tmp/ref.webp" -o "$tmp/ref-webp.png"
echo "control, lcms pixels through WebP q$q: $(psnr "$tmp/ref-webp.png" "$tmp/ref-200.png")"

echo "== 2. Adobe RGB and ProPhoto JPEGs"
for name in adobergb-colord prophoto; do
  f=$corpus/$name.jpg
  convert "$f" -intent relative -profile "$srgb" -strip "$tmp/$name-ref.png" 2>/dev/null
  "$bin" decode "$f" --srgb -o "$tmp/$name-ours.png" 2>/dev/null
  thumb "$f" "&fmt=webp" "" "$tmp/$name.webp"; thumb "$f" "&fmt=webp" "$tmp/keep.json" "$tmp/$name-keep.webp"
  q=$("$bin" info "$f" | python3 -c 'import json, sys; print(min(95, json.load(sys.stdin)["estimatedQuality"]))')
  thumb "$tmp/$name-ref.png" "" "" "$tmp/$name-ref-200.png"
  cwebp -quiet -q "$q" "$tmp/$name-ref-200.png" -o "$tmp/$name-cwebp.webp"
  echo "$name: full size vs lcms $(psnr "$tmp/$name-ours.png" "$tmp/$name-ref.png"); 200-px WebP srgb $(stat -c %s "$tmp/$name.webp") B ($(has_icc "$tmp/$name.webp")), keep $(stat -c %s "$tmp/$name-keep.webp") B, cwebp -q $q on lcms pixels $(stat -c %s "$tmp/$name-cwebp.webp") B"
done

echo "== 3. sRGB-tagged wallpaper → 200-px WebP"
w=$large/autumn-2560x1600-prog444.jpg
if [ -f "$w" ]; then
  thumb "$w" "&fmt=webp" "" "$tmp/plain.webp"
  for p in Conformance/icc/profiles/srgb-hp-3144.icc "$srgb"; do
    jpegtran -copy none -icc "$p" "$w" > "$tmp/tagged.jpg"
    thumb "$tmp/tagged.jpg" "&fmt=webp" "" "$tmp/tagged.webp"; thumb "$tmp/tagged.jpg" "&fmt=webp" "$tmp/keep.json" "$tmp/tagged-keep.webp"
    same=$(cmp -s "$tmp/tagged.webp" "$tmp/plain.webp" && echo "identical to the untagged file's" || echo "DIFFERS from the untagged file's")
    echo "$(basename "$p") ($(stat -c %s "$p") B): keep $(stat -c %s "$tmp/tagged-keep.webp") B, srgb $(stat -c %s "$tmp/tagged.webp") B ($same), saved $(( $(stat -c %s "$tmp/tagged-keep.webp") - $(stat -c %s "$tmp/tagged.webp") )) B"
  done
else
  echo "skipped: $w missing"
fi

echo "== 4. colour stage cost (CPU ms, best of 3: decode vs decode --srgb, full size)"
for w in "$large/volna-5120x2880-prog444.jpg" "$large/autumn-2560x1600-prog444.jpg"; do
  [ -f "$w" ] || continue
  b=$(basename "$w" .jpg)
  convert "$w" -profile "$srgb" -intent relative -profile "$icc/colord/AdobeRGB1998.icc" -quality 92 "$tmp/$b-adobe.jpg" 2>/dev/null
  convert "$w" -profile "$srgb" -intent relative -profile "$icc/ghostscript/default_cmyk.icc" -quality 92 "$tmp/$b-cmyk.jpg" 2>/dev/null
  for kind in adobe cmyk; do
    plain=$(python3 Benchmarks/cpu-ms.py 3 /dev/null "$bin" decode "$tmp/$b-$kind.jpg" -o /dev/null)
    conv=$(python3 Benchmarks/cpu-ms.py 3 /dev/null "$bin" decode "$tmp/$b-$kind.jpg" --srgb -o /dev/null)
    python3 -c "import sys; p, c = float(sys.argv[1]), float(sys.argv[2]); print('%s %s: decode %.0f ms, decode+stage %.0f ms, stage %.0f ms = %.0f%% of decode' % (sys.argv[3], sys.argv[4], p, c, c - p, 100 * (c - p) / p))" "$plain" "$conv" "$b" "$kind"
    # The server's thumbnail: shrink-on-load decodes 1/8, so the stage converts 1/64 of the pixels.
    jpegtran -copy none "$tmp/$b-$kind.jpg" > "$tmp/$b-$kind-untagged.jpg"
    t0=$(python3 Benchmarks/cpu-ms.py 3 /dev/null "$bin" process "$tmp/$b-$kind-untagged.jpg" --query 'width=200&fmt=webp' --accept image/webp -o /dev/null)
    t1=$(python3 Benchmarks/cpu-ms.py 3 /dev/null "$bin" process "$tmp/$b-$kind.jpg" --query 'width=200&fmt=webp' --accept image/webp -o /dev/null)
    echo "   width=200&fmt=webp: untagged $t0 ms, tagged $t1 ms (one process per run: a LUT profile's grid is built each time; the server keeps the last 8 built)"
  done
done
