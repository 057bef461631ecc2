#!/usr/bin/env bash
# Installs the reference tools (oracles and benchmark peers) that are missing, from Debian packages ('apt-get
# update' once, only when something is missing), and numpy from PyPI.
# Usage: Scripts/install-oracles.sh [COMMAND...]   (no argument: every tool Scripts/test.sh needs)
set -euo pipefail

# command → Debian package
declare -A PACKAGE=(
  [djpeg]=libjpeg-turbo-progs [cjpeg]=libjpeg-turbo-progs
  [dwebp]=webp [cwebp]=webp
  [dav1d]=dav1d [avifdec]=libavif-bin [avifenc]=libavif-bin
  [vips]=libvips-tools [pngtopnm]=netpbm [pngtopam]=netpbm [pamtopam]=netpbm [giftopnm]=netpbm
  [/usr/bin/convert]=imagemagick
  [wrk]=wrk [nginx]=nginx-light [chromium]=chromium [curl]=curl
  [python3]=python3
  [tificc]=liblcms2-utils [jpgicc]=liblcms2-utils [jpegtran]=libjpeg-turbo-progs
  # ICC profiles the colour tests convert through (files, not commands).
  [/usr/share/color/icc/colord/AdobeRGB1998.icc]=colord-data [/usr/share/color/icc/Gray.icc]=icc-profiles-free
  [/usr/share/color/icc/ghostscript/default_cmyk.icc]=libgs-common
)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${!PACKAGE[@]}")

missing=()
for cmd in "${wanted[@]}"; do
  [ "$cmd" = numpy ] || [ "$cmd" = pillow ] && continue
  [ -n "${PACKAGE[$cmd]:-}" ] || { echo "install-oracles.sh: unknown tool $cmd" >&2; exit 2; }
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "$cmd" ] && [ ! -f "$cmd" ]; then missing+=("${PACKAGE[$cmd]}"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "== installing oracles: $pkgs"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
fi

# The conformance helpers (Python) need numpy (PyPI), asked for explicitly or as part of everything.
if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx numpy; then
  if ! python3 -c "import numpy" >/dev/null 2>&1; then
    echo "== installing numpy"
    python3 -m pip install -q numpy || { echo "numpy could not be installed"; exit 1; }
  fi
fi

# The LittleCMS oracle script of the colour tests (Conformance/icc/lcms_convert.py) writes TIFFs with Pillow (PyPI).
if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx pillow; then
  if ! python3 -c "import PIL" >/dev/null 2>&1; then
    echo "== installing pillow"
    python3 -m pip install -q pillow || { echo "pillow could not be installed"; exit 1; }
  fi
fi
