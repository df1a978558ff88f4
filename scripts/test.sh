#!/usr/bin/env bash
# README's test command: installs what is missing, then configures, builds and runs the whole test suite.
#   scripts/test.sh            default preset (GCC, RelWithDebInfo): every unit, integration and peer test,
#                              the format check, and the corpus replays
#   scripts/test.sh asan       the same suite under ASan + UBSan
#   scripts/test.sh default asan   both, one after the other
# Exits non-zero when any test fails. ctest's summary is the last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(default)
status=0
for preset in "${presets[@]}"; do
  echo "== cmake --workflow --preset $preset"
  if ! cmake --workflow --preset "$preset"; then status=1; fi
done
exit $status
