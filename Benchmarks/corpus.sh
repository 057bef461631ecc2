# Sourced by the bench-*.sh scripts (after `cd` to the repository root): where the inputs are.
#   CORPUS        the in-repository test corpus (photos/, png/, jpeg/, tuning/, edge/)
#   LARGE         the large wallpapers, not committed (Benchmarks/large/)
#   need_large    fetches them with Benchmarks/fetch-large.sh when any is missing
CORPUS=Conformance/corpus
LARGE=Benchmarks/large
need_large() {
  bash Benchmarks/fetch-large.sh || { echo "Benchmarks/fetch-large.sh failed: no large images" >&2; exit 1; }
}
