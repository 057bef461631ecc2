#!/usr/bin/env bash
# Load: wrk with 64 connections for 30 s on a cache-hit URL and on a transforming URL (result cache off), with
# nginx serving the same file statically for reference (Benchmarks/bench-server.sh). Requires 0 errors, 0 non-2xx,
# a live server afterwards, and bounded memory. The report is saved in test-artifacts/server-load.md.
source "$(dirname "$0")/lib/harness.bash"
command -v wrk >/dev/null || { echo "wrk not installed"; exit 1; }
DURATION="${LOAD_SECONDS:-30}" PAIRED_ROUNDS="${PAIRED_ROUNDS:-1}" PAIRED_SECONDS="${PAIRED_SECONDS:-5}" \
  bash "$REPO/Benchmarks/bench-server.sh" --out "$ART/server-load.md" --kv "$WORK/load.kv"
v() { awk -F= -v k="$1" '$1==k{print $2}' "$WORK/load.kv"; }
for n in cache_hit transform; do
  check_match "$n: requests served" "$(v ${n}_requests)" '^[1-9][0-9]*$'
  check "$n: no socket errors" "$(v ${n}_socket_errors)" 0
  check "$n: no non-2xx responses" "$(v ${n}_non2xx)" 0
  check "$n: server still running" "$(v ${n}_alive)" yes
  check "$n: RSS after the run under 512 MiB ($(v ${n}_rss_after_kb) kB)" "$(( $(v ${n}_rss_after_kb) < 524288 ))" 1
  check "$n: RSS grew by less than 256 MiB" "$(( $(v ${n}_rss_after_kb) - $(v ${n}_rss_before_kb) < 262144 ))" 1
done
check_match "transform: identical requests coalesced" "$(v transform_coalesced)" '^[1-9][0-9]*$'
# The cache-hit / nginx ratio is measured (Benchmarks/server-load.md), not asserted: timings vary with the machine.
check_match "paired cache-hit / nginx ratio measured ($(v paired_median_ratio))" "$(v paired_median_ratio)" '^[0-9]+\.[0-9]+$'
summary
