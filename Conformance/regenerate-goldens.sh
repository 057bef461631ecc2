#!/usr/bin/env bash
# Recomputes every golden of Conformance/goldens/ from the reference decoders, runs the in-process golden suite on
# them and writes Conformance/REPORT.md. Deterministic: on a clean tree whose code and oracles have not changed it
# leaves `git status` clean; CI (Scripts/test.sh) fails when it does not (drift).
#   1. installs the oracles when missing (djpeg, netpbm/libpng, ImageMagick, dwebp, dav1d, avifdec; numpy);
#   2. builds our release binary and the tests (same flags as Scripts/test.sh, so nothing is compiled twice); the
#      binary is IMAGESTACK_BIN when set;
#   3. Conformance/goldens.py: every case's results from the oracles and our binary (encoder bytes, process);
#   4. `swift test --filter Golden`: every case in-process, no external program; its summary goes into
#      Conformance/REPORT.md with the oracles' versions and the case counts.
# Usage: bash Conformance/regenerate-goldens.sh [--no-test]   (--no-test: steps 1-3 only; REPORT.md is left alone)
# Environment: JOBS (parallel cases in step 3, default: the number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
run_test=1
[ "${1:-}" = "--no-test" ] && run_test=0

bash Scripts/install-oracles.sh djpeg pngtopam pamtopam giftopnm /usr/bin/convert dwebp dav1d avifdec python3 numpy

# `swift build --build-tests` then `swift test --skip-build`: a plain `swift test` compiles the executable target
# differently and would rebuild it, and the next `swift build` again.
BUILD_FLAGS=(-c release -Xswiftc -enable-testing)
echo "== build (release, with tests)"
build_log=$(mktemp); trap 'rm -f "$build_log"' EXIT
if ! swift build "${BUILD_FLAGS[@]}" --build-tests > "$build_log" 2>&1; then
  grep -E "error:" "$build_log" | head -40; tail -20 "$build_log"; exit 1
fi
BIN=${IMAGESTACK_BIN:-.build/release/imagestack}

echo "== goldens from the reference decoders"
status=0
python3 Conformance/goldens.py regenerate "$BIN" || status=1

if [ "$run_test" = 1 ]; then
  echo "== golden suite (in-process)"
  log=$(mktemp); trap 'rm -f "$log" "$build_log"' EXIT
  swift test "${BUILD_FLAGS[@]}" --skip-build --filter Golden > "$log" 2>&1 || status=1
  grep -E "^golden |^case |\| " "$log" || true
  grep -q "^golden conformance: " "$log" || { tail -30 "$log"; exit 1; }
  python3 Conformance/goldens.py report "$log" > Conformance/REPORT.md
  echo "== wrote Conformance/REPORT.md"
fi
exit $status
