#!/usr/bin/env bash
# Fingerprints what the codecs and the pipeline produce, for refactors that must not change a single byte:
# SHA-256 of every encoder at every setting on a representative set of corpus images, of the decoded pixels of
# every corpus JPEG/PNG (JPEGs also at 1/2 and 1/8), and of a few `process` answers. Run it before and after a
# change and compare the two outputs with `diff`; any line that differs names the case that changed.
#
#   bash Scripts/codec-hashes.sh [path/to/imagestack] > before.txt
#
# The binary defaults to .build/release/imagestack (build it first). Output: one "case sha256" line per case,
# in a fixed order; a case whose command fails hashes its error message instead, so a new failure is a difference too.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/imagestack}
[ -x "$BIN" ] || { echo "no executable at $BIN: build with swift build -c release first" >&2; exit 2; }
CORPUS=Conformance/corpus
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

# run NAME COMMAND...: runs the command writing "$WORK/out", prints NAME and the hash of the output (or of the
# error message when the command fails).
run() {
    local name=$1; shift
    rm -f "$WORK/out"
    if "$@" > "$WORK/stdout" 2> "$WORK/stderr"; then
        echo "$name $(hash_of "$WORK/out")"
    else
        echo "$name error:$(hash_of "$WORK/stderr")"
    fi
}

# Encoders: colour, odd-sized colour, alpha, gray, gray+alpha, 16-bit, small RGBA, a JPEG source.
SOURCES=(photos/chelsea.png photos/logo.png photos/page.png photos/rocket.jpg png/monkey16.png
         png/vgl_5674_0098.png png/pngsuite/basn6a08.png png/pngsuite/basn4a08.png png/pngsuite/basi0g16.png)
SETTINGS=(
    "jpeg-q30-420|--format jpeg --quality 30"
    "jpeg-q85-420|--format jpeg --quality 85"
    "jpeg-q85-422|--format jpeg --quality 85 --subsampling 4:2:2"
    "jpeg-q85-444|--format jpeg --quality 85 --subsampling 4:4:4"
    "jpeg-q85-420-progressive|--format jpeg --quality 85 --progressive"
    "jpeg-q30-444-progressive|--format jpeg --quality 30 --subsampling 4:4:4 --progressive"
    "png|--format png"
    "webp-q30|--format webp --quality 30"
    "webp-q75|--format webp --quality 75"
    "webp-lossless|--format webp --lossless"
    "avif-q30|--format avif --quality 30"
    "avif-q60|--format avif --quality 60"
    "avif-q60-444|--format avif --quality 60 --subsampling 4:4:4"
    "avif-lossless|--format avif --lossless"
    "avif-q60-alpha50|--format avif --quality 60 --alpha-quality 50"
)
for source in "${SOURCES[@]}"; do
    for setting in "${SETTINGS[@]}"; do
        name=${setting%%|*}; options=${setting#*|}
        # shellcheck disable=SC2086
        run "encode:$source:$name" "$BIN" encode "$CORPUS/$source" -o "$WORK/out" $options
    done
done

# Decoders: every corpus JPEG and PNG.
while IFS= read -r file; do
    relative=${file#"$CORPUS/"}
    run "decode:$relative" "$BIN" decode "$file" -o "$WORK/out"
    case "$file" in
        *.jpg|*.jpeg)
            run "decode-1/2:$relative" "$BIN" decode "$file" -o "$WORK/out" --scale 1/2
            run "decode-1/8:$relative" "$BIN" decode "$file" -o "$WORK/out" --scale 1/8 ;;
    esac
done < <(find "$CORPUS" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort)

# The pipeline: resize, crop, conversions, alpha kept and dropped, lossless PNG conversion, JPEG re-encode.
printf '{"pngLossless": true}' > "$WORK/lossless.json"
PROCESS=(
    "photos/rocket.jpg|width=300&fmt=avif,webp|image/avif,image/webp|"
    "photos/rocket.jpg|width=300&fmt=webp|image/webp|"
    "photos/rocket.jpg|width=200&quality=40||"
    "photos/rocket.jpg|crop=4:3&width=320&quality=60||"
    "photos/logo.png|width=200&fmt=webp|image/webp|"
    "photos/logo.png|width=120&fmt=avif|image/avif|"
    "photos/logo.png|width=160||"
    "photos/chelsea.png|width=200&fmt=webp|image/webp|lossless"
    "photos/chelsea.png|crop=200,100,x10,y20&fmt=avif|image/avif|lossless"
    "png/pngsuite/basn6a08.png|width=16&fmt=webp|image/webp|"
    "png/monkey16.png|width=100||"
    "photos/page.png|width=100&fmt=avif|image/avif|"
)
for entry in "${PROCESS[@]}"; do
    IFS='|' read -r source query accept config <<< "$entry"
    args=("$BIN" process "$CORPUS/$source" --query "$query" -o "$WORK/out")
    [ -n "$accept" ] && args+=(--accept "$accept")
    [ "$config" = lossless ] && args+=(--config "$WORK/lossless.json")
    run "process:$source?$query:$accept:$config" "${args[@]}"
done
