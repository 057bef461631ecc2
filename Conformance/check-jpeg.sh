#!/usr/bin/env bash
# Decodes every JPEG in the corpus (Conformance/corpus) with `imagestack decode` and with libjpeg-turbo's `djpeg` (default
# options: islow IDCT, fancy upsampling) and compares the pixels with pnmcompare.py. Files djpeg decodes must match
# exactly; arithmetic, 12-bit and lossless files must be refused by imagestack with exit status 1 and one line on
# stderr. Then compares `--scale 1/N` against `djpeg -scale 1/N` for a few files.
# Usage: Conformance/check-jpeg.sh [CORPUS_DIR]   (needs .build/release/imagestack)
set -uo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-${CORPUS:-Conformance/corpus}}"
bin=.build/release/imagestack
[ -x "$bin" ] || { echo "missing $bin: run swift build -c release" >&2; exit 2; }
command -v djpeg >/dev/null || { echo "djpeg not found (apt-get install libjpeg-turbo-progs)" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

pass=0; fail=0; refused=0
printf '%-58s %-12s %s\n' file result "max diff"
compare() { # label ours-args djpeg-args file
  local label=$1 file=$4
  if ! "$bin" decode "$file" $2 -o "$tmp/ours.pnm" 2>"$tmp/err"; then
    printf '%-58s %-12s %s\n' "$label" FAIL "imagestack: $(head -1 "$tmp/err")"; fail=$((fail+1)); return
  fi
  local cmp; cmp=$(python3 Conformance/pnmcompare.py "$tmp/ours.pnm" "$tmp/ref.pnm")
  if [ $? -eq 0 ]; then printf '%-58s %-12s %s\n' "$label" exact "${cmp#max }"; pass=$((pass+1))
  else printf '%-58s %-12s %s\n' "$label" MISMATCH "$cmp"; fail=$((fail+1)); fi
}

# What kind of JPEG a file is, from its SOFn marker (T.81 Table B.1) and sample precision: "ok" when we decode it.
kind() {
  python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
i = 2
while i + 4 <= len(d):
    if d[i] != 0xFF: i += 1; continue
    m = d[i + 1]
    if m == 0xFF: i += 1; continue
    if m in (0xD8, 0x01) or 0xD0 <= m <= 0xD7: i += 2; continue
    n = d[i + 2] << 8 | d[i + 3]
    if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
        p = d[i + 4]
        if m >= 0xC9: print("arithmetic")
        elif m == 0xC3: print("lossless")
        elif m in (0xC5, 0xC6, 0xC7): print("hierarchical")
        elif p != 8: print(f"{p}-bit")
        else: print("ok")
        sys.exit()
    i += 2 + n
print("ok")
PY
}

while IFS= read -r f; do
  rel=${f#"$corpus"/}
  k=$(kind "$f")
  if [ "$k" = ok ]; then
    if djpeg -pnm "$f" >"$tmp/ref.pnm" 2>/dev/null; then compare "$rel" "" "" "$f"
    else printf '%-58s %-12s %s\n' "$rel" FAIL "djpeg cannot decode it"; fail=$((fail+1)); fi
  else
    # Arithmetic, 12-bit, lossless: imagestack must exit 1 with exactly one line on stderr.
    "$bin" decode "$f" -o "$tmp/ours.pnm" 2>"$tmp/err"; st=$?
    lines=$(wc -l <"$tmp/err")
    if [ $st -eq 1 ] && [ "$lines" -eq 1 ] && grep -q unsupported "$tmp/err"; then
      printf '%-58s %-12s %s\n' "$rel" "unsupported" "($k) $(cat "$tmp/err")"; refused=$((refused+1))
    else printf '%-58s %-12s %s\n' "$rel" FAIL "($k) exit $st, $lines stderr lines"; fail=$((fail+1)); fi
  fi
done < <(find "$corpus" -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) | sort)

echo
echo "-- scaled decoding: imagestack decode --scale 1/N vs djpeg -scale 1/N"
for f in jpeg/libjpeg-turbo/testorig.jpg jpeg/libjpeg-turbo/testimgint.jpg jpeg/variants/odd-s2x2-base.jpg \
         jpeg/variants/odd-s2x1-prog.jpg jpeg/variants/odd-s1x2-base.jpg jpeg/variants/odd-s4x1-base.jpg \
         jpeg/variants/odd-s1x1-prog.jpg jpeg/variants/coffee-gray.jpg jpeg/variants/coffee-cmyk.jpg \
         jpeg/variants/thin-509x3.jpg photos/rocket.jpg; do
  [ -f "$corpus/$f" ] || continue
  for n in 2 4 8; do
    djpeg -pnm -scale 1/$n "$corpus/$f" >"$tmp/ref.pnm" 2>/dev/null || continue
    compare "$f @1/$n" "--scale 1/$n" "" "$corpus/$f"
  done
done

echo
echo "exact: $pass  refused (unsupported): $refused  failed: $fail"
[ $fail -eq 0 ]
