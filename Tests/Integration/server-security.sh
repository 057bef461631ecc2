#!/usr/bin/env bash
# Security: path traversal out of a file origin (dot segments, encoded dots, backslashes, NUL bytes, symlinks),
# and SSRF attempts (absolute-form targets, Host headers, scheme-relative paths, URLs in the query) — the server
# must only ever read its root and contact its configured origin.
source "$(dirname "$0")/lib/harness.bash"
S=18087 O=18088 EVIL=18089 S2=18093
require_ports $S $O $EVIL $S2

ROOT="$WORK/root"
mkdir -p "$ROOT/img" "$WORK/outside"
cp "$CORPUS/photos/rocket.jpg" "$ROOT/img/rocket.jpg"
echo "SECRET-OUTSIDE" >"$WORK/outside/secret.txt"
cp "$CORPUS/photos/rocket.jpg" "$WORK/outside/outside.jpg"
ln -s "$WORK/outside/secret.txt" "$ROOT/img/escape.jpg"
ln -s "$WORK/outside" "$ROOT/img/outdir"
ln -s "$ROOT/img/rocket.jpg" "$ROOT/img/inside-link.jpg"

start_server files $S --origin "$ROOT"
B="http://127.0.0.1:$S"

echo "== file origin: no way out of the root"
refused() {  # PATH
  local code body
  code=$(curl -s --path-as-is --max-time 5 -o "$WORK/t.body" -w '%{http_code}' "$B$1")
  body=$(cat "$WORK/t.body")
  if [ "$code" = 404 ] && ! grep -q -e 'SECRET-OUTSIDE' -e 'root:' "$WORK/t.body"; then pass "refused: $1"
  else fail "refused: $1" "status $code body ${body:0:60}"; fi
}
for p in "/../etc/passwd" "/img/../../etc/passwd" "/%2e%2e/%2e%2e/etc/passwd" "/%2E%2E/%2E%2E/etc/passwd" \
         "/img/%2e%2e/%2e%2e/outside/secret.txt" "/..%2f..%2fetc%2fpasswd" "/img/..%5c..%5cetc%5cpasswd" \
         "/img/escape.jpg" "/img/outdir/secret.txt" "/img/outdir/outside.jpg?width=10" "/img/rocket.jpg%00.png" \
         "/%00/etc/passwd" "/img/./rocket.jpg/.." "/img/%" "/img/%zz.jpg" "/%2e%2e%2f%2e%2e%2fetc%2fpasswd?width=1" \
         "/.%2e/.%2e/etc/passwd" "//etc/passwd" "/img//../../etc/passwd"; do
  refused "$p"
done
check "double-encoded dots stay literal (no such file)" "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$B/%252e%252e/%252e%252e/etc/passwd")" 404
check "symlink inside the root is served" "$(curl -s -o /dev/null -w '%{http_code}' "$B/img/inside-link.jpg")" 200
check "plain file is served" "$(curl -s -o "$WORK/ok.body" -w '%{http_code}' "$B/img/rocket.jpg")" 200
check "…byte for byte" "$(cmp -s "$WORK/ok.body" "$ROOT/img/rocket.jpg" && echo same)" same
check "directory itself is not listed" "$(curl -s -o /dev/null -w '%{http_code}' "$B/img/")" 404

echo "== SSRF: only the configured origin is contacted"
ORIGIN="$WORK/origin"; mkdir -p "$ORIGIN/img"; cp "$CORPUS/photos/rocket.jpg" "$ORIGIN/img/rocket.jpg"
python3 "$LIB/fault_origin.py" $O "$ORIGIN" >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
python3 "$LIB/fault_origin.py" $EVIL "$ORIGIN" >"$WORK/evil.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$O/counter"
wait_http "http://127.0.0.1:$EVIL/counter"
start_server proxy $S2 --origin "http://127.0.0.1:$O/img"
P="http://127.0.0.1:$S2"
raw() { python3 "$LIB/rawhttp.py" $S2 "$@"; }
check "absolute-form request target → 400" "$(raw "GET http://127.0.0.1:$EVIL/rocket.jpg HTTP/1.1\r\nHost: 127.0.0.1:$EVIL\r\n\r\n" | head -1 | awk '{print $2}')" 400
check "CONNECT-style authority target → 400" "$(raw "CONNECT 127.0.0.1:$EVIL HTTP/1.1\r\nHost: 127.0.0.1:$EVIL\r\n\r\n" | head -1 | awk '{print $2}')" 400
curl -s -o /dev/null -H "Host: 127.0.0.1:$EVIL" "$P/rocket.jpg?width=10"
curl -s -o /dev/null -H "X-Forwarded-Host: 127.0.0.1:$EVIL" -H "Forwarded: host=127.0.0.1:$EVIL" "$P/rocket.jpg"
curl -s -o /dev/null --path-as-is "$P//127.0.0.1:$EVIL/rocket.jpg"
curl -s -o /dev/null --path-as-is "$P/@127.0.0.1:$EVIL/rocket.jpg"
curl -s -o /dev/null "$P/rocket.jpg?url=http://127.0.0.1:$EVIL/rocket.jpg&width=5"
curl -s -o /dev/null "$P/rocket.jpg?origin=127.0.0.1:$EVIL"
curl -s -o /dev/null --path-as-is "$P/../rocket.jpg"
curl -s -o /dev/null --path-as-is "$P/%2e%2e/secret"
curl -s -o /dev/null "$P/http:%2f%2f127.0.0.1:$EVIL%2frocket.jpg"
check "the other server received no request at all" "$(curl -s "http://127.0.0.1:$EVIL/seen" | grep -vc '^/counter$\|^/seen$')" 0
check_match "the configured origin got the requests under its base path" "$(curl -s "http://127.0.0.1:$O/seen")" '^/img/rocket.jpg'
check "no request escaped the origin's base path" "$(curl -s "http://127.0.0.1:$O/seen" | grep -v '^/counter$\|^/seen$' | grep -vc '^/img/')" 0
check "dot segments never forwarded" "$(curl -s "http://127.0.0.1:$O/seen" | grep -c '\.\.\|%2e')" 0
check "traversal against an http origin → 404" "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$P/../rocket.jpg")" 404

summary
