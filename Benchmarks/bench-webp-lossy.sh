#!/usr/bin/env bash
# Lossy WebP (VP8) against cwebp on the large and photo corpora: for each quality, size, encode time and
# SSIMULACRA2 of the dwebp-decoded result vs the source, for ours and `cwebp -q N`; then BD-rate (ours vs cwebp,
# SSIMULACRA2 as the quality axis; negative = ours smaller at equal quality).
# Usage: Benchmarks/bench-webp-lossy.sh [image files...]   (env: QUALITIES="50 75 90", EFFORT=4, SCORE=ssimulacra2|ssim)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/corpus.sh
QUALITIES="${QUALITIES:-50 75 90}"
EFFORT="${EFFORT:-4}"
SCORE="${SCORE:-ssimulacra2}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if [ $# -gt 0 ]; then FILES=("$@"); else
  need_large
  FILES=("$LARGE"/*.jpg "$LARGE"/*.png "$CORPUS"/photos/*.jpg "$CORPUS"/photos/*.png)
fi
if [ "$SCORE" = ssimulacra2 ] && ! python3 -c 'import ssimulacra2' 2>/dev/null; then
  pip install -q ssimulacra2 >/dev/null 2>&1 || SCORE=ssim
  python3 -c 'import ssimulacra2' 2>/dev/null || SCORE=ssim
fi

# Sources → PNM (colour only: alpha goes to ALPH, not VP8) and a PNG reference for scoring.
: > "$WORK/manifest"
for f in "${FILES[@]}"; do
  name="$(basename "${f%.*}")"
  case "$f" in
    *.png) pngtopam "$f" > "$WORK/$name.pnm" 2>/dev/null ;;
    *) djpeg -pnm "$f" > "$WORK/$name.pnm" ;;
  esac
  pnmtopng "$WORK/$name.pnm" > "$WORK/$name.ref.png" 2>/dev/null
  for q in $QUALITIES; do echo "$WORK/$name.pnm $q $WORK/ours-$name-$q.webp" >> "$WORK/manifest"; done
done

# Ours: through the CLI, which is what the server runs.
swift build -c release >/dev/null 2>&1 || { echo "release build failed"; exit 1; }
CLI=.build/release/imagestack
: > "$WORK/results"
while read -r src q out; do
  # wall and CPU (user+sys, all threads) of the CLI run, from bash's `time`.
  t=$( { TIMEFORMAT='%R %U %S'; time "$CLI" encode "$src" -o "$out" --format webp --quality "$q" >/dev/null 2>&1; } 2>&1 | tail -1 )
  [ -s "$out" ] || { echo "encode failed: $src q$q"; exit 1; }
  echo "$out $(echo "$t" | awk '{print $1, $2 + $3}' | { read -r wall cpu; echo "$wall $(stat -c %s "$out") $cpu"; })" >> "$WORK/results"
done < "$WORK/manifest"
echo "ours: imagestack encode --format webp"

python3 - "$WORK" "$SCORE" <<'PY'
import os, resource, subprocess, sys, time
import numpy as np
work, score_kind = sys.argv[1], sys.argv[2]
ours = {}
for line in open(os.path.join(work, "results")):
    path, secs, size, cpu = line.split()
    ours[path] = (float(secs), int(size), float(cpu))

def decode(webp):
    png = webp + ".png"
    subprocess.run(["dwebp", webp, "-o", png], check=True, capture_output=True)
    return png

def score(ref, png):
    if score_kind == "ssimulacra2":
        from ssimulacra2 import compute_ssimulacra2
        return float(compute_ssimulacra2(ref, png))
    from PIL import Image
    a = np.asarray(Image.open(ref).convert("L"), dtype=np.float64)
    b = np.asarray(Image.open(png).convert("L"), dtype=np.float64)
    def blur(x):  # 8x8 box windows
        k = 8; h, w = (x.shape[0] // k) * k, (x.shape[1] // k) * k
        return x[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3))
    mu_a, mu_b = blur(a), blur(b)
    va, vb, cov = blur(a * a) - mu_a ** 2, blur(b * b) - mu_b ** 2, blur(a * b) - mu_a * mu_b
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    return float(np.mean(((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (va + vb + c2))) * 100)

rows = {}
for line in open(os.path.join(work, "manifest")):
    src, q, out = line.split()
    name = os.path.basename(src)[:-4]
    ref = os.path.join(work, name + ".ref.png")
    theirs = os.path.join(work, f"cwebp-{name}-{q}.webp")
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(["cwebp", "-quiet", "-q", q, src, "-o", theirs], check=True)
    ct = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    ccpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    ot, osize, ocpu = ours[out]
    rows.setdefault(name, []).append((int(q), osize, ot, score(ref, decode(out)), os.path.getsize(theirs), ct, score(ref, decode(theirs)), ocpu, ccpu))

def bd_rate(a, b):
    """Mean log-rate difference of b vs a over their common quality range (quadratic fits of log rate on score)."""
    (ra, sa), (rb, sb) = a, b
    lo, hi = max(min(sa), min(sb)), min(max(sa), max(sb))
    if hi <= lo: return None
    deg = min(2, len(sa) - 1)
    pa, pb = np.polyfit(sa, np.log(ra), deg), np.polyfit(sb, np.log(rb), deg)
    ia, ib = np.polyint(pa), np.polyint(pb)
    da = (np.polyval(ia, hi) - np.polyval(ia, lo)) / (hi - lo)
    db = (np.polyval(ib, hi) - np.polyval(ib, lo)) / (hi - lo)
    return (np.exp(db - da) - 1) * 100

print(f"score = {score_kind}")
print("time: wall seconds (machine shared, noisy); cpu×: CPU seconds ours (all threads) / cwebp")
print(f"{'image':26} {'q':>3} {'ours B':>9} {'cwebp B':>9} {'size×':>6} {'ours s':>7} {'cwebp s':>7} {'time×':>6} {'cpu×':>6} {'ours sc':>8} {'cwebp sc':>8}")
tot = {}
bds = []
for name, rs in rows.items():
    for q, osz, ot, osc, csz, ct, csc, ocpu, ccpu in sorted(rs):
        cpu_ratio = ocpu / ccpu if ocpu >= 0 and ccpu > 0 else float('nan')
        print(f"{name:26} {q:3} {osz:9} {csz:9} {osz / csz:6.3f} {ot:7.3f} {ct:7.3f} {ot / ct:6.2f} {cpu_ratio:6.2f} {osc:8.2f} {csc:8.2f}")
        t = tot.setdefault(q, [0, 0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0])
        t[0] += osz; t[1] += csz; t[2] += ot; t[3] += ct; t[4] += osc; t[5] += csc; t[6] += 1; t[7] += ocpu; t[8] += ccpu
    rs = sorted(rs)
    bd = bd_rate(([r[4] for r in rs], [r[6] for r in rs]), ([r[1] for r in rs], [r[3] for r in rs]))
    if bd is not None: bds.append(bd)
    print(f"{name:26} BD-rate ours vs cwebp: {'n/a (no overlap)' if bd is None else f'{bd:+.1f}%'}")
print("totals per quality:")
for q, t in sorted(tot.items()):
    print(f"  q{q}: size ours/cwebp {t[0] / t[1]:.3f}  wall time ours/cwebp {t[2] / t[3]:.2f}  cpu ours/cwebp {t[7] / t[8]:.2f}  mean score ours {t[4] / t[6]:.2f} cwebp {t[5] / t[6]:.2f}")
if bds: print(f"mean BD-rate ours vs cwebp over {len(bds)} images: {np.mean(bds):+.1f}% (median {np.median(bds):+.1f}%)")
PY
