#!/usr/bin/env bash
# PNG decode speed: `imagestack decode FILE -o OUT.pam` vs libpng via netpbm's `pngtopam -alphapam FILE > OUT.pam`,
# for each PNG in the corpus's large/ folder. Runs are interleaved (ours, reference, ours, ...) and the median of
# RUNS (default 7, at least 5) wall-clock times is reported with the ratio ours/libpng (lower is better).
# Usage: bench-decode-png.sh [IMAGESTACK_BINARY]   (Benchmarks/run.sh builds release first)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
CORPUS=${CORPUS:-../shared/corpus}
[ -d "$CORPUS" ] || CORPUS=/work/shared/corpus
RUNS=${RUNS:-7}
[ "$RUNS" -ge 5 ] || RUNS=5
[ -x "$BIN" ] || swift build -c release >/dev/null
python3 - "$BIN" "$RUNS" "$CORPUS"/large/*.png <<'PY'
import os, statistics, subprocess, sys, tempfile, time
binary, runs, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
out = os.path.join(tempfile.mkdtemp(), "out.pam")
def timed(cmd, stdout=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=stdout, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start
print(f"{'file':36} {'imagestack ms':>14} {'pngtopam ms':>12} {'ratio':>6}")
for f in files:
    ours, ref = [], []
    for _ in range(runs):
        ours.append(timed([binary, "decode", f, "-o", out]))
        with open(out, "wb") as sink:
            ref.append(timed(["pngtopam", "-alphapam", f], stdout=sink))
    a, b = statistics.median(ours), statistics.median(ref)
    print(f"{os.path.basename(f):36} {a * 1000:14.1f} {b * 1000:12.1f} {a / b:6.2f}")
PY
