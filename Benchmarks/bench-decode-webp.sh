#!/usr/bin/env bash
# WebP decode speed: `imagestack decode FILE.webp -o OUT.pam` (one thread) vs libwebp's `dwebp -pam FILE -o OUT.pam`
# on WebP files cwebp makes from the large wallpapers (Benchmarks/large/, fetched by Benchmarks/fetch-large.sh):
# lossy at -q 75 for every one, lossless for the two PNGs and one photo, lossy with alpha for the RGBA one.
# Runs are interleaved (ours, dwebp, ours, ...); the median of RUNS (default 7, at least 5) is reported for wall
# clock and CPU time (user + system, steadier on a shared machine), with ratios ours/dwebp (lower is better) and
# their geometric means. Both sides decode the same file and write a PAM file.
# Usage: bench-decode-webp.sh [IMAGESTACK_BINARY]   (Benchmarks/run.sh builds release first)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
source Benchmarks/corpus.sh
need_large
RUNS=${RUNS:-7}
[ "$RUNS" -ge 5 ] || RUNS=5
[ -x "$BIN" ] || swift build -c release >/dev/null
for tool in cwebp dwebp; do command -v $tool >/dev/null || { echo "$tool is required"; exit 2; }; done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for f in "$LARGE"/*.jpg "$LARGE"/*.png; do
  name=$(basename "${f%.*}")
  cwebp -quiet -q 75 "$f" -o "$work/$name-q75.webp"
done
for f in "$LARGE"/*.png "$LARGE"/autumn-*.jpg; do
  name=$(basename "${f%.*}")
  cwebp -quiet -lossless "$f" -o "$work/$name-lossless.webp"
done
python3 - "$BIN" "$RUNS" "$work"/*.webp <<'PY'
import math, os, statistics, subprocess, sys, tempfile, time
binary, runs, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
out = os.path.join(tempfile.mkdtemp(), "out.pam")
env = dict(os.environ, IMAGESTACK_THREADS="1")
def timed(cmd):
    """Wall-clock seconds and CPU seconds (user + system, from wait4) of one run."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd} failed")
    return wall, usage.ru_utime + usage.ru_stime
print(f"{'file':42} {'ours wall':>9} {'dwebp':>7} {'ratio':>6}   {'ours cpu':>8} {'dwebp':>7} {'ratio':>6}   (ms)")
wall_ratios, cpu_ratios = [], []
for f in files:
    ours, ref = [], []
    for _ in range(runs):
        ours.append(timed([binary, "decode", f, "-o", out]))
        ref.append(timed(["dwebp", "-quiet", "-pam", f, "-o", out]))
    ow, rw = statistics.median(t[0] for t in ours), statistics.median(t[0] for t in ref)
    oc, rc = statistics.median(t[1] for t in ours), statistics.median(t[1] for t in ref)
    wall_ratios.append(ow / rw); cpu_ratios.append(oc / rc)
    print(f"{os.path.basename(f):42} {ow * 1000:9.1f} {rw * 1000:7.1f} {ow / rw:6.2f}   {oc * 1000:8.1f} {rc * 1000:7.1f} {oc / rc:6.2f}")
geo = lambda r: math.exp(sum(map(math.log, r)) / len(r))
print(f"{'geometric mean':42} {'':9} {'':7} {geo(wall_ratios):6.2f}   {'':8} {'':7} {geo(cpu_ratios):6.2f}")
PY
