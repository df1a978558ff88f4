#!/usr/bin/env bash
# `pop3spec report` and `pop3spec run --json/--junit/--html/--md` end to end: the files are written, the JUnit
# validates, re-rendering a saved JSON gives byte for byte what was written from the run, `compare` works, and bad
# input is a usage error (exit 2).
#
# Usage: check_report_command.sh POP3SPEC SAMPLES_DIR SCHEMA_DIR [PYTHON CHROMIUM_CHECK]
set -euo pipefail
bin=$1 samples=$2 schema=$3 python=${4:-} chromium_check=${5:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Re-render the sample JSON: identical to what report_sample wrote from the run itself.
"$bin" report --html "$out/r.html" --md "$out/r.md" --junit "$out/r.xml" --json "$out/r.json" "$samples/sample.json"
# (Not the JSON itself: the sample holds raw invalid UTF-8, which the JSON writer normalises on the first pass.)
for f in html md xml; do cmp -s "$out/r.$f" "$samples/sample.$f" || fail "re-rendered r.$f differs from sample.$f"; done
[ -s "$out/r.json" ] || fail "no JSON written"
xmllint --noout --schema "$schema/junit.xsd" "$out/r.xml"
"$bin" report "$samples/sample.json" >"$out/stdout.md"
grep -q '^## ❌ pop3spec: pop3spec ready — 3 new failures$' "$out/stdout.md" || fail "no Markdown summary on stdout"

# 2. compare: two results, HTML and Markdown; one result alone is a usage error.
"$bin" report compare "$samples/sample.json" "$samples/sample.json" --label one --label two \
  --html "$out/c.html" --md "$out/c.md"
grep -q 'data-report="comparison" data-runs="2"' "$out/c.html" || fail "no comparison page"
grep -q '^| two | ' "$out/c.md" || fail "the labels are not used"
grep -q '0 with differing verdicts' "$out/c.md" || fail "identical runs differ"

status=0; "$bin" report compare "$samples/sample.json" 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "compare with one file exits $status, not 2"
status=0; "$bin" report "$out/missing.json" 2>"$out/err" || status=$?
[ "$status" -eq 2 ] || fail "a missing file exits $status, not 2"
grep -q 'missing.json' "$out/err" || fail "the error does not name the file"
printf '{"schema_version": 99}' >"$out/future.json"
status=0; "$bin" report "$out/future.json" 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "a newer schema_version exits $status, not 2"

# 3. pop3spec run writes all four formats (a few scenarios against the embedded reference server).
status=0
"$bin" run --color never --id 'rfc1939.stat.*' --timeout 5s --json "$out/run.json" --junit "$out/run.xml" \
  --html "$out/run.html" --md "$out/run.md" >"$out/run.log" 2>&1 || status=$?
[ "$status" -le 1 ] || { cat "$out/run.log"; fail "pop3spec run exited $status"; }
for f in json xml html md; do [ -s "$out/run.$f" ] || fail "pop3spec run did not write run.$f"; done
xmllint --noout --schema "$schema/junit.xsd" "$out/run.xml"
grep -q 'data-report="run"' "$out/run.html" || fail "run.html is not a report"
"$bin" report --html "$out/again.html" --md "$out/again.md" --junit "$out/again.xml" --json "$out/again.json" \
  "$out/run.json"
for f in html md xml json; do cmp -s "$out/again.$f" "$out/run.$f" || fail "report on run.json: $f differs from run's"; done
if [ -n "$python" ] && [ -n "$chromium_check" ]; then
  status=0; "$python" "$chromium_check" --html "$out/run.html" --json "$out/run.json" || status=$?
  [ "$status" -eq 0 ] || [ "$status" -eq 77 ] || fail "run.html fails in Chromium"
fi
echo "OK: pop3spec report and pop3spec run --json/--junit/--html/--md"
