#!/usr/bin/env python3
"""Conformance/REPORT.md, the auditors' summary: per codec, what the goldens check, against which oracle and version,
how many cases, and the result of `swift test --filter Golden` (its log). Called by `goldens.py report LOG`."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldens import GOLDENS, settings, split_tokens  # noqa: E402

REPORT_ROWS = [
    ("decode-jpeg", "JPEG decoder",
     "every corpus JPEG at full size and scaled 1/2, 1/4, 1/8 (DCT domain): pixels equal the reference decoder's bit "
     "for bit; arithmetic-coded and 12-bit files are refused with a typed error"),
    ("decode-png", "PNG decoder",
     "every corpus PNG (PngSuite, variants, photos, tuning, spec): pixels (8-bit, or 16-bit as 16-bit) equal "
     "libpng's; corrupt PngSuite x*.png files are refused with a typed error"),
    ("decode-other", "other inputs",
     "netpbm input decodes to netpbm's own pixels; WebP (corpus webp/: lossy, lossless, alpha, lossy alpha, "
     "no loop filter, one segment, -sharp_yuv, odd size, 1x1, ICC; animated refused) to dwebp's; GIF is refused "
     "(not a supported input, SPEC §1)"),
    ("encode-png", "PNG encoder",
     "our bytes are unchanged, and libpng's pixels of them equal our decoder's (lossless: the source's)"),
    ("encode-jpeg", "JPEG encoder",
     "our bytes are unchanged, and djpeg's pixels of them equal our decoder's"),
    ("encode-webp", "WebP encoder",
     "our bytes are unchanged; lossless: dwebp's pixels equal the source's; lossy: dwebp's planes with the loop "
     "filter off (Y, U, V, and A when there is alpha) equal the encoder's reconstruction, and dwebp's RGBA output "
     "equals our WebP decoder's"),
    ("encode-avif", "AVIF encoder",
     "our bytes are unchanged; dav1d's planes of the colour and alpha items equal the encoder's reconstruction "
     "(in-loop filters on); lossless: avifdec's pixels equal the source's; lossy: avifdec's RGBA output is recorded"),
    ("process", "pipeline (`process`)",
     "`ImageProcessor.process` with the query, Accept and rule: Content-Type, X-Img-Operations, Img-Skip-Reason, "
     "Vary and the exact body; transformed JPEG/PNG/WebP bodies: the reference decoder's pixels equal our decoder's; "
     "AVIF bodies: avifdec's pixels recorded"),
]


def manifest_cases(name):
    cases = []
    for line in open(os.path.join(GOLDENS, name + ".txt"), encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        definition, _, results = line.partition(" | ")
        res = {}
        for t in split_tokens(results):
            k, _, v = t.partition("=")
            res[k] = v
        cases.append((split_tokens(definition), res))
    return cases


def case_breakdown(name, cases):
    n = len(cases)
    refused = sum(1 for _, r in cases if "refused" in r)
    if name == "decode-jpeg":
        scaled = sum(1 for t, _ in cases if any(x.startswith("scale=") for x in t))
        return f"{n}: {n - scaled} full size ({refused} refused), {scaled} scaled"
    if name.startswith("decode"):
        return f"{n} ({refused} refused)" if refused else str(n)
    if name.startswith("encode"):
        flags = [settings(t) for t, _ in cases]
        parts = [f"{sum(1 for f in flags if 'lossless' in f)} lossless"] if name in ("encode-webp", "encode-avif") else []
        crops = sum(1 for f in flags if "crop" in f)
        inputs = len({t[0] for t, _ in cases})
        return f"{n} ({', '.join(parts + [f'{inputs} inputs', f'{n - crops} whole files'])})"
    transformed = sum(1 for _, r in cases if r.get("ops", "-") != "-")
    skipped = [r.get("skip") for _, r in cases if r.get("skip", "-") != "-"]
    reasons = {re.sub(r"^(decoding|detected content type) .*", r"\1 …", x) for x in skipped}
    return (f"{n}: {transformed} transformed, {len(skipped)} skipped ({len(reasons)} distinct reasons), "
            f"{n - transformed - len(skipped)} passed through")


def report(log_path):
    log = open(log_path, encoding="utf-8", errors="replace").read()
    summary = re.search(r"^golden conformance: (\d+) passed, (\d+) failed$", log, re.M)
    per = dict((m.group(1), (int(m.group(2)), int(m.group(3))))
               for m in re.finditer(r"^golden (\S+): (\d+) passed, (\d+) failed$", log, re.M))
    not_compared = re.findall(r"^golden not compared in-process \(no ImageStack decoder for it\): (.*) in (\d+) cases",
                              log, re.M)
    out = ["# Conformance report", "",
           "Written by `bash Conformance/regenerate-goldens.sh` (do not edit): the goldens in `Conformance/goldens/` "
           "are recomputed from the reference decoders named below, then `swift test --filter Golden` checks every "
           "case in-process with ImageStack's own decoders, encoders and pipeline, executing no external program. "
           "The line format and what each field proves: [goldens/README.md](goldens/README.md).", ""]
    total = sum(len(manifest_cases(name)) for name, _, _ in REPORT_ROWS)
    if summary:
        out.append(f"**Result: {summary.group(1)} of {total} cases pass, {summary.group(2)} fail** "
                   f"(`golden conformance: {summary.group(1)} passed, {summary.group(2)} failed`).")
    else:
        out.append(f"**Result: the golden suite did not report** ({total} cases).")
    out += ["", "| codec / operation | what is checked | oracle (version) | cases | result |", "|---|---|---|---|---|"]
    for name, title, what in REPORT_ROWS:
        cases = manifest_cases(name)
        oracles = sorted({r.get("oracle") for _, r in cases} - {None, "none"})
        passed, failed = per.get(name, (0, len(cases)))
        result = f"{passed}/{len(cases)} pass" + (f", **{failed} fail**" if failed else "")
        out.append(f"| {title} (`{name}.txt`) | {what} | {'<br>'.join(oracles)} | {case_breakdown(name, cases)} | "
                   f"{result} |")
    out.append("")
    if not_compared:
        out.append("Recorded but not compared in-process (ImageStack has no decoder for these formats yet; the same "
                   "cases' bytes and decoder reconstructions are compared): "
                   + "; ".join(f"{what} in {count} cases" for what, count in not_compared) + ".")
        out.append("")
    skips = sorted({r["skip"] for _, r in manifest_cases("process") if r.get("skip", "-") != "-"})
    out.append("Skip reasons exercised through `process` (SPEC §6; the others need the server: origin status, "
               "content encoding, rate and time limits, and are covered by Tests/Integration):")
    out.append("")
    out += [f"- `{x}`" for x in skips]
    out.append("")
    return "\n".join(out)
