#!/usr/bin/env python3
"""WebP lossless: `imagestack encode --format webp --lossless` against `cwebp -lossless -exact` (same settings:
cwebp's defaults -q 75 -m 4 = lossless preset -z 6; our default effort 4), image by image and class by class.

Both encoders read the same 8-bit-or-16-bit PAM (PNG via pngtopam -alphapam, JPEG via djpeg), so both timings
include reading the input. Runs alternate (ours, cwebp, ours, cwebp, ...), one process at a time; the best CPU time
(user + system of all threads) and the best wall time of REPEAT runs are kept. `dwebp` must give identical pixels for
both files (both encoders are exact), else the row is flagged.

Usage: webp-lossless-bench.py BIN WORKDIR [--repeat N] [--effort E] [--classes a,b] [--z9] [--only SUBSTRING]
  --z9   also encode with `cwebp -lossless -exact -z 9` (slowest preset) and print our size against it (information).
Prints one row per image, then per class and overall: total size ratio, largest single ratio, CPU and wall ratios
(sums over the class), and how many images are above 1.05.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

CORPUS = "Conformance/corpus"
LARGE = "Benchmarks/large"


def classes():
    def files(folder, prefix="", suffixes=(".png", ".jpg")):
        if not os.path.isdir(folder):
            return []
        return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                      if f.startswith(prefix) and f.endswith(suffixes))
    suite = [f for f in files(f"{CORPUS}/png/pngsuite") if not os.path.basename(f).startswith("x")]
    return [
        ("photos", files(f"{CORPUS}/photos")),
        ("tuning-photo", files(f"{CORPUS}/tuning", "photo-")),
        ("tuning-art", files(f"{CORPUS}/tuning", "art-")),
        ("art-rgba", files(f"{CORPUS}/lossless", "art-")),
        ("alpha", files(f"{CORPUS}/lossless", "alpha-")),
        ("screenshots", files(f"{CORPUS}/lossless", "screen-")),
        ("png", files(f"{CORPUS}/png") + files(f"{CORPUS}/png/variants")),
        ("pngsuite", suite),
        ("large", files(LARGE)),
    ]


def run(cmd, out=None):
    """CPU milliseconds (user + system of the child and its threads) and wall milliseconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return cpu, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("work")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--effort", type=int, default=4)
    ap.add_argument("--classes", default="")
    ap.add_argument("--only", default="")
    ap.add_argument("--z9", action="store_true")
    args = ap.parse_args()
    wanted = set(filter(None, args.classes.split(",")))
    work = args.work
    pam = os.path.join(work, "in.pam")
    ours, ref, z9 = (os.path.join(work, n) for n in ("ours.webp", "ref.webp", "z9.webp"))
    rows = []
    header = f"{'class':<13} {'image':<36} {'ours':>9} {'cwebp':>9} {'size':>6} {'cpu':>5} {'wall':>5}"
    if args.z9:
        header += f" {'-z9':>9} {'vs z9':>6}"
    print(header + "  exact")
    for cls, paths in classes():
        if wanted and cls not in wanted:
            continue
        for src in paths:
            name = os.path.basename(src)
            if args.only and args.only not in name:
                continue
            with open(pam, "wb") as f:
                tool = ["djpeg"] if src.endswith(".jpg") else ["pngtopam", "-alphapam"]
                if subprocess.run(tool + [src], stdout=f, stderr=subprocess.DEVNULL).returncode != 0:
                    continue
            our_cmd = [args.bin, "encode", pam, "-o", ours, "--format", "webp", "--lossless",
                       "--effort", str(args.effort)]
            ref_cmd = ["cwebp", "-quiet", "-lossless", "-exact", pam, "-o", ref]
            best = {"oc": 1e18, "ow": 1e18, "rc": 1e18, "rw": 1e18}
            for _ in range(args.repeat):
                c, w = run(our_cmd)
                best["oc"], best["ow"] = min(best["oc"], c), min(best["ow"], w)
                c, w = run(ref_cmd)
                best["rc"], best["rw"] = min(best["rc"], c), min(best["rw"], w)
            so, sr = os.path.getsize(ours), os.path.getsize(ref)
            a = subprocess.run(["dwebp", "-quiet", "-pam", ours, "-o", "-"], capture_output=True).stdout
            b = subprocess.run(["dwebp", "-quiet", "-pam", ref, "-o", "-"], capture_output=True).stdout
            exact = len(a) > 0 and a == b
            sz9 = 0
            line = (f"{cls:<13} {name[:36]:<36} {so:>9} {sr:>9} {so / sr:>6.3f} "
                    f"{best['oc'] / max(best['rc'], 1):>5.2f} {best['ow'] / max(best['rw'], 1):>5.2f}")
            if args.z9:
                subprocess.run(["cwebp", "-quiet", "-lossless", "-exact", "-z", "9", pam, "-o", z9], check=True)
                sz9 = os.path.getsize(z9)
                line += f" {sz9:>9} {so / sz9:>6.3f}"
            print(line + ("  yes" if exact else "  NO"), flush=True)
            rows.append((cls, name, so, sr, best["oc"], best["rc"], best["ow"], best["rw"], sz9, exact))

    def summary(label, rs):
        if not rs:
            return
        so = sum(r[2] for r in rs); sr = sum(r[3] for r in rs)
        worst = max(rs, key=lambda r: r[2] / r[3])
        over = sum(1 for r in rs if r[2] / r[3] > 1.05)
        cpu = sum(r[4] for r in rs) / max(sum(r[5] for r in rs), 1)
        wall = sum(r[6] for r in rs) / max(sum(r[7] for r in rs), 1)
        line = (f"{label:<13} n={len(rs):<4} size {so / sr:.4f}  worst {worst[2] / worst[3]:.3f} ({worst[1][:28]})"
                f"  >1.05: {over}  cpu {cpu:.2f}  wall {wall:.2f}")
        if rs[0][8]:
            line += f"  vs -z9 {so / sum(r[8] for r in rs):.4f}"
        inexact = sum(1 for r in rs if not r[9])
        print(line + (f"  NOT EXACT: {inexact}" if inexact else ""))

    print()
    for cls, _ in classes():
        summary(cls, [r for r in rows if r[0] == cls])
    summary("TOTAL", rows)


if __name__ == "__main__":
    sys.exit(main())
