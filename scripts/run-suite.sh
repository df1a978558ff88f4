#!/usr/bin/env bash
# README's main command: installs what is missing, builds pop3spec, and runs the conformance suite against the
# embedded reference server, writing reports to out/ (report.json, report.xml, report.html, report.md).
# Extra arguments go to `pop3spec run` (e.g. --target 127.0.0.1:110 --user alice to test another server).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target pop3spec
mkdir -p out
exec build/default/src/cli/pop3spec run --json out/report.json --junit out/report.xml --html out/report.html \
  --md out/report.md "$@"
