#!/usr/bin/env bash
# Integration: `pop3spec run` against Debian's dovecot-pop3d on a loopback port, seeded with --seed-maildir, graded
# against the committed baseline (scenarios/baselines/dovecot.yaml). Exit 0 when nothing fails beyond it.
# Usage: dovecot_run.sh POP3SPEC SOURCE_DIR     (exit 77 = skipped: dovecot is not installed)
set -euo pipefail
pop3spec=$1
src=$2
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  echo "dovecot is not installed (scripts/install-deps.sh installs it): skipped"
  exit 77
fi
export PATH="$PATH:/usr/sbin"
dir=$(mktemp -d /tmp/pop3spec-dovecot-XXXXXX)
cleanup() { bash "$src/scripts/dovecot.sh" stop "$dir" || true; rm -rf "$dir"; }
trap cleanup EXIT
# Dovecot's auth penalty (anvil) delays logins from an address after failures by up to 15 s; the suite fails
# logins on purpose, so the rig turns the penalty off.
started=$(DOVECOT_EXTRA='service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}' bash "$src/scripts/dovecot.sh" start "$dir")
echo "$started"
port=${started##*:}
export POP3SPEC_PASS=secret POP3SPEC_PASS2=secret POP3SPEC_EMPTY_PASS=secret
status=0
"$pop3spec" run --target "127.0.0.1:$port" --user alice --user2 bob --empty-user empty \
  --seed-maildir "$dir/mail/{user}" --scenarios "$src/scenarios" --baseline "$src/scenarios/baselines/dovecot.yaml" \
  --json "$dir/result.json" --color never || status=$?
if [ "$status" -ne 0 ]; then
  echo "pop3spec run exited $status: examine each failure above, then fix the runner or scenario, or record the"
  echo "divergence with its RFC clause in scenarios/baselines/dovecot.yaml"
fi
exit "$status"
