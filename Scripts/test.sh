#!/usr/bin/env bash
# The one test command (README, .ci/run): installs the Debian oracles when missing, builds release, runs the unit
# tests, the conformance suite against the reference decoders, and the integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Oracles and peers: command → Debian package. Installed only when missing ('apt-get update' once).
declare -A NEED=(
  [djpeg]=libjpeg-turbo-progs [cjpeg]=libjpeg-turbo-progs
  [dwebp]=webp [cwebp]=webp
  [dav1d]=dav1d [avifdec]=libavif-bin
  [vips]=libvips-tools [pngtopnm]=netpbm [pngtopam]=netpbm
  [/usr/bin/convert]=imagemagick
  [wrk]=wrk [nginx]=nginx-light [chromium]=chromium [curl]=curl
  [tificc]=liblcms2-utils [jpgicc]=liblcms2-utils [jpegtran]=libjpeg-turbo-progs
  # ICC profiles the colour tests convert through (files, not commands).
  [/usr/share/color/icc/colord/AdobeRGB1998.icc]=colord-data [/usr/share/color/icc/Gray.icc]=icc-profiles-free
  [/usr/share/color/icc/ghostscript/default_cmyk.icc]=libgs-common
)
missing=()
for cmd in "${!NEED[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "$cmd" ] && [ ! -f "$cmd" ]; then missing+=("${NEED[$cmd]}"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "== installing oracles: $pkgs"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
fi

# Python helpers of the conformance checks need numpy; the LittleCMS oracle script writes TIFFs with Pillow (PyPI).
if ! python3 -c "import numpy" >/dev/null 2>&1; then
  echo "== installing numpy"
  python3 -m pip install -q numpy || { echo "numpy could not be installed"; exit 1; }
fi
if ! python3 -c "import PIL" >/dev/null 2>&1; then
  echo "== installing pillow"
  python3 -m pip install -q pillow || { echo "pillow could not be installed"; exit 1; }
fi

# One release build with -enable-testing serves both the unit tests (@testable imports) and the conformance and
# integration suites, instead of compiling the whole package twice.
BUILD_FLAGS=(-c release -Xswiftc -enable-testing)
echo "== build (release)"
if ! swift build "${BUILD_FLAGS[@]}" > /tmp/imagestack-build.log 2>&1; then
  grep -E "error:" /tmp/imagestack-build.log | head -40; tail -20 /tmp/imagestack-build.log; exit 1
fi
tail -1 /tmp/imagestack-build.log
test -x .build/release/imagestack

echo "== unit tests (release build, testable)"
swift test "${BUILD_FLAGS[@]}" 2>&1 | tee /tmp/imagestack-unit-tests.log | grep -Ev '^\[[0-9]+/[0-9]+\]|^Test Case .* (started|passed)'
grep -q "with 0 failures" /tmp/imagestack-unit-tests.log

echo "== conformance (imagestack vs reference decoders)"
bash Conformance/run.sh

for suite in Tests/Integration/*.sh; do
  [ -e "$suite" ] || continue
  echo "== integration: $suite"
  bash "$suite"
done
echo "== all tests passed"
