#!/usr/bin/env python3
"""Compare the pixels of two netpbm files (P5, P6, P7; any maxval) and print the maximum sample difference.

Samples are compared after scaling both files to the larger maxval (bit replication makes 1/2/4-bit PNG gray exact).
Exit status: 0 when identical within --tolerance, 1 when different, 2 when unreadable or the shapes differ.
Usage: pnmcompare.py OURS REFERENCE [--tolerance N]
"""
import sys


def read_pnm(path):
    data = open(path, "rb").read()
    magic = data[:2]
    pos = 2

    def token():
        nonlocal pos
        while True:
            while pos < len(data) and data[pos] in b" \t\r\n":
                pos += 1
            if pos < len(data) and data[pos:pos + 1] == b"#":
                while pos < len(data) and data[pos:pos + 1] != b"\n":
                    pos += 1
                continue
            break
        start = pos
        while pos < len(data) and data[pos] not in b" \t\r\n":
            pos += 1
        return data[start:pos].decode("ascii")

    if magic in (b"P5", b"P6"):
        width, height, maxval = int(token()), int(token()), int(token())
        depth = 1 if magic == b"P5" else 3
    elif magic == b"P7":
        fields = {}
        while True:
            t = token()
            if t == "ENDHDR":
                break
            fields[t] = token()
        width, height, depth = int(fields["WIDTH"]), int(fields["HEIGHT"]), int(fields["DEPTH"])
        maxval = int(fields["MAXVAL"])
    else:
        raise ValueError(f"{path}: not P5/P6/P7")
    pos += 1
    n = width * height * depth
    if maxval > 255:
        raw = data[pos:pos + 2 * n]
        samples = [raw[2 * i] << 8 | raw[2 * i + 1] for i in range(n)]
    else:
        samples = data[pos:pos + n]
    if len(samples) != n:
        raise ValueError(f"{path}: truncated pixel data")
    return width, height, depth, maxval, samples


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tolerance = 0
    if "--tolerance" in sys.argv:
        tolerance = int(sys.argv[sys.argv.index("--tolerance") + 1])
        args = [a for a in args if a != str(tolerance)]
    try:
        a = read_pnm(args[0])
        b = read_pnm(args[1])
    except Exception as e:  # unreadable input is a failed comparison, reported as such
        print(f"error {e}")
        return 2
    if a[:3] != b[:3]:
        print(f"shape {a[0]}x{a[1]}x{a[2]} vs {b[0]}x{b[1]}x{b[2]}")
        return 2
    if a[3] == b[3] and bytes(a[4]) == bytes(b[4]) if a[3] <= 255 else (a[3] == b[3] and a[4] == b[4]):
        print("max 0")
        return 0
    top = max(a[3], b[3])
    sa = a[4] if a[3] == top else [v * top // a[3] for v in a[4]]
    sb = b[4] if b[3] == top else [v * top // b[3] for v in b[4]]
    diff = max(abs(x - y) for x, y in zip(sa, sb))
    print(f"max {diff}")
    return 0 if diff <= tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
