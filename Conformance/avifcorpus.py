#!/usr/bin/env python3
"""The work of check-avif-corpus.sh: every corpus image our decoder accepts, encoded to AVIF by `imagestack encode`
and checked by three decoders we did not write.

  avifcorpus.py BIN CORPUS WORKDIR

For each image (two at a time, largest first) and each variant ("default" = `--format avif`, quality 60 4:2:0 speed 6,
for every image; "444" = `--subsampling 4:4:4` and "lossless" = `--lossless` for a subset, see subset()):
  (a) libavif: `avifdec` (strict) decodes the file to PNG; against our own decode of the source (`imagestack decode`)
      the colour PSNR (weighted by the source's alpha) must reach FLOOR and, when the source has transparency, the
      alpha PSNR too. Below FLOOR the colour passes within 2 dB of libavif/libaom's file at the same quantizer (as
      in check-encoders.sh: tiny synthetic PngSuite images miss any fixed floor there too). The lossless variant
      must be exact when `imagestack encode --help` advertises exact AVIF lossless, else reach LOSSLESS_FLOOR.
  (b) dav1d: the raw AV1 OBUs of the colour item and of the alpha item, pulled out of the container
      (encodecheck.item_payloads), decode with the dav1d CLI to exactly the YUV and alpha plane libaom gives
      through `avifdec -c aom` (.y4m; its PNG for the alpha of non-4:4:4 files, which libavif's y4m omits).
  (c) Chromium: one page (served on 127.0.0.1 by this script) loads every file and avifdec's PNG of it, checks the
      natural size and compares the canvases: colour PSNR over the pixels opaque in both ≥ CHROMIUM_FLOOR; for
      translucent images Chromium's alpha within CHROMIUM_ALPHA_TOLERANCE of avifdec's under the model that fits
      (as decoded, or expanded as limited range, (a − 16)·255/219, which Chromium 156 does to libavif's files
      too: docs/conformance-avif.md), and the colour premultiplied by each side's alpha ≥ CHROMIUM_PREMUL_FLOOR.
      The page posts each result back; Chromium is stopped when the last one arrives.
Prints one row per file and variant and a summary line; exit status 0 iff every row passes.
Environment: JOBS (2), FLOOR (28), LOSSLESS_FLOOR (40), CHROMIUM_FLOOR (35), CHROMIUM_PREMUL_FLOOR (30),
CHROMIUM_ALPHA_TOLERANCE (1),
AVIF_LOSSLESS=exact|floor (overrides the --help detection), ONLY=regex (restrict to matching corpus paths),
CHROMIUM_TIMEOUT (600 s).
"""
import concurrent.futures
import http.server
import json
import math
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import encodecheck as ec  # noqa: E402

JOBS = int(os.environ.get("JOBS", "2"))
FLOOR = float(os.environ.get("FLOOR", "28"))
LOSSLESS_FLOOR = float(os.environ.get("LOSSLESS_FLOOR", "40"))
CHROMIUM_FLOOR = float(os.environ.get("CHROMIUM_FLOOR", "35"))
CHROMIUM_PREMUL_FLOOR = float(os.environ.get("CHROMIUM_PREMUL_FLOOR", "30"))
CHROMIUM_ALPHA_TOLERANCE = int(os.environ.get("CHROMIUM_ALPHA_TOLERANCE", "1"))
CHROMIUM_TIMEOUT = float(os.environ.get("CHROMIUM_TIMEOUT", "600"))

VARIANTS = {
    "default": [],
    "444": ["--subsampling", "4:4:4"],
    "lossless": ["--lossless"],
}
QUALITY = 60  # imagestack's default AVIF quality; the reference fallback uses libavif's quantizer for it

# Corpus files our decoder is expected to reject (corrupt PngSuite x*.png, arithmetic-coded and 12-bit JPEG, GIF,
# animated WebP (SPEC §1: not processed), text). Any other rejection is a failure, so a decoder regression cannot
# quietly shrink the coverage.
EXPECTED_REJECTS = re.compile(r"(^|/)(x[^/]*\.png|[^/]*ari[^/]*\.jpg|monkey12\.jpg|[^/]*\.gif|animated[^/]*\.webp"
                              r"|[^/]*\.(txt|md))$", re.I)


def subset(rel, variant):
    """Which images get the 4:4:4 and lossless variants: one of each distinct pixel content and format: every
    photo, the two ICC PNGs, the PNG variants whose pixels differ from photos/ (1-bit, gray+alpha, RGB 16,
    palette+tRNS, RGBA 16), libjpeg-turbo's test images, PngSuite's basic formats (every colour type and bit depth),
    the odd-sized 4:4:4 and 4:2:0, 509×3, 1×1, gray and CMYK JPEGs."""
    if variant == "default":
        return True
    patterns = (r"photos/", r"png/[^/]*$", r"png/variants/(camera-1bit|camera-gray-alpha|coffee-rgb16|logo-)",
                r"jpeg/libjpeg-turbo/", r"png/pngsuite/basn",
                r"jpeg/variants/(odd-s1x1-base|odd-s2x2-base|thin|one-pixel|coffee-gray\.|coffee-cmyk)")
    if any(re.match(p, rel) for p in patterns):
        return True
    return False


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def first_error(r):
    lines = [ln for ln in r.stderr.decode("utf-8", "replace").splitlines()
             if ln.strip() and not re.match(r"(?i)^decoding|^ \* ", ln)]
    return lines[0] if lines else f"exit status {r.returncode}"


def icc_profile(avif):
    """The ICC profile of an AVIF file's colr box (meta/iprp/ipco/colr of type prof or rICC), or None."""
    data = open(avif, "rb").read()
    meta = next((b, e) for k, b, e in ec.boxes(data, 0, len(data)) if k == "meta")
    iprp = next((b, e) for k, b, e in ec.boxes(data, meta[0] + 4, meta[1]) if k == "iprp")
    ipco = next((b, e) for k, b, e in ec.boxes(data, *iprp) if k == "ipco")
    for kind, b, e in ec.boxes(data, *ipco):
        if kind == "colr" and data[b:b + 4] in (b"prof", b"rICC"):
            return data[b + 4:e]
    return None


def add_icc(png, profile):
    """Inserts an iCCP chunk (PNG §11.3.3.3: name, compression method 0, zlib data) after IHDR."""
    if profile is None:
        return
    data = open(png, "rb").read()
    body = b"iCCP" + b"icc\0\0" + zlib.compress(profile)
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    ihdr_end = 8 + 12 + struct.unpack(">I", data[8:12])[0]
    open(png, "wb").write(data[:ihdr_end] + chunk + data[ihdr_end:])


def db(v):
    return "inf" if v is None or math.isinf(v) else f"{v:.2f}"


class Checker:
    def __init__(self, binary, corpus, work):
        self.binary, self.corpus, self.work = binary, corpus, work
        self.www = os.path.join(work, "www")
        os.makedirs(self.www, exist_ok=True)
        self.items = []  # Chromium page items
        self.lock = threading.Lock()
        help_text = run([binary, "encode", "--help"]).stdout.decode("utf-8", "replace")
        mode = os.environ.get("AVIF_LOSSLESS")
        if mode not in ("exact", "floor"):
            # The --lossless option's description (its line and continuation lines), from "avif:" on: exactness
            # is advertised unless it says near-lossless.
            m = re.search(r"^\s*--lossless\b(.*(?:\n\s{6,}[^-\s].*)*)", help_text, re.M)
            avif = m.group(1).split("avif:", 1)[1] if m and "avif:" in m.group(1) else ""
            mode = "exact" if "lossless" in avif and "near-lossless" not in avif else "floor"
        self.lossless_mode = mode

    def reference_psnr(self, d, src_pnm, variant, src_px, smax):
        """Colour PSNR of libavif/libaom (avifenc speed 6) at the quantizer libavif uses for QUALITY, or None."""
        quantizer = ((100 - QUALITY) * 63 + 50) // 100
        png, avif, dec = (os.path.join(d, f"ref-{variant}.{e}") for e in ("in.png", "avif", "png"))
        if run(["convert", src_pnm, "-depth", "8", f"png:{png}"]).returncode:
            return None
        sub = "444" if variant == "444" else "420"
        q = str(quantizer)
        if run(["avifenc", "-s", "6", "-y", sub, "--min", q, "--max", q, "--minalpha", q, "--maxalpha", q,
                png, avif]).returncode:
            return None
        if run(["avifdec", avif, dec]).returncode:
            return None
        pam = run(["pngtopam", "-alphapam", dec])
        if pam.returncode:
            return None
        path = os.path.join(d, f"ref-{variant}.pam")
        open(path, "wb").write(pam.stdout)
        out, omax, has_alpha = ec.rgba(path)
        return ec.lossy_figures(out, omax, has_alpha, src_px, smax)["color"] if out.shape == src_px.shape else None

    def check_image(self, index, rel):
        src = os.path.join(self.corpus, rel)
        d = os.path.join(self.www, f"{index:03d}")
        os.makedirs(d, exist_ok=True)
        src_pnm = os.path.join(d, "src.pnm")
        r = run([self.binary, "decode", src, "-o", src_pnm])
        if r.returncode:
            expected = bool(EXPECTED_REJECTS.search(rel))
            return [dict(file=rel, variant="-", status="rejected" if expected else "FAIL", size="-",
                         detail=("not accepted by our decoder: " if expected else "our decoder rejected it: ")
                         + first_error(r))]
        src_px, smax, _ = ec.rgba(src_pnm)
        rows = [self.check_variant(d, index, rel, src, src_pnm, src_px, smax, v)
                for v in VARIANTS if subset(rel, v)]
        os.remove(src_pnm)
        return rows

    def check_variant(self, d, index, rel, src, src_pnm, src_px, smax, variant):
        row = dict(file=rel, variant=variant, status="FAIL", size="-", detail="")
        name = f"{index:03d}/{variant}"
        out = os.path.join(self.www, name + ".avif")
        err = os.path.join(d, variant + ".err")
        with open(err, "wb") as stderr:
            proc = subprocess.Popen([self.binary, "encode", src, "-o", out, "--format", "avif", *VARIANTS[variant]],
                                    stdout=subprocess.DEVNULL, stderr=stderr)
            _, status, usage = os.wait4(proc.pid, 0)  # the encoder's own CPU time (user + sys), all its threads
        row["seconds"] = usage.ru_utime + usage.ru_stime
        if os.waitstatus_to_exitcode(status):
            lines = open(err, "rb").read().decode("utf-8", "replace").strip().splitlines()
            row["detail"] = "imagestack encode: " + (lines[0] if lines else f"status {status}")
            return row
        row["size"] = os.path.getsize(out)
        # (a) libavif, strict
        dec_png = os.path.join(self.www, name + ".png")
        r = run(["avifdec", out, dec_png])
        note = ""
        if r.returncode:
            # photos/page.png carries an ICC profile with an invalid rendering intent that the AVIF keeps byte for
            # byte; libavif parses it, libpng's writer refuses it (see check-encoders.sh).
            # The pixels are decoded with --ignore-icc and the file's profile is put into the PNG here, so that
            # Chromium colour-manages the reference like the AVIF.
            if b"libpng error: profile" in r.stderr and run(["avifdec", "--ignore-icc", out, dec_png]).returncode == 0:
                note = " (ICC not writable by libpng: decoded with --ignore-icc, profile added to the PNG)"
                add_icc(dec_png, icc_profile(out))
            else:
                row["detail"] = "avifdec: " + first_error(r)
                return row
        pam = run(["pngtopam", "-alphapam", dec_png])
        dec_pam = os.path.join(d, variant + ".pam")
        open(dec_pam, "wb").write(pam.stdout)
        out_px, omax, out_alpha = ec.rgba(dec_pam)
        os.remove(dec_pam)
        if out_px.shape != src_px.shape:
            row["detail"] = f"avifdec size {out_px.shape[1]}x{out_px.shape[0]} vs {src_px.shape[1]}x{src_px.shape[0]}"
            return row
        f = ec.lossy_figures(out_px, omax, out_alpha, src_px, smax)
        del out_px
        ok = True
        text = f"avifdec {db(f['color'])} dB"
        if variant == "lossless" and self.lossless_mode == "exact":
            ok = math.isinf(f["color"]) and (not f["transparent"] or f["alpha_max"] == 0)
            text += " (exact required)"
        elif variant == "lossless":
            ok = f["color"] >= LOSSLESS_FLOOR
        elif f["color"] < FLOOR:
            reference = self.reference_psnr(d, src_pnm, variant, src_px, smax)
            ok = reference is not None and f["color"] >= reference - 2
            text += f" (libaom {db(reference)})"
        if f["transparent"]:
            if f["alpha_lost"]:
                text += ", alpha lost"
                ok = False
            else:
                text += f", alpha {db(f['alpha'])}"
                if variant != "lossless":
                    ok = ok and f["alpha"] >= FLOOR
                elif self.lossless_mode == "floor":
                    ok = ok and f["alpha"] >= LOSSLESS_FLOOR  # (exact mode checked alpha_max above)
        text += note
        # (b) dav1d on the raw OBUs == libaom through avifdec
        try:
            color, alpha = ec.item_payloads(out)
        except (ValueError, KeyError, StopIteration, IndexError) as e:
            row["detail"] = f"{text}; OBU extraction: {type(e).__name__} {e}"
            return row
        aom = os.path.join(d, variant + "-aom.y4m")
        r = run(["avifdec", "-c", "aom", out, aom])
        if r.returncode:
            row["detail"] = f"{text}; avifdec -c aom: {first_error(r)}"
            return row
        dav1d_text = []
        for kind, payload in (("colour", color), ("alpha", alpha)):
            if payload is None:
                continue
            obu, y4m = (os.path.join(d, f"{variant}-{kind}.{e}") for e in ("obu", "y4m"))
            open(obu, "wb").write(ec.TEMPORAL_DELIMITER + payload)
            r = run(["dav1d", "-q", "-i", obu, "--demuxer", "section5", "-o", y4m])
            if r.returncode:
                row["detail"] = f"{text}; dav1d ({kind} OBUs): {first_error(r)}"
                return row
            difference = ec.y4m_difference(y4m, aom) if kind == "colour" else self.alpha_difference(y4m, aom, out, d)
            for p in (obu, y4m):
                os.remove(p)
            if difference:
                row["detail"] = f"{text}; dav1d vs libaom {kind}: {difference}"
                return row
            dav1d_text.append(kind)
        os.remove(aom)
        row["detail"] = text + "; dav1d=aom " + "+".join(dav1d_text)
        row["status"] = "ok" if ok else "FAIL"
        row["translucent"] = f["transparent"]
        with self.lock:
            self.items.append(dict(key=f"{rel} {variant}", file=name + ".avif", ref=name + ".png",
                                   width=int(src_px.shape[1]), height=int(src_px.shape[0])))
        return row

    @staticmethod
    def alpha_difference(dav1d_y4m, aom_y4m, avif, d):
        """dav1d's decode of the alpha item (its luma) against libaom's: the alpha plane libavif appends to the .y4m
        (4:4:4 only), else the alpha channel of `avifdec -c aom`'s PNG (8-bit full-range alpha is copied as is)."""
        w, h, _, frame = ec.read_y4m(dav1d_y4m)
        aw, ah, chroma, aframe = ec.read_y4m(aom_y4m)
        if chroma.endswith("alpha"):
            plane = np.frombuffer(aframe[len(aframe) - aw * ah:], np.uint8).reshape(ah, aw)
        else:
            png = os.path.join(d, "aom-alpha.png")
            r = run(["avifdec", "-c", "aom", avif, png])
            if r.returncode:
                return "avifdec -c aom (PNG): " + first_error(r)
            pam = run(["pngtopam", "-alphapam", png])
            os.remove(png)
            path = os.path.join(d, "aom-alpha.pam")
            open(path, "wb").write(pam.stdout)
            px, maxval, has_alpha = ec.rgba(path)
            os.remove(path)
            if not has_alpha or maxval != 255:
                return "libaom's decode has no 8-bit alpha"
            plane = px[:, :, 3]
        if plane.shape != (h, w):
            return f"size {w}x{h} vs {plane.shape[1]}x{plane.shape[0]}"
        a = np.frombuffer(frame[:w * h], np.uint8).reshape(h, w).astype(np.int64)
        n = int(np.count_nonzero(a != plane))
        return f"{n} alpha samples differ" if n else None


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>imagestack AVIF corpus in Chromium</title></head><body>
<script src="pagelib.js"></script>
<script>
const items = %s;
async function measure(item) {
  const img = await load(item.file);
  const m = {key: item.key, width: img.naturalWidth, height: img.naturalHeight};
  if (m.width !== item.width || m.height !== item.height) return m;
  const got = pixels(img);
  const ref = pixels(await load(item.ref));
  // Colour where both are opaque. Alpha, and colour premultiplied by alpha (what Chromium stores), under two
  // models of Chromium's alpha: as decoded (identity), and expanded as if it were limited range,
  // (a - 16) * 255 / 219, which is what Chromium 156 measures here for libavif's files as well as ours.
  const models = [new Uint8Array(256), new Uint8Array(256)];
  for (let a = 0; a < 256; a++) {
    models[0][a] = a;
    models[1][a] = Math.min(255, Math.max(0, Math.round((a - 16) * 255 / 219)));
  }
  let opaque = 0, opaqueSum = 0, opaqueMax = 0;
  const premulSum = [0, 0], premulMax = [0, 0], alphaSum = [0, 0], alphaMax = [0, 0];
  for (let i = 0; i < ref.length; i += 4) {
    const ar = ref[i + 3], ag = got[i + 3];
    if (ar === 255 && ag === 255) {
      opaque++;
      for (let c = 0; c < 3; c++) {
        const d = ref[i + c] - got[i + c];
        opaqueSum += d * d; if (Math.abs(d) > opaqueMax) opaqueMax = Math.abs(d);
      }
    }
    for (let k = 0; k < 2; k++) {
      const e = models[k][ar];
      const da = Math.abs(ag - e); alphaSum[k] += da * da; if (da > alphaMax[k]) alphaMax[k] = da;
      for (let c = 0; c < 3; c++) {
        const p = (ref[i + c] * e - got[i + c] * ag) / 255;
        premulSum[k] += p * p; if (Math.abs(p) > premulMax[k]) premulMax[k] = Math.abs(p);
      }
    }
  }
  return Object.assign(m, {pixels: ref.length / 4, opaque, opaqueSum, opaqueMax, premulSum, premulMax, alphaSum, alphaMax});
}
function post(body) {
  return fetch('/result', {method: 'POST', body: JSON.stringify(body)});
}
(async () => {
  for (const item of items) {
    let m;
    try { m = await measure(item); } catch (e) { m = {key: item.key, error: String(e.message || e)}; }
    await post(m);
  }
  await post({done: true});
})();
</script></body></html>
"""


def chromium_results(checker):
    """Runs the page in headless Chromium; returns {key: measurement} (possibly partial) and an error or None."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        return {}, "chromium is required"
    items = sorted(checker.items, key=lambda i: i["key"])
    open(os.path.join(checker.www, "index.html"), "w").write(PAGE % json.dumps(items))
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pagelib.js"), checker.www)
    results, done = {}, threading.Event()
    www = checker.www

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=www, **kw)

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if body.get("done"):
                done.set()
            else:
                results[body["key"]] = body
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    profile = os.path.join(checker.work, "profile")
    proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             f"--user-data-dir={profile}", "--remote-debugging-port=0", url],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(checker.work, "chromium.err"), "wb"),
                            start_new_session=True)
    error = None
    if not done.wait(CHROMIUM_TIMEOUT):
        error = f"Chromium did not finish the page in {CHROMIUM_TIMEOUT:.0f} s ({len(results)} of {len(items)} results)"
    if proc.poll() is not None and not done.is_set():
        error = f"Chromium exited with status {proc.returncode} ({len(results)} of {len(items)} results)"
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group this script started
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    server.shutdown()
    return results, error


def judge_chromium(row, m):
    """Adds the Chromium figures to a row that passed (a) and (b); sets status."""
    if m is None:
        row["status"], row["chromium"] = "FAIL", "no result from Chromium"
        return
    if "error" in m:
        row["status"], row["chromium"] = "FAIL", "Chromium: " + m["error"]
        return
    if "pixels" not in m:
        row["status"], row["chromium"] = "FAIL", f"Chromium size {m['width']}x{m['height']}"
        return

    def psnr(total, count):
        return 10 * math.log10(255 * 255 * count / total) if total else math.inf

    n = m["pixels"]
    opaque = psnr(m["opaqueSum"], m["opaque"] * 3)
    ok = m["opaque"] == 0 or opaque >= CHROMIUM_FLOOR
    text = f"chromium {m['width']}x{m['height']} {db(opaque)} dB"
    if row.get("translucent"):
        k = 0 if m["alphaMax"][0] <= m["alphaMax"][1] else 1  # the alpha model that fits Chromium
        premul = psnr(m["premulSum"][k], n * 3)
        ok = ok and m["alphaMax"][k] <= CHROMIUM_ALPHA_TOLERANCE and premul >= CHROMIUM_PREMUL_FLOOR
        text += (f", alpha {'as decoded' if k == 0 else 'as limited range'} max {m['alphaMax'][k]}"
                 f", premultiplied {db(premul)} dB")
    row["chromium"] = text
    if not ok:
        row["status"] = "FAIL"


def main(argv):
    binary, corpus, work = argv[:3]
    started = time.monotonic()
    checker = Checker(binary, corpus, work)
    only = re.compile(os.environ["ONLY"]) if os.environ.get("ONLY") else None
    files = []
    for root, _, names in os.walk(corpus):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), corpus)
            if n.startswith(("README", "LICENSE")) or (only and not only.search(rel)):
                continue
            files.append(rel)
    # Largest first, so the two workers finish together.
    files.sort(key=lambda rel: (-os.path.getsize(os.path.join(corpus, rel)), rel))
    rows = []
    def check(index_rel):
        try:
            return checker.check_image(*index_rel)
        except (OSError, ValueError, KeyError, IndexError, StopIteration) as e:  # unreadable output: a failed row
            return [dict(file=index_rel[1], variant="-", status="FAIL", size="-",
                         detail=f"checker could not read an output: {type(e).__name__} {e}")]

    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        for result in pool.map(check, enumerate(files)):
            rows.extend(result)
    encoded = time.monotonic()
    results, chromium_error = chromium_results(checker) if checker.items else ({}, None)
    for row in rows:
        if row["status"] == "ok":
            judge_chromium(row, results.get(f"{row['file']} {row['variant']}"))
    finished = time.monotonic()

    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    cpu = children.ru_utime + children.ru_stime + own.ru_utime + own.ru_stime
    rows.sort(key=lambda r: (r["file"], list(VARIANTS).index(r["variant"]) if r["variant"] in VARIANTS else -1))
    print(f"{'file':44} {'variant':8} {'result':8} {'bytes':>9} {'enc cpu':>7}  detail")
    for r in rows:
        seconds = f"{r['seconds']:.2f}" if "seconds" in r else "-"
        detail = r["detail"] + ("; " + r["chromium"] if r.get("chromium") else "")
        print(f"{r['file']:44} {r['variant']:8} {r['status']:8} {r['size']:>9} {seconds:>7}  {detail}")
    checked = [r for r in rows if r["status"] != "rejected"]
    passed = sum(r["status"] == "ok" for r in checked)
    images = len({r["file"] for r in checked})
    rejected = [r["file"] for r in rows if r["status"] == "rejected"]
    counts = {v: sum(r["variant"] == v for r in checked) for v in VARIANTS}
    if chromium_error:
        print("chromium:", chromium_error)
    print(f"avif corpus: {passed}/{len(checked)} files passed (avifdec, dav1d=libaom, Chromium) from {images} images: "
          + ", ".join(f"{counts[v]} {v}" for v in VARIANTS)
          + f"; {len(rejected)} corpus files not accepted by our decoder (expected); lossless checked as "
          + ("exact" if checker.lossless_mode == "exact" else f"PSNR >= {LOSSLESS_FLOOR:g} dB")
          + f"; wall {encoded - started:.0f} s encode+decoders, {finished - encoded:.0f} s Chromium; CPU (user+sys) "
          + f"{cpu:.0f} s, of which imagestack encode {sum(r.get('seconds', 0) for r in rows):.0f} s "
          + "(" + ", ".join(f"{v} {sum(r.get('seconds', 0) for r in rows if r['variant'] == v):.0f}" for v in VARIANTS)
          + ")")
    failures = [r for r in checked if r["status"] != "ok"]
    if failures:
        print("failures:")
        for r in failures:
            print(f"  {r['file']} {r['variant']}: {r['detail']}" + ("; " + r["chromium"] if r.get("chromium") else ""))
    return 0 if not failures and not chromium_error else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
