#!/usr/bin/env python3
"""Helpers for bench-avif.sh: SSIMULACRA2 / PSNR of a decoded PNG against the original, and the BD-rate report.
usage: avif_metrics.py score ORIG.png DEC.png      -> prints "ssimulacra2 psnr"
       avif_metrics.py score-jobs JOBS.txt         -> scores bench-avif.sh's jobs in one process (TSV rows)
       avif_metrics.py report RESULTS.tsv          -> every point, then per image and per class: BD-rate of ours vs
                                                      each reference (SSIMULACRA2 and PSNR), CPU and wall ratios
       avif_metrics.py ablation RESULTS.tsv        -> per class, BD-rate of every encoder variant vs 'reference'
                                                      (ablate-libaom-avif.sh)
RESULTS.tsv columns: class image encoder quality bytes wall_s cpu_s ssimulacra2 psnr (header line first)."""
import sys, math
import numpy as np

def load(path):
    from PIL import Image
    Image.MAX_IMAGE_PIXELS = None
    im = Image.open(path).convert('RGB')
    return np.asarray(im, dtype=np.float64)

def fast_srgb_to_linear(module):
    """The package's sRGB → linear conversion through a 256-entry table computed by the package's own function:
    inputs are 8-bit, so the values are the same, several times faster."""
    table = module.srgb_to_linear(np.arange(256, dtype=np.float64).reshape(1, 256))[0]
    original = module.srgb_to_linear
    def convert(img):
        a = np.asarray(img)
        index = a.astype(np.intp)
        if a.min() >= 0 and a.max() <= 255 and np.array_equal(index, a):
            return table[index]
        return original(img)
    module.srgb_to_linear = convert

def scores(orig, dec):
    import ssimulacra2
    import ssimulacra2.ssimulacra2 as impl
    if not getattr(impl, '_fast_srgb', False):
        fast_srgb_to_linear(impl)
        impl._fast_srgb = True
    from PIL import Image
    Image.MAX_IMAGE_PIXELS = None
    s2 = ssimulacra2.compute_ssimulacra2(orig, dec)
    a, b = load(orig), load(dec)
    mse = ((a - b) ** 2).mean()
    psnr = 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)
    return "%.3f %.3f" % (s2, psnr)

def score(orig, dec):
    print(scores(orig, dec))

def score_jobs(path):
    """Scores every job line of bench-avif.sh's phase 1 (class name encoder q bytes wall cpu orig.png out.avif
    cache) whose decoded PNG is out.avif.png, in one process; prints TSV rows and writes the cache files."""
    import os
    for line in open(path):
        f = line.split()
        if not f:
            continue
        if f[0] == 'cached':
            print(open(f[1]).read().rstrip('\n'))
            continue
        m = scores(f[7], f[8] + '.png').split()
        row = '\t'.join(f[:7] + m)
        print(row, flush=True)
        os.remove(f[8] + '.png')
        if len(f) > 9 and f[9] != '-' and f[2] != 'ours':
            with open(f[9], 'w') as c:
                c.write(row + '\n')

def bd_rate(r1, q1, r2, q2):
    """Bjøntegaard delta rate of curve 2 vs curve 1 (negative = curve 2 needs fewer bytes), cubic fit of
    log-rate against quality (quadratic with 3 points), integrated over the overlapping quality interval."""
    l1, l2 = np.log(r1), np.log(r2)
    deg = min(3, len(r1) - 1, len(r2) - 1)
    p1, p2 = np.polyfit(q1, l1, deg), np.polyfit(q2, l2, deg)
    lo, hi = max(min(q1), min(q2)), min(max(q1), max(q2))
    if hi <= lo:
        return float('nan')
    i1, i2 = np.polyint(p1), np.polyint(p2)
    a1 = (np.polyval(i1, hi) - np.polyval(i1, lo)) / (hi - lo)
    a2 = (np.polyval(i2, hi) - np.polyval(i2, lo)) / (hi - lo)
    return (math.exp(a2 - a1) - 1) * 100

def report(path):
    rows = [l.rstrip('\n').split('\t') for l in open(path) if l.strip() and not l.startswith('class\t')]
    data, classes = {}, []
    for cls, image, enc, q, size, wall, cpu, s2, psnr in rows:
        if cls not in classes:
            classes.append(cls)
        data.setdefault((cls, image), {}).setdefault(enc, []).append(
            (int(q), int(size), float(wall), float(cpu), float(s2), float(psnr)))
    for (cls, image), d in sorted(data.items(), key=lambda kv: (classes.index(kv[0][0]), kv[0][1])):
        for enc in sorted(d):
            for q, size, wall, cpu, s2, psnr in sorted(d[enc]):
                print("%-13s %-30s %-7s q%-3d %9d bytes  wall %7.3fs cpu %7.3fs  ssimulacra2 %7.3f  psnr %6.3f"
                      % (cls, image, enc, q, size, wall, cpu, s2, psnr))
    refs = sorted({e for d in data.values() for e in d if e != 'ours'})
    summary = []
    print()
    for ref in refs:
        for cls in classes:
            per = {'SSIMULACRA2': [], 'PSNR': []}
            cpu_o = cpu_r = wall_o = wall_r = 0.0
            for (c, image), d in sorted(data.items()):
                if c != cls or 'ours' not in d or ref not in d:
                    continue
                o, r = sorted(d['ours']), sorted(d[ref])
                bds = {}
                for metric, col in (('SSIMULACRA2', 4), ('PSNR', 5)):
                    bds[metric] = bd_rate([x[1] for x in r], [x[col] for x in r], [x[1] for x in o], [x[col] for x in o])
                    per[metric].append(bds[metric])
                co, cr = sum(x[3] for x in o), sum(x[3] for x in r)
                wo, wr = sum(x[2] for x in o), sum(x[2] for x in r)
                cpu_o += co; cpu_r += cr; wall_o += wo; wall_r += wr
                print("%-13s %-30s vs aom-%-3s BD-rate SSIMULACRA2 %+6.1f%%  PSNR %+6.1f%%  CPU %.2fx  wall %.2fx"
                      % (cls, image, ref[4:], bds['SSIMULACRA2'], bds['PSNR'], co / max(cr, 1e-9), wo / max(wr, 1e-9)))
            if per['PSNR']:
                mean = {m: np.nanmean(v) for m, v in per.items()}
                summary.append("%-13s %-30s vs aom-%-3s BD-rate SSIMULACRA2 %+6.1f%%  PSNR %+6.1f%%  CPU %.2fx  wall %.2fx"
                               % (cls, 'CLASS MEAN (%d images)' % len(per['PSNR']), ref[4:], mean['SSIMULACRA2'],
                                  mean['PSNR'], cpu_o / max(cpu_r, 1e-9), wall_o / max(wall_r, 1e-9)))
    print()
    for line in summary:
        print(line)

def ablation(path):
    """Per class, the mean over its images of each variant's BD-rate against the encoder named 'reference'."""
    rows = [l.rstrip('\n').split('\t') for l in open(path) if l.strip() and not l.startswith('class\t')]
    data, classes, variants = {}, [], []
    for cls, image, enc, q, size, wall, cpu, s2, psnr in rows:
        if cls not in classes:
            classes.append(cls)
        if enc != 'reference' and enc not in variants:
            variants.append(enc)
        data.setdefault((cls, image), {}).setdefault(enc, []).append((int(q), int(size), float(s2), float(psnr)))
    print("%-18s" % "variant" + "".join("  %-22s" % c for c in classes) + "  (BD-rate SSIMULACRA2 / PSNR vs reference)")
    for variant in variants:
        cells = []
        for cls in classes:
            s2s, psnrs = [], []
            for (c, image), d in data.items():
                if c != cls or variant not in d or 'reference' not in d:
                    continue
                r, v = sorted(d['reference']), sorted(d[variant])
                s2s.append(bd_rate([x[1] for x in r], [x[2] for x in r], [x[1] for x in v], [x[2] for x in v]))
                psnrs.append(bd_rate([x[1] for x in r], [x[3] for x in r], [x[1] for x in v], [x[3] for x in v]))
            cells.append("%+6.1f%% / %+6.1f%%" % (np.nanmean(s2s), np.nanmean(psnrs)) if s2s else "-")
        print("%-18s" % variant + "".join("  %-22s" % c for c in cells))

if __name__ == '__main__':
    if sys.argv[1] == 'score':
        score(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'score-jobs':
        score_jobs(sys.argv[2])
    elif sys.argv[1] == 'report':
        report(sys.argv[2])
    elif sys.argv[1] == 'ablation':
        ablation(sys.argv[2])
    else:
        sys.exit(__doc__)
