#!/usr/bin/env bash
# Runs every libFuzzer harness (or the ones named) for a given time, in parallel on the machine's cores, merges the
# inputs that add coverage into corpus/<harness>/, and prints per harness: executions per second, coverage (cov =
# edges, ft = features, from libFuzzer's final stats), corpus size, and every crash, leak, timeout or OOM with its
# reproducer and the command that replays it, and the CPU time each harness used (user + system, from the shell's
# `times`: what "N CPU-minutes per harness" is counted in). See docs/fuzzing.md.
#
#   scripts/fuzz.sh [-t SECONDS] [-j JOBS] [-b BUILD_DIR] [--no-build] [--no-merge] [--no-dict] [harness...]
#     -t SECONDS   time per harness (default 60)
#     -j JOBS      harnesses run at once (default: the number of cores)
#     -b DIR       build folder (default build/fuzz; build/fuzz-nosan: the fuzz-nosan preset, no sanitizers);
#                  build/<preset> is configured with that preset when it has no CMakeCache.txt yet
#     --no-build   do not (re)build the harnesses first
#     --no-merge   leave corpus/ untouched (new inputs stay in the run folder)
#     --no-dict    run without fuzz/pop3.dict (to measure what the dictionary brings)
#   harness        reply_parser, session, ... (default: every fuzz_* program in DIR/fuzz)
#
# Exit status: 0 when no harness found anything, 1 when one did, 2 on usage or build errors.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=60
jobs=$(nproc 2>/dev/null || echo 2)
build=build/fuzz
do_build=1
do_merge=1
use_dict=1
harnesses=()
while [ $# -gt 0 ]; do
    case "$1" in
        -t) seconds=$2; shift 2 ;;
        -j) jobs=$2; shift 2 ;;
        -b) build=$2; shift 2 ;;
        --no-build) do_build=0; shift ;;
        --no-merge) do_merge=0; shift ;;
        --no-dict) use_dict=0; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) harnesses+=("$1"); shift ;;
    esac
done

build=${build%/}
case "$build" in
    /*) build_abs=$build ;;
    *) build_abs=$root/$build ;;
esac

if [ $do_build -eq 1 ]; then
    if [ ! -f "$build/CMakeCache.txt" ]; then
        case "$build" in
            build/fuzz|build/fuzz-nosan) cmake --preset "${build#build/}" >/dev/null || exit 2 ;;
            *) echo "fuzz.sh: $build is not configured (cmake --preset fuzz -B $build, or -b build/fuzz)" >&2; exit 2 ;;
        esac
    fi
    if ! build_log=$(cmake --build "$build" --target pop3spec_fuzzers -j "$jobs" 2>&1); then
        tail -n 30 <<<"$build_log" >&2
        echo "fuzz.sh: build failed" >&2
        exit 2
    fi
fi
if [ ${#harnesses[@]} -eq 0 ]; then
    for exe in "$build"/fuzz/fuzz_*; do
        [ -x "$exe" ] && harnesses+=("$(basename "$exe" | sed 's/^fuzz_//')")
    done
fi
if [ ${#harnesses[@]} -eq 0 ]; then
    echo "fuzz.sh: no harnesses in $build/fuzz (configure with: cmake --preset fuzz)" >&2
    exit 2
fi

run_dir="$build_abs/fuzz-runs/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run_dir"
echo "fuzz.sh: ${#harnesses[@]} harnesses x ${seconds}s, $jobs at a time; logs and findings in $run_dir"

# Longest input per harness (shared with scripts/oss-fuzz-build.sh).
# shellcheck source=../fuzz/max_len.sh
source "$root/fuzz/max_len.sh"

run_one() {
    local h=$1 exe="$build_abs/fuzz/fuzz_$1" work="$run_dir/$1"
    mkdir -p "$work/new" "$root/corpus/$h"
    local dict=()
    [ $use_dict -eq 1 ] && dict=(-dict="$root/fuzz/pop3.dict")
    # New inputs go to work/new (the first folder); corpus/<h> is read as seeds only.
    "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -max_len="$(max_len_of "$h")" "${dict[@]}" -artifact_prefix="$work/" \
        "$work/new" "$root/corpus/$h" >"$work/fuzz.log" 2>&1 || true
    # This subshell's children so far are the fuzzer alone: its user and system CPU time are line 2 of `times`
    # (a builtin: not in a pipe or $(...), whose own subshell would have no children).
    times >"$work/times"
    if [ $do_merge -eq 1 ]; then
        # Keeps only the new inputs that add coverage to corpus/<h> (named by their SHA-1).
        "$exe" -merge=1 -max_len="$(max_len_of "$h")" "$root/corpus/$h" "$work/new" >"$work/merge.log" 2>&1 || true
    fi
}

running=0
for h in "${harnesses[@]}"; do
    if [ ! -x "$build/fuzz/fuzz_$h" ]; then echo "fuzz.sh: no harness $h" >&2; exit 2; fi
    run_one "$h" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

status=0
# "12m3.450s" -> seconds
cpu_seconds() {
    awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
                   printf "%.1f", t }' "$1"
}
printf '\n%-18s %10s %9s %8s %8s %8s %10s  %s\n' harness execs/s cpu-s cov ft corpus bytes result
for h in "${harnesses[@]}"; do
    work="$run_dir/$h"
    log="$work/fuzz.log"
    execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    # The last status line (DONE, or the last pulse/NEW before a crash) carries cov: and ft:.
    last=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -1 || true)
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    files=$(find "$root/corpus/$h" -type f | wc -l)
    bytes=$(du -sb "$root/corpus/$h" | cut -f1)
    findings=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    result=ok
    [ -n "$findings" ] && { result=FOUND; status=1; }
    cpu=$([ -s "$work/times" ] && cpu_seconds "$work/times" || true)
    printf '%-18s %10s %9s %8s %8s %8s %10s  %s\n' "$h" "${execs:-?}" "${cpu:-?}" "${cov:-?}" "${ft:-?}" "$files" "$bytes" \
        "$result"
done
for h in "${harnesses[@]}"; do
    work="$run_dir/$h"
    while IFS= read -r f; do
        [ -n "$f" ] || continue
        echo
        echo "== $h: $(basename "$f" | cut -d- -f1) $f"
        grep -m1 -E 'fuzz property failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$work/fuzz.log" || true
        echo "   replay:  $build/fuzz/fuzz_$h $f"
        echo "   GCC:     build-fuzzrep/fuzz/fuzz_$h $f   (any non-fuzzer build; POP3SPEC_FUZZ_VERBOSE=1 for session)"
        echo "   keep it: cp $f corpus/$h/regress-<what>.bin   (after the fix)"
    done < <(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
done
exit $status
