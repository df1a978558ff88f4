#!/usr/bin/env bash
# Regenerates the committed example reports in reports/examples/ so they never drift from the code:
#   reference.*   the suite against the embedded reference server
#   dovecot.*     the suite against Debian's dovecot-pop3d (scripts/dovecot.sh: private, loopback only)
#   comparison.*  the two side by side
# Each run writes only its JSON; every other format is rendered from that JSON by `pop3spec report`, the same path
# a user takes. Start times, durations, ports and APOP timestamps differ between runs; the rest is reproducible.
#
# Usage: scripts/make-example-reports.sh [BUILD_DIR]     (default build/default; the pop3spec target is built)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/default}
if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
  if [ "$build" = build/default ]; then cmake --preset default >/dev/null; else
    echo "make-example-reports: $build is not a configured build folder" >&2; exit 2; fi
fi
cmake --build "$build" --target pop3spec
bin="$build/src/cli/pop3spec"
out=reports/examples
mkdir -p "$out"
work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# pop3spec run exits 1 when a scenario fails: an example may show failures, so 0 and 1 are both fine here.
run_suite() {
  local status=0
  "$bin" run --color never "$@" || status=$?
  if [ "$status" -gt 1 ]; then echo "make-example-reports: pop3spec run failed ($status)" >&2; exit "$status"; fi
}

echo "== reference server (embedded)"
run_suite --json "$out/reference.json" >"$work/reference.log"
tail -n 1 "$work/reference.log"

echo "== dovecot-pop3d"
# The project's Dovecot rig (src/tests/peers/dovecot_suite.sh: scripts/dovecot.sh on loopback, the fixture accounts,
# --seed-maildir, the implicit-TLS listener, scenarios/baselines/dovecot.yaml): one way to run Dovecot, not two.
status=0
bash src/tests/peers/dovecot_suite.sh "$bin" "$PWD" "$work/dovecot" >"$work/dovecot.log" 2>&1 || status=$?
if [ "$status" -gt 1 ] || [ ! -s "$work/dovecot/result.json" ]; then
  cat "$work/dovecot.log" >&2
  echo "make-example-reports: the Dovecot run failed ($status)" >&2
  exit 2
fi
cp "$work/dovecot/result.json" "$out/dovecot.json"
grep -E '^[0-9]+ scenario' "$work/dovecot/run.txt" || true

echo "== rendering from the JSON documents"
for name in reference dovecot; do
  "$bin" report --html "$out/$name.html" --md "$out/$name.md" --junit "$out/$name.xml" "$out/$name.json"
done
"$bin" report compare "$out/reference.json" "$out/dovecot.json" --label "pop3spec reference server" \
  --label "Dovecot" --html "$out/comparison.html" --md "$out/comparison.md"
if command -v xmllint >/dev/null 2>&1; then
  xmllint --noout --schema reports/schema/junit.xsd "$out/reference.xml" "$out/dovecot.xml"
fi
ls -l "$out"
