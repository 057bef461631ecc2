#!/usr/bin/env bash
# What each of libaom's coding tools is worth at speed 6, as avifenc drives it: the dev set of bench-avif.sh is
# encoded with `avifenc -y 420 -s 6` (the reference) and again with one tool switched by an advanced option
# (`-a key=value`, passed to aom_codec_set_option), the same quantizer per point; the report gives, per class, the
# BD-rate on SSIMULACRA2 and PSNR of each variant against the reference (positive = the tool saves that much when
# on). It tells which of the tools our encoder lacks is worth building first (docs/avif.md).
#
# usage: Benchmarks/ablate-libaom-avif.sh [--qualities "30 50 70 85"] [--tools "name=key=value ..."]
set -euo pipefail
cd "$(dirname "$0")/.."
QUALITIES="30 50 70 85"
# A variant is name=key=value; the defaults switch off what libaom speed 6 uses, or on what it leaves off.
TOOLS="no-rect=enable-rect-partitions=0 no-filter-intra=enable-filter-intra=0 no-edge-filter=enable-intra-edge-filter=0
no-smooth=enable-smooth-intra=0 no-paeth=enable-paeth-intra=0 no-cfl=enable-cfl-intra=0
no-angle-delta=enable-angle-delta=0 no-trellis=disable-trellis-quant=1 tune-psnr=tune=psnr
qm-on=enable-qm=1 chroma-deltaq-on=enable-chroma-deltaq=1 deltaq-on=deltaq-mode=1"
while [ $# -gt 0 ]; do
  case "$1" in
    --qualities) QUALITIES="$2"; shift ;;
    --tools) TOOLS="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
exec Benchmarks/bench-avif.sh --dev --qualities "$QUALITIES" --ablate-aom "$TOOLS"
