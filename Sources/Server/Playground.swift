#if canImport(Glibc)
import Glibc
#endif
import Formats

/// The page at `/_playground`: pick a sample image and parameters, see the result beside the original with its
/// size and X-Img-* headers. Plain HTML and JavaScript; images are fetched with the browser's image Accept header
/// so negotiation behaves as it does for <img>.
struct Playground: Sendable {
    let samples: [String]

    /// Files of the formats the server transforms at the top of the sample directory, sorted.
    static func listImages(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if FormatRegistry.defaultRuleExtensions.contains(RuleMatcher.fileExtension(name)) && !name.hasPrefix(".") {
                names.append(name)
            }
        }
        return names.sorted()
    }

    var samplesJSON: String {
        "[" + samples.map { "\"/\(jsonEscaped($0))\"" }.joined(separator: ", ") + "]\n"
    }

    var page: String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>ImageStack playground</title>
        <style>
          body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
          fieldset { display: flex; flex-wrap: wrap; gap: .8em 1.4em; border: 1px solid #ccc; padding: .8em 1em; }
          label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
          input, select { font: inherit; padding: 2px 4px; }
          input[type=number] { width: 6em; }
          .panes { display: flex; gap: 1.5em; margin-top: 1em; align-items: flex-start; }
          .pane { flex: 1; min-width: 0; }
          .pane img { max-width: 100%; border: 1px solid #ddd; background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 0 0/16px 16px; }
          pre { background: #f6f6f6; padding: .6em; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
          code { background: #f0f0f0; padding: 1px 4px; }
        </style></head>
        <body>
        <h1>ImageStack playground</h1>
        <form id="form"><fieldset>
          <label>image <select id="sample"></select></label>
          <label>or path <input id="path" placeholder="/photo.jpg" size="18"></label>
          <label>width <input id="width" type="number" min="1"></label>
          <label>height <input id="height" type="number" min="1"></label>
          <label>fit <select id="fit"><option value="">(default)</option><option>fit</option><option>bounds</option><option>cover</option><option>force</option></select></label>
          <label>crop <input id="crop" placeholder="4:3 or 200,200,x10,y10" size="18"></label>
          <label>quality <input id="quality" type="number" min="0" max="100"></label>
          <label>fmt <select id="fmt"><option value="">(none)</option><option>webp</option><option>avif</option><option>avif,webp</option></select></label>
          <label>Accept <input id="accept" size="40" value="image/avif,image/webp,image/apng,image/*,*/*;q=0.8"></label>
          <label>&nbsp;<button type="submit">Show</button></label>
        </fieldset></form>
        <p>URL: <code id="url"></code></p>
        <div class="panes">
          <div class="pane"><h2>Original</h2><img id="origImg" alt="original"><p id="origInfo"></p></div>
          <div class="pane"><h2>Result</h2><img id="resImg" alt="result"><p id="resInfo"></p><pre id="resHeaders"></pre></div>
        </div>
        <script>
        const $ = id => document.getElementById(id);
        function kb(n) { return n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B'; }
        async function load(url, img, info, headersBox, accept) {
          const started = performance.now();
          const response = await fetch(url, { headers: { 'Accept': accept }, cache: 'no-store' });
          const blob = await response.blob();
          const ms = Math.round(performance.now() - started);
          if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
          img.src = URL.createObjectURL(blob);
          await new Promise(done => { img.onload = img.onerror = done; });
          info.textContent = response.status + ' · ' + (response.headers.get('content-type') || '?') + ' · ' + kb(blob.size)
            + ' · ' + img.naturalWidth + '×' + img.naturalHeight + ' · ' + ms + ' ms';
          if (headersBox) {
            const lines = [];
            for (const [name, value] of response.headers) {
              if (name.startsWith('x-img') || name === 'img-skip-reason' || name === 'vary' || name === 'etag' || name === 'content-type' || name === 'content-length')
                lines.push(name + ': ' + value);
            }
            headersBox.textContent = lines.join('\\n');
          }
          return blob.size;
        }
        async function show(event) {
          if (event) event.preventDefault();
          const path = $('path').value.trim() || $('sample').value;
          if (!path) return;
          const params = new URLSearchParams();
          for (const key of ['width', 'height', 'fit', 'crop', 'quality', 'fmt']) {
            const value = $(key).value.trim();
            if (value) params.set(key, value);
          }
          const query = params.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
          const url = path + (query ? '?' + query : '');
          $('url').textContent = url;
          // The original: no parameters and an Accept without WebP/AVIF, so nothing is converted.
          const originalSize = await load(path, $('origImg'), $('origInfo'), null, 'image/jpeg,image/png');
          const resultSize = await load(url, $('resImg'), $('resInfo'), $('resHeaders'), $('accept').value);
          if (originalSize > 0) $('resInfo').textContent += ' · ' + Math.round(100 * resultSize / originalSize) + '% of original';
          document.body.dataset.ready = 'yes';
        }
        fetch('/_playground/samples.json').then(r => r.json()).then(list => {
          for (const name of list) { const o = document.createElement('option'); o.textContent = name; $('sample').appendChild(o); }
          const preset = new URLSearchParams(location.search);
          for (const key of ['width', 'height', 'fit', 'crop', 'quality', 'fmt', 'path']) if (preset.get(key)) $(key).value = preset.get(key);
          if (list.length || $('path').value) show();
        });
        $('form').addEventListener('submit', show);
        </script>
        </body></html>
        """
    }
}
