#!/usr/bin/env bash
# Decodes every valid PNG in the corpus (Conformance/corpus) with imagestack and with libpng (netpbm's `pngtopam -alphapam`),
# compares the pixels with pnmcompare.py and prints a table (file, result, max difference). Every PngSuite x*.png
# must be rejected with exit status 1 and a one-line message. Exits non-zero on any mismatch.
# pngtopam -alphapam always writes an alpha channel; when our output has none, the reference alpha must be fully
# opaque and is dropped before comparing. Usage: check-png.sh [IMAGESTACK_BINARY]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
CORPUS=${CORPUS:-Conformance/corpus}
command -v pngtopam >/dev/null || { echo "pngtopam (netpbm) is required"; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

strip_opaque_alpha() {  # REFERENCE_PAM OURS OUT: writes REFERENCE without alpha when OURS has none
  python3 - "$@" <<'PY'
import sys
sys.path.insert(0, "Conformance")
from pnmcompare import read_pnm
ref, ours, out = sys.argv[1:4]
rw, rh, rd, rmax, rs = read_pnm(ref)
ow, oh, od, omax, os_ = read_pnm(ours)
if od == rd - 1 and rd in (2, 4):
    alpha = rs[rd - 1::rd]
    if any(a != rmax for a in alpha):
        print("reference has transparency, ours has no alpha"); sys.exit(1)
    keep = [s for i, s in enumerate(rs) if i % rd != rd - 1]
    wide = rmax > 255
    body = b"".join(v.to_bytes(2, "big") for v in keep) if wide else bytes(keep)
    head = f"P{5 if od == 1 else 6}\n{rw} {rh}\n{rmax}\n".encode()
    open(out, "wb").write(head + body)
else:
    open(out, "wb").write(open(ref, "rb").read())
PY
}

files=$( { ls "$CORPUS"/png/pngsuite/*.png | grep -v '/x[^/]*\.png$'; ls "$CORPUS"/png/*.png "$CORPUS"/png/variants/*.png \
          "$CORPUS"/photos/*.png "$CORPUS"/tuning/*.png; } 2>/dev/null)
pass=0; fail=0; alt=0
printf '%-44s %-8s %s\n' file result "max difference"
for f in $files; do
  name=${f#"$CORPUS"/}
  if ! "$BIN" decode "$f" -o "$tmp/ours.pnm" 2>"$tmp/err"; then
    printf '%-44s %-8s %s\n' "$name" FAIL "imagestack: $(head -1 "$tmp/err")"; fail=$((fail + 1)); continue
  fi
  pngtopam -alphapam "$f" >"$tmp/ref.pam" 2>/dev/null
  if ! msg=$(strip_opaque_alpha "$tmp/ref.pam" "$tmp/ours.pnm" "$tmp/ref.pnm"); then
    printf '%-44s %-8s %s\n' "$name" FAIL "$msg"; fail=$((fail + 1)); continue
  fi
  if out=$(python3 Conformance/pnmcompare.py "$tmp/ours.pnm" "$tmp/ref.pnm"); then
    printf '%-44s %-8s %s\n' "$name" exact "${out#max }"; pass=$((pass + 1))
  elif convert "$f" pam:"$tmp/im.pam" 2>/dev/null && strip_opaque_alpha "$tmp/im.pam" "$tmp/ours.pnm" "$tmp/im.pnm" >/dev/null \
       && out2=$(python3 Conformance/pnmcompare.py "$tmp/ours.pnm" "$tmp/im.pnm"); then
    # netpbm 11.1's pngtopam ignores tRNS on truecolour images (tbrn2c08, tbbn2c16, tbgn2c16); ImageMagick's
    # libpng path applies it as the PNG spec (§11.3.2.1) requires. Counted separately so the divergence stays visible.
    printf '%-44s %-8s %s\n' "$name" exact* "${out2#max } vs ImageMagick (pngtopam: $out)"; pass=$((pass + 1)); alt=$((alt + 1))
  else
    printf '%-44s %-8s %s\n' "$name" FAIL "$out"; fail=$((fail + 1))
  fi
done
rejected=0
for f in "$CORPUS"/png/pngsuite/x*.png; do
  name=${f#"$CORPUS"/}
  "$BIN" decode "$f" -o "$tmp/x.pnm" 2>"$tmp/err"; status=$?
  lines=$(wc -l <"$tmp/err")
  if [ "$status" = 1 ] && [ "$lines" = 1 ]; then
    printf '%-44s %-8s %s\n' "$name" rejected "$(cat "$tmp/err")"; rejected=$((rejected + 1))
  else
    printf '%-44s %-8s %s\n' "$name" FAIL "exit $status, $lines lines: $(head -1 "$tmp/err")"; fail=$((fail + 1))
  fi
done
echo "PNG: $pass exact ($alt of them vs ImageMagick where pngtopam ignores truecolour tRNS), $rejected corrupt files rejected, $fail failures"
[ "$fail" = 0 ]
