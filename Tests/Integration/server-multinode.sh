#!/usr/bin/env bash
# Three ImageStack nodes behind nginx, configured with the very block docs/server.md documents ("Several nodes
# behind nginx"): every URL is processed by exactly one node (hash $request_uri consistent), the cache key holds
# the negotiated variant, proxy_cache_lock makes a burst one request, and when a node is killed during a wrk run
# there is no non-2xx response and the killed node's URLs are served by the other nodes.
source "$(dirname "$0")/lib/harness.bash"
N=18110 A=18111 B=18112 C=18113
require_ports $N $A $B $C
command -v nginx >/dev/null || { echo "nginx not installed"; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed"; exit 1; }

mkdir -p "$WORK/origin" "$WORK/nginx/cache" "$WORK/nginx/tmp"
cp "$REPO"/samples/*.jpg "$REPO"/samples/*.png "$WORK/origin/"
start_server node1 $A --origin "$WORK/origin" --name node1
start_server node2 $B --origin "$WORK/origin" --name node2
start_server node3 $C --origin "$WORK/origin" --name node3

# The documented block, with this test's ports and paths.
awk '/<!-- multinode-config: begin -->/{on=1; next} /<!-- multinode-config: end -->/{on=0} on && !/^```/' \
  "$REPO/docs/server.md" >"$WORK/multinode.conf"
check "config block found in docs/server.md" "$(grep -c 'hash \$request_uri consistent' "$WORK/multinode.conf")" 1
sed -i -e "s|127.0.0.1:8081|127.0.0.1:$A|; s|127.0.0.1:8082|127.0.0.1:$B|; s|127.0.0.1:8083|127.0.0.1:$C|" \
  -e "s|/var/cache/nginx/imagestack|$WORK/nginx/cache|" -e "s|listen 80;|listen 127.0.0.1:$N;|" "$WORK/multinode.conf"
source "$LIB/nginx.bash"
nginx_config "$WORK/nginx" 2 "include $WORK/multinode.conf;"
nginx -t -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx/test.log" 2>&1
check "nginx accepts the documented config" "$?" 0
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/start.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$N/health"

AVIF='image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8'   # Chrome
AVIF2='image/avif,image/webp,*/*'                                        # Firefox: same flags, other string
WEBP='image/webp,image/apng,image/*,*/*;q=0.8'
WEBP2='image/avif;q=0, image/webp'
PLAIN='image/apng,image/*,*/*;q=0.8'
URLS=()
for image in rocket.jpg retina.jpg chelsea.png logo.png; do
  for width in 60 80 100 120 140 160; do URLS+=("/$image?width=$width&fmt=avif,webp"); done
done

echo "== every URL is processed by exactly one node"
: >"$WORK/served.txt"
i=0
for url in "${URLS[@]}"; do
  i=$((i + 1))
  for accept in "$AVIF" "$WEBP" "$PLAIN"; do
    curl -s -o /dev/null -D "$WORK/h" --max-time 60 -H "Accept: $accept" "http://127.0.0.1:$N$url"
    printf '%s %s %s %s %s\n' "$i" "$(status "$WORK/h")" "$(header "$WORK/h" X-Img-Server)" \
      "$(header "$WORK/h" X-Cache-Status)" "$(header "$WORK/h" Content-Type)" >>"$WORK/served.txt"
  done
done
check "72 first requests (24 URLs × 3 variants): all 200" "$(awk '$2==200' "$WORK/served.txt" | wc -l)" 72
check "all of them missed nginx's cache" "$(awk '$4=="MISS"' "$WORK/served.txt" | wc -l)" 72
check "formats by Accept: AVIF, WebP, original" \
  "$(awk '{print $5}' "$WORK/served.txt" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" \
  "image/avif=24 image/jpeg=12 image/png=12 image/webp=24 "
check "each URL's variants came from one node (X-Img-Server)" \
  "$(awk '{print $1, $3}' "$WORK/served.txt" | sort -u | awk '{print $1}' | uniq -d | wc -l)" 0
one_node=0 owners=""
for url in "${URLS[@]}"; do
  nodes=$(grep -l -F "\"GET $url\"" "$WORK/node1.log" "$WORK/node2.log" "$WORK/node3.log" | wc -l)
  [ "$nodes" = 1 ] && one_node=$((one_node + 1))
  owner=$(grep -l -F "\"GET $url\"" "$WORK/node1.log" "$WORK/node2.log" "$WORK/node3.log" | head -1 | xargs -r basename | sed 's/.log$//')
  owners="$owners$owner "
  echo "$owner $url" >>"$WORK/owners.txt"
done
check "each URL appears in exactly one node's access log" "$one_node" 24
for node in node1 node2 node3; do
  check_match "$node processed some URLs ($(grep -c "^$node " "$WORK/owners.txt"))" "$(grep -c "^$node " "$WORK/owners.txt")" '^[1-9][0-9]*$'
done
check "access log owner agrees with X-Img-Server" \
  "$(i=0; for url in "${URLS[@]}"; do i=$((i + 1)); echo "$(awk -v i=$i '$1==i{print $3; exit}' "$WORK/served.txt") $url"; done | diff - "$WORK/owners.txt" >/dev/null && echo yes)" yes

echo "== nginx serves the variants from its cache; the key holds the negotiated variant"
lines_before=$(cat "$WORK"/node*.log | wc -l)
: >"$WORK/again.txt"
for url in "${URLS[@]}"; do
  for accept in "$AVIF2" "$WEBP2" "$PLAIN"; do
    curl -s -o /dev/null -D "$WORK/h" --max-time 30 -H "Accept: $accept" "http://127.0.0.1:$N$url"
    printf '%s %s %s\n' "$(status "$WORK/h")" "$(header "$WORK/h" X-Cache-Status)" "$(header "$WORK/h" Content-Type)" >>"$WORK/again.txt"
  done
done
check "72 repeats with other Accept strings of the same variants: all HIT" "$(awk '$1==200 && $2=="HIT"' "$WORK/again.txt" | wc -l)" 72
check "…and the right format for each (image/avif;q=0 → WebP)" \
  "$(awk '{print $3}' "$WORK/again.txt" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" \
  "image/avif=24 image/jpeg=12 image/png=12 image/webp=24 "
check "no node saw them" "$(cat "$WORK"/node*.log | wc -l)" "$lines_before"
fetch vary "http://127.0.0.1:$N${URLS[0]}" -H "Accept: $AVIF"
check "clients still get Vary: Accept" "$(header "$WORK/vary.h" Vary)" "Accept"

echo "== proxy_cache_lock: a burst of identical first requests is one request to a node"
BURST="/rocket.jpg?width=222&fmt=avif,webp"
BURSTERS=()
for k in $(seq 1 8); do
  curl -s -o "$WORK/burst$k" -w '%{http_code}\n' --max-time 60 -H "Accept: $AVIF" "http://127.0.0.1:$N$BURST" >>"$WORK/burst.codes" &
  BURSTERS+=($!)
done
wait "${BURSTERS[@]}"
check "8 concurrent requests: 8 × 200" "$(grep -c '^200$' "$WORK/burst.codes")" 8
check "one request reached the nodes" "$(cat "$WORK"/node*.log | grep -c -F "\"GET $BURST\"")" 1

echo "== a node is killed during a wrk run"
VICTIM=node2
VICTIM_URLS=$(awk -v n=$VICTIM '$1==n{print $2}' "$WORK/owners.txt")
{
  echo 'local urls = {'
  for url in "${URLS[@]}"; do echo "  \"$url\","; done
  echo '}'
  echo 'local i = 0'
  echo 'request = function()'
  echo '  i = i + 1'
  echo '  return wrk.format("GET", urls[(i % #urls) + 1], {["Accept"] = "image/webp,*/*", ["X-Cache-Bypass"] = "1"})'
  echo 'end'
} >"$WORK/cycle.lua"
for node in node1 node2 node3; do eval "before_$node=$(wc -l <"$WORK/$node.log")"; done
wrk -t2 -c16 -d8s --timeout 30s -s "$WORK/cycle.lua" "http://127.0.0.1:$N" >"$WORK/wrk.txt" 2>&1 &
WRK=$!
sleep 3
{ kill -9 "$node2_PID"; wait "$node2_PID"; } 2>/dev/null
wait $WRK
sed 's/^/   wrk: /' "$WORK/wrk.txt" | grep -E "requests in|Requests/sec|Non-2xx|Socket errors"
for node in node1 node2 node3; do
  eval "before=\$before_$node"
  echo "   $node answered $(( $(wc -l <"$WORK/$node.log") - before )) of them"
done
check_match "wrk completed requests" "$(awk '/requests in/{print $1}' "$WORK/wrk.txt")" '^[1-9][0-9]*$'
check "zero non-2xx responses" "$(awk '/Non-2xx/{print $NF}' "$WORK/wrk.txt")" ""
check "zero socket errors" "$(grep -c 'Socket errors' "$WORK/wrk.txt")" 0
check "node2 is gone" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$B/health")" 000
served_by_others=0 total=0
for url in $VICTIM_URLS; do
  total=$((total + 1))
  fetch moved "http://127.0.0.1:$N$url" -H "Accept: image/webp" -H "X-Cache-Bypass: 1"
  server=$(header "$WORK/moved.h" X-Img-Server)
  [ "$(status "$WORK/moved.h")" = 200 ] && { [ "$server" = node1 ] || [ "$server" = node3 ]; } && served_by_others=$((served_by_others + 1))
done
check "node2's $total URLs made by node1/node3 now" "$served_by_others" "$total"
cached_ok=0
for url in $VICTIM_URLS; do
  fetch kept "http://127.0.0.1:$N$url" -H "Accept: $AVIF"
  [ "$(status "$WORK/kept.h") $(header "$WORK/kept.h" X-Cache-Status) $(header "$WORK/kept.h" X-Img-Server)" = "200 HIT node2" ] && cached_ok=$((cached_ok + 1))
done
check "what nginx cached from node2 is still served" "$cached_ok" "$total"
echo "   nginx error log: $(grep -c 'upstream' "$WORK/nginx/error.log") upstream errors (node2 refused or reset), each retried on another node"

summary
