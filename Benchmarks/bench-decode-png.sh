#!/usr/bin/env bash
# PNG decode speed: `imagestack decode FILE -o OUT.pam` vs libpng via netpbm's `pngtopam -alphapam FILE > OUT.pam`,
# for each PNG in Benchmarks/large/ (fetched by Benchmarks/fetch-large.sh when missing). Runs are interleaved (ours, reference, ours, ...) and the median of
# RUNS (default 7, at least 5) times is reported with the ratio ours/libpng (lower is better): wall clock, and CPU
# time (user + system) which is steadier on a shared machine. Both sides write the same PAM file.
# Usage: bench-decode-png.sh [IMAGESTACK_BINARY]   (Benchmarks/run.sh builds release first)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
source Benchmarks/corpus.sh
need_large
RUNS=${RUNS:-7}
[ "$RUNS" -ge 5 ] || RUNS=5
[ -x "$BIN" ] || swift build -c release >/dev/null
python3 - "$BIN" "$RUNS" "$LARGE"/*.png <<'PY'
import os, statistics, subprocess, sys, tempfile, time
binary, runs, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
out = os.path.join(tempfile.mkdtemp(), "out.pam")
def timed(cmd, stdout):
    """Wall-clock seconds and CPU seconds (user + system, from wait4) of one run."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{cmd} failed with status {p.returncode}")
    return wall, usage.ru_utime + usage.ru_stime
print(f"{'file':30} {'ours wall ms':>12} {'libpng wall ms':>14} {'ratio':>6}   {'ours cpu ms':>11} {'libpng cpu ms':>13} {'ratio':>6}")
for f in files:
    ours, ref = [], []
    for _ in range(runs):
        ours.append(timed([binary, "decode", f, "-o", out], None))
        with open(out, "wb") as sink:
            ref.append(timed(["pngtopam", "-alphapam", f], sink))
    ow, rw = statistics.median(t[0] for t in ours), statistics.median(t[0] for t in ref)
    oc, rc = statistics.median(t[1] for t in ours), statistics.median(t[1] for t in ref)
    print(f"{os.path.basename(f):30} {ow * 1000:12.1f} {rw * 1000:14.1f} {ow / rw:6.2f}   {oc * 1000:11.1f} {rc * 1000:13.1f} {oc / rc:6.2f}")
PY
