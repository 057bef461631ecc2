#!/usr/bin/env bash
# Browser: headless Chromium loads a page of <img> tags through the server with its own Accept header, and the
# playground. Every image must decode (naturalWidth > 0) at the expected size; screenshots go to test-artifacts/.
source "$(dirname "$0")/lib/harness.bash"
S=18097
require_ports $S
CHROME="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$CHROME" ] || { echo "chromium not installed"; exit 1; }

SITE="$WORK/site"
mkdir -p "$SITE"
cp "$REPO"/samples/*.jpg "$REPO"/samples/*.png "$SITE/"
cat >"$SITE/page.html" <<'HTML'
<!doctype html><html><head><meta charset="utf-8"><title>images</title>
<style>img { border: 1px solid #ccc; margin: 4px; vertical-align: top; }</style></head><body>
<img data-w="200" src="/rocket.jpg?width=200&fmt=avif,webp">
<img data-w="240" src="/rocket.jpg?width=240&fmt=webp">
<img data-w="451" src="/chelsea.png?fmt=webp">
<img data-w="150" src="/logo.png?width=150&fmt=avif">
<img data-w="300" src="/retina.jpg?width=300&crop=1:1">
<img data-w="640" src="/rocket.jpg">
<pre id="result">pending</pre>
<script>
window.addEventListener('load', () => {
  const rows = [];
  let good = 0;
  for (const img of document.images) {
    const ok = img.complete && img.naturalWidth > 0 && img.naturalWidth === Number(img.dataset.w);
    if (ok) good++;
    rows.push((ok ? 'DECODED ' : 'BROKEN ') + img.getAttribute('src') + ' ' + img.naturalWidth + 'x' + img.naturalHeight);
  }
  document.getElementById('result').textContent = rows.join('\n') + '\nSUMMARY ' + good + '/' + document.images.length;
});
</script></body></html>
HTML
start_server srv $S --origin "$SITE"
B="http://127.0.0.1:$S"
chrome() { timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
  --no-first-run --user-data-dir="$WORK/chrome-profile" --virtual-time-budget=20000 "$@" 2>>"$WORK/chrome.log"; }

echo "== a page of <img> tags"
chrome --dump-dom "$B/page.html" >"$WORK/page.dom"
grep -E '^(DECODED|BROKEN)' "$WORK/page.dom" | sed 's/^/     /'
check "every <img> decoded at its expected width" "$(grep -o 'SUMMARY [0-9]*/[0-9]*' "$WORK/page.dom")" "SUMMARY 6/6"
check_match "Chromium's own Accept got AVIF for fmt=avif,webp" "$(grep '"GET /rocket.jpg?width=200&fmt=avif,webp"' "$WORK/srv.log" | head -1)" ' image/avif '
check_match "…and WebP for fmt=webp" "$(grep '"GET /rocket.jpg?width=240&fmt=webp"' "$WORK/srv.log" | head -1)" ' image/webp '
check_match "…and the PNG with alpha as AVIF" "$(grep '"GET /logo.png?width=150&fmt=avif"' "$WORK/srv.log" | head -1)" ' image/avif '
chrome --screenshot="$ART/browser-images.png" --window-size=1400,1000 "$B/page.html" >/dev/null
check "screenshot of the image page saved" "$([ -s "$ART/browser-images.png" ] && echo yes)" yes

echo "== the playground"
chrome --dump-dom "$B/_playground?width=200&fmt=webp" >"$WORK/playground.dom"
check_match "playground finished loading" "$(grep -o 'data-ready="yes"' "$WORK/playground.dom")" 'data-ready="yes"'
check_match "playground lists the samples" "$(cat "$WORK/playground.dom")" '<option>/rocket.jpg</option>'
check_match "playground shows the result type and size" "$(grep -o 'id="resInfo">[^<]*' "$WORK/playground.dom")" '200 · image/webp · [0-9.]+ (KiB|B) · 200×'
check_match "playground shows X-Img headers" "$(cat "$WORK/playground.dom")" 'x-img-operations: resize,convert'
check_match "playground shows the original beside it" "$(grep -o 'id="origInfo">[^<]*' "$WORK/playground.dom")" '200 · image/(jpeg|png) · '
chrome --screenshot="$ART/playground.png" --window-size=1400,1000 "$B/_playground?width=300&fmt=webp" >/dev/null
check "playground screenshot saved" "$([ -s "$ART/playground.png" ] && echo yes)" yes

summary
