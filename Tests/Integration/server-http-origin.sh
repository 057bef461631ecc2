#!/usr/bin/env bash
# The server in front of a real HTTP origin (lib/fault_origin.py, a Python socket server over files), driven by
# curl: SPEC §2 examples, skip cases, origin statuses and encodings, HEAD, 304, rules, coalescing, metrics, config.
source "$(dirname "$0")/lib/harness.bash"
S=18080 O=18081 S2=18082 S3=18083
require_ports $S $O $S2 $S3

# Originals with the sizes the SPEC's examples use, made from corpus photos with ImageMagick.
ORIGIN="$WORK/origin"
mkdir -p "$ORIGIN/img" "$ORIGIN/static"
SRC="$CORPUS/photos/rocket.jpg"
convert "$SRC" -resize '900x600!' -quality 92 "$ORIGIN/img/p900x600.jpg"
convert "$SRC" -resize '500x333!' -quality 92 "$ORIGIN/img/p500x333.jpg"
convert "$SRC" -resize '1000x500!' -quality 92 "$ORIGIN/img/p1000x500.jpg"
convert "$SRC" -resize '400x300!' -quality 92 "$ORIGIN/img/p400x300.jpg"
convert "$SRC" -resize '400x300!' "$ORIGIN/img/p400x300.png"
cp "$CORPUS/photos/logo.png" "$ORIGIN/img/logo.png"
cp "$CORPUS/edge/tiny.gif" "$ORIGIN/img/tiny.gif"
head -c 20000 "$SRC" >"$ORIGIN/img/truncated.jpg"
printf 'plain text, not an image\n' >"$ORIGIN/img/notes.jpg"
printf 'body { color: red }\n' >"$ORIGIN/static/site.css"
cp "$SRC" "$ORIGIN/static/raw.jpg"
python3 "$LIB/fault_origin.py" $O "$ORIGIN" >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$O/counter"

cat >"$WORK/config.json" <<JSON
{
  "origin": "http://127.0.0.1:$O",
  "serverName": "it-server",
  "timeouts": { "originConnectMs": 1000, "originReadMs": 2000 },
  "rules": [
    { "path": "/static/**", "enabled": false },
    { "path": "/**", "extensions": ["jpg", "jpeg", "png", "gif"], "quality": "medium" }
  ]
}
JSON
start_server srv $S --config "$WORK/config.json"
B="http://127.0.0.1:$S"
ACCEPT_BOTH='Accept: image/avif,image/webp,image/apng,image/*,*/*;q=0.8'

echo "== SPEC §2.1 resize examples"
resize_case() {  # NAME PATH QUERY EXPECTED_DIMS
  fetch "$1" "$B$2?$3"
  check "$1: status" "$(status "$WORK/$1.h")" 200
  check "$1: $3 → $4" "$(dims "$WORK/$1.body")" "JPEG $4"
  check_match "$1: X-Img-Operations" "$(header "$WORK/$1.h" X-Img-Operations)" '^resize'
}
resize_case w300 /img/p900x600.jpg "width=300" 300x200
resize_case h300 /img/p900x600.jpg "height=300" 450x300
resize_case fitdefault /img/p500x333.jpg "width=200&height=100" 200x100
resize_case fitfit /img/p500x333.jpg "width=200&height=100&fit=fit" 200x100
resize_case bounds1 /img/p1000x500.jpg "width=500&height=300&fit=bounds" 500x250
resize_case bounds2 /img/p500x333.jpg "width=200&height=100&fit=bounds" 200x133
resize_case cover1 /img/p1000x500.jpg "width=500&height=300&fit=cover" 600x300
resize_case cover2 /img/p500x333.jpg "width=200&height=100&fit=cover" 150x100
resize_case force /img/p500x333.jpg "width=123&height=77&fit=force" 123x77

fetch enlarge "$B/img/p900x600.jpg?width=2000"
check "no enlarging: skip reason" "$(header "$WORK/enlarge.h" Img-Skip-Reason)" \
  "resizing: destination image width or height parameter is more than the original image size"
check "no enlarging: original served" "$(cmp -s "$WORK/enlarge.body" "$ORIGIN/img/p900x600.jpg" && echo same)" same

echo "== SPEC §2.2–2.4 crop, order, quality, format"
fetch crop45 "$B/img/p400x300.jpg?crop=4:5"
check "crop=4:5 on 400x300 → 240x300" "$(dims "$WORK/crop45.body")" "JPEG 240x300"
check "crop: X-Img-Operations" "$(header "$WORK/crop45.h" X-Img-Operations)" "crop"
fetch order "$B/img/p900x600.jpg?crop=100,100&width=300"
check "resize then crop whatever the key order" "$(dims "$WORK/order.body")" "JPEG 100x100"
check_match "order: operations resize,crop" "$(header "$WORK/order.h" X-Img-Operations)" '^resize,crop'
fetch q76 "$B/img/p900x600.jpg?quality=76"
check "quality alone changes nothing" "$(cmp -s "$WORK/q76.body" "$ORIGIN/img/p900x600.jpg" && echo same)" same
fetch q10 "$B/img/p900x600.jpg?quality=10&crop=300,600"
check "quality=10&crop=300,600 → 300x600 JPEG" "$(dims "$WORK/q10.body")" "JPEG 300x600"
check_match "quality=10 re-encodes smaller" "$(header "$WORK/q10.h" X-Img-Saved-Bytes)" '^[1-9][0-9]*$'
# The originals are JPEG q92 and the rule asks Medium (80), so conversion is allowed (SPEC §2.4).
fetch webp "$B/img/p900x600.jpg?fmt=webp" -H 'Accept: image/webp,*/*'
check "fmt=webp + Accept webp → image/webp" "$(header "$WORK/webp.h" Content-Type)" "image/webp"
check "fmt=webp: body is WebP" "$(dims "$WORK/webp.body")" "WEBP 900x600"
check "fmt=webp: Vary: Accept" "$(header "$WORK/webp.h" Vary)" "Accept"
check "fmt=webp: X-Img-Operations convert" "$(header "$WORK/webp.h" X-Img-Operations)" "convert"
check "fmt=webp: X-Img-Origin-Size" "$(header "$WORK/webp.h" X-Img-Origin-Size)" "$(size_of "$ORIGIN/img/p900x600.jpg")"
check "fmt=webp: X-Img-Saved-Bytes" "$(header "$WORK/webp.h" X-Img-Saved-Bytes)" \
  "$(( $(size_of "$ORIGIN/img/p900x600.jpg") - $(size_of "$WORK/webp.body") ))"
check_match "fmt=webp: X-Img-Processing-Time" "$(header "$WORK/webp.h" X-Img-Processing-Time)" '^[0-9]+$'
check_match "fmt=webp: X-Img-Origin-Download-Time" "$(header "$WORK/webp.h" X-Img-Origin-Download-Time)" '^[0-9]+$'
check "fmt=webp: X-Img-Server" "$(header "$WORK/webp.h" X-Img-Server)" "it-server"
check_match "fmt=webp: ETag" "$(header "$WORK/webp.h" ETag)" '^"[0-9a-f]+-[0-9]+"$'
check "fmt=webp: Content-Length" "$(header "$WORK/webp.h" Content-Length)" "$(size_of "$WORK/webp.body")"
fetch both "$B/img/p900x600.jpg?fmt=webp,avif" -H "$ACCEPT_BOTH"
check "fmt=webp,avif + both accepted → AVIF first" "$(header "$WORK/both.h" Content-Type)" "image/avif"
fetch noacc "$B/img/p900x600.jpg?fmt=webp" -H 'Accept: image/*'
check "image/* does not grant WebP: reason" "$(header "$WORK/noacc.h" Img-Skip-Reason)" \
  "compression: webp/avif format is not supported by the client"
check "image/* does not grant WebP: Vary" "$(header "$WORK/noacc.h" Vary)" "Accept"
fetch q0 "$B/img/p900x600.jpg?fmt=webp" -H 'Accept: image/webp;q=0, image/jpeg'
check "q=0 excludes WebP" "$(header "$WORK/q0.h" Content-Type)" "image/jpeg"
fetch pngwebp "$B/img/logo.png?fmt=webp" -H 'Accept: image/webp'
check "PNG with alpha → WebP" "$(header "$WORK/pngwebp.h" Content-Type)" "image/webp"
fetch highq "$B/img/p900x600.jpg?fmt=webp&quality=98" -H 'Accept: image/webp'
check "target quality above the source's → original (SPEC §2.4)" "$(header "$WORK/highq.h" Img-Skip-Reason)" \
  "webp will be bigger, than origin: OriginQ: 92, DesiredQ: 98"

echo "== SPEC §6 skip reasons for bad parameters and inputs"
skip_case() {  # NAME PATH_QUERY EXPECTED_REASON
  fetch "$1" "$B$2" -H "$ACCEPT_BOTH"
  check "$1: 200" "$(status "$WORK/$1.h")" 200
  check "$1: reason" "$(header "$WORK/$1.h" Img-Skip-Reason)" "$3"
}
skip_case badwidth "/img/p900x600.jpg?width=abc" "resizing: bad width parameter"
skip_case badheight "/img/p900x600.jpg?height=0" "resizing: bad height parameter"
skip_case badquality "/img/p900x600.jpg?quality=101&width=100" "compression: bad quality parameter"
skip_case badfmt "/img/p900x600.jpg?fmt=gif" "compression: unsupported format of the fmt query parameter"
skip_case gif "/img/tiny.gif?width=10" "detected content type image/gif is not supported"
skip_case text "/img/notes.jpg?width=10" "detected content type text/plain is not supported"
skip_case cropbig "/img/p400x300.jpg?crop=500,100" "cropping: output height and width cannot be bigger than the original image size"
skip_case cropoff "/img/p400x300.jpg?crop=100,100,offset-x150,offset-y10" "cropping: offset-x/y parameter cannot be more than 100"
fetch trunc "$B/img/truncated.jpg?width=100"
check "truncated JPEG: original served" "$(cmp -s "$WORK/trunc.body" "$ORIGIN/img/truncated.jpg" && echo same)" same
check_match "truncated JPEG: reason names the error" "$(header "$WORK/trunc.h" Img-Skip-Reason)" '.+'

echo "== origin statuses, encodings, framing"
fetch st404 "$B/img/missing.jpg?width=100"
check "origin 404 relayed" "$(status "$WORK/st404.h")" 404
check "origin 404: skip reason" "$(header "$WORK/st404.h" Img-Skip-Reason)" "not valid response code from the origin; response code — 404"
check "origin 404: body relayed" "$(cat "$WORK/st404.body")" "not found"
cat >"$WORK/config-status.json" <<JSON
{ "origin": "http://127.0.0.1:$O", "serverName": "it-server", "rules": [ { "path": "/status/*" } ] }
JSON
start_server st $S3 --config "$WORK/config-status.json"
for code in 500 301 302 307; do
  fetch "st$code" "http://127.0.0.1:$S3/status/$code?width=100"
  check "origin $code relayed" "$(status "$WORK/st$code.h")" "$code"
  check "origin $code: skip reason" "$(header "$WORK/st$code.h" Img-Skip-Reason)" "not valid response code from the origin; response code — $code"
  check "origin $code: origin headers relayed" "$(header "$WORK/st$code.h" X-Origin-Marker)" "yes"
  check "origin $code: body relayed" "$(cat "$WORK/st$code.body")" "status $code from origin"
done
check "3xx: Location relayed, not followed" "$(header "$WORK/st301.h" Location)" "/elsewhere/photo.jpg"
check "3xx never followed: origin saw no /elsewhere" "$(curl -s http://127.0.0.1:$O/seen | grep -c elsewhere)" 0

fetch gz "$B/gzip/img/p400x300.jpg?width=100" -H "$ACCEPT_BOTH"
check "gzip origin: 200" "$(status "$WORK/gz.h")" 200
check "gzip origin: Content-Encoding relayed" "$(header "$WORK/gz.h" Content-Encoding)" "gzip"
check "gzip origin: skip reason names it" "$(header "$WORK/gz.h" Img-Skip-Reason)" "detected content encoding gzip is not supported"
check "gzip origin: body relayed as is" "$(gunzip -c "$WORK/gz.body" | cmp -s - "$ORIGIN/img/p400x300.jpg" && echo same)" same

fetch chunk "$B/chunked/img/p400x300.jpg?quality=50"
check "chunked origin: 200" "$(status "$WORK/chunk.h")" 200
check "chunked origin: body de-chunked intact" "$(cmp -s "$WORK/chunk.body" "$ORIGIN/img/p400x300.jpg" && echo same)" same

fetch cachehdr "$B/cache/img/p400x300.jpg?quality=50"
check "origin Cache-Control passed through" "$(header "$WORK/cachehdr.h" Cache-Control)" "public, max-age=3600"
check "origin Last-Modified passed through" "$(header "$WORK/cachehdr.h" Last-Modified)" "Wed, 21 Oct 2015 07:28:00 GMT"
fetch cachehdr2 "$B/cache/img/p900x600.jpg?width=300"
check "transformed: Cache-Control passed through (pipeline)" "$(header "$WORK/cachehdr2.h" Cache-Control)" "public, max-age=3600"
check "transformed: Last-Modified passed through (pipeline)" "$(header "$WORK/cachehdr2.h" Last-Modified)" "Wed, 21 Oct 2015 07:28:00 GMT"

echo "== HEAD and conditional requests"
fetch get1 "$B/img/p500x333.jpg?width=100"
fetch head1 "$B/img/p500x333.jpg?width=100" -I
check "HEAD: 200" "$(status "$WORK/head1.h")" 200
# HEAD then GET on one keep-alive connection: a body after the HEAD head would corrupt the second response.
python3 "$LIB/rawhttp.py" $S 'HEAD /img/p500x333.jpg?width=100 HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >"$WORK/headraw.txt"
check "HEAD: no body (next response follows the head directly)" \
  "$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.index(b"\r\n\r\n")+4; print(d[i:i+15].decode())' "$WORK/headraw.txt")" "HTTP/1.1 200 OK"
check "HEAD: same Content-Length as GET" "$(header "$WORK/head1.h" Content-Length)" "$(header "$WORK/get1.h" Content-Length)"
check "HEAD: same ETag as GET" "$(header "$WORK/head1.h" ETag)" "$(header "$WORK/get1.h" ETag)"
ETAG="$(header "$WORK/get1.h" ETag)"
fetch inm "$B/img/p500x333.jpg?width=100" -H "If-None-Match: $ETAG"
check "If-None-Match → 304" "$(status "$WORK/inm.h")" 304
check "304: no body" "$(size_of "$WORK/inm.body")" 0
check "304: ETag repeated" "$(header "$WORK/inm.h" ETag)" "$ETAG"
fetch inmw "$B/img/p500x333.jpg?width=100" -H "If-None-Match: \"nope\", W/$ETAG"
check "If-None-Match list with weak tag → 304" "$(status "$WORK/inmw.h")" 304
fetch inmx "$B/img/p500x333.jpg?width=100" -H 'If-None-Match: "other"'
check "other ETag → 200" "$(status "$WORK/inmx.h")" 200

echo "== rules: unmatched and disabled rules proxy untouched"
fetch css "$B/static/site.css?width=10"
check "disabled rule: proxied body" "$(cat "$WORK/css.body")" "body { color: red }"
check "disabled rule: no skip reason" "$(header "$WORK/css.h" Img-Skip-Reason)" ""
check "disabled rule: query left for the origin" "$(curl -s http://127.0.0.1:$O/seen | grep -c '^/static/site.css?width=10$')" 1
fetch raw "$B/static/raw.jpg?width=100&fmt=webp" -H "$ACCEPT_BOTH"
check "static image under disabled rule: untouched" "$(cmp -s "$WORK/raw.body" "$ORIGIN/static/raw.jpg" && echo same)" same
check "proxied: X-Img-Server" "$(header "$WORK/raw.h" X-Img-Server)" "it-server"
fetch other "$B/img/readme.txt"
check "no rule for .txt: origin status relayed without skip reason" "$(status "$WORK/other.h"):$(header "$WORK/other.h" Img-Skip-Reason)" "404:"
fetch passq "$B/img/p400x300.png?v=7&width=50&utm=x"
check "image keys removed, other keys passed to origin (pipeline splitQuery)" \
  "$(curl -s http://127.0.0.1:$O/seen | grep -c '^/img/p400x300.png?v=7&utm=x$')" 1

echo "== coalescing and the result cache (counting origin)"
curl -s "http://127.0.0.1:$O/counter/reset" >/dev/null
CURLS=()
for i in $(seq 1 8); do
  curl -s --max-time 20 -o "$WORK/co$i.body" -D "$WORK/co$i.h" "$B/count/img/p900x600.jpg?width=300" &
  CURLS+=($!)
done
wait "${CURLS[@]}"
check "8 identical concurrent misses → 1 origin fetch" "$(curl -s http://127.0.0.1:$O/counter)" 1
same=0; for i in $(seq 2 8); do cmp -s "$WORK/co1.body" "$WORK/co$i.body" && same=$((same + 1)); done
check "all 8 got the same body" "$same" 7
fetch co9 "$B/count/img/p900x600.jpg?width=300"
check "later identical request served from cache" "$(curl -s http://127.0.0.1:$O/counter)" 1
fetch co10 "$B/count/img/p900x600.jpg?width=300&fmt=webp" -H 'Accept: image/webp'
fetch co11 "$B/count/img/p900x600.jpg?width=300&fmt=webp"
check "different negotiated format → own entry (pipeline negotiatedFormat)" "$(curl -s http://127.0.0.1:$O/counter)" 3
curl -s "$B/metrics" >"$WORK/metrics.txt"
check_match "metrics: coalesced requests counted" "$(grep '^imagestack_coalesced_requests_total' "$WORK/metrics.txt")" ' [1-9][0-9]*$'
check_match "metrics: cache hits counted" "$(grep '^imagestack_cache_hits_total' "$WORK/metrics.txt")" ' [1-9][0-9]*$'

echo "== worker pool saturated → original with the rate-limit reason, never a hang"
cat >"$WORK/config-busy.json" <<JSON
{ "origin": "http://127.0.0.1:$O", "workers": 1, "queueSize": 0, "accessLog": false, "rules": [ { "path": "/**" } ] }
JSON
start_server busy $S2 --config "$WORK/config-busy.json"
CURLS=()
for w in 801 802 803 804; do
  curl -s --max-time 30 -o "$WORK/busy$w.body" -D "$WORK/busy$w.h" -H 'Accept: image/avif' \
    "http://127.0.0.1:$S2/img/p900x600.jpg?width=$w&fmt=avif" &
  CURLS+=($!)
done
wait "${CURLS[@]}"
limited=0 converted=0 ok=0
for w in 801 802 803 804; do
  [ "$(status "$WORK/busy$w.h")" = 200 ] && ok=$((ok + 1))
  [ "$(header "$WORK/busy$w.h" Img-Skip-Reason)" = "compression: rate limit is exceeded" ] && \
    cmp -s "$WORK/busy$w.body" "$ORIGIN/img/p900x600.jpg" && limited=$((limited + 1))
  [ "$(header "$WORK/busy$w.h" Content-Type)" = "image/avif" ] && converted=$((converted + 1))
done
check "saturated pool: every request answered 200" "$ok" 4
check_match "saturated pool: some got the original with 'compression: rate limit is exceeded'" "$limited" '^[1-3]$'
check_match "saturated pool: the one with a worker was converted" "$converted" '^[1-3]$'
kill "$busy_PID"

echo "== observability"
fetch health "$B/health"
check "/health" "$(cat "$WORK/health.body")" '{"status": "ok"}'
for family in imagestack_requests_total imagestack_skips_total imagestack_origin_bytes_total imagestack_response_bytes_total \
  imagestack_saved_bytes_total imagestack_processing_seconds imagestack_origin_fetch_seconds imagestack_cache_hits_total \
  imagestack_cache_misses_total imagestack_worker_queue_depth imagestack_inflight_transforms; do
  check "metrics has $family" "$(grep -c "^# TYPE $family " "$WORK/metrics.txt")" 1
done
check_match "metrics: 404 relayed counted by status and outcome" "$(cat "$WORK/metrics.txt")" 'imagestack_requests_total\{status="404",outcome="origin_status"\} [1-9]'
check_match "metrics: histogram buckets" "$(cat "$WORK/metrics.txt")" 'imagestack_origin_fetch_seconds_bucket\{le="\+Inf"\} [1-9]'
check_match "metrics: skip reason label" "$(cat "$WORK/metrics.txt")" 'imagestack_skips_total\{reason="not valid response code from the origin; response code — N"\} [1-9]'
curl -s "$B/health?probe=once" >/dev/null
check "access log: one line per request" "$(grep -c '"GET /health?probe=once"' "$WORK/srv.log")" 1
check_match "access log: skip reason logged" "$(grep 'img/missing.jpg' "$WORK/srv.log")" '404 .*origin_status "not valid response code'

echo "== configuration errors exit 2 naming the field"
config_error() {  # NAME JSON EXPECTED_FIELD
  printf '%s' "$2" >"$WORK/bad.json"
  "$BIN" serve --config "$WORK/bad.json" --listen 127.0.0.1:$S2 >/dev/null 2>"$WORK/bad.err" &
  local pid=$! code
  PIDS+=($pid)
  for _ in $(seq 1 30); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  wait $pid; code=$?
  check "$1: exit 2" "$code" 2
  check_match "$1: names $3" "$(cat "$WORK/bad.err")" "$3"
}
config_error "bad quality preset" '{"rules":[{"path":"/**","quality":"ultra"}]}' "rules\[0\]\.quality"
config_error "quality out of range" '{"rules":[{"path":"/a/*"},{"quality":150}]}' "rules\[1\]\.quality"
config_error "wrong type" '{"rules":[{"webp":"yes"}]}' "rules\[0\]\.webp"
config_error "unknown field" '{"origin":"samples","cacheSize":5}' "'cacheSize'"
config_error "bad origin" '{"origin":"ftp://x"}' "'origin'"
config_error "bad listen" '{"listen":"nowhere"}' "'listen'"
config_error "negative timeout" '{"timeouts":{"originReadMs":-5}}' "timeouts\.originReadMs"
config_error "not JSON" '{"rules": [' "not valid JSON"

summary
