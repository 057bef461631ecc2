# Sourced by bench-encode-*.sh: strict mode, repository root, release binary, scratch directory, repeat count,
# corpus locations (the large images fetched when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IMAGESTACK_BIN:-.build/release/imagestack}
[ -x "$BIN" ] || swift build -c release >/dev/null
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
REPEAT=${REPEAT:-3}
source Benchmarks/corpus.sh
need_large
