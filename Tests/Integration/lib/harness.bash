# Shared helpers for the server integration suites (sourced, not run). Everything binds to 127.0.0.1 on fixed
# unusual ports, is started in the background with its PID recorded, and is killed by the EXIT trap.
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$REPO"
BIN="${IMAGESTACK_BIN:-$REPO/.build/release/imagestack}"
LIB="$REPO/Tests/Integration/lib"
ART="$REPO/test-artifacts"
mkdir -p "$ART"
WORK="$(mktemp -d /tmp/imagestack-it.XXXXXX)"
PASSED=0
FAILED=0
PIDS=()

# The test corpus is committed with the code.
CORPUS="$REPO/Conformance/corpus"
[ -d "$CORPUS" ] || { echo "corpus not found ($CORPUS)"; exit 1; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.2
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN" ] || { echo "missing $BIN (build release first)"; exit 1; }

pass() { PASSED=$((PASSED + 1)); echo "  ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "  FAIL $1${2:+ — $2}"; }

# check NAME ACTUAL EXPECTED
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
# check_match NAME ACTUAL EXTENDED_REGEX
check_match() { if printf '%s' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1" "got '$2', want /$3/"; fi; }

summary() {
  echo "$(basename "$0"): $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_ports() {
  local p
  for p in "$@"; do port_free "$p" || { echo "port $p is busy; cannot run $(basename "$0")"; exit 1; }; done
}

# wait_http URL — up to ~10 s for any HTTP answer.
wait_http() {
  local i
  for i in $(seq 1 100); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1"; return 1
}

# start_server NAME PORT ARGS... — runs imagestack serve in the background, stderr to $WORK/NAME.log.
start_server() {
  local name="$1" port="$2"; shift 2
  "$BIN" serve --listen "127.0.0.1:$port" "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  PIDS+=($!)
  eval "${name}_PID=$!"
  wait_http "http://127.0.0.1:$port/health"
}

# start_origin NAME PORT DIR — python http.server serving DIR.
start_static_origin() {
  python3 -m http.server "$2" --bind 127.0.0.1 --directory "$3" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$2/"
}

# start_fault_origin PORT — the scripted origin (lib/fault_origin.py) serving the corpus.
start_fault_origin() {
  python3 "$LIB/fault_origin.py" "$1" "$CORPUS" >"$WORK/fault-origin-$1.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$1/counter"
}

# header FILE NAME — value of a response header in a curl -D dump (last response, case-insensitive).
header() { tr -d '\r' <"$1" | awk -v n="$(printf '%s' "$2" | tr A-Z a-z)" 'BEGIN{IGNORECASE=1} /^HTTP\//{v=""} { split($0,a,": "); if (tolower(a[1])==n) { v=substr($0,length(a[1])+3) } } END{print v}'; }
status() { tr -d '\r' <"$1" | awk '/^HTTP\//{s=$2} END{print s}'; }

# fetch NAME URL [curl args...] — body to $WORK/NAME.body, headers to $WORK/NAME.h
fetch() {
  local name="$1" url="$2"; shift 2
  curl -s --max-time 30 -D "$WORK/$name.h" -o "$WORK/$name.body" "$@" "$url"
}

# dims FILE — "FORMAT WxH" via ImageMagick (AVIF via avifdec --info when IM cannot read it).
dims() {
  local out
  out=$(identify -format '%m %wx%h\n' "$1" 2>/dev/null | head -1)
  if [ -z "$out" ] && command -v avifdec >/dev/null; then
    out=$(avifdec --info "$1" 2>/dev/null | awk -F'[ :x]+' '/Resolution/{print "AVIF " $(NF-1) "x" $NF}')
  fi
  printf '%s' "$out"
}

size_of() { if [ -e "$1" ]; then stat -c %s "$1"; else echo 0; fi; }
