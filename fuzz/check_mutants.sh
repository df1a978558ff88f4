#!/usr/bin/env bash
# Points the session harnesses at the reference server's test-only mutants (SessionFault in
# reference-server/src/engine/session.hpp): for each fault bit, replays corpus/session/ and corpus/session_chunked/
# with POP3SPEC_FUZZ_SESSION_FAULTS set and reports whether a property caught it (and which). With -t SECONDS, a fault
# the corpus misses is then fuzzed for that long with the libFuzzer build (build/fuzz) from the corpus.
#
#   fuzz/check_mutants.sh [-t SECONDS] [-r REPLAY_BUILD] [-f FUZZ_BUILD]
#     -r DIR   a non-fuzzer build with the harnesses (default build-fuzzrep; any GCC build of pop3spec_fuzzers)
#     -f DIR   the fuzz preset build (default build/fuzz), used with -t
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=max_len.sh
source fuzz/max_len.sh
seconds=0
replay=build-fuzzrep
fuzzb=build/fuzz
while [ $# -gt 0 ]; do
    case "$1" in
        -t) seconds=$2; shift 2 ;;
        -r) replay=$2; shift 2 ;;
        -f) fuzzb=$2; shift 2 ;;
        *) echo "usage: $0 [-t SECONDS] [-r REPLAY_BUILD] [-f FUZZ_BUILD]" >&2; exit 2 ;;
    esac
done
mapfile -t faults < <(sed -n 's/^ *\([a-z0-9_]*\) = 1ULL << \([0-9]*\),.*/\1 \2/p' reference-server/src/engine/session.hpp)
[ ${#faults[@]} -gt 0 ] || { echo "no SessionFault bits found" >&2; exit 2; }
work=$(mktemp -d)
caught=0
for entry in "${faults[@]}"; do
    name=${entry% *}
    bit=${entry#* }
    value=$((1 << bit))
    verdict="NOT caught by the corpus"
    for h in session session_chunked; do
        # The subshell (not the script) sees the abort, so bash's "Aborted" notice goes to /dev/null.
        rc=$( (POP3SPEC_FUZZ_SESSION_FAULTS=$value timeout 300 "$replay/fuzz/fuzz_$h" "corpus/$h" >/dev/null 2>"$work/out"
               echo $?) 2>/dev/null)
        if [ "$rc" != 0 ]; then
            verdict="caught ($h replay): $(grep -m1 -A1 'fuzz property failed' "$work/out" | tail -1 | cut -c3-110)"
            break
        fi
    done
    if [[ $verdict == NOT* ]] && [ "$seconds" -gt 0 ]; then
        mkdir -p "$work/$name"
        # The session harness's fuzzing length (fuzz/max_len.sh).
        POP3SPEC_FUZZ_SESSION_FAULTS=$value "$fuzzb/fuzz/fuzz_session" -max_total_time="$seconds" -dict=fuzz/pop3.dict \
            -max_len="$(max_len_of session)" -timeout=10 -artifact_prefix="$work/$name/" "$work/$name" corpus/session >"$work/fuzz.log" 2>&1
        if ls "$work/$name"/crash-* >/dev/null 2>&1; then
            t=$(grep -m1 -o 'fuzz property failed: .*' "$work/fuzz.log" | cut -c1-90)
            verdict="caught by fuzzing within ${seconds}s: $t"
        else
            verdict="NOT caught (corpus, ${seconds}s of fuzzing)"
        fi
    fi
    [[ $verdict == caught* ]] && caught=$((caught + 1))
    printf '%-36s %s\n' "$name" "$verdict"
done
echo "check_mutants: $caught of ${#faults[@]} mutants caught"
rm -rf "$work"
