#!/usr/bin/env python3
"""Helpers for check-encoders.sh: compare a reference decoder's output with the source pixels, and pull the raw
AV1 OBUs out of an AVIF file.

  encodecheck.py exact DECODED SOURCE
      Lossless check. Both netpbm files (P5/P6/P7, maxval 255 or 65535) are brought to RGBA (gray replicated, missing
      alpha = opaque). A 16-bit source against an 8-bit output is reduced with Raster.to8Bit's rounding,
      (v * 255 + 32767) / 65535, because that is what the 8-bit encoders are given. Prints "max N"; exit 0 iff N == 0.
  encodecheck.py psnr DECODED SOURCE FLOOR ALPHA [REFERENCE_PSNR]
      Lossy check. Colour PSNR (dB, 8-bit scale) of the RGB weighted by the source's alpha (the colour as seen;
      plain RGB PSNR for opaque sources). ALPHA says what the output's
      alpha must do when the source has transparency: "exact" (lossless alpha), "psnr" (alpha PSNR >= FLOOR) or
      "none" (format without alpha; not checked). With REFERENCE_PSNR (the colour PSNR of the reference encoder at
      the same setting) colour below FLOOR still passes when it is within 2 dB of it: some images (tiny, synthetic)
      are below any fixed floor even for libjpeg/libwebp/libaom. Prints "PSNR x dB[, alpha ...]"; exit 0 iff every
      figure passes.
  encodecheck.py y4m A.y4m B.y4m
      Two decoders' YUV output of the same AV1 stream must be identical (AV1 decoding is bit-exact, spec §7).
      Compares size, chroma tag and frame bytes; exit 0 iff equal.
  encodecheck.py y4m-alpha ALPHA.y4m DECODED
      The luma plane of the decoded alpha item must equal the alpha channel of DECODED (full-range alpha).
  encodecheck.py obus FILE.avif OUTDIR
      Writes OUTDIR/color.obu (the primary item's data) and OUTDIR/alpha.obu (the auxiliary alpha item's, when
      present) as low-overhead bitstreams (AV1 spec §5.2) for `dav1d --demuxer section5`: a temporal delimiter
      OBU, which AV1-ISOBMFF samples leave out, followed by the item's OBUs, located through the `meta` box's pitm, iinf, iref and iloc boxes (ISO/IEC 14496-12 §8.11).
      Prints the names written.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pnmcompare  # noqa: E402


def read_pnm(path):
    """(samples as height × width × depth int32 array, maxval), parsed by pnmcompare.read_pnm. int32 holds every
    intermediate here (to_8bit's v * 255 + 32767 < 2^24) at half the memory of int64 (5120×2880 RGBA: 236 MB)."""
    width, height, depth, maxval, samples = pnmcompare.read_pnm(path)
    flat = np.frombuffer(samples, np.uint8) if isinstance(samples, (bytes, bytearray)) else np.asarray(samples)
    return flat.astype(np.int32).reshape(height, width, depth), maxval


def rgba(path):
    """(pixels as height × width × 4, maxval, whether the file carries an alpha channel)."""
    px, maxval = read_pnm(path)
    depth = px.shape[2]
    color = px[:, :, :1].repeat(3, axis=2) if depth in (1, 2) else px[:, :, :3]
    has_alpha = depth in (2, 4)
    alpha = px[:, :, depth - 1:depth] if has_alpha else np.full(px.shape[:2] + (1,), maxval, dtype=np.int32)
    return np.concatenate([color, alpha], axis=2), maxval, has_alpha


def to_8bit(px, maxval):
    if maxval == 255:
        return px
    if maxval == 65535:
        return (px * 255 + 32767) // 65535
    return (px * 255 + maxval // 2) // maxval


def psnr(a, b):
    """PSNR (8-bit scale) of two equally shaped arrays, summed 64 rows at a time to bound the float64 temporaries."""
    if a.size == 0:
        return math.inf
    total = 0.0
    for row in range(0, a.shape[0], 64):
        d = a[row:row + 64].astype(np.float64) - b[row:row + 64]
        total += float(np.sum(d * d))
    mse = total / a.size
    return math.inf if mse == 0 else 10 * math.log10(255.0 * 255.0 / mse)


def fmt_db(v):
    return "inf" if math.isinf(v) else f"{v:.2f}"


def exact(decoded, source):
    out, omax, _ = rgba(decoded)
    src, smax, _ = rgba(source)
    if out.shape != src.shape:
        print(f"size {out.shape[1]}x{out.shape[0]} vs source {src.shape[1]}x{src.shape[0]}")
        return 1
    if smax != omax:
        if omax == 255:
            src = to_8bit(src, smax)
        elif omax < 255 and smax % omax == 0:  # 1/2/4-bit gray PNG output: bit replication scales it exactly
            out = out * (smax // omax)
        else:
            print(f"maxval {omax} vs source {smax}")
            return 1
    diff = int(np.max(np.abs(out - src))) if out.size else 0
    print(f"max {diff}")
    return 0 if diff == 0 else 1


def lossy_figures(out, omax, out_has_alpha, src, smax):
    """Figures of a lossy decode (RGBA arrays from rgba()) against the source, both at 8 bits: colour PSNR of the
    RGB weighted by the source's alpha (the colour as seen, so the invisible colour of transparent pixels does not
    count and alpha errors are not counted twice; plain RGB PSNR for opaque sources), whether the source has
    transparency, whether the output lost it (no alpha channel, or all opaque), the alpha PSNR and max difference."""
    out, src = to_8bit(out, omax), to_8bit(src, smax)
    transparent = bool(np.any(src[:, :, 3] != 255))
    if transparent:
        weight = src[:, :, 3:4].astype(np.float64) / 255.0
        color = psnr(out[:, :, :3] * weight, src[:, :, :3] * weight)
    else:
        color = psnr(out[:, :, :3], src[:, :, :3])
    figures = {"color": color, "transparent": transparent}
    if figures["transparent"]:
        figures["alpha_lost"] = not out_has_alpha or bool(np.all(out[:, :, 3] == 255))
        figures["alpha"] = psnr(out[:, :, 3], src[:, :, 3])
        figures["alpha_max"] = int(np.max(np.abs(out[:, :, 3] - src[:, :, 3])))
    return figures


def lossy(decoded, source, floor, alpha_rule, reference=None):
    out, omax, out_has_alpha = rgba(decoded)
    src, smax, _ = rgba(source)
    if out.shape != src.shape:
        print(f"size {out.shape[1]}x{out.shape[0]} vs source {src.shape[1]}x{src.shape[0]}")
        return 1
    f = lossy_figures(out, omax, out_has_alpha, src, smax)
    color = f["color"]
    ok = color >= floor or (reference is not None and color >= reference - 2.0)
    text = f"PSNR {fmt_db(color)} dB"
    if reference is not None:
        text += f" (reference encoder {fmt_db(reference)})"
    if f["transparent"] and alpha_rule != "none":
        if f["alpha_lost"]:
            text += ", alpha lost"
            ok = False
        elif alpha_rule == "exact":
            text += f", alpha max {f['alpha_max']}"
            ok = ok and f["alpha_max"] == 0
        else:
            text += f", alpha {fmt_db(f['alpha'])} dB"
            ok = ok and f["alpha"] >= floor
    elif f["transparent"]:
        text += " (alpha-weighted; format has no alpha)"
    print(text)
    return 0 if ok else 1


def read_y4m(path):
    data = open(path, "rb").read()
    header_end = data.index(b"\n")
    tags = data[:header_end].split(b" ")[1:]
    width = int(next(t[1:] for t in tags if t.startswith(b"W")))
    height = int(next(t[1:] for t in tags if t.startswith(b"H")))
    chroma = next((t[1:].decode() for t in tags if t.startswith(b"C")), "420")
    frame_end = data.index(b"\n", header_end + 1)
    if not data[header_end + 1:frame_end].startswith(b"FRAME"):
        raise ValueError(f"{path}: no FRAME after the header")
    return width, height, chroma, data[frame_end + 1:]


def y4m_difference(a_path, b_path):
    """None when the two decoders' YUV of the same AV1 stream is identical, else what differs. libavif writes the
    alpha plane after the YUV planes (tag C444alpha etc.); only the YUV planes are compared."""
    a, b = read_y4m(a_path), read_y4m(b_path)
    a, b = [(w, h, c[:-5], f[:len(f) - w * h]) if c.endswith("alpha") else (w, h, c, f) for w, h, c, f in (a, b)]
    if a[:2] != b[:2] or a[2].split("p")[0][:3] != b[2].split("p")[0][:3]:
        return f"format {a[0]}x{a[1]} C{a[2]} vs {b[0]}x{b[1]} C{b[2]}"
    if a[3] != b[3]:
        fa, fb = np.frombuffer(a[3], np.uint8), np.frombuffer(b[3], np.uint8)
        if fa.size != fb.size:
            return f"frame bytes {fa.size} vs {fb.size}"
        diff = np.nonzero(fa != fb)[0]
        return f"{diff.size} samples differ, first at byte {diff[0]}"
    return None


def same_y4m(a_path, b_path):
    difference = y4m_difference(a_path, b_path)
    print(difference or "identical")
    return 0 if difference is None else 1


def alpha_plane(y4m_path, decoded):
    width, height, _, frame = read_y4m(y4m_path)
    out, omax, has_alpha = rgba(decoded)
    if not has_alpha or out.shape[:2] != (height, width):
        print("decoded image has no alpha of that size")
        return 1
    plane = np.frombuffer(frame, np.uint8, count=width * height).astype(np.int64).reshape(height, width)
    diff = int(np.max(np.abs(plane - to_8bit(out[:, :, 3], omax))))
    print(f"alpha plane max {diff}")
    return 0 if diff == 0 else 1


def boxes(data, start, end):
    pos = start
    while pos + 8 <= end:
        size = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8].decode("latin-1")
        header = 8
        if size == 1:
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError(f"box {kind!r} at {pos} overruns its parent")
        yield kind, pos + header, pos + size
        pos += size


def uint(data, pos, n):
    return int.from_bytes(data[pos:pos + n], "big") if n else 0


def item_payloads(path):
    """(primary item's data, its auxiliary alpha item's data or None) of an AVIF file, through pitm/iref/iloc."""
    data = open(path, "rb").read()
    meta = next((b, e) for k, b, e in boxes(data, 0, len(data)) if k == "meta")
    children = {k: (b, e) for k, b, e in boxes(data, meta[0] + 4, meta[1])}  # meta is a FullBox
    b, _ = children["pitm"]
    version = data[b]
    primary = uint(data, b + 4, 2 if version == 0 else 4)
    alpha_items = []
    if "iref" in children:
        b, e = children["iref"]
        id_size = 2 if data[b] == 0 else 4
        for kind, rb, _ in boxes(data, b + 4, e):
            if kind == "auxl":
                from_id = uint(data, rb, id_size)
                count = uint(data, rb + id_size, 2)
                targets = [uint(data, rb + id_size + 2 + i * id_size, id_size) for i in range(count)]
                if primary in targets:
                    alpha_items.append(from_id)
    b, e = children["iloc"]
    version = data[b]
    offset_size, length_size = data[b + 4] >> 4, data[b + 4] & 15
    base_size, index_size = data[b + 5] >> 4, (data[b + 5] & 15 if version in (1, 2) else 0)
    pos = b + 6
    count_size = 2 if version < 2 else 4
    count = uint(data, pos, count_size)
    pos += count_size
    items = {}
    for _ in range(count):
        item_id = uint(data, pos, count_size)
        pos += count_size
        method = 0
        if version in (1, 2):
            method = uint(data, pos, 2) & 15
            pos += 2
        pos += 2  # data_reference_index
        base = uint(data, pos, base_size)
        pos += base_size
        extents = uint(data, pos, 2)
        pos += 2
        chunks = []
        for _ in range(extents):
            pos += index_size
            off = uint(data, pos, offset_size)
            pos += offset_size
            length = uint(data, pos, length_size)
            pos += length_size
            if method != 0:
                raise ValueError(f"item {item_id}: construction_method {method} is not file offsets")
            chunks.append(data[base + off:base + off + length])
        items[item_id] = b"".join(chunks)
    return items[primary], (items[alpha_items[0]] if alpha_items else None)


# A temporal delimiter OBU: obu_type 2, obu_has_size_field 1, obu_size 0 (AV1 §5.3.1). AV1-ISOBMFF samples leave
# it out; a low-overhead bitstream (§5.2) for `dav1d --demuxer section5` starts with one.
TEMPORAL_DELIMITER = bytes([2 << 3 | 2, 0])


def obus(path, outdir):
    color, alpha = item_payloads(path)
    os.makedirs(outdir, exist_ok=True)
    open(os.path.join(outdir, "color.obu"), "wb").write(TEMPORAL_DELIMITER + color)
    written = ["color.obu"]
    if alpha is not None:
        open(os.path.join(outdir, "alpha.obu"), "wb").write(TEMPORAL_DELIMITER + alpha)
        written.append("alpha.obu")
    print(" ".join(written))
    return 0


def main(argv):
    try:
        if argv[0] == "exact":
            return exact(argv[1], argv[2])
        if argv[0] == "psnr":
            return lossy(argv[1], argv[2], float(argv[3]), argv[4], float(argv[5]) if len(argv) > 5 else None)
        if argv[0] == "y4m":
            return same_y4m(argv[1], argv[2])
        if argv[0] == "y4m-alpha":
            return alpha_plane(argv[1], argv[2])
        if argv[0] == "obus":
            return obus(argv[1], argv[2])
    except (OSError, ValueError, KeyError, StopIteration, IndexError) as e:  # unreadable files are failures, reported
        print(f"error: {type(e).__name__} {e}")
        return 2
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
