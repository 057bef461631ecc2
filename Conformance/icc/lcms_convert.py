#!/usr/bin/env python3
"""LittleCMS as the oracle: converts raw samples through an ICC profile to sRGB with tificc (relative colorimetric,
no black-point compensation, lcms's built-in sRGB as the output profile).

usage: lcms_convert.py IN.raw WIDTH HEIGHT MODE PROFILE OUT.raw [--exact]
  MODE: L, RGB, CMYK (8-bit samples, interleaved) or L16, RGB16 (16-bit native-endian samples).
  OUT.raw: RGB samples, 8-bit (or 16-bit native-endian for the 16-bit modes).
  --exact: tificc -c0, no precalculated transform (lcms then evaluates the profile's own curves per pixel; its
  precalculated gray → RGB table is a coarse sampling that is up to 10 steps off near black for gamma-1 grays).
TIFF files are written and read with ImageMagick (16-bit) or Pillow (8-bit), so no byte of ours is involved."""
import os, struct, subprocess, sys, tempfile

def hide_chromaticity_tags(path):
    """ImageMagick writes WhitePoint and PrimaryChromaticities (TIFF tags 318, 319); tificc then describes the input
    by them instead of by -i. Renumber both to private tags so the profile given on the command line is used."""
    d = bytearray(open(path, "rb").read())
    ifd = struct.unpack("<I", d[4:8])[0]
    for i in range(struct.unpack("<H", d[ifd:ifd + 2])[0]):
        o = ifd + 2 + 12 * i
        tag = struct.unpack("<H", d[o:o + 2])[0]
        if tag in (318, 319):
            d[o:o + 2] = struct.pack("<H", 65000 + tag - 318)
    open(path, "wb").write(d)

def main():
    src, w, h, mode, profile, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
    precalc = ["-c0"] if "--exact" in sys.argv[7:] else []
    with tempfile.TemporaryDirectory() as tmp:
        tin, tout = os.path.join(tmp, "in.tif"), os.path.join(tmp, "out.tif")
        data = open(src, "rb").read()
        if mode.endswith("16"):
            # 16-bit: ImageMagick writes the TIFF from raw 16-bit samples (Pillow cannot write 16-bit RGB TIFFs).
            kind = "gray" if mode == "L16" else "rgb"
            subprocess.run(["convert", "-size", f"{w}x{h}", "-depth", "16", "-endian", "LSB", f"{kind}:{src}",
                            "-define", "tiff:alpha=unspecified", "-type", "TrueColor" if kind == "rgb" else "Grayscale",
                            tin], check=True)
            hide_chromaticity_tags(tin)
            subprocess.run(["tificc", "-t1", "-w16"] + precalc + ["-i" + profile, tin, tout], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            subprocess.run(["convert", tout, "-depth", "16", "-endian", "LSB", "rgb:" + dst], check=True)
        else:
            from PIL import Image
            Image.frombytes(mode, (w, h), data).save(tin)
            subprocess.run(["tificc", "-t1"] + precalc + ["-i" + profile, tin, tout], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            open(dst, "wb").write(Image.open(tout).convert("RGB").tobytes())

main()
