#!/usr/bin/env bash
# ICC-tagged sources (Conformance/corpus/icc) in headless Chromium: our sRGB conversion (`imagestack decode --srgb`
# to PNG, and the server's 100 % WebP from `imagestack process --query fmt=webp`, quality 90) against LittleCMS's conversion
# of the same file (ImageMagick's lcms delegate, relative colorimetric, to colord's sRGB.icc, profile stripped), all
# drawn on sRGB canvases by Chromium. Judged: our PNG within 1 step (matrix-shaper and gray sources) or PSNR ≥ 45 dB
# (CMYK LUT) of the reference; our WebP ≥ 35 dB (lossy). Reported, not judged: the tagged original as Chromium's own
# colour management (skcms) shows it, against the same reference. Also checks that our outputs carry no profile.
# Usage: check-icc-chromium.sh [IMAGESTACK_BINARY]   (KEEP_TMP=1 keeps the page)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome) || { echo "chromium is required"; exit 2; }
[ -x "$BIN" ] || { echo "no imagestack binary at $BIN (swift build -c release)"; exit 2; }
SRGB=/usr/share/color/icc/colord/sRGB.icc
[ -f "$SRGB" ] || { echo "$SRGB missing (apt-get install colord-data)"; exit 2; }
ICC=Conformance/corpus/icc
tmp=$(mktemp -d); [ -n "${KEEP_TMP:-}" ] && echo "temp: $tmp"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"; }
trap cleanup EXIT

items=""; failures=0
echo '{"quality": 90}' > "$tmp/rule.json"
for f in adobergb-colord.jpg adobergb-compatible.png prophoto.jpg rec709.jpg display-p3-like.jpg gray-linear.jpg \
         cmyk-swop.jpg srgb-colord.jpg srgb-hp.png; do
  base=${f%.*}
  case $f in cmyk-*) limit=45 ;; *) limit=1 ;; esac
  cp "$ICC/$f" "$tmp/$f"
  convert "$ICC/$f" -intent relative -profile "$SRGB" -strip -type TrueColor "$tmp/$base-lcms.png" 2>/dev/null
  "$BIN" decode "$ICC/$f" --srgb -o "$tmp/$base-ours.png" 2>/dev/null
  # Quality 90 (below the sources' own 92, which a pure conversion may not exceed without being skipped).
  "$BIN" process "$ICC/$f" --query 'fmt=webp' --config "$tmp/rule.json" --accept image/webp -o "$tmp/$base-ours.webp" 2>/dev/null
  [ "$(head -c 4 "$tmp/$base-ours.webp")" = RIFF ] || { echo "$base: process did not convert to WebP"; failures=$((failures + 1)); }
  for out in "$tmp/$base-ours.png" "$tmp/$base-ours.webp"; do
    if python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.exit(0 if b"iCCP" in d or b"ICCP" in d else 1)' "$out"; then
      echo "$(basename "$out") FAIL carries an ICC profile"; failures=$((failures + 1))
    fi
  done
  items+="{file: '$base-ours.png', ref: '$base-lcms.png', limit: $limit},"
  items+="{file: '$base-ours.webp', ref: '$base-lcms.png', limit: 32},"
  items+="{file: '$f', ref: '$base-lcms.png', limit: 0},"
done
cp Conformance/pagelib.js "$tmp/"
cat >"$tmp/index.html" <<HTML
<!doctype html><html><head><meta charset="utf-8"></head><body><pre id="result">pending</pre>
<script src="pagelib.js"></script><script>
const items = [$items];
(async () => {
  const lines = [];
  for (const it of items) {
    try {
      const a = pixels(await load(it.file)), b = pixels(await load(it.ref));
      if (a.length !== b.length) { lines.push(it.file + ' FAIL size'); continue; }
      let max = 0, sum = 0, n = 0;
      for (let i = 0; i < a.length; i += 4) for (let c = 0; c < 3; c++) {
        const d = a[i + c] - b[i + c]; sum += d * d; n++; max = Math.max(max, Math.abs(d));
      }
      const psnr = sum === 0 ? 99 : 10 * Math.log10(255 * 255 * n / sum);
      const text = ' max ' + max + ' PSNR ' + psnr.toFixed(2);
      if (it.limit === 0) lines.push(it.file + ' info' + text);
      else if (it.limit <= 1) lines.push(it.file + (max <= it.limit ? ' ok' : ' FAIL') + text);
      else lines.push(it.file + (psnr >= it.limit ? ' ok' : ' FAIL') + text);
    } catch (e) { lines.push(it.file + ' FAIL ' + e.message); }
  }
  document.getElementById('result').textContent = 'done\n' + lines.join('\n');
})();
</script></body></html>
HTML
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$tmp" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null && break; sleep 0.1; done
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" --virtual-time-budget=20000 \
  --dump-dom "http://127.0.0.1:$port/index.html" >"$tmp/dom.html" 2>"$tmp/chromium.err"
python3 - "$tmp/dom.html" <<'PY' >"$tmp/result.txt"
import html, re, sys
m = re.search(r'<pre id="result">(.*?)</pre>', open(sys.argv[1], encoding="utf-8", errors="replace").read(), re.S)
print(html.unescape(m.group(1)) if m else "no result in the DOM")
PY
[ "$(head -1 "$tmp/result.txt")" = done ] || { echo "Chromium did not finish: $(head -1 "$tmp/result.txt")"; exit 1; }
printf '%-32s %s\n' image "vs LittleCMS's sRGB conversion, both drawn by Chromium (info: the tagged original, Chromium's own CMS)"
tail -n +2 "$tmp/result.txt" | while read -r file rest; do printf '%-32s %s\n' "$file" "$rest"; done
failed=$(tail -n +2 "$tmp/result.txt" | grep -c ' FAIL')
ok=$(tail -n +2 "$tmp/result.txt" | grep -c ' ok ')
failures=$((failures + failed))
echo "icc in chromium: $ok of our outputs match LittleCMS, $failures failures"
[ "$failures" = 0 ]
