#!/usr/bin/env bash
# PNG encode: `imagestack encode --format png` (level 6) vs libpng's default through netpbm's pnmtopng, on the corpus
# photo PNGs and the large PNGs, decoded to PAM/PPM first. Prints, per file, time and size ratios (ours / libpng),
# checks that our output decodes in libpng to exactly the input, and the geometric means.
source "$(dirname "$0")/encode-bench-setup.sh"

printf "%-28s %9s %9s %6s %10s %10s %6s %s\n" file ours_ms libpng_ms time× ours_B libpng_B size× exact
sum_t=0; sum_s=0; n=0
for png in "$CORPUS"/photos/*.png "$LARGE"/*.png; do
  [ -e "$png" ] || continue
  name=$(basename "$png" .png)
  pngtopam -alphapam "$png" > "$WORK/$name.pam" 2>/dev/null
  pngtopam "$png" > "$WORK/$name.pnm" 2>/dev/null
  ref_args=()
  if grep -aq "TUPLTYPE .*_ALPHA" <(head -c 200 "$WORK/$name.pam"); then
    pngtopam -alpha "$png" > "$WORK/$name.alpha.pgm" 2>/dev/null
    ref_args=("-alpha=$WORK/$name.alpha.pgm")
  fi
  # Best-of-REPEAT CPU time (user + system): the machine is shared and both tools are single-threaded.
  ours_ms=$(python3 Benchmarks/cpu-ms.py "$REPEAT" /dev/null "$BIN" encode "$WORK/$name.pam" -o "$WORK/$name.ours.png" --format png)
  ref_ms=$(python3 Benchmarks/cpu-ms.py "$REPEAT" "$WORK/$name.ref.png" pnmtopng ${ref_args[@]+"${ref_args[@]}"} "$WORK/$name.pnm")
  ours_b=$(stat -c%s "$WORK/$name.ours.png"); ref_b=$(stat -c%s "$WORK/$name.ref.png")
  exact=no
  if pngtopam -alphapam "$WORK/$name.ours.png" | cmp -s - "$WORK/$name.pam"; then exact=yes; fi
  tr=$(python3 -c "print('%.2f' % ($ours_ms / max(0.1, $ref_ms)))")
  sr=$(python3 -c "print('%.3f' % ($ours_b / $ref_b))")
  printf "%-28s %9s %9s %6s %10d %10d %6s %s\n" "$name" "$ours_ms" "$ref_ms" "$tr" "$ours_b" "$ref_b" "$sr" "$exact"
  sum_t=$(python3 -c "import math; print($sum_t + math.log($ours_ms / max(0.1, $ref_ms)))")
  sum_s=$(python3 -c "import math; print($sum_s + math.log($ours_b / $ref_b))")
  n=$((n + 1))
done
python3 -c "import math; print('geomean over %d files: time x%.2f, size x%.3f' % ($n, math.exp($sum_t / $n), math.exp($sum_s / $n)))"
