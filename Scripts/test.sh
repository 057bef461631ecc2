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
)
missing=()
for cmd in "${!NEED[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "$cmd" ]; then missing+=("${NEED[$cmd]}"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "== installing oracles: $pkgs"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
fi

# Python helpers of the conformance checks need numpy (PyPI).
if ! python3 -c "import numpy" >/dev/null 2>&1; then
  echo "== installing numpy"
  python3 -m pip install -q numpy || { echo "numpy could not be installed"; exit 1; }
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

# Every fuzz target briefly (libFuzzer + AddressSanitizer, its own build in Fuzz/.build): a crash, leak, timeout or
# out-of-memory fails the run and keeps the input in Fuzz/artifacts/. Long runs: see Fuzz/README.md.
echo "== fuzzing (each target ${FUZZ_SECONDS:-4} s)"
bash Scripts/fuzz.sh all "${FUZZ_SECONDS:-4}"
echo "== all tests passed"
