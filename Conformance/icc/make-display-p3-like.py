#!/usr/bin/env python3
"""Writes a Display-P3-like ICC v4 matrix-shaper profile (no free Display P3 profile ships in Debian):
primaries of SMPTE EG 432-1 (red 0.680/0.320, green 0.265/0.690, blue 0.150/0.060), D65 white, colorants adapted to
the D50 PCS with the Bradford transform (ICC.1:2010 Annex E), the sRGB curve as a `para` type 3 function, and
`chad`, `wtpt`, `desc` (mluc), `cprt` tags. Usage: make-display-p3-like.py OUT.icc"""
import struct, sys

def s15(v): return struct.pack(">i", int(round(v * 65536)))
def mat_mul(a, b): return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]
def mat_vec(a, v): return [sum(a[i][k] * v[k] for k in range(3)) for i in range(3)]
def inverse(m):
    a, b, c = m[0]; d, e, f = m[1]; g, h, i = m[2]
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return [[(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
            [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
            [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det]]
def xyz(x, y): return [x / y, 1.0, (1 - x - y) / y]

primaries = [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)]
white = xyz(0.3127, 0.3290)
d50 = [0.9642, 1.0, 0.8249]
P = [[xyz(*p)[r] for p in primaries] for r in range(3)]
S = mat_vec(inverse(P), white)
M = [[P[r][c] * S[c] for c in range(3)] for r in range(3)]
bradford = [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]]
cs, cd = mat_vec(bradford, white), mat_vec(bradford, d50)
chad = mat_mul(inverse(bradford), mat_mul([[cd[0] / cs[0], 0, 0], [0, cd[1] / cs[1], 0], [0, 0, cd[2] / cs[2]]], bradford))
colorants = mat_mul(chad, M)

def xyz_tag(v): return b"XYZ " + b"\0" * 4 + b"".join(s15(c) for c in v)
def mluc(text):
    u = text.encode("utf-16-be")
    return b"mluc" + b"\0" * 4 + struct.pack(">II", 1, 12) + b"enUS" + struct.pack(">II", len(u), 28) + u
srgb_curve = b"para" + b"\0" * 4 + struct.pack(">HH", 3, 0) + b"".join(
    s15(v) for v in (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045))
tags = [(b"desc", mluc("Display P3 (like)")), (b"cprt", mluc("No copyright, use freely")),
        (b"wtpt", xyz_tag(d50)), (b"chad", b"sf32" + b"\0" * 4 + b"".join(s15(v) for row in chad for v in row)),
        (b"rXYZ", xyz_tag([colorants[r][0] for r in range(3)])), (b"gXYZ", xyz_tag([colorants[r][1] for r in range(3)])),
        (b"bXYZ", xyz_tag([colorants[r][2] for r in range(3)])),
        (b"rTRC", srgb_curve), (b"gTRC", srgb_curve), (b"bTRC", srgb_curve)]
offset = 128 + 4 + 12 * len(tags)
table, data, shared = struct.pack(">I", len(tags)), b"", {}
for name, body in tags:
    if body in shared:  # the three TRCs share one element, as real profiles do
        table += name + struct.pack(">II", shared[body], len(body)); continue
    shared[body] = offset
    table += name + struct.pack(">II", offset, len(body))
    body += b"\0" * ((4 - len(body) % 4) % 4)
    data += body; offset += len(body)
header = struct.pack(">I", offset) + b"none" + bytes([4, 0x40, 0, 0]) + b"mntrRGB XYZ " + bytes(12) + b"acsp"
header += b"\0" * 24 + struct.pack(">I", 0) + b"".join(s15(v) for v in d50)
header += b"\0" * (128 - len(header))
open(sys.argv[1], "wb").write(header + table + data)
