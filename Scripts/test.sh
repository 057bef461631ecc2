#!/usr/bin/env bash
# The one test command (README, .ci/run): installs the Debian oracles when missing, builds release, runs the unit
# tests, the conformance suite against the reference decoders, and the integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Oracles and peers (Debian packages) and numpy, installed only when missing.
bash Scripts/install-oracles.sh

# The large benchmark wallpapers (not committed) for the robustness tests on big files.
bash Benchmarks/fetch-large.sh

# One release build with -enable-testing serves both the unit tests (@testable imports) and the conformance and
# integration suites, instead of compiling the whole package twice.
BUILD_FLAGS=(-c release -Xswiftc -enable-testing)
# `--build-tests` here and `swift test --skip-build` below: a plain `swift test` compiles the executable target
# differently and would rebuild it (and the next `swift build` again).
echo "== build (release, with tests)"
if ! swift build "${BUILD_FLAGS[@]}" --build-tests > /tmp/imagestack-build.log 2>&1; then
  grep -E "error:" /tmp/imagestack-build.log | head -40; tail -20 /tmp/imagestack-build.log; exit 1
fi
tail -1 /tmp/imagestack-build.log
test -x .build/release/imagestack

# Golden conformance: recompute the goldens from the reference decoders and run the in-process suite on them
# (Conformance/regenerate-goldens.sh); any difference from the committed goldens or report is drift: a change of
# output that was not regenerated in its commit, or an oracle that changed.
echo "== golden conformance (regenerate, then swift test --filter Golden)"
bash Conformance/regenerate-goldens.sh
if [ -n "$(git status --porcelain -- Conformance/goldens Conformance/REPORT.md)" ]; then
  git --no-pager diff --stat -- Conformance/goldens Conformance/REPORT.md
  git status --short -- Conformance/goldens Conformance/REPORT.md
  echo "goldens drifted from the committed ones: regenerate them in the commit that changes the output"; exit 1
fi

echo "== unit tests (release build, testable; the golden suite ran above)"
swift test "${BUILD_FLAGS[@]}" --skip-build --skip Golden 2>&1 | tee /tmp/imagestack-unit-tests.log | grep -Ev '^\[[0-9]+/[0-9]+\]|^Test Case .* (started|passed)'
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
