#!/usr/bin/env python3
"""Where the bits of a WebP lossless (VP8L) file go, section by section: transforms, sub-images, colour cache,
entropy image, the prefix-code descriptions of every group, and the coded pixels split into literals, cache hits
and copies. Written from RFC 9649; a diagnostic for comparing two encoders' files of the same image, e.g.
  python3 Benchmarks/tools/vp8l-sections.py ours.webp cwebp.webp
"""
import sys

DISTANCE_MAP = [  # RFC 9649 §5.2.2: (xi, yi) of distance codes 1..120
    (0, 1), (1, 0), (1, 1), (-1, 1), (0, 2), (2, 0), (1, 2), (-1, 2), (2, 1), (-2, 1), (2, 2), (-2, 2), (0, 3),
    (3, 0), (1, 3), (-1, 3), (3, 1), (-3, 1), (2, 3), (-2, 3), (3, 2), (-3, 2), (0, 4), (4, 0), (1, 4), (-1, 4),
    (4, 1), (-4, 1), (3, 3), (-3, 3), (2, 4), (-2, 4), (4, 2), (-4, 2), (0, 5), (3, 4), (-3, 4), (4, 3), (-4, 3),
    (5, 0), (1, 5), (-1, 5), (5, 1), (-5, 1), (2, 5), (-2, 5), (5, 2), (-5, 2), (4, 4), (-4, 4), (3, 5), (-3, 5),
    (5, 3), (-5, 3), (0, 6), (6, 0), (1, 6), (-1, 6), (6, 1), (-6, 1), (2, 6), (-2, 6), (6, 2), (-6, 2), (4, 5),
    (-4, 5), (5, 4), (-5, 4), (3, 6), (-3, 6), (6, 3), (-6, 3), (0, 7), (7, 0), (1, 7), (-1, 7), (5, 5), (-5, 5),
    (7, 1), (-7, 1), (4, 6), (-4, 6), (6, 4), (-6, 4), (2, 7), (-2, 7), (7, 2), (-7, 2), (3, 7), (-3, 7), (7, 3),
    (-7, 3), (5, 6), (-5, 6), (6, 5), (-6, 5), (8, 0), (4, 7), (-4, 7), (7, 4), (-7, 4), (8, 1), (8, 2), (6, 6),
    (-6, 6), (8, 3), (5, 7), (-5, 7), (7, 5), (-7, 5), (8, 4), (6, 7), (-6, 7), (7, 6), (-7, 6), (8, 5), (7, 7),
    (-7, 7), (8, 6), (8, 7)]
ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]


class Bits:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def read(self, n):
        v = 0
        for k in range(n):
            byte = self.data[(self.pos + k) >> 3] if (self.pos + k) >> 3 < len(self.data) else 0
            v |= ((byte >> ((self.pos + k) & 7)) & 1) << k
        self.pos += n
        return v


class Code:
    """Canonical prefix code from lengths; decoded bit by bit (first bit read = most significant code bit)."""

    def __init__(self, lengths):
        self.single = None
        used = [s for s, l in enumerate(lengths) if l]
        if len(used) <= 1:
            self.single = used[0] if used else 0
            return
        self.table, code = {}, 0
        for length in range(1, 16):
            for s, l in enumerate(lengths):
                if l == length:
                    self.table[(length, code)] = s
                    code += 1
            code <<= 1

    def read(self, bits):
        if self.single is not None:
            return self.single
        code, length = 0, 0
        while True:
            code = (code << 1) | bits.read(1)
            length += 1
            if (length, code) in self.table:
                return self.table[(length, code)]
            if length > 15:
                raise ValueError("bad prefix code at bit %d" % bits.pos)


def read_code(bits, size):
    if bits.read(1):
        n = bits.read(1) + 1
        first = bits.read(8 if bits.read(1) else 1)
        lengths = [0] * size
        lengths[first] = 1
        if n == 2:
            lengths[bits.read(8)] = 1
        return Code(lengths)
    count = 4 + bits.read(4)
    cl = [0] * 19
    for k in range(count):
        cl[ORDER[k]] = bits.read(3)
    cl_code = Code(cl)
    max_symbol = size
    if bits.read(1):
        nbits = 2 + 2 * bits.read(3)
        max_symbol = 2 + bits.read(nbits)
    lengths, symbol, previous = [0] * size, 0, 8
    while symbol < size:
        if max_symbol == 0:
            break
        max_symbol -= 1
        c = cl_code.read(bits)
        if c < 16:
            lengths[symbol] = c
            symbol += 1
            if c:
                previous = c
        else:
            extra, offset = {16: (2, 3), 17: (3, 3), 18: (7, 11)}[c]
            repeat = offset + bits.read(extra)
            value = previous if c == 16 else 0
            for _ in range(repeat):
                lengths[symbol] = value
                symbol += 1
    return Code(lengths)


def prefix_value(bits, symbol):
    if symbol < 4:
        return symbol + 1
    extra = (symbol - 2) >> 1
    return ((2 + (symbol & 1)) << extra) + bits.read(extra) + 1


def image(bits, width, height, is_main, stats, label):
    start = bits.pos
    cache_bits = bits.read(4) if bits.read(1) else 0
    groups_of, tile_bits, tiles_x = None, 0, 1
    if is_main and bits.read(1):
        tile_bits = bits.read(3) + 2
        tiles_x = (width + (1 << tile_bits) - 1) >> tile_bits
        tiles_y = (height + (1 << tile_bits) - 1) >> tile_bits
        entropy = image(bits, tiles_x, tiles_y, False, stats, label + " entropy image")
        groups_of = [(p >> 8) & 0xffff for p in entropy]
    group_count = max(groups_of) + 1 if groups_of else 1
    code_start = bits.pos
    codes, per_code = [], [0] * 5
    for g in range(group_count):
        group = []
        for k, size in enumerate([256 + 24 + ((1 << cache_bits) if cache_bits else 0), 256, 256, 256, 40]):
            p0 = bits.pos
            group.append(read_code(bits, size))
            per_code[k] += bits.pos - p0
        codes.append(group)
    code_bits = bits.pos - code_start
    pixels, cache = [], [0] * (1 << cache_bits) if cache_bits else None
    split = {"literal": 0, "cache": 0, "copy": 0}
    counts = {"literal": 0, "cache": 0, "copy": 0}
    total = width * height
    last_cached = 0
    while len(pixels) < total:
        i = len(pixels)
        g = groups_of[(i // width >> tile_bits) * tiles_x + (i % width >> tile_bits)] if groups_of else 0
        c = codes[g]
        p0 = bits.pos
        green = c[0].read(bits)
        if green < 256:
            red, blue, alpha = c[1].read(bits), c[2].read(bits), c[3].read(bits)
            pixels.append(alpha << 24 | red << 16 | green << 8 | blue)
            kind = "literal"
        elif green < 280:
            length = prefix_value(bits, green - 256)
            code = prefix_value(bits, c[4].read(bits))
            if code > 120:
                distance = code - 120
            else:
                xi, yi = DISTANCE_MAP[code - 1]
                distance = max(1, xi + yi * width)
            for _ in range(length):
                pixels.append(pixels[len(pixels) - distance])
            kind = "copy"
        else:
            pixels.append(cache[green - 280])
            kind = "cache"
        split[kind] += bits.pos - p0
        counts[kind] += 1
        if cache is not None:
            for p in pixels[last_cached:]:
                cache[((p * 0x1e35a7bd) & 0xffffffff) >> (32 - cache_bits)] = p
            last_cached = len(pixels)
    del pixels[total:]
    stats.append((label, width, height, cache_bits, group_count, "%d (G %d R %d B %d A %d D %d)" % tuple([code_bits] + per_code), split, counts, bits.pos - start))
    return pixels


def analyse(path):
    data = open(path, "rb").read()
    at = data.find(b"VP8L")
    if at < 0:
        raise SystemExit(path + ": no VP8L chunk")
    bits = Bits(data[at + 8:])
    assert bits.read(8) == 0x2F
    width, height = bits.read(14) + 1, bits.read(14) + 1
    bits.read(4)
    stats = []
    xsize = width
    while bits.read(1):
        kind = bits.read(2)
        p0 = bits.pos
        if kind in (0, 1):
            b = bits.read(3) + 2
            image(bits, (xsize + (1 << b) - 1) >> b, (height + (1 << b) - 1) >> b, False, stats,
                  ["predictor", "cross colour"][kind] + " (tile %d)" % (1 << b))
        elif kind == 3:
            n = bits.read(8) + 1
            image(bits, n, 1, False, stats, "palette (%d colours)" % n)
            bundle = 3 if n <= 2 else 2 if n <= 4 else 1 if n <= 16 else 0
            xsize = (xsize + (1 << bundle) - 1) >> bundle
        else:
            stats.append(("subtract green", 0, 0, 0, 0, "", {}, {}, bits.pos - p0))
    image(bits, xsize, height, True, stats, "main image")
    print("%s: %d bytes, %dx%d" % (path, len(data), width, height))
    for label, w, h, cache_bits, groups, code_bits, split, counts, total in stats:
        if not w:
            print("  %-28s %6d bits" % (label, total))
            continue
        print("  %-28s %6d bits  %dx%d cache %d groups %d codes %s  " % (label, total, w, h, cache_bits, groups,
                                                                          code_bits)
              + " ".join("%s %d×=%d" % (k, counts[k], split[k]) for k in split if counts[k]))


for f in sys.argv[1:]:
    analyse(f)
