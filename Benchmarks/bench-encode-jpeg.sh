#!/usr/bin/env bash
# JPEG encode speed and quality: `imagestack encode --format jpeg` (baseline 4:2:0, optimized Huffman tables) vs
# libjpeg-turbo `cjpeg -optimize` at the same quality (default 85; QUALITIES="75 90" for several), on the large
# images (Benchmarks/large/, JPEGs decoded to PPM with djpeg, PNGs with pngtopam) and the corpus photos.
# Paired runs (Benchmarks/paired-runs.py: cjpeg, ours single-threaded, ours on all cores, interleaved RUNS times,
# default 7 for large files and 5 for the corpus); prints median wall and CPU (user+sys) milliseconds and the
# ratios ours/cjpeg: 1T = IMAGESTACK_THREADS=1, MT = the default thread budget; then, from one encode each, the
# size ratio and the PSNR of both (djpeg decode vs the source). Ends with geometric means per group.
# SET=large or SET=corpus runs one group only.
source "$(dirname "$0")/encode-bench-setup.sh"
QUALITIES=${QUALITIES:-85}
set_filter=${SET:-all}
summary="$WORK/summary"

to_pnm() { # FILE -> path of a PPM/PGM without alpha
  local f=$1 name; name=$(basename "${f%.*}")
  case "$f" in
    *.png) pngtopam -mix -background=white "$f" 2>/dev/null >"$WORK/$name.pnm" || pngtopam "$f" >"$WORK/$name.pnm" ;;
    *) djpeg "$f" >"$WORK/$name.pnm" ;;
  esac
  echo "$WORK/$name.pnm"
}

bench_group() { # NAME RUNS FILES...
  local name=$1 runs=$2; shift 2
  : >"$summary"
  echo "== $name ($# files, $runs paired runs each, quality $QUALITIES; wall and CPU in ms, medians)"
  printf '%-34s %3s %7s %7s %7s %6s %6s | %7s %7s %7s %6s %6s | %6s %6s %6s\n' file q cjpeg ours1T oursMT 1T/cj MT/cj \
    cjCPU 1T_CPU MT_CPU 1T/cj MT/cj size× psnr psnrRef
  for f in "$@"; do
    local pnm; pnm=$(to_pnm "$f")
    for q in $QUALITIES; do
      mapfile -t r < <(python3 Benchmarks/paired-runs.py "$runs" cjpeg -optimize -quality "$q" -outfile /dev/null "$pnm" ";;" \
        env IMAGESTACK_THREADS=1 "$BIN" encode "$pnm" -o /dev/null --format jpeg --quality "$q" ";;" \
        "$BIN" encode "$pnm" -o /dev/null --format jpeg --quality "$q")
      if [[ "${r[0]}" == *fail || "${r[1]}" == *fail || "${r[2]}" == *fail ]]; then
        printf '%-34s %s\n' "$(basename "$f")" "skipped (an encoder rejects it)"; continue
      fi
      "$BIN" encode "$pnm" -o "$WORK/ours.jpg" --format jpeg --quality "$q"
      cjpeg -optimize -quality "$q" -outfile "$WORK/ref.jpg" "$pnm"
      djpeg "$WORK/ours.jpg" >"$WORK/ours.pnm"; djpeg "$WORK/ref.jpg" >"$WORK/ref.pnm"
      local po pr; po=$(python3 Benchmarks/pnm-psnr.py "$pnm" "$WORK/ours.pnm"); pr=$(python3 Benchmarks/pnm-psnr.py "$pnm" "$WORK/ref.pnm")
      read -r cw cc _ <<<"${r[0]}"; read -r ow oc _ <<<"${r[1]}"; read -r mw mc _ <<<"${r[2]}"
      awk -v n="$(basename "$f")" -v q="$q" -v cw="$cw" -v ow="$ow" -v mw="$mw" -v cc="$cc" -v oc="$oc" -v mc="$mc" \
        -v ob="$(stat -c%s "$WORK/ours.jpg")" -v rb="$(stat -c%s "$WORK/ref.jpg")" -v po="$po" -v pr="$pr" 'BEGIN {
        c = cc > 0 ? cc : 0.01
        printf "%-34s %3s %7.1f %7.1f %7.1f %5.2fx %5.2fx | %7.1f %7.1f %7.1f %5.2fx %5.2fx | %6.3f %6.2f %6.2f\n", substr(n, 1, 34),
          q, cw, ow, mw, ow / cw, mw / cw, cc, oc, mc, oc / c, mc / c, ob / rb, po, pr }'
      echo "$cw $ow $mw $cc $oc $mc $(stat -c%s "$WORK/ours.jpg") $(stat -c%s "$WORK/ref.jpg") $po $pr" >>"$summary"
    done
  done
  awk '{ for (i = 2; i <= 3; i++) w[i] += log($i / $1); for (i = 5; i <= 6; i++) c[i] += log($i / ($4 > 0 ? $4 : 0.01));
         s += log($7 / $8); d += $9 - $10; n++ }
    END { if (n) printf "geomean over %d encodes: wall 1T %.2fx, MT %.2fx; CPU 1T %.2fx, MT %.2fx; size %.3fx; PSNR %+.2f dB\n",
      n, exp(w[2] / n), exp(w[3] / n), exp(c[5] / n), exp(c[6] / n), exp(s / n), d / n }' "$summary"
}

if [ "$set_filter" != corpus ]; then
  bench_group "large/" "${RUNS:-7}" "$LARGE"/*.jpg "$LARGE"/*.png
fi
if [ "$set_filter" != large ]; then
  mapfile -t photos < <(find "$CORPUS"/photos -name '*.png' -o -name '*.jpg' | sort)
  bench_group "corpus photos" "${RUNS:-5}" "${photos[@]}"
fi
