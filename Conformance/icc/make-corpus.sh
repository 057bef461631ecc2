#!/usr/bin/env bash
# Regenerates Conformance/corpus/icc/: corpus photos converted by LittleCMS (ImageMagick's lcms delegate, relative
# colorimetric, no black-point compensation) into other colour spaces, with the profile embedded by ImageMagick or
# jpegtran. Nothing here is written by ImageStack. Profiles: Debian colord-data, icc-profiles-free, libgs-common.
# Usage: bash Conformance/icc/make-corpus.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=Conformance/corpus/icc
photos=Conformance/corpus/photos
icc=/usr/share/color/icc
srgb=$icc/colord/sRGB.icc
mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Untagged sRGB bases, 256–384 px wide.
convert "$photos/coffee.png" -resize 384x "$tmp/coffee.png"
convert "$photos/chelsea.png" -resize 384x "$tmp/chelsea.png"
convert "$photos/chelsea.png" -resize 256x "$tmp/chelsea-small.png"
convert "$photos/astronaut.png" -resize 192x "$tmp/astronaut.png"

# `-profile A -profile B`: assign A (the pixels are sRGB), then convert to B through lcms and embed B.
to() { # base target-profile output [extra convert options...]
  local base=$1 profile=$2 dest=$3; shift 3
  convert "$base" -profile "$srgb" -intent relative -profile "$profile" "$@" "$out/$dest"
}
to "$tmp/coffee.png" "$icc/colord/AdobeRGB1998.icc" adobergb-colord.jpg -quality 92
to "$tmp/chelsea-small.png" "$icc/compatibleWithAdobeRGB1998.icc" adobergb-compatible.png -define png:exclude-chunks=date,time
to "$tmp/astronaut.png" "$icc/colord/ProPhotoRGB.icc" prophoto-16bit.png -depth 16 -define png:exclude-chunks=date,time
to "$tmp/chelsea.png" "$icc/colord/ProPhotoRGB.icc" prophoto.jpg -quality 92
to "$tmp/coffee.png" "$icc/colord/Rec709.icc" rec709.jpg -quality 92
python3 Conformance/icc/make-display-p3-like.py Conformance/icc/profiles/display-p3-like.icc
to "$tmp/chelsea.png" Conformance/icc/profiles/display-p3-like.icc display-p3-like.jpg -quality 92
# Gray: sRGB luminance as sRGB gray (ghostscript's sgray.icc), then to linear gray (icc-profiles-free Gray.icc).
convert "$tmp/coffee.png" -colorspace gray -profile "$icc/ghostscript/sgray.icc" -intent relative \
  -profile "$icc/Gray.icc" -quality 92 "$out/gray-linear.jpg"
# CMYK through ghostscript's SWOP press profile (187 KB, embedded), Adobe-inverted CMYK JPEG; and the same JPEG
# data without the profile (jpegtran copies the scans losslessly).
to "$tmp/coffee.png" "$icc/ghostscript/default_cmyk.icc" cmyk-swop.jpg -quality 92
jpegtran -copy none "$out/cmyk-swop.jpg" > "$out/cmyk-noprofile.jpg"
# sRGB-tagged: the same JPEG data with colord's sRGB (v4, 20 KB) and HP's sRGB IEC61966-2.1 (v2, 3144 bytes, as
# cameras and Photoshop embed it; taken from photos/hubble_deep_field.jpg).
convert "$tmp/coffee.png" -quality 92 "$tmp/coffee.jpg"
jpegtran -copy none -icc "$srgb" "$tmp/coffee.jpg" > "$out/srgb-colord.jpg"
convert "$photos/hubble_deep_field.jpg" Conformance/icc/profiles/srgb-hp-3144.icc 2>/dev/null
convert "$tmp/chelsea-small.png" -define png:preserve-iCCP=true -define png:exclude-chunks=date,time -profile Conformance/icc/profiles/srgb-hp-3144.icc "$out/srgb-hp.png"
ls -l "$out"
