#!/usr/bin/env bash
# Encodes a representative set of corpus images with `imagestack encode` to every output format and decodes each
# result with the reference decoder of that format:
#   png            → libpng (pngtopam -alphapam)            exact vs our decode of the source
#   jpeg q75 4:2:0 → libjpeg-turbo (djpeg)                   colour PSNR ≥ floor
#   jpeg q75 4:4:4 → djpeg                                   colour PSNR ≥ floor
#   webp lossless  → libwebp (dwebp -pam)                    exact (alpha included)
#   webp q75       → dwebp -pam                              colour PSNR ≥ floor, alpha exact (ALPH is lossless)
#   avif q60 4:2:0 → libavif (avifdec, strict) → PNG         colour PSNR ≥ floor, alpha PSNR ≥ floor
#   avif q60 4:4:4 → avifdec                                 same
# For AVIF the raw AV1 OBUs of the colour item (and of the alpha item) are also extracted from the container and
# decoded by the dav1d CLI; its YUV must equal libaom's (avifdec --codec aom, .y4m) bit for bit, and the alpha
# item's luma must equal the alpha avifdec put in the PNG.
# A 16-bit source is compared with the 8-bit formats after Raster.to8Bit's rounding (see encodecheck.py).
# Prints a table (file, format, result, detail, size) and exits non-zero on any failure.
# Usage: check-encoders.sh [IMAGESTACK_BINARY]      (CORPUS=... overrides Conformance/corpus)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
CORPUS=${CORPUS:-Conformance/corpus}
# PSNR floors (dB, 8-bit). Sanity floors that catch broken colour conversion, shifted planes, wrong quantizers or
# garbage blocks (those land far below 25 dB), not tuned per image. Below the floor an output still passes when
# the reference encoder at the same setting (cjpeg -quality 75, cwebp -q 75, avifenc at libavif's quantizer for
# quality 60, speed 6) is within 2 dB of it: tiny synthetic images (PngSuite) miss any fixed floor even there.
JPEG_FLOOR=${JPEG_FLOOR:-28}
WEBP_FLOOR=${WEBP_FLOOR:-28}
AVIF_FLOOR=${AVIF_FLOOR:-28}
for tool in pngtopam djpeg cjpeg dwebp cwebp avifdec avifenc dav1d convert python3; do
  command -v $tool >/dev/null || { echo "$tool is required"; exit 2; }
done
python3 -c 'import numpy' 2>/dev/null || { echo "python3 numpy is required (pip install numpy)"; exit 2; }
[ -x "$BIN" ] || { echo "no imagestack binary at $BIN (swift build -c release)"; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
helper=Conformance/encodecheck.py

sources=(
  "$CORPUS"/photos/*
  # PngSuite: gray 1/8/16-bit, gray+alpha, palette, palette+tRNS, RGB 16, RGBA 8/16
  "$CORPUS"/png/pngsuite/basn0g01.png "$CORPUS"/png/pngsuite/basn0g08.png "$CORPUS"/png/pngsuite/basn0g16.png
  "$CORPUS"/png/pngsuite/basn4a08.png "$CORPUS"/png/pngsuite/basn3p08.png "$CORPUS"/png/pngsuite/tbbn3p08.png
  "$CORPUS"/png/pngsuite/basn2c16.png "$CORPUS"/png/pngsuite/basn6a08.png "$CORPUS"/png/pngsuite/basn6a16.png
  # JPEG variants: odd size, 509x3, 1x1, gray, CMYK
  "$CORPUS"/jpeg/variants/odd-s2x2-base.jpg "$CORPUS"/jpeg/variants/thin-509x3.jpg
  "$CORPUS"/jpeg/variants/one-pixel.jpg "$CORPUS"/jpeg/variants/coffee-gray.jpg
  "$CORPUS"/jpeg/variants/coffee-cmyk.jpg
)
formats="png jpeg-420 jpeg-444 webp-lossless webp-q75 avif-420 avif-444"

AVIF_QUANTIZER=$(( ((100 - 60) * 63 + 50) / 100 ))  # libavif's quality 60 on its 0-63 quantizer scale

# The same setting through the reference encoder (cjpeg, cwebp, avifenc/libaom speed 6), decoded by the reference
# decoder into $tmp/ref.pam; only run when our output is below the fixed floor.
reference_decode() {  # FORMAT
  convert "$tmp/src.pnm" -depth 8 png:"$tmp/ref-in.png" 2>/dev/null || return 1
  case $1 in
    jpeg-420|jpeg-444)
      local sample=2x2; [ "$1" = jpeg-444 ] && sample=1x1
      convert "$tmp/src.pnm" -alpha off -depth 8 ppm:"$tmp/ref-in.ppm" 2>/dev/null &&
        cjpeg -quality 75 -sample $sample -outfile "$tmp/ref.jpg" "$tmp/ref-in.ppm" &&
        djpeg -pnm -outfile "$tmp/ref.pam" "$tmp/ref.jpg" ;;
    webp-q75)
      cwebp -quiet -q 75 "$tmp/ref-in.png" -o "$tmp/ref.webp" && dwebp -quiet "$tmp/ref.webp" -pam -o "$tmp/ref.pam" ;;
    avif-420|avif-444)
      avifenc -s 6 -y "${1#avif-}" --min $AVIF_QUANTIZER --max $AVIF_QUANTIZER --minalpha $AVIF_QUANTIZER \
          --maxalpha $AVIF_QUANTIZER "$tmp/ref-in.png" "$tmp/ref.avif" >/dev/null 2>&1 &&
        avifdec "$tmp/ref.avif" "$tmp/ref.png" >/dev/null 2>&1 && pngtopam -alphapam "$tmp/ref.png" >"$tmp/ref.pam" ;;
  esac
}

lossy_check() {  # FORMAT DECODED FLOOR ALPHA_RULE: sets msg, status 0 when it passes
  msg=$(python3 $helper psnr "$2" "$tmp/src.pnm" "$3" "$4") && return 0
  local ours reference
  ours=$(sed -n 's/^PSNR \([0-9.]*\) dB.*/\1/p' <<<"$msg")
  [ -n "$ours" ] && python3 -c "import sys; sys.exit(0 if float('$ours') < $3 else 1)" || return 1
  reference_decode "$1" || { msg+=" (reference encoder failed)"; return 1; }
  reference=$(python3 $helper psnr "$tmp/ref.pam" "$tmp/src.pnm" 0 none | sed -n 's/^PSNR \([0-9.a-z]*\) dB.*/\1/p')
  msg=$(python3 $helper psnr "$2" "$tmp/src.pnm" "$3" "$4" "$reference")
}

row() { printf '%-34s %-14s %-6s %-70s %s\n' "$@"; }
pass=0; fail=0; failures=""
record() {  # NAME FORMAT STATUS DETAIL SIZE
  row "$1" "$2" "$3" "$4" "$5"
  if [ "$3" = FAIL ]; then fail=$((fail + 1)); failures+="  $1 $2: $4"$'\n'; else pass=$((pass + 1)); fi
}

exact_check() {  # the lossless row for $tmp/dec.pam against the source
  if msg=$(python3 $helper exact "$tmp/dec.pam" "$tmp/src.pnm"); then
    record "$name" "$fmt" exact "$msg" "$size"
  else
    record "$name" "$fmt" FAIL "$msg" "$size"
  fi
}

row file format result detail bytes
for src in "${sources[@]}"; do
  name=${src#"$CORPUS"/}
  if ! "$BIN" decode "$src" -o "$tmp/src.pnm" 2>"$tmp/err"; then
    record "$name" source FAIL "imagestack decode: $(head -1 "$tmp/err")" -; continue
  fi
  for fmt in $formats; do
    case $fmt in
      png) args=(--format png); ext=png ;;
      jpeg-420) args=(--format jpeg --quality 75 --subsampling 4:2:0); ext=jpg ;;
      jpeg-444) args=(--format jpeg --quality 75 --subsampling 4:4:4); ext=jpg ;;
      webp-lossless) args=(--format webp --lossless); ext=webp ;;
      webp-q75) args=(--format webp --quality 75); ext=webp ;;
      avif-420) args=(--format avif --quality 60 --subsampling 4:2:0); ext=avif ;;
      avif-444) args=(--format avif --quality 60 --subsampling 4:4:4); ext=avif ;;
    esac
    out="$tmp/out.$ext"
    rm -f "$out" "$tmp"/dec.* "$tmp"/*.y4m "$tmp"/*.obu
    if ! "$BIN" encode "$src" -o "$out" "${args[@]}" 2>"$tmp/err"; then
      record "$name" "$fmt" FAIL "imagestack encode: $(head -1 "$tmp/err")" -; continue
    fi
    size=$(stat -c %s "$out")
    case $fmt in
      png)
        if ! pngtopam -alphapam "$out" >"$tmp/dec.pam" 2>"$tmp/err"; then
          record "$name" "$fmt" FAIL "pngtopam: $(head -1 "$tmp/err")" "$size"; continue
        fi
        exact_check ;;
      jpeg-*)
        if ! djpeg -pnm -outfile "$tmp/dec.pnm" "$out" 2>"$tmp/err" || [ -s "$tmp/err" ]; then
          record "$name" "$fmt" FAIL "djpeg: $(head -1 "$tmp/err")" "$size"; continue
        fi
        if lossy_check "$fmt" "$tmp/dec.pnm" "$JPEG_FLOOR" none; then
          record "$name" "$fmt" ok "$msg" "$size"
        else
          record "$name" "$fmt" FAIL "$msg" "$size"
        fi ;;
      webp-*)
        if ! dwebp "$out" -pam -o "$tmp/dec.pam" >/dev/null 2>"$tmp/err"; then
          record "$name" "$fmt" FAIL "dwebp: $(grep -v '^Decoded\|^Saved' "$tmp/err" | head -1)" "$size"; continue
        fi
        if [ "$fmt" = webp-lossless ]; then
          exact_check
        elif lossy_check "$fmt" "$tmp/dec.pam" "$WEBP_FLOOR" exact; then
          record "$name" "$fmt" ok "$msg" "$size"
        else
          record "$name" "$fmt" FAIL "$msg" "$size"
        fi ;;
      avif-*)
        note=""
        if ! avifdec "$out" "$tmp/dec.png" >/dev/null 2>"$tmp/err"; then
          # photos/page.png carries an ICC profile whose rendering intent field is 0x01000000 (invalid); the AVIF
          # keeps it byte for byte and libavif parses it, but libpng's writer refuses it. Then the pixels are
          # checked without the profile and the row says so.
          if grep -q "libpng error: profile" "$tmp/err" && avifdec --ignore-icc "$out" "$tmp/dec.png" >/dev/null 2>&1; then
            note="; ICC not writable to PNG: $(grep -o "profile.*" "$tmp/err" | head -1)"
          else
            record "$name" "$fmt" FAIL "avifdec: $(grep -iv '^decoding\|^ \* ' "$tmp/err" | head -1)" "$size"; continue
          fi
        fi
        pngtopam -alphapam "$tmp/dec.png" >"$tmp/dec.pam" 2>/dev/null
        if ! lossy_check "$fmt" "$tmp/dec.pam" "$AVIF_FLOOR" psnr; then
          record "$name" "$fmt" FAIL "$msg" "$size"; continue
        fi
        msg+=$note
        # The raw AV1 streams through dav1d, checked against libaom's decode of the same file.
        if ! obus=$(python3 $helper obus "$out" "$tmp"); then
          record "$name" "$fmt" FAIL "OBU extraction: $obus" "$size"; continue
        fi
        if ! dav1d -q -i "$tmp/color.obu" --demuxer section5 -o "$tmp/dav1d.y4m" 2>"$tmp/err"; then
          record "$name" "$fmt" FAIL "dav1d (colour OBUs): $(head -1 "$tmp/err")" "$size"; continue
        fi
        if ! avifdec -c aom "$out" "$tmp/aom.y4m" >/dev/null 2>"$tmp/err"; then
          record "$name" "$fmt" FAIL "avifdec -c aom: $(grep -iv '^decoding\|^ \* ' "$tmp/err" | head -1)" "$size"; continue
        fi
        if ! same=$(python3 $helper y4m "$tmp/dav1d.y4m" "$tmp/aom.y4m"); then
          record "$name" "$fmt" FAIL "$msg; dav1d vs libaom YUV: $same" "$size"; continue
        fi
        if [ -e "$tmp/alpha.obu" ]; then
          if ! dav1d -q -i "$tmp/alpha.obu" --demuxer section5 -o "$tmp/alpha.y4m" 2>"$tmp/err"; then
            record "$name" "$fmt" FAIL "$msg; dav1d (alpha OBUs): $(head -1 "$tmp/err")" "$size"; continue
          fi
          if ! same=$(python3 $helper y4m-alpha "$tmp/alpha.y4m" "$tmp/dec.pam"); then
            record "$name" "$fmt" FAIL "$msg; dav1d alpha vs avifdec: $same" "$size"; continue
          fi
          msg+="; dav1d=aom, alpha"
        else
          msg+="; dav1d=aom"
        fi
        record "$name" "$fmt" ok "$msg" "$size" ;;
    esac
  done
done
echo "encoders: $pass passed, $fail failed (floors: jpeg $JPEG_FLOOR, webp $WEBP_FLOOR, avif $AVIF_FLOOR dB)"
[ "$fail" = 0 ] || printf 'failures:\n%s' "$failures"
[ "$fail" = 0 ]
