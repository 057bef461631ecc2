#!/usr/bin/env bash
# Faults: an origin that stalls, resets, truncates or talks garbage; slowloris and idle clients; oversized and
# malformed requests; the connection limit; graceful shutdown. Every request must get the right answer and the
# server must keep serving.
source "$(dirname "$0")/lib/harness.bash"
S=18084 O=18085 DEAD=18086 S2=18090
require_ports $S $O $DEAD $S2

ORIGIN="$WORK/origin"
mkdir -p "$ORIGIN"
cp "$CORPUS/photos/rocket.jpg" "$ORIGIN/rocket.jpg"
python3 "$LIB/fault_origin.py" $O "$ORIGIN" >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$O/counter"

cat >"$WORK/config.json" <<JSON
{
  "origin": "http://127.0.0.1:$O",
  "serverName": "fault-test",
  "timeouts": { "originConnectMs": 500, "originReadMs": 1000, "clientHeaderMs": 1500, "keepAliveMs": 3000 },
  "limits": { "maxConnections": 60, "maxRequestLineBytes": 2048, "maxHeaderBytes": 4096, "maxSourceBytes": 5000000 },
  "rules": [ { "path": "/**", "extensions": ["jpg", "png"] } ]
}
JSON
start_server srv $S --config "$WORK/config.json"
B="http://127.0.0.1:$S"
still_serving() { check "$1: server still serving" "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$B/health")" 200; }

echo "== origin faults"
origin_fault() {  # NAME PATH STATUS ERROR_REGEX
  local started=$SECONDS
  fetch "$1" "$B$2"
  check "$1: $3" "$(status "$WORK/$1.h")" "$3"
  check_match "$1: JSON error body" "$(cat "$WORK/$1.body")" "^\\{\"error\": \"$4"
  check "$1: X-Img-Server" "$(header "$WORK/$1.h" X-Img-Server)" "fault-test"
  check "$1: answered within the timeout" "$(( SECONDS - started <= 4 ))" 1
  still_serving "$1"
}
origin_fault stall /stall/rocket.jpg 504 "origin timed out"
origin_fault stallbody /stall-body/rocket.jpg 504 "origin timed out"
origin_fault reset /reset/rocket.jpg 502 "origin unreachable: connection reset"
origin_fault truncated /truncated/rocket.jpg 502 "invalid response from origin: body truncated"
origin_fault garbage /garbage/rocket.jpg 502 "invalid response from origin: malformed status line"
origin_fault badheader /bad-header/rocket.jpg 502 "invalid response from origin: malformed header line"
origin_fault huge /huge/x.jpg 502 "origin response larger than 5000000 bytes"

"$BIN" serve --origin "http://127.0.0.1:$DEAD" --listen 127.0.0.1:$S2 --quiet >/dev/null 2>&1 &
DEADSRV=$!; PIDS+=($DEADSRV)
wait_http "http://127.0.0.1:$S2/health"
fetch dead "http://127.0.0.1:$S2/rocket.jpg?width=10"
check "origin refusing connections → 502" "$(status "$WORK/dead.h")" 502
check_match "502 body" "$(cat "$WORK/dead.body")" '^\{"error": "origin unreachable: connect to 127.0.0.1:18086'
kill $DEADSRV

fetch okafter "$B/rocket.jpg"
check "good request after the faults" "$(cmp -s "$WORK/okafter.body" "$ORIGIN/rocket.jpg" && echo same)" same

echo "== corrupt originals: every one answered, the server survives"
python3 - "$ORIGIN" "$CORPUS/photos/rocket.jpg" "$CORPUS/photos/logo.png" "$CORPUS/jpeg/variants" <<'PY'
import os, random, sys
out, jpeg, png, variants = sys.argv[1:5]
rng = random.Random(6)
sources = [jpeg, png] + sorted(os.path.join(variants, f) for f in os.listdir(variants) if f.endswith(".jpg"))[:6]
n = 0
for src in sources:
    data = open(src, "rb").read()
    ext = src.rsplit(".", 1)[1]
    for cut in (len(data) // 3, len(data) // 2, len(data) - 7):
        open(os.path.join(out, "bad%02d.%s" % (n, ext)), "wb").write(data[:cut]); n += 1
    for _ in range(2):
        flipped = bytearray(data)
        for _ in range(20):
            i = rng.randrange(2, len(flipped))
            flipped[i] ^= 1 << rng.randrange(8)
        open(os.path.join(out, "bad%02d.%s" % (n, ext)), "wb").write(bytes(flipped)); n += 1
PY
answered=0 total=0
for f in "$ORIGIN"/bad*; do
  total=$((total + 1))
  code=$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' -H 'Accept: image/webp' "$B/$(basename "$f")?width=50&fmt=webp")
  [ "$code" = 200 ] && answered=$((answered + 1))
done
check "all $total corrupt originals answered" "$answered" "$total"
check "server alive after the corrupt originals" "$(kill -0 "$srv_PID" 2>/dev/null && echo yes)" yes
still_serving "corrupt originals"

echo "== malformed and oversized requests"
raw() { python3 "$LIB/rawhttp.py" $S "$@"; }
first_status() { head -1 | awk '{print $2}'; }
check "request line over the limit → 414" "$(raw "GET /$(printf 'a%.0s' $(seq 1 3000)) HTTP/1.1\r\nHost: x\r\n\r\n" | first_status)" 414
check "header section over the limit → 431" "$(raw "GET / HTTP/1.1\r\nHost: x\r\nX-Big: $(printf 'b%.0s' $(seq 1 5000))\r\n\r\n" | first_status)" 431
check "many headers over the limit → 431" "$(raw "GET / HTTP/1.1\r\n$(for i in $(seq 1 300); do printf 'X-H%d: vvvvvvvvvvvv\\r\\n' $i; done)\r\n" | first_status)" 431
check "garbage request line → 400" "$(raw "THIS IS NOT HTTP\r\n\r\n" | first_status)" 400
check "absolute-form target → 400" "$(raw "GET http://example.com/x.jpg HTTP/1.1\r\nHost: x\r\n\r\n" | first_status)" 400
check "HTTP/2.0 → 505" "$(raw "GET / HTTP/2.0\r\n\r\n" | first_status)" 505
check "folded header → 400" "$(raw "GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n" | first_status)" 400
check "bad Content-Length → 400" "$(raw "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n" | first_status)" 400
check "chunked request body → 501" "$(raw "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" | first_status)" 501
raw "POST /rocket.jpg HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >"$WORK/post.txt"
check "POST → 405" "$(first_status <"$WORK/post.txt")" 405
check_match "405 JSON body" "$(cat "$WORK/post.txt")" '\{"error": "method POST is not allowed; use GET or HEAD"\}'
check_match "body consumed, next request on the connection answered" "$(grep -c '^HTTP/1.1 200 OK' "$WORK/post.txt")" '^1$'
for m in PUT DELETE PATCH OPTIONS; do
  check "$m → 405" "$(curl -s -o /dev/null -w '%{http_code}' -X $m "$B/rocket.jpg")" 405
done
raw "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >"$WORK/pipe.txt"
check "3 pipelined requests → 3 responses" "$(grep -c '^HTTP/1.1 200 OK' "$WORK/pipe.txt")" 3
check "Connection: close honoured" "$(tail -1 "$WORK/pipe.txt")" CLOSED
raw "GET /health HTTP/1.0\r\n\r\n" >"$WORK/h10.txt"
check "HTTP/1.0 without keep-alive closes" "$(tail -1 "$WORK/h10.txt")" CLOSED
raw "GET /health HTTP/1.1\r\nHost: x\r\n\r\n" --wait 1 >"$WORK/ka.txt"
check "HTTP/1.1 keeps the connection open" "$(tail -1 "$WORK/ka.txt")" OPEN
still_serving "malformed requests"

echo "== slow and idle clients"
# 30 slowloris clients trickle a request at 1 byte / 0.2 s: each must be cut off with 408 after ~1.5 s, and
# normal requests must be served fast meanwhile.
python3 "$LIB/slowloris.py" $S 30 0.2 8 >"$WORK/slowloris.txt" &
SLOW=$!
sleep 0.5
t0=$(date +%s%N)
fast=0
for i in $(seq 1 20); do
  [ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$B/rocket.jpg")" = 200 ] && fast=$((fast + 1))
done
t1=$(date +%s%N)
check "20 normal requests served while 30 slowloris clients connected" "$fast" 20
check "…without waiting on them (< 10 s for all 20; took $(( (t1 - t0) / 1000000 )) ms)" "$(( (t1 - t0) / 1000000 < 10000 ))" 1
wait "$SLOW"
cut=$(cat "$WORK/slowloris.txt")
check "slowloris clients cut off with 408" "$cut" 30

# Idle keep-alive connections are cheap (no thread each) and closed after the keep-alive timeout.
python3 - "$S" <<'PY' >"$WORK/idle.txt"
import socket, sys, time, urllib.request
port = int(sys.argv[1])
socks = []
for _ in range(50):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
time.sleep(0.5)
ok = urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=3).status == 200
metrics = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=3).read().decode()
open_now = [l for l in metrics.splitlines() if l.startswith("imagestack_open_connections ")][0].split()[1]
time.sleep(4.5)
closed = 0
for s in socks:
    s.settimeout(0.5)
    try:
        data = s.recv(65536)
        while data:
            data = s.recv(65536)
        closed += 1
    except socket.timeout:
        pass
print(ok, open_now, closed)
PY
read -r idle_ok idle_open idle_closed <"$WORK/idle.txt"
check "serving with 50 idle keep-alive connections" "$idle_ok" True
check_match "metrics count the open connections" "$idle_open" '^5[0-9]$'
check "idle connections closed after keepAliveMs" "$idle_closed" 50

echo "== connection limit"
python3 - "$S" <<'PY' >"$WORK/limit.txt"
import socket, sys, time
port = int(sys.argv[1])
socks, refused = [], 0
for _ in range(70):
    s = socket.create_connection(("127.0.0.1", port))
    socks.append(s)
time.sleep(0.5)
for s in socks:
    s.settimeout(0.2)
    try:
        data = s.recv(4096)
        if data.startswith(b"HTTP/1.1 503"):
            refused += 1
    except socket.timeout:
        pass
print(refused)
for s in socks:
    s.close()
PY
check "connections over maxConnections (60) get 503" "$(cat "$WORK/limit.txt")" 10
sleep 0.3
still_serving "connection limit"

echo "== graceful shutdown"
curl -s "http://127.0.0.1:$O/counter/reset" >/dev/null
curl -s --max-time 10 -o "$WORK/inflight.body" -w '%{http_code}' "$B/count/rocket.jpg" >"$WORK/inflight.code" &
CURL=$!
sleep 0.15
kill -TERM "$srv_PID"
wait "$CURL"
check "request in flight at SIGTERM completes" "$(cat "$WORK/inflight.code")" 200
check "…with the whole body" "$(cmp -s "$WORK/inflight.body" "$ORIGIN/rocket.jpg" && echo same)" same
for _ in $(seq 1 50); do kill -0 "$srv_PID" 2>/dev/null || break; sleep 0.1; done
wait "$srv_PID"; code=$?
check "exit status 0 after SIGTERM" "$code" 0
check "no new connections after shutdown" "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$B/health")" 000

summary
