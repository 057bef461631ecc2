#!/usr/bin/env bash
# Fetches the large benchmark wallpapers into Benchmarks/large/ (gitignored; ~16 MB, too big for the repository).
# Source: Debian's plasma-workspace-wallpapers package (KDE Visual Design Group, GPL-2+), downloaded with
# `apt-get download` and unpacked with `dpkg-deb -x`; six of its images are copied under names that say what each
# one exercises. The SHA-256 of each is pinned below: the files of plasma-workspace-wallpapers 4:5.27.5-2 (Debian
# 12). A later package version may change them; the script then says which differ (benchmark figures taken on
# other bytes are not comparable) but keeps them.
# Usage: Benchmarks/fetch-large.sh [--force]     (does nothing when every file is already there, unless --force)
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=Benchmarks/large
PACKAGE=plasma-workspace-wallpapers

# destination name | path inside the package | SHA-256 of the 4:5.27.5-2 file
FILES=(
  "autumn-2560x1600-prog444.jpg|usr/share/wallpapers/Autumn/contents/images/2560x1600.jpg|dfded25df13f5c2dfee68cafb23f69c3efb32b8a6931d82ebbe42de9810dd1e4"
  "canopee-3840x2160-rgb.png|usr/share/wallpapers/Canopee/contents/images/3840x2160.png|c538a5a7f7f78fbc129006b889acd8580e088f070df83509a1a7a7af9681ae43"
  "honeywave-5120x2880-base422.jpg|usr/share/wallpapers/Honeywave/contents/images/5120x2880.jpg|e75adbd953e9b7dc8946223e7f1f2c4a9378496e7597198f65b095356995c7ad"
  "kay-1080x1920-rgba.png|usr/share/wallpapers/Kay/contents/images/1080x1920.png|b7b2d58247e1cbb2054c8b39bb6078b785aa8763c47c0107560d25784b779df8"
  "safelanding-1622x2880-base420.jpg|usr/share/wallpapers/SafeLanding/contents/images/1622x2880.jpg|33317a403e96f76a46afe33a6f7761231c2b74bff40a36ae5053f3ad9d1f8250"
  "volna-5120x2880-prog444.jpg|usr/share/wallpapers/Volna/contents/images/5120x2880.jpg|abc30b4fc6f6a83b6156e6b59ac283c067de40af820aafac8ac7c4fd83a9607c"
)

complete=1
for entry in "${FILES[@]}"; do
  [ -f "$DEST/${entry%%|*}" ] || complete=0
done
if [ "$complete" = 1 ] && [ "${1:-}" != "--force" ]; then
  exit 0
fi

for tool in apt-get dpkg-deb sha256sum; do
  command -v "$tool" >/dev/null || { echo "fetch-large.sh: $tool is required (Debian/Ubuntu)" >&2; exit 2; }
done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
echo "fetch-large.sh: downloading $PACKAGE (~94 MB) with apt-get download" >&2
if ! (cd "$work" && apt-get download -q "$PACKAGE" >/dev/null 2>&1); then
  # No package index yet (fresh container): refresh it once, as root or through sudo.
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  (cd "$work" && apt-get download -q "$PACKAGE" >/dev/null)
fi
deb=$(ls "$work"/*.deb)
echo "fetch-large.sh: unpacking $(basename "$deb")" >&2
dpkg-deb -x "$deb" "$work/root"

mkdir -p "$DEST"
changed=0
for entry in "${FILES[@]}"; do
  IFS='|' read -r name inner pinned <<<"$entry"
  [ -f "$work/root/$inner" ] || { echo "fetch-large.sh: $inner is not in $(basename "$deb")" >&2; exit 1; }
  cp "$work/root/$inner" "$DEST/$name"
  actual=$(sha256sum "$DEST/$name" | cut -d' ' -f1)
  if [ "$actual" != "$pinned" ]; then
    echo "fetch-large.sh: WARNING $name differs from the pinned 4:5.27.5-2 file (sha256 $actual)" >&2
    changed=1
  fi
done
echo "fetch-large.sh: ${#FILES[@]} files in $DEST$([ $changed = 1 ] && echo ' (some differ from the pinned version, see above)')" >&2
