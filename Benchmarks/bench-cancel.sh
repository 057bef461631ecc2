#!/usr/bin/env bash
# CPU a transform keeps burning after its client has gone (SPEC §5 "work nobody waits for stops").
# Starts `imagestack serve` on a copy of a large image, asks for QUERY (default `fmt=avif&quality=40`, a ~10 s
# encode on two cores; QUERY='fmt=webp' tries the VP8 encoder), disconnects after 0.7 s (curl --max-time), then
# samples the server process's CPU time (user + sys, from /proc/PID/stat) over the next 2 s. Repeats RUNS times (default 5) and prints each run and the median, plus how
# the job ended (the imagestack_jobs_cancelled_total counters). With BASE_BIN=path (e.g. a build of an older
# commit) the same runs are made against it too, paired, for comparison. Loopback port 18120.
set -uo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/corpus.sh
BIN="${IMAGESTACK_BIN:-.build/release/imagestack}"
RUNS="${RUNS:-5}"
QUERY="${QUERY:-fmt=avif&quality=40}"
PORT=18120
[ -x "$BIN" ] || { echo "build release first"; exit 1; }
if [ -z "${IMAGE:-}" ]; then need_large; IMAGE="$LARGE/honeywave-5120x2880-base422.jpg"; fi
[ -f "$IMAGE" ] || { echo "missing $IMAGE"; exit 1; }
WORK="$(mktemp -d /tmp/imagestack-cancel.XXXXXX)"
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/origin"
cp "$IMAGE" "$WORK/origin/big.jpg"
TICKS=$(getconf CLK_TCK)

cpu_seconds() { awk -v t="$TICKS" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }

# one_run BIN → prints the CPU seconds the server used in the 2 s after the client left.
one_run() {
  local bin="$1" before after
  "$bin" serve --origin "$WORK/origin" --listen 127.0.0.1:$PORT --quiet >/dev/null 2>"$WORK/server.log" &
  SERVER=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done
  curl -s -o /dev/null --max-time 0.7 -H 'Accept: image/avif,image/webp' \
    "http://127.0.0.1:$PORT/big.jpg?$QUERY"
  before=$(cpu_seconds "$SERVER")
  sleep 2
  after=$(cpu_seconds "$SERVER")
  curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^imagestack_jobs_cancelled_total/ && $2 > 0 {printf "%s ", $0}' >"$WORK/how"
  kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; SERVER=""
  awk -v a="$before" -v b="$after" 'BEGIN{printf "%.2f", b - a}'
}

median() { sort -n | awk '{v[NR]=$1} END{if (NR % 2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2}'; }

echo "image: $IMAGE ($(stat -c %s "$IMAGE") bytes), ?$QUERY, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/ours"; : >"$WORK/base"
for run in $(seq 1 "$RUNS"); do
  ours=$(one_run "$BIN"); echo "$ours" >>"$WORK/ours"
  line="run $run: ${ours} s CPU in the 2 s after the client left ($(cat "$WORK/how"))"
  if [ -n "${BASE_BIN:-}" ]; then
    base=$(one_run "$BASE_BIN"); echo "$base" >>"$WORK/base"
    line="$line; BASE_BIN: ${base} s"
  fi
  echo "$line"
done
echo "median: $(median <"$WORK/ours") s CPU after the client left${BASE_BIN:+ (BASE_BIN: $(median <"$WORK/base") s)}"
