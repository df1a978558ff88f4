#!/usr/bin/env bash
# The whole suite against Debian's dovecot-pop3d (issues 4 and 5): a private Dovecot started by scripts/dovecot.sh on
# a free loopback port, seeded through --seed-maildir, graded against scenarios/baselines/dovecot.yaml. Exit 0 when
# nothing fails beyond the baseline and nothing errs; Dovecot is always stopped.
#
#   dovecot_suite.sh POP3SPEC SOURCE_DIR OUT_DIR [extra `pop3spec run` options...]
#
# OUT_DIR keeps result.json, result.xml (JUnit), run.txt (the human output) and dovecot.log. Extra options are
# passed on (e.g. --html r.html --md r.md for the example reports, or --strict). Exit 77: dovecot is not installed.
set -euo pipefail
pop3spec=${1:?usage: dovecot_suite.sh POP3SPEC SOURCE_DIR OUT_DIR [options...]}
src=${2:?usage: dovecot_suite.sh POP3SPEC SOURCE_DIR OUT_DIR [options...]}
out=${3:?usage: dovecot_suite.sh POP3SPEC SOURCE_DIR OUT_DIR [options...]}
shift 3
export PATH="$PATH:/usr/sbin:/sbin"
if ! command -v dovecot >/dev/null 2>&1; then
  echo "dovecot is not installed (Debian: dovecot-pop3d; scripts/install-deps.sh): skipped"
  exit 77
fi
mkdir -p "$out"
out=$(realpath "$out")
rm -f "$out/result.json" "$out/result.xml" "$out/run.txt" "$out/dovecot.log"
# The rig lives under /tmp: Dovecot's unix sockets sit in its base_dir, and socket paths are limited to 108 octets.
rig=$(mktemp -d /tmp/pop3spec-dovecot-XXXXXX)
watchdog=
cleanup() {
  if [ -n "$watchdog" ]; then
    pkill -P "$watchdog" 2>/dev/null || true  # its sleep: the watchdog subshell then ends without stopping anything
    kill "$watchdog" 2>/dev/null || true
  fi
  bash "$src/scripts/dovecot.sh" stop "$rig" >/dev/null 2>&1 || true
  cp "$rig/dovecot.log" "$out/dovecot.log" 2>/dev/null || true
  rm -rf "$rig"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The script picks a free port and then binds it: retry if another process took it in between.
started=
for _ in 1 2 3; do
  if started=$(bash "$src/scripts/dovecot.sh" start "$rig"); then break; fi
  bash "$src/scripts/dovecot.sh" stop "$rig" >/dev/null 2>&1 || true
  started=
done
[ -n "$started" ] || { echo "dovecot did not start"; exit 1; }
# If ctest kills this script at its TIMEOUT (300 s; SIGKILL runs no trap), Dovecot still stops by itself.
(sleep 290 && bash "$src/scripts/dovecot.sh" stop "$rig") >/dev/null 2>&1 &
watchdog=$!
echo "$started" | sed "s/\$/ ($(dovecot --version))/"
port=${started##*:}
# The implicit-TLS listener (RFC 8314) for the scenarios that connect with TLS from the start.
implicit=()
tls_line=$(echo "$started" | grep '^dovecot pop3s ' || true)
[ -z "$tls_line" ] || implicit=(--implicit-target "${tls_line##* }")

export POP3SPEC_PASS=secret POP3SPEC_PASS2=secret POP3SPEC_EMPTY_PASS=secret
status=0
"$pop3spec" run --target "127.0.0.1:$port" "${implicit[@]}" --user alice --user2 bob --empty-user empty \
  --seed-maildir "$rig/mail/{user}" --scenarios "$src/scenarios" --fixtures "$src/scenarios/fixtures" \
  --baseline "$src/scenarios/baselines/dovecot.yaml" --global-timeout 240s \
  --json "$out/result.json" --junit "$out/result.xml" --color never "$@" >"$out/run.txt" 2>&1 || status=$?
# ctest shows the summary and every line that is not a pass; run.txt has them all.
grep -v -E '^\[ *[0-9]+/[0-9]+\] (PASS|SKIP) ' "$out/run.txt" || true
echo "results: $out/result.json"
if [ "$status" -ne 0 ]; then
  echo "pop3spec run exited $status: examine each failure above (transcripts in result.json), then fix the runner"
  echo "or the scenario, or record the divergence with its RFC clause in scenarios/baselines/dovecot.yaml"
fi
exit "$status"
