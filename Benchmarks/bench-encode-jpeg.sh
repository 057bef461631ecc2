#!/usr/bin/env bash
# JPEG encode: `imagestack encode --format jpeg` (baseline 4:2:0) vs `cjpeg -optimize` at q=75 and q=90, on the
# corpus photos (PNGs via pngtopam, JPEGs via djpeg) and the large JPEGs decoded to PPM with djpeg. Prints, per file
# and quality, CPU time ratio, size ratio (ours / cjpeg) and both PSNRs (djpeg decode vs the source PPM), then
# geometric means of the ratios and the mean PSNR difference.
source "$(dirname "$0")/encode-bench-setup.sh"
QUALITIES=${QUALITIES:-"75 90"}

inputs=()
for f in "$CORPUS"/photos/*.png; do
  name=$(basename "$f" .png)
  # Colour or gray PNM without alpha (cjpeg reads PPM/PGM only).
  pngtopam "$f" > "$WORK/$name.pnm" 2>/dev/null
  inputs+=("$WORK/$name.pnm")
done
for f in "$CORPUS"/photos/*.jpg "$LARGE"/*.jpg; do
  name=$(basename "$f" .jpg)
  djpeg "$f" > "$WORK/$name.pnm"
  inputs+=("$WORK/$name.pnm")
done

printf "%-30s %3s %9s %9s %6s %9s %9s %6s %7s %7s\n" file q ours_ms cjpeg_ms time× ours_B cjpeg_B size× psnr psnr_ref
logs_t=(); logs_s=(); dpsnr=()
for pnm in "${inputs[@]}"; do
  name=$(basename "$pnm" .pnm)
  for q in $QUALITIES; do
    ours_ms=$(python3 Benchmarks/cpu-ms.py "$REPEAT" /dev/null "$BIN" encode "$pnm" -o "$WORK/ours.jpg" --format jpeg --quality "$q")
    ref_ms=$(python3 Benchmarks/cpu-ms.py "$REPEAT" "$WORK/ref.jpg" cjpeg -optimize -quality "$q" "$pnm")
    djpeg "$WORK/ours.jpg" > "$WORK/ours.pnm"
    djpeg "$WORK/ref.jpg" > "$WORK/ref.pnm"
    p_ours=$(python3 Benchmarks/pnm-psnr.py "$pnm" "$WORK/ours.pnm")
    p_ref=$(python3 Benchmarks/pnm-psnr.py "$pnm" "$WORK/ref.pnm")
    ours_b=$(stat -c%s "$WORK/ours.jpg"); ref_b=$(stat -c%s "$WORK/ref.jpg")
    tr=$(python3 -c "print('%.2f' % ($ours_ms / max(0.1, $ref_ms)))")
    sr=$(python3 -c "print('%.3f' % ($ours_b / $ref_b))")
    printf "%-30s %3s %9s %9s %6s %9d %9d %6s %7s %7s\n" "$name" "$q" "$ours_ms" "$ref_ms" "$tr" "$ours_b" "$ref_b" "$sr" "$p_ours" "$p_ref"
    logs_t+=("$tr"); logs_s+=("$sr"); dpsnr+=("$(python3 -c "print($p_ours - $p_ref)")")
  done
done
python3 - "${#logs_t[@]}" "${logs_t[@]}" "${logs_s[@]}" "${dpsnr[@]}" <<'PY'
import math, sys
n = int(sys.argv[1]); v = [float(x) for x in sys.argv[2:]]
t, s, d = v[:n], v[n:2 * n], v[2 * n:]
g = lambda xs: math.exp(sum(math.log(max(x, 1e-9)) for x in xs) / len(xs))
print("geomean over %d encodes: time x%.2f, size x%.3f; mean PSNR difference %+.3f dB" % (n, g(t), g(s), sum(d) / n))
PY
