#!/usr/bin/env python3
"""Helpers for bench-avif.sh: SSIMULACRA2 / PSNR of a decoded PNG against the original, and BD-rate.
usage: avif_metrics.py score ORIG.png DEC.png      -> prints "ssimulacra2 psnr"
       avif_metrics.py bdrate RESULTS.tsv          -> per-image and mean BD-rate of ours vs each reference"""
import sys, math
import numpy as np

def load(path):
    from PIL import Image
    im = Image.open(path).convert('RGB')
    return np.asarray(im, dtype=np.float64)

def score(orig, dec):
    import ssimulacra2
    s2 = ssimulacra2.compute_ssimulacra2(orig, dec)
    a, b = load(orig), load(dec)
    mse = ((a - b) ** 2).mean()
    psnr = 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)
    print("%.3f %.3f" % (s2, psnr))

def bd_rate(r1, q1, r2, q2):
    """Bjøntegaard delta rate of curve 2 vs curve 1 (negative = curve 2 needs fewer bytes), cubic fit of
    log-rate against quality, integrated over the overlapping quality interval."""
    l1, l2 = np.log(r1), np.log(r2)
    p1, p2 = np.polyfit(q1, l1, 3), np.polyfit(q2, l2, 3)
    lo, hi = max(min(q1), min(q2)), min(max(q1), max(q2))
    if hi <= lo:
        return float('nan')
    i1, i2 = np.polyint(p1), np.polyint(p2)
    a1 = (np.polyval(i1, hi) - np.polyval(i1, lo)) / (hi - lo)
    a2 = (np.polyval(i2, hi) - np.polyval(i2, lo)) / (hi - lo)
    return (math.exp(a2 - a1) - 1) * 100

def bdrate(path):
    rows = [l.rstrip('\n').split('\t') for l in open(path) if l.strip() and not l.startswith('image')]
    data = {}
    for image, enc, q, size, wall, cpu, s2, psnr in rows:
        data.setdefault(image, {}).setdefault(enc, []).append((int(q), int(size), float(wall), float(cpu), float(s2), float(psnr)))
    refs = sorted({e for d in data.values() for e in d if e != 'ours'})
    for metric, col in (('SSIMULACRA2', 4), ('PSNR', 5)):
        for ref in refs:
            vals, tr = [], []
            for image, d in sorted(data.items()):
                if 'ours' not in d or ref not in d:
                    continue
                o, r = sorted(d['ours']), sorted(d[ref])
                bd = bd_rate([x[1] for x in r], [x[col] for x in r], [x[1] for x in o], [x[col] for x in o])
                t = sum(x[3] for x in o) / max(1e-9, sum(x[3] for x in r))
                vals.append(bd); tr.append(t)
                print("%-28s BD-rate(%s) ours vs %-8s %+7.1f%%   CPU-time ratio %.2fx" % (image, metric, ref, bd, t))
            good = [v for v in vals if not math.isnan(v)]
            if good:
                print("%-28s BD-rate(%s) ours vs %-8s %+7.1f%%   CPU-time ratio %.2fx" % ('MEAN', metric, ref, sum(good) / len(good), sum(tr) / len(tr)))

if __name__ == '__main__':
    if sys.argv[1] == 'score':
        score(sys.argv[2], sys.argv[3])
    else:
        bdrate(sys.argv[2])
