#!/usr/bin/env bash
# Load benchmark for `imagestack serve`: wrk -t2 -c64, DURATION seconds (default 30) on
#   1. a cache-hit URL (result cache on: the transform runs once, then every request is a cache hit),
#   2. a transforming URL with the result cache off (every request goes through coalescing and the worker pool),
#   3. nginx serving the same files statically (the reference point): the original JPEG, and the very WebP bytes
#      the cache-hit case returns;
# then PAIRED_ROUNDS (default 5) paired rounds of PAIRED_SECONDS (default 10) each: the cache hit and nginx's
# static WebP back to back (order alternating), the ratio of their req/s per round and the median ratio — the
# figure to quote on a shared machine, where load drifts between the long runs.
# Reports req/s, latency (avg, p50, p99, max), errors and the server's RSS before/after, as Markdown (--out FILE)
# and as key=value lines (--kv FILE) for the integration test. Loopback only, fixed ports 18098/18099/18092.
set -uo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-30}"
OUT="" KV=""
while [ $# -gt 0 ]; do
  case "$1" in --out) OUT="$2"; shift 2 ;; --kv) KV="$2"; shift 2 ;; *) echo "unknown option $1"; exit 2 ;; esac
done
BIN="${IMAGESTACK_BIN:-.build/release/imagestack}"
[ -x "$BIN" ] || { echo "build release first"; exit 1; }
WORK="$(mktemp -d /tmp/imagestack-bench.XXXXXX)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.2; rm -rf "$WORK"' EXIT
S1=18098 S2=18099 NG=18092
for p in $S1 $S2 $NG; do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && { echo "port $p busy"; exit 1; }; done

wait_up() { for _ in $(seq 1 100); do curl -s -o /dev/null --max-time 1 "$1" && return 0; sleep 0.1; done; return 1; }
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

"$BIN" serve --origin samples --listen 127.0.0.1:$S1 --quiet >/dev/null 2>"$WORK/s1.log" &
S1PID=$!; PIDS+=($S1PID)
printf '{"origin": "samples", "cacheBytes": 0, "accessLog": false}' >"$WORK/nocache.json"
"$BIN" serve --config "$WORK/nocache.json" --listen 127.0.0.1:$S2 >/dev/null 2>"$WORK/s2.log" &
S2PID=$!; PIDS+=($S2PID)
mkdir -p "$WORK/static"
cp samples/rocket.jpg "$WORK/static/rocket.jpg"
source Tests/Integration/lib/nginx.bash
nginx_config "$WORK/nginx" 2 "  server { listen 127.0.0.1:$NG; root $WORK/static; }"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/start.log" &
PIDS+=($!)
wait_up "http://127.0.0.1:$S1/health" && wait_up "http://127.0.0.1:$S2/health" && wait_up "http://127.0.0.1:$NG/rocket.jpg" || { echo "servers did not start"; exit 1; }

ACCEPT='Accept: image/avif,image/webp,image/apng,image/*,*/*;q=0.8'
HIT="http://127.0.0.1:$S1/rocket.jpg?width=320&fmt=webp"
TRANSFORM="http://127.0.0.1:$S2/rocket.jpg?width=320&fmt=webp"
STATIC="http://127.0.0.1:$NG/rocket.jpg"
curl -s -H "$ACCEPT" -o "$WORK/static/rocket-320.webp" "$HIT"   # fills the cache; nginx serves the same bytes
HIT_BYTES=$(stat -c %s "$WORK/static/rocket-320.webp")

run() {  # NAME URL PID
  local name="$1" url="$2" pid="$3" before after
  before=$(rss_kb "$pid")
  wrk -t2 -c64 -d"${DURATION}s" --timeout 10s --latency -H "$ACCEPT" "$url" >"$WORK/$name.wrk" 2>&1
  after=$(rss_kb "$pid")
  local rps avg p50 p99 max non2xx sockerr reqs alive
  rps=$(awk '/^Requests\/sec:/{print $2}' "$WORK/$name.wrk")
  reqs=$(awk '/requests in/{print $1}' "$WORK/$name.wrk")
  avg=$(awk '/^ +Latency /{print $2; exit}' "$WORK/$name.wrk")
  max=$(awk '/^ +Latency /{print $4; exit}' "$WORK/$name.wrk")
  p50=$(awk '$1=="50%"{print $2}' "$WORK/$name.wrk")
  p99=$(awk '$1=="99%"{print $2}' "$WORK/$name.wrk")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$WORK/$name.wrk"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors/{gsub(",",""); print $4+$6+$8+$10}' "$WORK/$name.wrk"); sockerr=${sockerr:-0}
  alive=no; kill -0 "$pid" 2>/dev/null && alive=yes
  printf '%s_rps=%s\n%s_requests=%s\n%s_avg=%s\n%s_p50=%s\n%s_p99=%s\n%s_max=%s\n%s_non2xx=%s\n%s_socket_errors=%s\n%s_rss_before_kb=%s\n%s_rss_after_kb=%s\n%s_alive=%s\n' \
    "$name" "$rps" "$name" "$reqs" "$name" "$avg" "$name" "$p50" "$name" "$p99" "$name" "$max" "$name" "$non2xx" \
    "$name" "$sockerr" "$name" "$before" "$name" "$after" "$name" "$alive" >>"$WORK/results.kv"
  echo "$name: $rps req/s, avg $avg, p50 $p50, p99 $p99, max $max, non-2xx $non2xx, socket errors $sockerr, RSS ${before} → ${after} kB"
}
: >"$WORK/results.kv"
run cache_hit "$HIT" "$S1PID"
run transform "$TRANSFORM" "$S2PID"
run nginx_static "$STATIC" "$(cat "$WORK/nginx/nginx.pid")"
run nginx_static_webp "http://127.0.0.1:$NG/rocket-320.webp" "$(cat "$WORK/nginx/nginx.pid")"
# Paired rounds: cache hit vs nginx static, same body, back to back.
PAIRED_ROUNDS="${PAIRED_ROUNDS:-5}" PAIRED_SECONDS="${PAIRED_SECONDS:-10}"
rps_of() { wrk -t2 -c64 -d"${PAIRED_SECONDS}s" --timeout 10s -H "$ACCEPT" "$1" 2>&1 | awk '/^Requests\/sec:/{print $2}'; }
: >"$WORK/ratios"
for round in $(seq 1 "$PAIRED_ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then ours=$(rps_of "$HIT"); theirs=$(rps_of "http://127.0.0.1:$NG/rocket-320.webp")
  else theirs=$(rps_of "http://127.0.0.1:$NG/rocket-320.webp"); ours=$(rps_of "$HIT"); fi
  ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "nan" }')
  echo "$ratio" >>"$WORK/ratios"
  echo "paired round $round: cache hit $ours req/s, nginx static $theirs req/s, ratio $ratio"
  printf 'paired_%s_cache_hit_rps=%s\npaired_%s_nginx_rps=%s\npaired_%s_ratio=%s\n' "$round" "$ours" "$round" "$theirs" "$round" "$ratio" >>"$WORK/results.kv"
done
MEDIAN_RATIO=$(sort -n "$WORK/ratios" | awk '{v[NR]=$1} END{ if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2 }')
echo "median cache-hit / nginx-static ratio over $PAIRED_ROUNDS paired rounds: $MEDIAN_RATIO"
printf 'paired_rounds=%s\npaired_median_ratio=%s\n' "$PAIRED_ROUNDS" "$MEDIAN_RATIO" >>"$WORK/results.kv"

coalesced=$(curl -s "http://127.0.0.1:$S2/metrics" | awk '/^imagestack_coalesced_requests_total/{print $2}')
transforms=$(curl -s "http://127.0.0.1:$S2/metrics" | awk '/^imagestack_processing_seconds_count/{print $2}')
limited=$(curl -s "http://127.0.0.1:$S2/metrics" | awk -F' ' '/^imagestack_skips_total\{reason="compression: rate limit is exceeded"\}/{print $NF}')
printf 'transform_coalesced=%s\ntransform_encodes=%s\ntransform_rate_limited=%s\n' "$coalesced" "$transforms" "${limited:-0}" >>"$WORK/results.kv"
[ -n "$KV" ] && cp "$WORK/results.kv" "$KV"

if [ -n "$OUT" ]; then
  v() { awk -F= -v k="$1" '$1==k{print $2}' "$WORK/results.kv"; }
  {
    echo "# Server load: wrk, 64 connections, ${DURATION} s"
    echo
    echo "Measured by \`Benchmarks/bench-server.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared with other"
    echo "work (load average at start: $(cut -d' ' -f1-3 /proc/loadavg)), release build, loopback. Image: samples/rocket.jpg"
    echo "(640×427 JPEG, 112 525 bytes); Accept as Chromium sends it. Numbers are noisy on a shared machine."
    echo
    echo "| case | req/s | avg latency | p50 | p99 | max | non-2xx | socket errors | server RSS before → after |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for n in cache_hit nginx_static_webp transform nginx_static; do
      label=$n
      case $n in
        cache_hit) label="imagestack, cache hit (\`?width=320&fmt=webp\` → $HIT_BYTES-byte WebP)" ;;
        transform) label="imagestack, result cache off (same URL: coalescing + worker pool)" ;;
        nginx_static) label="nginx 1.22 static, the original JPEG (112 525 bytes)" ;;
        nginx_static_webp) label="nginx 1.22 static, the same $HIT_BYTES-byte WebP file (reference for the cache hit)" ;;
      esac
      echo "| $label | $(v ${n}_rps) | $(v ${n}_avg) | $(v ${n}_p50) | $(v ${n}_p99) | $(v ${n}_max) | $(v ${n}_non2xx) | $(v ${n}_socket_errors) | $(v ${n}_rss_before_kb) → $(v ${n}_rss_after_kb) kB |"
    done
    echo
    echo "Paired rounds ($PAIRED_ROUNDS × ${PAIRED_SECONDS} s each side, back to back, order alternating): cache hit / nginx static"
    echo "WebP (same $HIT_BYTES-byte body) req/s ratio per round: $(paste -sd' ' "$WORK/ratios"); median **$MEDIAN_RATIO**."
    echo
    echo "With the result cache off the server ran $(v transform_encodes) encodes for the run; $(v transform_coalesced) requests joined an"
    echo "identical in-flight transform (coalescing) instead of starting their own, and $(v transform_rate_limited) got the original"
    echo "with \`compression: rate limit is exceeded\` because the worker queue was full. nginx RSS is its master process's."
  } >"$OUT"
fi
