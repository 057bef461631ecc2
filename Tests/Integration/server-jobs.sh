#!/usr/bin/env bash
# Image jobs against a running server (SPEC §5): a client that hangs up cancels its transform (and a queued one
# never starts), a coalesced request keeps the job alive for the client still waiting, the processing deadline
# serves the original with its skip reason, and the HTTP/1.1 Host rule (RFC 9112 §3.2). Functional checks on
# counters and headers, no timing assertions: CPU figures are in Benchmarks/bench-cancel.sh.
source "$(dirname "$0")/lib/harness.bash"
S=18100 S2=18101 S3=18102
require_ports $S $S2 $S3
command -v convert >/dev/null || { echo "ImageMagick convert not installed"; exit 1; }

# A 4096x3072 photo: an AVIF encode of it takes seconds, long enough to leave in the middle of.
mkdir -p "$WORK/origin"
convert "$REPO/Conformance/corpus/tuning/photo-Dragonfly.png" -resize 400% -quality 92 "$WORK/origin/big.jpg"
cp "$REPO/samples/rocket.jpg" "$WORK/origin/rocket.jpg"
printf '{"origin": "%s", "timeouts": {"processingMs": 5}}' "$WORK/origin" >"$WORK/deadline.json"
printf '{"origin": "%s", "workers": 1, "queueSize": 4}' "$WORK/origin" >"$WORK/one-worker.json"
start_server srv $S --origin "$WORK/origin"
start_server deadline $S2 --config "$WORK/deadline.json"
start_server single $S3 --config "$WORK/one-worker.json"
AVIF='Accept: image/avif,image/webp,*/*'

metric() {  # PORT SERIES → value (0 when absent)
  curl -s "http://127.0.0.1:$1/metrics" | awk -v s="$2" 'index($0, s " ") == 1 {v=$2} END{print v+0}'
}
# wait_metric PORT SERIES MIN — polls up to 30 s until the series reaches MIN; prints its last value.
wait_metric() {
  local v=0
  for _ in $(seq 1 300); do v=$(metric "$1" "$2"); [ "$v" -ge "$3" ] && break; sleep 0.1; done
  echo "$v"
}
GONE_RUNNING='imagestack_jobs_cancelled_total{reason="client_gone",stage="running"}'
GONE_QUEUED='imagestack_jobs_cancelled_total{reason="client_gone",stage="queued"}'
DEADLINE_RUNNING='imagestack_jobs_cancelled_total{reason="deadline",stage="running"}'
DEADLINE_QUEUED='imagestack_jobs_cancelled_total{reason="deadline",stage="queued"}'

echo "== the client leaves while its transform runs"
curl -s -o /dev/null --max-time 1 -H "$AVIF" "http://127.0.0.1:$S/big.jpg?fmt=avif&quality=40"
check "job cancelled at a checkpoint (client_gone, running)" "$(wait_metric $S "$GONE_RUNNING" 1)" 1
check "the worker is free again" "$(for _ in $(seq 1 300); do b=$(metric $S imagestack_workers_busy); [ "$b" = 0 ] && break; sleep 0.1; done; echo "$b")" 0
check_match "access log: 499, abandoned" "$(grep 'big.jpg?fmt=avif&quality=40' "$WORK/srv.log")" '" 499 0 - .* abandoned$'
check "nothing cached for it" "$(metric $S imagestack_cache_entries)" 0

echo "== a coalesced request keeps the job for the client still waiting"
fetch stay "http://127.0.0.1:$S/big.jpg?width=2048&fmt=avif" -H "$AVIF" &
STAY=$!
sleep 0.3
curl -s -o /dev/null --max-time 0.8 -H "$AVIF" "http://127.0.0.1:$S/big.jpg?width=2048&fmt=avif"
wait $STAY
check "the staying client gets the AVIF" "$(status "$WORK/stay.h") $(header "$WORK/stay.h" Content-Type)" "200 image/avif"
check "resized and converted" "$(header "$WORK/stay.h" X-Img-Operations)" "resize,convert"
check "AVIF decodes at 2048 wide" "$(dims "$WORK/stay.body" | awk '{print $2}')" "2048x1536"
check "the job was not cancelled (client_gone, running still 1)" "$(metric $S "$GONE_RUNNING")" 1
check "the leaving client is logged as 499" "$(grep -c '"GET /big.jpg?width=2048&fmt=avif" 499' "$WORK/srv.log")" 1

echo "== a queued job whose client left never starts (one worker)"
curl -s -o /dev/null --max-time 8 -H "$AVIF" "http://127.0.0.1:$S3/big.jpg?fmt=avif&quality=41" &
FIRST=$!
sleep 0.5
curl -s -o /dev/null --max-time 1 -H "$AVIF" "http://127.0.0.1:$S3/big.jpg?fmt=avif&quality=42"
check "queued job withdrawn (client_gone, queued)" "$(wait_metric $S3 "$GONE_QUEUED" 1)" 1
check "it never ran: one job in the pool so far" "$(metric $S3 imagestack_workers_busy)" 1
kill $FIRST 2>/dev/null; wait $FIRST 2>/dev/null
check "the running one stops when its client goes too" "$(wait_metric $S3 "$GONE_RUNNING" 1)" 1
check "no processing finished on that server" "$(metric $S3 imagestack_processing_seconds_count)" 0

echo "== processing deadline (timeouts.processingMs = 5)"
ORIG_SIZE=$(size_of "$WORK/origin/rocket.jpg")
for i in 1 2; do
  fetch late$i "http://127.0.0.1:$S2/rocket.jpg?width=600&fmt=avif" -H "$AVIF"
  check "request $i: 200 with the original" "$(status "$WORK/late$i.h") $(header "$WORK/late$i.h" Content-Type) $(size_of "$WORK/late$i.body")" "200 image/jpeg $ORIG_SIZE"
  check "request $i: skip reason" "$(header "$WORK/late$i.h" Img-Skip-Reason)" "compression: processing time limit exceeded"
  check "request $i: Vary: Accept" "$(header "$WORK/late$i.h" Vary)" "Accept"
done
check "original bytes untouched" "$(cmp -s "$WORK/late1.body" "$WORK/origin/rocket.jpg" && echo same)" same
deadline_hits=$(( $(metric $S2 "$DEADLINE_RUNNING") + $(metric $S2 "$DEADLINE_QUEUED") ))
check "deadline hits counted (not cached: both requests ran into it)" "$deadline_hits" 2
check_match "skip reason counted" "$(curl -s "http://127.0.0.1:$S2/metrics" | grep 'reason="compression: processing time limit exceeded"')" ' 2$'
fetch fast "http://127.0.0.1:$S/rocket.jpg?width=600&fmt=avif" -H "$AVIF"
check "default deadline (20 s): transformed" "$(header "$WORK/fast.h" Content-Type) $(header "$WORK/fast.h" Img-Skip-Reason)" "image/avif "

echo "== Host header (RFC 9112 §3.2)"
raw() { python3 "$LIB/rawhttp.py" $S "$@" --wait 1 | head -1 | awk '{print $2}'; }
check "HTTP/1.1 without Host → 400" "$(raw 'GET /rocket.jpg?width=100 HTTP/1.1\r\n\r\n')" 400
check "two Host fields → 400" "$(raw 'GET /rocket.jpg HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n')" 400
check "invalid Host → 400" "$(raw 'GET /rocket.jpg HTTP/1.1\r\nHost: a b\r\n\r\n')" 400
check "HTTP/1.0 without Host → 200" "$(raw 'GET /health HTTP/1.0\r\n\r\n')" 200
check "HTTP/1.1 with Host → 200" "$(raw 'GET /health HTTP/1.1\r\nHost: img.example:8080\r\nConnection: close\r\n\r\n')" 200
fetch dated "http://127.0.0.1:$S/health"
check_match "Date header (IMF-fixdate)" "$(header "$WORK/dated.h" Date)" '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$'

summary
