#!/usr/bin/env python3
"""PSNR in dB between two binary netpbm files (P5/P6, maxval 255) of the same size: used by bench-encode-jpeg.sh."""
import sys
import numpy as np


def read_pnm(path):
    data = open(path, "rb").read()
    fields, i = [], 0
    while len(fields) < 4:
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b"#":
            while data[i:i + 1] != b"\n":
                i += 1
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    return np.frombuffer(data[i + 1:], dtype=np.uint8).astype(np.float64)


a, b = read_pnm(sys.argv[1]), read_pnm(sys.argv[2])
mse = np.mean((a - b) ** 2)
print("%.3f" % (99.0 if mse == 0 else 10 * np.log10(255.0 * 255.0 / mse)))
