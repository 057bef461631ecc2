#!/usr/bin/env python3
"""The golden manifests of Conformance/goldens/ (the work of regenerate-goldens.sh; the line format is specified
in Conformance/goldens/README.md).

  goldens.py regenerate BIN   recomputes every result; BIN: our release `imagestack` (encoder bytes, `process`,
                              which files our decoder refuses, and the crops encoder cases start from)
  goldens.py report LOG       prints Conformance/REPORT.md from the manifests and the log of
                              `swift test --filter Golden`

Every manifest line is one case: its definition (input, operation, settings) before " | ", its expected results
after. This script keeps the definitions, recomputes every result, and adds or drops decode cases so that every
corpus input is decoded (JPEGs also at 1/2, 1/4 and 1/8). To add an encode or process case, append its definition
line (without " | ...") to the manifest and run the script. Output is sorted and depends only on the inputs, our
binary and the oracles' versions: no time, path or machine in it.

Oracles: djpeg (libjpeg-turbo), pngtopam (netpbm on libpng; ImageMagick for truecolour PNGs with tRNS, which
pngtopam ignores), pamtopam (netpbm), giftopnm (netpbm), dwebp (libwebp), dav1d, avifdec (libavif).
Environment: JOBS (parallel cases, default: the number of cores).
"""
import concurrent.futures
import ctypes
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import encodecheck  # noqa: E402  (AVIF container: the colour and alpha items' AV1 data)

CORPUS = "Conformance/corpus"
GOLDENS = "Conformance/goldens"
MANIFESTS = ["decode-jpeg", "decode-png", "decode-other", "encode-png", "encode-jpeg", "encode-webp",
             "encode-avif", "process"]
SLICES = 16
JPEG_SCALES = ["1/2", "1/4", "1/8"]
HEADER = ("# One case per line: INPUT OPERATION [SETTINGS...] | RESULTS..., sorted. Format and meaning: README.md.\n"
          "# Regenerate with: bash Conformance/regenerate-goldens.sh (never edit results by hand).\n")


class CaseError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Line format: space-separated tokens; a value with a space, quote or backslash is double-quoted with \" and \\.

def split_tokens(text):
    tokens, i, n = [], 0, len(text)
    while i < n:
        if text[i] == " ":
            i += 1
            continue
        out = []
        while i < n and text[i] != " ":
            if text[i] == '"':
                i += 1
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n:
                        i += 1
                    out.append(text[i])
                    i += 1
                i += 1
            else:
                out.append(text[i])
                i += 1
        tokens.append("".join(out))
    return tokens


def token(key, value=None):
    """key=value with the value quoted when it needs it (the key never does)."""
    if value is None:
        return key
    if value == "" or any(c in value for c in ' "\\'):
        value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{key}={value}"


def parse_line(line):
    """(definition tokens, raw definition text) of a manifest line; results are recomputed, never read."""
    definition = line.split(" | ", 1)[0].rstrip()
    if definition.endswith(" |"):
        definition = definition[:-2]
    return split_tokens(definition), definition


def settings(tokens):
    """Definition tokens after INPUT OPERATION as an ordered dict (flags map to None)."""
    out = {}
    for t in tokens[2:]:
        k, sep, v = t.partition("=")
        out[k] = v if sep else None
    return out


# ---------------------------------------------------------------------------------------------------------------
# Digests: SHA-256 of the bytes, then 16 slice checksums (CRC-32 & 0xFFFF of bytes [k·n/16, (k+1)·n/16)) that let
# the golden test say where a difference starts.

def digest(data):
    data = bytes(data)
    n = len(data)
    parts = "".join(f"{zlib.crc32(data[k * n // SLICES:(k + 1) * n // SLICES]) & 0xFFFF:04x}" for k in range(SLICES))
    return hashlib.sha256(data).hexdigest() + "/" + parts


def sha256_file(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Pixels: netpbm files (read by encodecheck/pnmcompare) → canonical RGBA (gray replicated, alpha added opaque), 8-bit, or 16-bit big-endian when the
# file's maxval is above 255. Maxvals 1, 3, 15 (PNG 1/2/4-bit) scale to 255 exactly (bit replication).

def canonical(path):
    """(width, height, 'rgba8' | 'rgba16', canonical bytes) of a netpbm file."""
    px, maxval = encodecheck.read_pnm(path)
    height, width, depth = px.shape
    wide = maxval > 255
    top = 65535 if wide else 255
    if maxval != top:
        if top % maxval:
            raise CaseError(f"maxval {maxval} has no exact scaling to {top}")
        px = px * (top // maxval)
    if depth in (1, 2):
        gray = px[:, :, 0:1]
        alpha = px[:, :, 1:2] if depth == 2 else np.full_like(gray, top)
        px = np.concatenate([gray, gray, gray, alpha], axis=2)
    elif depth == 3:
        px = np.concatenate([px, np.full_like(px[:, :, 0:1], top)], axis=2)
    elif depth != 4:
        raise CaseError(f"netpbm depth {depth}")
    raw = px.astype(">u2").tobytes() if wide else px.astype(np.uint8).tobytes()
    return width, height, "rgba16" if wide else "rgba8", raw


def write_pnm(path, width, height, depth, maxval, px):
    """P5/P6 for gray/RGB, P7 PAM for alpha (as `imagestack decode` writes them)."""
    body = px.astype(">u2").tobytes() if maxval > 255 else px.astype(np.uint8).tobytes()
    if depth in (1, 3):
        head = f"P{5 if depth == 1 else 6}\n{width} {height}\n{maxval}\n".encode()
    else:
        tuple_type = "GRAYSCALE_ALPHA" if depth == 2 else "RGB_ALPHA"
        head = (f"P7\nWIDTH {width}\nHEIGHT {height}\nDEPTH {depth}\nMAXVAL {maxval}\nTUPLTYPE {tuple_type}\n"
                "ENDHDR\n").encode()
    with open(path, "wb") as f:
        f.write(head + body)


# ---------------------------------------------------------------------------------------------------------------
# Tools

def run(cmd, stdout_path=None, check=True, stdin_path=None):
    """Runs a command; returns (exit status, stdout bytes, stderr text)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        if stdout_path:
            with open(stdout_path, "wb") as out:
                p = subprocess.run([str(c) for c in cmd], stdin=stdin, stdout=out, stderr=subprocess.PIPE, timeout=600)
            stdout = b""
        else:
            p = subprocess.run([str(c) for c in cmd], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=600)
            stdout = p.stdout
    finally:
        if stdin_path:
            stdin.close()
    err = p.stderr.decode("utf-8", "replace")
    if check and p.returncode != 0:
        raise CaseError(f"{os.path.basename(str(cmd[0]))} failed ({p.returncode}): {err.strip()[:200]}")
    return p.returncode, stdout, err


def tool_output(cmd):
    """Standard output and error of a version query (tools differ in where they print it)."""
    _, out, err = run(cmd, check=False)
    return (out.decode("utf-8", "replace") + err).strip()


def first_match(pattern, text, what):
    m = re.search(pattern, text)
    if not m:
        raise SystemExit(f"cannot read the version of {what} from: {text[:200]!r}")
    return m.group(1)


def oracle_versions():
    """Upstream versions of the oracles, as the tools report them (not Debian revisions, which change with
    security updates that do not touch decoding)."""
    netpbm = first_match(r"Netpbm (\d+\.\d+\.\d+)", run(["pngtopam", "-version"], check=False)[2], "netpbm")
    png = ctypes.CDLL("libpng16.so.16").png_access_version_number()
    return {
        "djpeg": "djpeg-" + first_match(r"libjpeg-turbo version (\S+)", run(["djpeg", "-version"], check=False)[2],
                                        "djpeg"),
        "png": f"pngtopam-{netpbm}+libpng-{png // 10000}.{png // 100 % 100}.{png % 100}",
        "imagemagick": "imagemagick-" + first_match(r"ImageMagick (\S+)", run(["convert", "-version"])[1].decode(),
                                                    "ImageMagick"),
        "netpbm": f"netpbm-{netpbm}",
        "dwebp": "dwebp-" + run(["dwebp", "-version"])[1].decode().strip(),
        "dav1d": "dav1d-" + first_match(r"^(\S+)", tool_output(["dav1d", "--version"]), "dav1d"),
        "avifdec": "avifdec-" + first_match(r"Version: (\S+)", run(["avifdec", "--version"])[1].decode(), "avifdec"),
    }


def png_chunks(data):
    pos, out = 8, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        out.append((kind.decode("latin-1"), data[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return out


def is_truecolour_with_trns(path):
    chunks = png_chunks(open(path, "rb").read())
    ihdr = next((body for kind, body in chunks if kind == "IHDR"), b"")
    return len(ihdr) >= 10 and ihdr[9] == 2 and any(kind == "tRNS" for kind, _ in chunks)


def riff_chunks(data):
    pos, out = 12, []
    while pos + 8 <= len(data):
        kind, size = data[pos:pos + 4].decode("latin-1"), struct.unpack("<I", data[pos + 4:pos + 8])[0]
        out.append((kind, data[pos + 8:pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return out


class Goldens:
    def __init__(self, binary, work):
        self.bin, self.work = binary, work
        self.v = oracle_versions()

    def tmp(self):
        return tempfile.mkdtemp(dir=self.work)

    # --- reference decoders: each returns (oracle name, path of its netpbm output) -------------------------------

    def reference_pixels(self, path, kind, d, scale=None):
        """Decodes `path` (a file of `kind`: jpeg, png, pnm, webp, avif) with its oracle: (oracle, netpbm path)."""
        out = os.path.join(d, "ref.pnm")
        if kind == "jpeg":
            run(["djpeg", "-pnm"] + (["-scale", scale] if scale else []) + [path], stdout_path=out)
            return self.v["djpeg"], out
        if kind == "png":
            if is_truecolour_with_trns(path):
                # netpbm 11.1's pngtopam ignores tRNS on truecolour images; ImageMagick applies it (PNG §11.3.2.1).
                run(["convert", path, "pam:" + out])
                return self.v["imagemagick"], out
            run(["pngtopam", "-alphapam", path], stdout_path=out)
            return self.v["png"], out
        if kind == "pnm":
            run(["pamtopam"], stdout_path=out, stdin_path=path)
            return self.v["netpbm"], out
        if kind == "webp":
            run(["dwebp", "-quiet", "-pam", path, "-o", out])
            return self.v["dwebp"], out
        if kind == "avif":
            png = os.path.join(d, "avifdec.png")
            run(["avifdec", path, png])
            run(["pngtopam", "-alphapam", png], stdout_path=out)
            return self.v["avifdec"], out
        raise CaseError(f"no reference decoder for {kind}")

    def reference_accepts(self, path, kind, d):
        """Whether the oracle of `kind` decodes the file: 'decodes' or 'rejects'."""
        tools = {"jpeg": ["djpeg", "-pnm", path], "png": ["pngtopam", path], "gif": ["giftopnm", path],
                 "pnm": ["pamtopam"], "webp": ["dwebp", "-quiet", path, "-o", "-"],
                 "avif": ["avifdec", path, os.path.join(d, "probe.png")]}
        if kind not in tools:
            return "-"
        status, _, _ = run(tools[kind], stdout_path=os.path.join(d, "probe"), check=False,
                           stdin_path=path if kind == "pnm" else None)
        return "decodes" if status == 0 else "rejects"

    # --- decode ----------------------------------------------------------------------------------------------------

    def decode_case(self, tokens):
        path, s = os.path.join(CORPUS, tokens[0]), settings(tokens)
        scale = s.get("scale")
        kind = sniff(path)
        d = self.tmp()
        try:
            ours = os.path.join(d, "ours.pnm")
            status, _, err = run([self.bin, "decode", path, "-o", ours] + (["--scale", scale] if scale else []),
                                 check=False)
            results = [token("in", sha256_file(path))]
            if status != 0:
                refused = refusal_kind(err)
                return results + [token("refused", refused), token("reference", self.reference_accepts(path, kind, d)),
                                  token("oracle", self.oracle_name(kind))]
            oracle, pnm_path = self.reference_pixels(path, kind, d, scale)
            w, h, depth, raw = canonical(pnm_path)
            return results + [token("size", f"{w}x{h}"), token("pixels", f"{depth}:{digest(raw)}"),
                              token("oracle", oracle)]
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def oracle_name(self, kind):
        return {"jpeg": self.v["djpeg"], "png": self.v["png"], "gif": self.v["netpbm"], "pnm": self.v["netpbm"],
                "webp": self.v["dwebp"], "avif": self.v["avifdec"]}.get(kind, "none")

    # --- encode ----------------------------------------------------------------------------------------------------

    ENCODE_FLAGS = {"quality": "--quality", "effort": "--effort", "speed": "--speed", "subsampling": "--subsampling",
                    "alpha-quality": "--alpha-quality", "lossless": "--lossless", "progressive": "--progressive"}

    def encode_input(self, path, crop, d):
        """The file `imagestack encode` reads: the corpus file itself, or (crop=WxH+X+Y) our decode of it cut to
        the rectangle, as netpbm (which carries no metadata: no ICC profile, no gamma)."""
        if not crop:
            return path
        m = re.fullmatch(r"(\d+)x(\d+)\+(\d+)\+(\d+)", crop)
        if not m:
            raise CaseError(f"bad crop {crop!r} (WxH+X+Y)")
        cw, ch, cx, cy = map(int, m.groups())
        full = os.path.join(d, "full.pnm")
        run([self.bin, "decode", path, "-o", full])
        px, maxval = encodecheck.read_pnm(full)
        height, width, depth = px.shape
        if cw < 1 or ch < 1 or cx + cw > width or cy + ch > height:
            raise CaseError(f"crop {crop} outside {width}x{height}")
        out = os.path.join(d, "crop.pnm")
        write_pnm(out, cw, ch, depth, maxval, px[cy:cy + ch, cx:cx + cw])
        return out

    def encode_case(self, tokens):
        path, s = os.path.join(CORPUS, tokens[0]), settings(tokens)
        fmt = s.get("format")
        if fmt not in ("png", "jpeg", "webp", "avif"):
            raise CaseError(f"encode needs format=png|jpeg|webp|avif, got {fmt!r}")
        unknown = set(s) - set(self.ENCODE_FLAGS) - {"format", "crop"}
        if unknown:
            raise CaseError(f"unknown encode settings {sorted(unknown)}")
        d = self.tmp()
        try:
            source = self.encode_input(path, s.get("crop"), d)
            out = os.path.join(d, "out." + fmt)
            args = [self.bin, "encode", source, "-o", out, "--format", fmt]
            for key, flag in self.ENCODE_FLAGS.items():
                if key in s:
                    args += [flag] if s[key] is None else [flag, s[key]]
            run(args)
            data = open(out, "rb").read()
            results = [token("in", sha256_file(path))]
            oracle, pnm_path = self.reference_pixels(out, fmt, d)
            w, h, depth, raw = canonical(pnm_path)
            results += [token("size", f"{w}x{h}"), token("bytes", f"{len(data)}:{digest(data)}")]
            oracles = [oracle]
            if fmt == "webp" and not any(kind == "VP8L" for kind, _ in riff_chunks(data)):
                # Lossy: dwebp's planes with the loop filter off (the encoder's reconstruction): Y, U, V, and A when
                # the file has an alpha chunk.
                yuv = os.path.join(d, "out.yuv")
                run(["dwebp", "-quiet", "-nofilter", "-yuv", out, "-o", yuv])
                planes = open(yuv, "rb").read()
                results.append(token("yuv", f"{len(planes)}:{digest(planes)}"))
            if fmt == "avif":
                planes = self.dav1d_planes(out, d)
                results.append(token("av1", f"{len(planes)}:{digest(planes)}"))
                oracles.insert(0, self.v["dav1d"])
            results += [token("decoded", f"{depth}:{digest(raw)}"), token("oracle", "+".join(oracles))]
            return results
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def dav1d_planes(self, avif, d):
        """dav1d's planes of the colour item (Y, then Cb and Cr unless monochrome), then of the alpha item's Y."""
        color, alpha = encodecheck.item_payloads(avif)
        planes = b""
        for name, payload in (("color", color), ("alpha", alpha)):
            if payload is None:
                continue
            obu, y4m = os.path.join(d, name + ".obu"), os.path.join(d, name + ".y4m")
            with open(obu, "wb") as f:
                f.write(encodecheck.TEMPORAL_DELIMITER + payload)
            run(["dav1d", "-q", "-i", obu, "--demuxer", "section5", "-o", y4m])
            planes += y4m_planes(open(y4m, "rb").read(), luma_only=(name == "alpha"))
        return planes

    # --- process ---------------------------------------------------------------------------------------------------

    def process_case(self, tokens):
        path, s = os.path.join(CORPUS, tokens[0]), settings(tokens)
        unknown = set(s) - {"query", "accept", "rule"}
        if unknown or "query" not in s:
            raise CaseError(f"process needs query=... and takes accept=, rule=; got {sorted(s)}")
        d = self.tmp()
        try:
            out = os.path.join(d, "body")
            args = [self.bin, "process", path, "--query", s["query"] or "", "-o", out]
            if "accept" in s:
                args += ["--accept", s["accept"] or ""]
            if "rule" in s:
                config = os.path.join(d, "rule.json")
                with open(config, "w") as f:
                    f.write(rule_json(s["rule"] or ""))
                args += ["--config", config]
            _, _, err = run(args)
            headers = {}
            for line in err.splitlines():
                name, sep, value = line.partition(": ")
                if sep:
                    headers[name] = value
            body = open(out, "rb").read()
            ops = headers.get("X-Img-Operations", "-")
            results = [token("in", sha256_file(path)), token("type", headers.get("Content-Type", "?")),
                       token("ops", ops), token("skip", headers.get("Img-Skip-Reason", "-")),
                       token("vary", headers.get("Vary", "-")), token("body", f"{len(body)}:{digest(body)}")]
            if ops == "-":
                return results + [token("oracle", "none")]
            kind = {"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp", "image/avif": "avif"}.get(
                headers.get("Content-Type"))
            if kind is None:
                raise CaseError(f"transformed body of type {headers.get('Content-Type')}")
            oracle, pnm_path = self.reference_pixels(out, kind, d)
            w, h, depth, raw = canonical(pnm_path)
            return results + [token("size", f"{w}x{h}"), token("decoded", f"{depth}:{digest(raw)}"),
                              token("oracle", oracle)]
        finally:
            shutil.rmtree(d, ignore_errors=True)


def rule_json(compact):
    """`webp,avif,pngLossless,quality:low,enabled:false` → the rule JSON `imagestack process --config` reads: bare
    names are true; `name:value` is a number when it parses as one, a boolean for true/false, else a string. The
    golden test builds the same text and parses it with the server's rule parser."""
    members = []
    for item in compact.split(","):
        name, sep, value = item.partition(":")
        if not sep:
            members.append(f'"{item}":true')
        elif re.fullmatch(r"[+-]?\d+", value) or value in ("true", "false"):
            members.append(f'"{name}":{value}')
        else:
            members.append(f'"{name}":"{value}"')
    return "{" + ",".join(members) + "}"


def y4m_planes(y4m, luma_only):
    end = y4m.index(b"\n")
    header = y4m[:end].decode("ascii").split()
    w = int(next(f[1:] for f in header if f.startswith("W")))
    h = int(next(f[1:] for f in header if f.startswith("H")))
    chroma = next((f[1:] for f in header if f.startswith("C")), "420")
    pos = y4m.index(b"\n", end + 1) + 1  # after the FRAME line
    sizes = [w * h]
    if not chroma.startswith("mono") and not luma_only:
        cw, ch = (w, h) if chroma.startswith("444") else ((w + 1) // 2, h if chroma.startswith("422") else (h + 1) // 2)
        sizes += [cw * ch, cw * ch]
    total = sum(sizes)
    if len(y4m) < pos + total:
        raise CaseError("short y4m frame")
    return y4m[pos:pos + total]


def sniff(path):
    """The format a corpus file claims by its name (corrupt files keep their format's oracle)."""
    ext = os.path.splitext(path)[1].lower()
    return {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".gif": "gif", ".ppm": "pnm", ".pgm": "pnm",
            ".pam": "pnm", ".webp": "webp", ".avif": "avif"}.get(ext, "other")


def refusal_kind(stderr):
    """CodecError kind from the CLI's one-line error (CodecError.description)."""
    for phrase, kind in (("malformed data", "malformed"), ("truncated data", "truncated"),
                         ("unsupported", "unsupported"), ("limit exceeded", "limit")):
        if phrase in stderr:
            return kind
    raise CaseError(f"unrecognised decoder error: {stderr.strip()[:200]}")


# ---------------------------------------------------------------------------------------------------------------
# Manifests

def corpus_inputs():
    """Every input of the corpus (not its README/LICENSE texts), relative paths, sorted."""
    out = []
    for root, _, names in os.walk(CORPUS):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), CORPUS)
            if not n.lower().endswith((".txt", ".md")):
                out.append(rel)
    return sorted(out)


def decode_manifest(rel):
    kind = sniff(os.path.join(CORPUS, rel))
    return {"jpeg": "decode-jpeg", "png": "decode-png"}.get(kind, "decode-other")


def load_definitions():
    """{manifest: [definition text]} from the current files (results dropped)."""
    out = {}
    for name in MANIFESTS:
        path = os.path.join(GOLDENS, name + ".txt")
        defs = []
        if os.path.exists(path):
            for line in open(path, encoding="utf-8"):
                line = line.rstrip("\n")
                if line.strip() and not line.startswith("#"):
                    defs.append(parse_line(line)[1])
        out[name] = defs
    return out


def sync_decode_cases(defs, refused_full):
    """Decode cases: every corpus input at full size; JPEGs our decoder accepts also at 1/2, 1/4, 1/8."""
    for name in ("decode-jpeg", "decode-png", "decode-other"):
        defs[name] = []
    for rel in corpus_inputs():
        name = decode_manifest(rel)
        defs[name].append(f"{token(rel)} decode")
        if name == "decode-jpeg" and rel not in refused_full:
            defs[name] += [f"{token(rel)} decode {token('scale', s)}" for s in JPEG_SCALES]


def regenerate(binary):
    jobs = int(os.environ.get("JOBS", os.cpu_count() or 2))
    work = tempfile.mkdtemp(prefix="goldens-")
    try:
        g = Goldens(binary, work)
        defs = load_definitions()
        handlers = {"decode": g.decode_case, "encode": g.encode_case, "process": g.process_case}

        def compute(definition):
            tokens = split_tokens(definition)
            try:
                if len(tokens) < 2 or tokens[1] not in handlers:
                    raise CaseError("a case is INPUT OPERATION [SETTINGS...] with OPERATION decode|encode|process")
                if not os.path.isfile(os.path.join(CORPUS, tokens[0])):
                    raise CaseError(f"no corpus file {tokens[0]}")
                return definition, handlers[tokens[1]](tokens), None
            except (CaseError, subprocess.TimeoutExpired, OSError, ValueError) as e:
                return definition, [token("error", str(e))], str(e)

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            # Full-size decodes first: which JPEGs our decoder refuses decides whether scaled cases exist.
            full = [f"{token(rel)} decode" for rel in corpus_inputs()]
            first = {d: r for d, r, _ in pool.map(compute, full)}
            refused = {split_tokens(d)[0] for d, r in first.items() if any(t.startswith("refused=") for t in r)}
            sync_decode_cases(defs, refused)
            todo = [d for name in MANIFESTS for d in defs[name] if d not in first]
            results = dict(first)
            errors = []
            for d, r, err in pool.map(compute, todo):
                results[d] = r
                if err:
                    errors.append(f"{d}: {err}")
            for d, r in first.items():
                if r and r[0].startswith("error="):
                    errors.append(f"{d}: {r[0]}")
        os.makedirs(GOLDENS, exist_ok=True)
        counts = {}
        for name in MANIFESTS:
            lines = sorted({f"{d} | {' '.join(results[d])}" for d in defs[name]}, key=lambda s: s.encode())
            counts[name] = len(lines)
            with open(os.path.join(GOLDENS, name + ".txt"), "w", encoding="utf-8") as f:
                f.write(HEADER + "".join(line + "\n" for line in lines))
        print("goldens: " + ", ".join(f"{n} {c}" for n, c in counts.items()) + f"; total {sum(counts.values())}")
        for e in errors:
            print("ERROR " + e, file=sys.stderr)
        return 1 if errors else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv):
    if len(argv) == 2 and argv[0] == "regenerate":
        return regenerate(os.path.abspath(argv[1]))
    if len(argv) == 2 and argv[0] == "report":
        import goldens_report
        print(goldens_report.report(argv[1]), end="")
        return 0
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
