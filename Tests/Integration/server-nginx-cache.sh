#!/usr/bin/env bash
# A real HTTP cache in front: nginx with proxy_cache before the server. The AVIF, WebP and original variants of
# one URL must be cached separately (the server sends Vary: Accept) and served from nginx's cache afterwards.
source "$(dirname "$0")/lib/harness.bash"
N=18095 S=18096
require_ports $N $S
command -v nginx >/dev/null || { echo "nginx not installed"; exit 1; }

start_server srv $S --origin "$REPO/samples"
mkdir -p "$WORK/nginx/cache"
source "$LIB/nginx.bash"
nginx_config "$WORK/nginx" 1 "
  proxy_cache_path $WORK/nginx/cache levels=1:2 keys_zone=images:10m max_size=100m inactive=10m;
  server {
    listen 127.0.0.1:$N;
    location / {
      proxy_pass http://127.0.0.1:$S;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_cache images;
      proxy_cache_key \$uri\$is_args\$args;
      proxy_cache_valid 200 10m;
      add_header X-Cache-Status \$upstream_cache_status always;
    }
  }"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/start.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$N/health"

URL="http://127.0.0.1:$N/rocket.jpg?width=320&fmt=avif,webp"
AVIF='Accept: image/avif,image/webp,image/apng,image/*,*/*;q=0.8'
WEBP='Accept: image/webp,image/apng,image/*,*/*;q=0.8'
PLAIN='Accept: image/apng,image/*,*/*;q=0.8'
variant() {  # NAME ACCEPT EXPECTED_TYPE EXPECTED_CACHE_STATUS
  fetch "$1" "$URL" -H "$2"
  check "$1: Content-Type" "$(header "$WORK/$1.h" Content-Type)" "$3"
  check "$1: nginx cache" "$(header "$WORK/$1.h" X-Cache-Status)" "$4"
  check "$1: Vary: Accept" "$(header "$WORK/$1.h" Vary)" "Accept"
}
variant avif1 "$AVIF" image/avif MISS
variant avif2 "$AVIF" image/avif HIT
variant webp1 "$WEBP" image/webp MISS
variant webp2 "$WEBP" image/webp HIT
variant orig1 "$PLAIN" image/jpeg MISS
variant orig2 "$PLAIN" image/jpeg HIT
variant avif3 "$AVIF" image/avif HIT
variant webp3 "$WEBP" image/webp HIT
check "cached AVIF bytes equal the first response" "$(cmp -s "$WORK/avif1.body" "$WORK/avif3.body" && echo same)" same
check "cached WebP bytes equal the first response" "$(cmp -s "$WORK/webp1.body" "$WORK/webp3.body" && echo same)" same
check "original-format variant is the resized JPEG" "$(dims "$WORK/orig2.body")" "JPEG 320x214"
check "AVIF decodes" "$(dims "$WORK/avif3.body" | awk '{print $2}')" "320x214"
check "WebP decodes" "$(dims "$WORK/webp3.body")" "WEBP 320x214"
check "the server saw each variant once (3 requests)" "$(grep -c '"GET /rocket.jpg?width=320&fmt=avif,webp"' "$WORK/srv.log")" 3

[ "$FAILED" -gt 0 ] && cat "$WORK/nginx/error.log" "$WORK/nginx/start.log" "$WORK/avif1.h" | tail -n 20
summary
