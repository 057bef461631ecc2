#!/usr/bin/env bash
# Builds release and runs every Benchmarks/bench-*.sh; each prints our time vs the C reference tool as ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
for bench in Benchmarks/bench-*.sh; do
  [ -e "$bench" ] || continue
  echo "== $bench"
  bash "$bench"
done
