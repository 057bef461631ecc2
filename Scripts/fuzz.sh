#!/usr/bin/env bash
# Coverage-guided fuzzing of ImageStack's parsers with libFuzzer and AddressSanitizer.
#
#   bash Scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]     one target
#   bash Scripts/fuzz.sh all SECONDS                                 every target, SECONDS each, then a summary
#   bash Scripts/fuzz.sh list                                        the targets
#
# Targets: jpeg png inflate pnm webp (decoders), http (request parser), origin (origin response reader: status line,
# headers, Content-Length / chunked / close-delimited bodies), query (query grammar, negotiation, plan), config
# (the JSON configuration). Each run prints libFuzzer's final stats (stat::number_of_executed_units, ...) and the
# coverage reached; it exits non-zero on a crash, a leak, a timeout or an out-of-memory, and keeps the input that
# caused it in Fuzz/artifacts/TARGET/. The corpus grows in Fuzz/corpus/TARGET/ (ignored by git) from the seeds:
# the corpus images in Conformance/corpus for the decoders, Fuzz/seeds/TARGET for the rest.
#
# The targets live in Fuzz/, a package of its own that depends on this one by path, so the product never builds
# them. Build: `swift build --product imagestack-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
# -Xswiftc -use-ld=lld` (gold fails with an internal error on the sanitizer runtime of Swift 6.3); the binary
# runs the target named by FUZZ_TARGET. FUZZ_CONFIG=debug builds without optimisation (faster to
# build, slower to run: what CI uses); the default, release, is for long runs. FUZZ_SKIP_BUILD=1 reuses the build.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
TARGETS=(jpeg png inflate pnm webp http origin query config)
CONFIG="${FUZZ_CONFIG:-release}"

usage() { echo "usage: bash Scripts/fuzz.sh TARGET|all SECONDS [libFuzzer options] | list"; echo "targets: ${TARGETS[*]}"; }
if [ "${1:-}" = list ]; then echo "${TARGETS[*]}"; exit 0; fi
[ $# -ge 2 ] || { usage; exit 2; }
WHAT="$1" SECONDS_EACH="$2"; shift 2
case "$SECONDS_EACH" in ''|*[!0-9]*) usage; exit 2 ;; esac
if [ "$WHAT" != all ] && ! printf '%s\n' "${TARGETS[@]}" | grep -qx "$WHAT"; then usage; exit 2; fi

BIN="$ROOT/Fuzz/.build/$CONFIG/imagestack-fuzz"
if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ] || [ ! -x "$BIN" ]; then
  echo "== building the fuzz targets ($CONFIG, -sanitize=fuzzer,address)"
  started=$(date +%s)
  if ! (cd Fuzz && swift build -c "$CONFIG" --product imagestack-fuzz -Xswiftc -sanitize=fuzzer,address \
          -Xswiftc -enable-testing -Xswiftc -use-ld=lld >"$ROOT/Fuzz/build.log" 2>&1); then
    grep -E "error:" Fuzz/build.log | head -20; tail -5 Fuzz/build.log; exit 1
  fi
  echo "   built in $(( $(date +%s) - started )) s"
fi

# Seeds per target: a directory libFuzzer reads (recursively) besides the growing corpus.
seed_dir() {
  local target="$1" dir="$ROOT/Fuzz/corpus/.seeds/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  case "$target" in
    jpeg)
      find Conformance/corpus -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) -size -8k -exec cp {} "$dir/" \;
      # Small re-encodings of corpus photos in every layout the decoder handles (baseline / progressive, 4:2:0 /
      # 4:2:2 / 4:4:4, gray, restart intervals, CMYK): a mutated 40x30 image decodes in a fraction of a
      # millisecond, so the fuzzer tries hundreds of times more of them.
      if command -v convert >/dev/null; then
        local i=0 f
        for f in Conformance/corpus/photos/*.jpg Conformance/corpus/jpeg/libjpeg-turbo/testorig.jpg; do
          [ -f "$f" ] || continue
          i=$((i + 1))
          for sampling in 4:2:0 4:2:2 4:4:4; do
            convert "$f" -resize 40x30 -sampling-factor $sampling "$dir/small$i-$sampling.jpg" 2>/dev/null
            convert "$f" -resize 40x30 -sampling-factor $sampling -interlace Plane "$dir/small$i-$sampling-prog.jpg" 2>/dev/null
          done
          convert "$f" -resize 40x30 -colorspace Gray "$dir/small$i-gray.jpg" 2>/dev/null
          convert "$f" -resize 40x30 -define jpeg:restart-interval=1 "$dir/small$i-restart.jpg" 2>/dev/null
          convert "$f" -resize 24x16 -colorspace CMYK "$dir/small$i-cmyk.jpg" 2>/dev/null
        done
      fi ;;
    png) find Conformance/corpus -type f -iname '*.png' -size -16k -exec cp {} "$dir/" \; ;;
    webp)
      find Conformance/corpus -type f -iname '*.webp' -size -16k -exec cp {} "$dir/" \;
      # Small cwebp files of corpus photos in the layouts the decoder handles: lossless, lossy with each filter
      # and segment setting, alpha raw / filtered / lossy (a mutated 40x30 file decodes in well under 1 ms).
      if command -v cwebp >/dev/null && command -v convert >/dev/null; then
        local i=0 f
        for f in Conformance/corpus/photos/chelsea.png Conformance/corpus/photos/logo.png \
                 Conformance/corpus/png/pngsuite/basn6a08.png Conformance/corpus/png/variants/camera-gray-alpha.png; do
          [ -f "$f" ] || continue
          i=$((i + 1))
          convert "$f" -resize 40x30 "$dir/src$i.png" 2>/dev/null || continue
          cwebp -quiet -lossless "$dir/src$i.png" -o "$dir/small$i-lossless.webp"
          cwebp -quiet -q 50 "$dir/src$i.png" -o "$dir/small$i-lossy.webp"
          cwebp -quiet -q 50 -f 0 -segments 1 "$dir/src$i.png" -o "$dir/small$i-nofilter.webp"
          cwebp -quiet -q 50 -nostrong -sharpness 5 "$dir/src$i.png" -o "$dir/small$i-simple.webp"
          cwebp -quiet -q 50 -alpha_q 40 -alpha_filter best "$dir/src$i.png" -o "$dir/small$i-lossyalpha.webp"
          cwebp -quiet -q 50 -alpha_method 0 "$dir/src$i.png" -o "$dir/small$i-rawalpha.webp"
          rm -f "$dir/src$i.png"
        done
      fi ;;
    inflate)
      # zlib and raw deflate streams of small corpus files at several levels (made with Python's zlib: seed
      # inputs only, the decoder under test is ours).
      python3 - "$dir" $(find Conformance/corpus/png/pngsuite -type f -name '*.png' | head -40) <<'PY'
import sys, zlib
out = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    data = open(path, 'rb').read()
    level = [0, 1, 6, 9][i % 4]
    open(f"{out}/z{i}.zlib", 'wb').write(zlib.compress(data, level))
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    open(f"{out}/r{i}.deflate", 'wb').write(c.compress(data) + c.flush())
PY
      ;;
    *) cp "$ROOT/Fuzz/seeds/$target/"* "$dir/" ;;
  esac
  echo "$dir"
}

max_len() {
  case "$1" in jpeg|png|inflate|pnm|webp) echo 16384 ;; http) echo 8192 ;; origin) echo 60000 ;;
    query) echo 1024 ;; config) echo 4096 ;; esac
}

# run_target TARGET → 0 when libFuzzer ended without finding anything; writes Fuzz/logs/TARGET.log.
run_target() {
  local target="$1" seeds corpus log dict=() status
  shift
  seeds=$(seed_dir "$target")
  corpus="$ROOT/Fuzz/corpus/$target"
  log="$ROOT/Fuzz/logs/$target.log"
  mkdir -p "$corpus" "$ROOT/Fuzz/artifacts/$target" "$ROOT/Fuzz/logs"
  [ -f "$ROOT/Fuzz/dictionaries/$target.dict" ] && dict=(-dict="$ROOT/Fuzz/dictionaries/$target.dict")
  echo "== fuzz $target for ${SECONDS_EACH} s (seeds: $(find "$seeds" -type f | wc -l), corpus: $(find "$corpus" -type f | wc -l))"
  # SWIFT_BACKTRACE off: libFuzzer (not the Swift runtime) handles the trap of a failed check and saves the input.
  FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
    "$BIN" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=512 -max_len="$(max_len "$target")" -artifact_prefix="$ROOT/Fuzz/artifacts/$target/" \
    "${dict[@]}" "$@" "$corpus" "$seeds" >"$log" 2>&1 </dev/null
  status=$?
  local units cov ft rate
  units=$(awk '/^stat::number_of_executed_units/{print $NF}' "$log")
  rate=$(awk '/^stat::average_exec_per_sec/{print $NF}' "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  grep -E '^stat::' "$log" | sed 's/^/   /'
  echo "   coverage: ${cov:-?} edges, ${ft:-?} features; corpus now $(find "$corpus" -type f | wc -l) inputs"
  printf '%s %s %s %s %s %s\n' "$target" "$status" "${units:-0}" "${rate:-0}" "${cov:-0}" "${ft:-0}" >>"$SUMMARY"
  if [ "$status" -ne 0 ]; then
    echo "   FAILED (libFuzzer exit $status): $(grep -m1 -E 'ERROR: |SUMMARY: |Fatal error|deadly signal|timeout after|out-of-memory' "$log")"
    echo "   input kept: $(ls -t "$ROOT/Fuzz/artifacts/$target/" 2>/dev/null | head -1 | sed "s|^|Fuzz/artifacts/$target/|")"
    echo "   log: Fuzz/logs/$target.log"
    tail -40 "$log" | sed 's/^/   | /'
  fi
  return "$status"
}

SUMMARY="$(mktemp)"
trap 'rm -f "$SUMMARY"' EXIT
failed=0
if [ "$WHAT" = all ]; then
  for target in "${TARGETS[@]}"; do run_target "$target" "$@" || failed=1; done
  echo "== fuzz summary (${SECONDS_EACH} s per target, $CONFIG build)"
  printf '%-8s %-6s %14s %10s %8s %9s\n' target status executions exec/s edges features
  while read -r t s u r c f; do printf '%-8s %-6s %14s %10s %8s %9s\n' "$t" "$( [ "$s" = 0 ] && echo ok || echo FAIL)" "$u" "$r" "$c" "$f"; done <"$SUMMARY"
else
  run_target "$WHAT" "$@" || failed=1
fi
exit "$failed"
