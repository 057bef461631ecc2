#!/usr/bin/env python3
"""Driver of bench-webp-lossy.sh: ours (`imagestack encode --format webp`) against `cwebp -q N` per image and per class.

Timing pass: one encode at a time, ours then cwebp for the same image and quality, CPU (user+sys of the child, all
threads) and wall time of each. Scoring pass (parallel, --jobs): every output decoded by dwebp and scored against
the source with SSIMULACRA2 and RGB PSNR (Benchmarks/tools/ssimulacra2.swift); scores are cached by the hash of the
WebP bytes, so unchanged outputs (cwebp's, always) are never scored twice. BD-rate: log-rate as a monotone cubic
(PCHIP) of the metric, averaged over the overlap of the two curves; negative = ours smaller at equal quality.
"""
import argparse, concurrent.futures, hashlib, math, os, resource, subprocess, sys, time
import numpy as np
from scipy.interpolate import PchipInterpolator

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CORPUS = os.path.join(ROOT, "Conformance", "corpus")
LARGE = os.path.join(ROOT, "Benchmarks", "large")
CLASSES = ["photos", "tuning-photo", "tuning-art", "large"]
# Quick mode: a dev subset across the classes; large images are downscaled to 1280 px on the long side.
QUICK = ["photos/chelsea.png", "photos/coffee.png", "photos/hubble_deep_field.jpg", "tuning/photo-sunset.png",
         "tuning/photo-Wine.png", "tuning/photo-Bridge.png", "tuning/art-the-mouse.png", "tuning/art-rhythm.png",
         "large/volna-5120x2880-prog444.jpg", "large/kay-1080x1920-rgba.png"]


def class_of(path):
    if "/large/" in path: return "large"
    base = os.path.basename(path)
    if "/tuning/" in path: return "tuning-art" if base.startswith("art-") else "tuning-photo"
    return "photos"


def corpus_files(classes):
    out = []
    if "photos" in classes:
        out += sorted(os.path.join(CORPUS, "photos", f) for f in os.listdir(os.path.join(CORPUS, "photos")))
    tdir = os.path.join(CORPUS, "tuning")
    if "tuning-photo" in classes: out += sorted(os.path.join(tdir, f) for f in os.listdir(tdir) if f.startswith("photo-"))
    if "tuning-art" in classes: out += sorted(os.path.join(tdir, f) for f in os.listdir(tdir) if f.startswith("art-"))
    if "large" in classes:
        if not os.path.isdir(LARGE) or not os.listdir(LARGE):
            print("note: Benchmarks/large/ is empty (run Benchmarks/fetch-large.sh): large class skipped", file=sys.stderr)
        else:
            out += sorted(os.path.join(LARGE, f) for f in os.listdir(LARGE) if f.endswith((".jpg", ".png")))
    return out


def to_ppm(src, cache, downscale):
    """Colour as binary PPM (alpha dropped: it goes to ALPH, not VP8); cached by source name, size and scale."""
    st = os.stat(src)
    name = os.path.splitext(os.path.basename(src))[0]
    out = os.path.join(cache, "src", f"{name}-{st.st_size}{'-s' + str(downscale) if downscale else ''}.ppm")
    if os.path.exists(out): return out
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        if src.endswith(".png"):
            p1 = subprocess.run(["pngtopam", src], capture_output=True, check=True).stdout
        else:
            p1 = subprocess.run(["djpeg", "-pnm", src], capture_output=True, check=True).stdout
        if downscale:
            p1 = subprocess.run(["pamscale", "-xyfit", str(downscale), str(downscale)], input=p1, capture_output=True,
                                check=True).stdout
        # PGM stays PGM (both encoders read it); P7 never appears without -alpha.
        f.write(p1)
    os.replace(tmp, out)
    return out


def timed(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def score(scorer, ref, webp, cache_dir):
    digest = hashlib.sha1(open(webp, "rb").read()).hexdigest()
    key = os.path.join(cache_dir, "scores", digest[:2], f"{digest}-{os.path.basename(ref)}")
    if os.path.exists(key):
        s2, psnr = open(key).read().split()
        return float(s2), float(psnr)
    decoded = webp + ".ppm"
    subprocess.run(["dwebp", "-quiet", webp, "-ppm", "-o", decoded], check=True)
    line = subprocess.run([scorer, ref, decoded], capture_output=True, check=True, text=True).stdout.split()
    os.remove(decoded)
    os.makedirs(os.path.dirname(key), exist_ok=True)
    with open(key, "w") as f: f.write(" ".join(line))
    return float(line[0]), float(line[1])


def bd_rate(rates_ref, q_ref, rates_test, q_test):
    """BD-rate of test vs ref (percent) with log-rate a PCHIP of the metric over the common metric interval."""
    def curve(rates, qs):
        pts = sorted(zip(qs, np.log(rates)))
        xs, ys = [], []
        for x, y in pts:
            if xs and x <= xs[-1]: continue  # non-increasing metric: keep the first
            xs.append(x); ys.append(y)
        return xs, ys
    xr, yr = curve(rates_ref, q_ref)
    xt, yt = curve(rates_test, q_test)
    if len(xr) < 2 or len(xt) < 2: return float("nan")
    lo, hi = max(xr[0], xt[0]), min(xr[-1], xt[-1])
    if hi <= lo: return float("nan")
    fr, ft = PchipInterpolator(xr, yr), PchipInterpolator(xt, yt)
    avg = (ft.integrate(lo, hi) - fr.integrate(lo, hi)) / (hi - lo)
    return (math.exp(avg) - 1) * 100


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="dev subset, large images downscaled to 1280 px")
    ap.add_argument("--jobs", type=int, default=1, help="parallel scoring jobs (timing always runs one at a time)")
    ap.add_argument("--qualities", default="30 50 75 90")
    ap.add_argument("--classes", default=",".join(CLASSES))
    ap.add_argument("--cli", required=True)
    ap.add_argument("--scorer", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--effort", default=None)
    ap.add_argument("--cwebp-args", default="", help="extra cwebp options, e.g. '-sns 0 -segments 1' for ablations")
    ap.add_argument("--ours-args", default="", help="extra options for our CLI")
    ap.add_argument("--tsv", default=None, help="write every measurement here")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    qualities = [int(q) for q in a.qualities.split()]
    if a.files:
        files = [os.path.abspath(f) for f in a.files]
    elif a.quick:
        files = [os.path.join(LARGE if f.startswith("large/") else CORPUS, f.split("/", 1)[1] if f.startswith("large/") else f)
                 for f in QUICK]
        files = [f for f in files if os.path.exists(f)]
    else:
        files = corpus_files(a.classes.split(","))
    work = os.path.join(a.cache, "out")
    os.makedirs(work, exist_ok=True)

    sources = {}
    for f in files:
        downscale = 1280 if a.quick and class_of(f) == "large" else 0
        sources[f] = to_ppm(f, a.cache, downscale)

    # Timing pass: one encode at a time, ours and cwebp alternately.
    runs = []
    for f in files:
        name = os.path.splitext(os.path.basename(f))[0]
        for q in qualities:
            ours = os.path.join(work, f"{name}-q{q}-ours.webp")
            theirs = os.path.join(work, f"{name}-q{q}-cwebp.webp")
            cmd = [a.cli, "encode", sources[f], "-o", ours, "--format", "webp", "--quality", str(q)]
            if a.effort is not None: cmd += ["--effort", a.effort]
            cmd += a.ours_args.split()
            ow, oc = timed(cmd)
            cw, cc = timed(["cwebp", "-quiet", "-q", str(q)] + a.cwebp_args.split() + [sources[f], "-o", theirs])
            runs.append(dict(file=f, name=name, cls=class_of(f), q=q, ours=ours, cwebp=theirs,
                             ours_wall=ow, ours_cpu=oc, cwebp_wall=cw, cwebp_cpu=cc,
                             ours_bytes=os.path.getsize(ours), cwebp_bytes=os.path.getsize(theirs)))

    # Scoring pass.
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = {}
        for r in runs:
            for who in ("ours", "cwebp"):
                futures[(r["name"], r["q"], who)] = pool.submit(score, a.scorer, sources[r["file"]], r[who], a.cache)
        for r in runs:
            for who in ("ours", "cwebp"):
                r[who + "_s2"], r[who + "_psnr"] = futures[(r["name"], r["q"], who)].result()

    if a.tsv:
        with open(a.tsv, "w") as t:
            keys = ["name", "cls", "q", "ours_bytes", "cwebp_bytes", "ours_s2", "cwebp_s2", "ours_psnr", "cwebp_psnr",
                    "ours_cpu", "cwebp_cpu", "ours_wall", "cwebp_wall"]
            t.write("\t".join(keys) + "\n")
            for r in runs: t.write("\t".join(str(r[k]) for k in keys) + "\n")

    print(f"ours: imagestack encode --format webp{' --effort ' + a.effort if a.effort else ''} {a.ours_args}".rstrip()
          + f"; cwebp {subprocess.run(['cwebp', '-version'], capture_output=True, text=True).stdout.strip()}"
          + f" -q N {a.cwebp_args}".rstrip())
    print("per image: bytes ours/cwebp per quality; SSIMULACRA2 and PSNR ours−cwebp at q" + "/".join(map(str, qualities))
          + "; BD-rate (negative = ours smaller at equal quality); CPU and wall ratios ours/cwebp")
    per_image = {}
    for r in runs: per_image.setdefault(r["name"], []).append(r)
    summary = {}
    hdr = f"{'image':34} {'class':12} {'size× per q':>27} {'ΔS2 per q':>27} {'BD-S2':>7} {'BD-PSNR':>8} {'cpu×':>5} {'wall×':>5}"
    print(hdr)
    for name, rs in per_image.items():
        rs.sort(key=lambda r: r["q"])
        bd_s2 = bd_rate([r["cwebp_bytes"] for r in rs], [r["cwebp_s2"] for r in rs],
                        [r["ours_bytes"] for r in rs], [r["ours_s2"] for r in rs])
        bd_psnr = bd_rate([r["cwebp_bytes"] for r in rs], [r["cwebp_psnr"] for r in rs],
                          [r["ours_bytes"] for r in rs], [r["ours_psnr"] for r in rs])
        cpu = sum(r["ours_cpu"] for r in rs) / max(1e-9, sum(r["cwebp_cpu"] for r in rs))
        wall = sum(r["ours_wall"] for r in rs) / max(1e-9, sum(r["cwebp_wall"] for r in rs))
        sizes = " ".join(f"{r['ours_bytes'] / r['cwebp_bytes']:.3f}" for r in rs)
        ds2 = " ".join(f"{r['ours_s2'] - r['cwebp_s2']:+.2f}" for r in rs)
        print(f"{name[:34]:34} {rs[0]['cls']:12} {sizes:>27} {ds2:>27} {bd_s2:+6.1f}% {bd_psnr:+7.1f}% {cpu:5.2f} {wall:5.2f}")
        s = summary.setdefault(rs[0]["cls"], dict(s2=[], psnr=[], oc=0.0, cc=0.0, ow=0.0, cw=0.0))
        s["s2"].append(bd_s2); s["psnr"].append(bd_psnr)
        s["oc"] += sum(r["ours_cpu"] for r in rs); s["cc"] += sum(r["cwebp_cpu"] for r in rs)
        s["ow"] += sum(r["ours_wall"] for r in rs); s["cw"] += sum(r["cwebp_wall"] for r in rs)

    def mean(v):
        v = [x for x in v if not math.isnan(x)]
        return sum(v) / len(v) if v else float("nan")
    print()
    print(f"{'class':14} {'images':>6} {'BD-rate SSIMULACRA2':>20} {'BD-rate PSNR':>13} {'CPU ours/cwebp':>15} {'wall ours/cwebp':>16}")
    all_s2, all_psnr, oc, cc, ow, cw = [], [], 0.0, 0.0, 0.0, 0.0
    for cls in CLASSES:
        if cls not in summary: continue
        s = summary[cls]
        print(f"{cls:14} {len(s['s2']):6} {mean(s['s2']):+19.2f}% {mean(s['psnr']):+12.2f}% {s['oc'] / s['cc']:15.3f} {s['ow'] / s['cw']:16.3f}")
        all_s2 += s["s2"]; all_psnr += s["psnr"]; oc += s["oc"]; cc += s["cc"]; ow += s["ow"]; cw += s["cw"]
    print(f"{'all':14} {len(all_s2):6} {mean(all_s2):+19.2f}% {mean(all_psnr):+12.2f}% {oc / cc:15.3f} {ow / cw:16.3f}")
    print(f"(mean of class means: SSIMULACRA2 {mean([mean(summary[c]['s2']) for c in summary]):+.2f}%,"
          f" PSNR {mean([mean(summary[c]['psnr']) for c in summary]):+.2f}%; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
