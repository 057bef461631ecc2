#!/usr/bin/env bash
# Runs every Conformance/check-*.sh (each compares imagestack against a reference tool and prints a table).
# Needs a release build at .build/release/imagestack. Exits non-zero when any check fails.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for check in Conformance/check-*.sh; do
  [ -e "$check" ] || continue
  echo "-- $check"
  bash "$check" || status=1
done
exit $status
