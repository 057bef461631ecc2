#!/usr/bin/env bash
# Loads a sample of `imagestack encode` outputs in headless Chromium: every output format (PNG, JPEG 4:2:0 and
# 4:4:4, WebP lossless and lossy, AVIF 4:2:0 and 4:4:4) from opaque RGB, opaque RGBA, gray, gray+alpha and
# translucent RGBA sources. The page (served by python3 -m http.server on 127.0.0.1, so canvases stay readable)
# loads each image, checks naturalWidth/naturalHeight against the source, draws it and the source PNG on canvases
# and compares the pixels in the page: lossless formats must be identical (colour premultiplied by alpha where the
# source is translucent), lossy ones above a PSNR floor (colour weighted by the source's alpha, alpha over all
# pixels; AVIF alpha relative to a libavif control). Control files made by cwebp and avifenc go through the same
# page and are reported, not judged. The page writes one line per image into the DOM, read back with --dump-dom;
# a screenshot goes to Conformance/artifacts/chromium-encoders.png (gitignored).
# Exits non-zero when any of our images fails. Usage: check-chromium.sh [IMAGESTACK_BINARY]  (KEEP_TMP=1 keeps
# the page and files for inspection)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
CORPUS=${CORPUS:-Conformance/corpus}
FLOOR=${CHROMIUM_FLOOR:-28}
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome) || { echo "chromium is required"; exit 2; }
[ -x "$BIN" ] || { echo "no imagestack binary at $BIN (swift build -c release)"; exit 2; }
ARTIFACTS=Conformance/artifacts
mkdir -p "$ARTIFACTS"
tmp=$(mktemp -d); [ -n "${KEEP_TMP:-}" ] && echo "temp: $tmp"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"; }
trap cleanup EXIT

# Sources: opaque RGB, opaque RGBA, gray, gray+alpha (gAMA 45455, sRGB-like), and translucent RGBA: PngSuite's
# basn6a08 with its gAMA 1.0 chunk dropped (pixels untouched). Chromium applies a PNG's gAMA to the source, but
# the encoders do not carry gAMA into their outputs, so with it the comparison would measure that divergence
# (reported separately), not decoding.
python3 - "$CORPUS/png/pngsuite/basn6a08.png" "$tmp/basn6a08-nogama.png" <<'EOF'
import sys
data, out, pos = open(sys.argv[1], "rb").read(), bytearray(), 8
out += data[:8]
while pos < len(data):
    n = int.from_bytes(data[pos:pos + 4], "big")
    if data[pos + 4:pos + 8] != b"gAMA":
        out += data[pos:pos + 12 + n]
    pos += 12 + n
open(sys.argv[2], "wb").write(out)
EOF
sources="$CORPUS/photos/coffee.png $CORPUS/photos/logo.png $CORPUS/photos/camera.png $CORPUS/png/variants/camera-gray-alpha.png
         $tmp/basn6a08-nogama.png"
items=""
failures=0
for src in $sources; do
  base=$(basename "$src" .png)
  [ "$src" -ef "$tmp/$base-source.png" ] || cp "$src" "$tmp/$base-source.png"
  read -r width height < <(python3 -c 'import sys, struct; d = open(sys.argv[1], "rb").read(24); print(*struct.unpack(">II", d[16:24]))' "$src")
  for fmt in png jpeg-420 jpeg-444 webp-lossless webp-q75 avif-420 avif-444; do
    case $fmt in
      png) args=(--format png); ext=png; kind=exact ;;
      jpeg-420) args=(--format jpeg --quality 75 --subsampling 4:2:0); ext=jpg; kind=lossy-noalpha ;;
      jpeg-444) args=(--format jpeg --quality 75 --subsampling 4:4:4); ext=jpg; kind=lossy-noalpha ;;
      webp-lossless) args=(--format webp --lossless); ext=webp; kind=exact ;;
      webp-q75) args=(--format webp --quality 75); ext=webp; kind=lossy ;;
      avif-420) args=(--format avif --quality 60 --subsampling 4:2:0); ext=avif; kind=lossy ;;
      avif-444) args=(--format avif --quality 60 --subsampling 4:4:4); ext=avif; kind=lossy ;;
    esac
    out="$base-$fmt.$ext"
    if ! "$BIN" encode "$src" -o "$tmp/$out" "${args[@]}" 2>"$tmp/err"; then
      printf '%-34s FAIL imagestack encode: %s\n' "$out" "$(head -1 "$tmp/err")"; failures=$((failures + 1)); continue
    fi
    control=""; [ "$ext" = avif ] && control="$base-control-avifenc-${fmt#avif-}.avif"
    items+="{file: '$out', source: '$base-source.png', width: $width, height: $height, kind: '$kind', control: '$control'},"
  done
  # Control: libwebp's own lossless file of the same source goes through the same comparison, so a difference
  # that comes from Chromium's premultiplied storage shows there too.
  # Likewise libavif/libaom at the quantizer of our quality 60 with its default (lossless) alpha. Control rows are
  # reported ("info"), not judged.
  if cwebp -quiet -lossless -exact "$src" -o "$tmp/$base-control-cwebp.webp" 2>/dev/null; then
    items+="{file: '$base-control-cwebp.webp', source: '$base-source.png', width: $width, height: $height, kind: 'control'},"
  fi
  for sub in 420 444; do
    if avifenc -s 6 -y $sub --min 25 --max 25 "$src" "$tmp/$base-control-avifenc-$sub.avif" >/dev/null 2>&1; then
      items+="{file: '$base-control-avifenc-$sub.avif', source: '$base-source.png', width: $width, height: $height, kind: 'control'},"
    fi
  done
done

cp Conformance/pagelib.js "$tmp/"
cat >"$tmp/index.html" <<HTML
<!doctype html>
<html><head><meta charset="utf-8"><title>imagestack encoders in Chromium</title>
<style>body{font:12px monospace;background:#9ab}figure{display:inline-block;margin:4px}img{max-width:160px;max-height:160px;display:block}</style>
</head><body>
<pre id="result">pending</pre>
<div id="gallery"></div>
<script src="pagelib.js"></script>
<script>
const items = [$items];
const floor = $FLOOR;
function psnr(sum, n) { return n === 0 || sum === 0 ? Infinity : 10 * Math.log10(255 * 255 * n / sum); }
async function measure(file, source) {
  const img = await load(file);
  const fig = document.createElement('figure');
  fig.appendChild(img);
  const cap = document.createElement('figcaption'); cap.textContent = file; fig.appendChild(cap);
  document.getElementById('gallery').appendChild(fig);
  const ref = pixels(await load(source));
  const got = img.naturalWidth * img.naturalHeight * 4 === ref.length ? pixels(img) : null;
  const m = {width: img.naturalWidth, height: img.naturalHeight, size: img.naturalWidth + 'x' + img.naturalHeight};
  if (!got) return m;
  // Chromium keeps decoded pixels premultiplied at 8 bits, and its PNG, WebP and AVIF decoders premultiply with
  // different rounding, so un-premultiplied colour of faint pixels is noise (alpha 1 turns ±1 into ±255). Colours
  // are therefore compared premultiplied by the source's alpha (colour as seen); "exact" needs alpha identical and
  // allows 2 steps of premultiplied colour where the source is translucent: libwebp's own lossless file of
  // camera-gray-alpha.png (the cwebp control rows) measures max 2 there, while dwebp gives its pixels back exactly.
  let colorMax = 0, colorSum = 0, alphaSum = 0, alphaMax = 0, translucent = false;
  for (let i = 0; i < ref.length; i += 4) {
    const a = ref[i + 3] / 255;
    if (ref[i + 3] !== 255) translucent = true;
    for (let c = 0; c < 3; c++) {
      const d = (ref[i + c] - got[i + c]) * a;
      colorSum += d * d; colorMax = Math.max(colorMax, Math.abs(d));
    }
    const da = ref[i + 3] - got[i + 3]; alphaSum += da * da; alphaMax = Math.max(alphaMax, Math.abs(da));
  }
  return Object.assign(m, {colorMax, alphaMax, translucent, max: Math.max(Math.round(colorMax), alphaMax),
    color: psnr(colorSum, ref.length / 4 * 3), alpha: psnr(alphaSum, ref.length / 4)});
}
async function check(item) {
  let m;
  try { m = await measure(item.file, item.source); } catch (e) { return 'FAIL decode error: ' + e.message; }
  if (m.width !== item.width || m.height !== item.height) return 'FAIL size ' + m.size;
  const exactText = ' ' + m.size + ' max ' + m.max + (m.translucent ? ' (premultiplied)' : '');
  const lossyText = ' ' + m.size + ' PSNR ' + m.color.toFixed(2) + (m.translucent && item.kind !== 'lossy-noalpha' ? ' alpha ' + m.alpha.toFixed(2) : '');
  if (item.kind === 'control') return 'info' + (item.file.endsWith('.webp') ? exactText : lossyText);
  if (item.kind === 'exact') return (m.alphaMax === 0 && m.colorMax <= (m.translucent ? 2 : 0) ? 'ok' : 'FAIL') + exactText;
  let ok = m.color >= floor;
  if (m.translucent && item.kind === 'lossy' && m.alpha < floor) {
    // Chromium's AVIF alpha differs from libavif's own decode of the same file (avifdec): libavif's file with
    // lossless alpha measures about 28 dB here too. Below the floor, alpha passes within 2 dB of that control.
    let control = null;
    if (item.control) { try { control = await measure(item.control, item.source); } catch (e) { control = null; } }
    ok = ok && control !== null && control.alpha !== undefined && m.alpha >= control.alpha - 2;
    return (ok ? 'ok' : 'FAIL') + lossyText + (control && control.alpha !== undefined ? ' (control alpha ' + control.alpha.toFixed(2) + ')' : ' (no control)');
  }
  return (ok ? 'ok' : 'FAIL') + lossyText;
}
(async () => {
  const lines = [];
  for (const item of items) {
    let r;
    try { r = await check(item); } catch (e) { r = 'FAIL ' + e; }
    lines.push(item.file + ' ' + r);
  }
  document.getElementById('result').textContent = 'done\n' + lines.join('\n');
})();
</script></body></html>
HTML

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$tmp" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/index.html"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile")
timeout 120 "$CHROMIUM" "${flags[@]}" --virtual-time-budget=20000 --dump-dom "$url" >"$tmp/dom.html" 2>"$tmp/chromium.err"
timeout 120 "$CHROMIUM" "${flags[@]}" --virtual-time-budget=20000 --window-size=1400,1600 \
  --screenshot="$PWD/$ARTIFACTS/chromium-encoders.png" "$url" >/dev/null 2>&1
python3 - "$tmp/dom.html" <<'PY' >"$tmp/result.txt"
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8", errors="replace").read()
m = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
print(html.unescape(m.group(1)) if m else "no result in the DOM")
PY
if [ "$(head -1 "$tmp/result.txt")" != done ]; then
  echo "Chromium did not finish the page: $(head -1 "$tmp/result.txt")"; head -5 "$tmp/chromium.err"; exit 1
fi
printf '%-34s %s\n' image "result (size, max difference or PSNR dB vs the source decoded by Chromium)"
tail -n +2 "$tmp/result.txt" | while read -r file rest; do printf '%-34s %s\n' "$file" "$rest"; done
loaded=$(tail -n +2 "$tmp/result.txt" | grep -c ' ok ')
controls=$(tail -n +2 "$tmp/result.txt" | grep -c ' info ')
failed=$(tail -n +2 "$tmp/result.txt" | grep -c ' FAIL')
failures=$((failures + failed))
echo "chromium: $loaded of our images decoded and matched, $failures failures, $controls control images (screenshot: $ARTIFACTS/chromium-encoders.png)"
[ "$failures" = 0 ]
