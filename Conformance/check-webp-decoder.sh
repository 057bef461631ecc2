#!/usr/bin/env bash
# The WebP decoder against libwebp's dwebp: WebP files made by cwebp (and by our own encoder) from corpus images
# are decoded by `imagestack decode` and by `dwebp -pam` (its default output: fancy upsampling, loop filter,
# straight RGBA), and every sample must be identical.
# cwebp variants: lossless (-m 0/4, -z 9, -exact), lossy at -q 10/50/75/95, -m 0/6, -sharp_yuv, -f 0 (no loop
# filter), -nostrong (simple filter), -segments 1, -sns 0, -sharpness 7, -partition_limit; with alpha every
# -alpha_filter, lossy alpha (-alpha_q), raw alpha (-alpha_method 0), -exact; odd sizes by -crop and 1x1 by
# -resize. Translucent photos: the corpus's gray+alpha camera and a coffee photo given a radial alpha here
# (ImageMagick). Then every other corpus image (PngSuite, png/, variants, photos, tuning) at cwebp's defaults, and
# the PngSuite losslessly too. Our encoder: lossy at several qualities and efforts, lossless, lossy with alpha.
# Every WebP in Conformance/corpus/webp too. Prints a table and "N/M exact"; exits non-zero on any mismatch. Usage: check-webp-decoder.sh [BIN]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
CORPUS=Conformance/corpus
for tool in cwebp dwebp convert; do command -v $tool >/dev/null || { echo "$tool is required"; exit 2; }; done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

convert "$CORPUS/photos/coffee.png" \( -size 600x400 radial-gradient:white-black \) -alpha off \
  -compose CopyOpacity -composite "$tmp/coffee-alpha.png"

# source | cwebp options (one case per line)
cases=$(cat <<'LIST'
photos/chelsea.png|-lossless
photos/chelsea.png|-lossless -m 0
photos/logo.png|-lossless
photos/logo.png|-z 9
photos/camera.png|-lossless
photos/page.png|-lossless
png/pngsuite/basn3p04.png|-lossless
png/pngsuite/basn6a08.png|-lossless
png/variants/camera-gray-alpha.png|-lossless -exact
TMP/coffee-alpha.png|-lossless
photos/chelsea.png|-q 10
photos/chelsea.png|-q 50
photos/chelsea.png|-q 75
photos/chelsea.png|-q 95
photos/rocket.jpg|-q 75
photos/rocket.jpg|-q 75 -m 0
photos/rocket.jpg|-q 75 -m 6
photos/rocket.jpg|-q 60 -f 0
photos/rocket.jpg|-q 60 -nostrong
photos/rocket.jpg|-q 60 -segments 1
photos/rocket.jpg|-q 60 -sns 0
photos/rocket.jpg|-q 40 -sharpness 7
photos/rocket.jpg|-q 90 -partition_limit 70
photos/coffee.png|-q 80 -sharp_yuv
photos/coffee.png|-q 30 -f 100 -sharpness 3
photos/astronaut.png|-q 75
photos/motorcycle_left.png|-q 70
photos/hubble_deep_field.jpg|-q 85
photos/retina.jpg|-q 75
photos/camera.png|-q 60
photos/page.png|-q 50
png/monkey16.png|-q 75
jpeg/variants/odd-s2x2-base.jpg|-q 75
jpeg/variants/thin-509x3.jpg|-q 75
jpeg/variants/one-pixel.jpg|-q 75
jpeg/variants/one-pixel.jpg|-lossless
jpeg/libjpeg-turbo/testorig.jpg|-q 75
png/variants/camera-gray-alpha.png|-q 70 -alpha_filter none
png/variants/camera-gray-alpha.png|-q 70 -alpha_filter fast
png/variants/camera-gray-alpha.png|-q 70 -alpha_filter best
png/variants/camera-gray-alpha.png|-q 70 -alpha_q 30
png/variants/camera-gray-alpha.png|-q 70 -alpha_method 0
png/variants/camera-gray-alpha.png|-q 50 -exact
TMP/coffee-alpha.png|-q 75
TMP/coffee-alpha.png|-q 75 -alpha_filter best -alpha_q 50
TMP/coffee-alpha.png|-q 40 -alpha_method 0 -sharp_yuv
png/pngsuite/basn6a08.png|-q 80
photos/chelsea.png|-q 70 -crop 3 5 301 199
photos/chelsea.png|-q 70 -crop 0 0 17 1
photos/chelsea.png|-q 70 -resize 1 1
photos/logo.png|-lossless -crop 1 1 17 33
TMP/coffee-alpha.png|-q 60 -crop 7 9 111 77
photos/coffee.png|-lossless -resize 1 1
LIST
)

i=0
: > "$tmp/pairs"
make_case() {  # LABEL WEBP: decode with both, record the pair
  local label=$1 webp=$2 n=$3
  if ! dwebp -quiet -pam "$webp" -o "$tmp/$n.ref.pam" 2> "$tmp/log"; then
    echo "$label|DWEBP|$(head -1 "$tmp/log")" >> "$tmp/pairs"; return
  fi
  if ! "$BIN" decode "$webp" -o "$tmp/$n.ours.pnm" > "$tmp/log" 2>&1; then
    echo "$label|OURS|$(head -1 "$tmp/log")" >> "$tmp/pairs"; return
  fi
  echo "$label|$tmp/$n.ours.pnm|$tmp/$n.ref.pam" >> "$tmp/pairs"
}
while IFS='|' read -r source options; do
  [ -n "$source" ] || continue
  i=$((i + 1))
  path=${source/TMP\//$tmp/}
  [ "$path" = "$source" ] && path="$CORPUS/$source"
  # shellcheck disable=SC2086
  if ! cwebp -quiet $options "$path" -o "$tmp/$i.webp" 2> "$tmp/log"; then
    echo "cwebp $options $source|CWEBP|$(head -1 "$tmp/log")" >> "$tmp/pairs"; continue
  fi
  make_case "cwebp $options ${source#TMP/}" "$tmp/$i.webp" $i
done <<< "$cases"

# Every WebP in the corpus (webp/). An animated file is refused by both (dwebp decodes still images only; ImageStack
# serves animations untouched, SPEC §1): that counts as agreement.
for path in $(find "$CORPUS" -name '*.webp' | sort); do
  i=$((i + 1))
  label="corpus ${path#"$CORPUS"/}"
  # VP8X first with the Animation flag (bit 1 of the flags byte at offset 20; WebP container spec).
  if [ "$(head -c 16 "$path" | tail -c 4)" = VP8X ] && [ $(( $(od -An -tu1 -j20 -N1 "$path") & 2 )) -ne 0 ]; then
    if ! dwebp -quiet -pam "$path" -o "$tmp/$i.ref.pam" 2>/dev/null && ! "$BIN" decode "$path" -o "$tmp/$i.ours.pnm" >/dev/null 2>&1; then
      echo "$label|ANIMATED|both refuse" >> "$tmp/pairs"
    else
      echo "$label|OURS|animated file not refused by both" >> "$tmp/pairs"
    fi
    continue
  fi
  make_case "$label" "$path" $i
done

# Every other corpus image at cwebp's defaults (lossy -q 75), and the PngSuite files losslessly too.
auto=$( { ls "$CORPUS"/png/pngsuite/*.png | grep -v '/x[^/]*\.png$'; ls "$CORPUS"/png/*.png "$CORPUS"/png/variants/*.png \
         "$CORPUS"/photos/* "$CORPUS"/tuning/*.png; } 2>/dev/null)
for path in $auto; do
  for options in "-q 75" $(case $path in */pngsuite/*) echo "-lossless";; esac); do
    i=$((i + 1))
    # shellcheck disable=SC2086
    if ! cwebp -quiet $options "$path" -o "$tmp/$i.webp" 2> "$tmp/log"; then
      echo "cwebp $options ${path#"$CORPUS"/}|CWEBP|$(head -1 "$tmp/log")" >> "$tmp/pairs"; continue
    fi
    make_case "cwebp $options ${path#"$CORPUS"/}" "$tmp/$i.webp" $i
  done
done

# Our own encoder's files.
for spec in "photos/chelsea.png|--quality 30" "photos/chelsea.png|--quality 90 --effort 6" \
            "photos/rocket.jpg|--quality 75 --effort 0" "png/variants/camera-gray-alpha.png|--quality 60" \
            "TMP/coffee-alpha.png|--quality 80" "photos/logo.png|--lossless" "TMP/coffee-alpha.png|--lossless --effort 6"; do
  source=${spec%%|*}; options=${spec#*|}
  i=$((i + 1))
  path=${source/TMP\//$tmp/}
  [ "$path" = "$source" ] && path="$CORPUS/$source"
  # shellcheck disable=SC2086
  if ! "$BIN" encode "$path" -o "$tmp/$i.webp" --format webp $options > "$tmp/log" 2>&1; then
    echo "imagestack encode $options ${source#TMP/}|ENCODE|$(head -1 "$tmp/log")" >> "$tmp/pairs"; continue
  fi
  make_case "imagestack encode $options ${source#TMP/}" "$tmp/$i.webp" $i
done

python3 - "$tmp/pairs" <<'PY'
import sys

def read(path):
    """(width, height, depth, samples) of a P6 or P7 (maxval 255) file."""
    data = open(path, "rb").read()
    if data[:2] == b"P6":
        fields = data.split(maxsplit=4)
        w, h = int(fields[1]), int(fields[2])
        return w, h, 3, data[len(data) - w * h * 3:]
    header, _, rest = data.partition(b"ENDHDR\n")
    f = dict(line.split(maxsplit=1) for line in header.decode().splitlines()[1:] if " " in line)
    w, h, d = int(f["WIDTH"]), int(f["HEIGHT"]), int(f["DEPTH"])
    return w, h, d, rest[:w * h * d]

exact = total = 0
print(f"{'case':64} result")
for line in open(sys.argv[1]):
    label, ours, ref = line.rstrip("\n").split("|", 2)
    total += 1
    if ours == "ANIMATED":
        exact += 1
        print(f"{label:64} refused by both (animated)"); continue
    if ours in ("DWEBP", "OURS", "CWEBP", "ENCODE"):
        print(f"{label:64} FAIL {ours.lower()}: {ref}"); continue
    a, b = read(ours), read(ref)
    if a[:2] != b[:2]:
        print(f"{label:64} FAIL size {a[:2]} vs {b[:2]}"); continue
    pa, pb = a[3], b[3]
    if a[2] == b[2]:
        same = pa == pb
    elif a[2] == 3 and b[2] == 4:
        same = all(pa[c::3] == pb[c::4] for c in range(3)) and pb[3::4] == b"\xff" * (len(pb) // 4)
    else:
        same = False
    if same:
        exact += 1
        print(f"{label:64} exact ({a[0]}x{a[1]}, {'RGBA' if a[2] == 4 else 'RGB'})")
    else:
        print(f"{label:64} FAIL pixels differ")
print(f"webp decoder: {exact}/{total} exact")
sys.exit(0 if exact == total else 1)
PY
