#!/usr/bin/env bash
# OSS-Fuzz / ClusterFuzzLite build script: builds every libFuzzer harness with the compilers, flags and fuzzing
# engine the service provides, and writes into $OUT, per harness: the program (fuzz_<harness>), its seed corpus
# (fuzz_<harness>_seed_corpus.zip, from corpus/<harness>/), its dictionary (fuzz_<harness>.dict, fuzz/pop3.dict) and
# its options (fuzz_<harness>.options). The service's build.sh only has to call it:
#
#     $SRC/pop3spec/scripts/oss-fuzz-build.sh
#
# Honours CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE and OUT (and WORK for the build folder); anything unset gets
# a local default (clang, -fsanitize=fuzzer, build/oss-fuzz-out) so it can be tried by hand, e.g. with clang-14:
#
#     CC=clang-14 CXX=clang++-14 CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,fuzzer-no-link" \
#     CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out scripts/oss-fuzz-build.sh
#
# Optional arguments name the harnesses to build (default: all). Needs the Debian packages of
# scripts/install-deps.sh (yaml-cpp, fmt, OpenSSL, Asio) in the build image; nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=../fuzz/max_len.sh
source "$root/fuzz/max_len.sh"

CC=${CC:-clang}
CXX=${CXX:-clang++}
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
OUT=${OUT:-$root/build/oss-fuzz-out}
WORK=${WORK:-$root/build/oss-fuzz}
mkdir -p "$OUT" "$WORK"

# CMAKE_BUILD_TYPE is empty on purpose: the service's CFLAGS/CXXFLAGS alone decide optimisation and sanitizers.
# Warnings stay on but are not errors: the service's compiler is newer than the one the project pins.
cmake -S "$root" -B "$WORK" -G Ninja \
    -DCMAKE_BUILD_TYPE= \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
    -DPOP3SPEC_BUILD_FUZZERS=ON -DPOP3SPEC_BUILD_TESTS=OFF -DPOP3SPEC_BUILD_BENCHMARKS=OFF -DPOP3SPEC_WERROR=OFF \
    -DPOP3SPEC_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
    --no-warn-unused-cli >"$WORK/configure.log"

targets=()
if [ $# -gt 0 ]; then
    for h in "$@"; do targets+=("fuzz_$h"); done
else
    targets=(pop3spec_fuzzers)
fi
cmake --build "$WORK" --target "${targets[@]}" -j "$(nproc 2>/dev/null || echo 2)"

count=0
for exe in "$WORK"/fuzz/fuzz_*; do
    [ -x "$exe" ] && [ -f "$exe" ] || continue
    name=$(basename "$exe")
    h=${name#fuzz_}
    if [ $# -gt 0 ] && [[ ! " $* " =~ " $h " ]]; then continue; fi
    cp "$exe" "$OUT/$name"
    rm -f "$OUT/${name}_seed_corpus.zip"
    if [ -d "$root/corpus/$h" ]; then
        (cd "$root/corpus/$h" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
    fi
    cp "$root/fuzz/pop3.dict" "$OUT/$name.dict"
    max_len=$(max_len_of "$h")  # fuzz/max_len.sh, as scripts/fuzz.sh
    printf '[libfuzzer]\ndict = %s.dict\nmax_len = %s\ntimeout = 10\n' "$name" "$max_len" >"$OUT/$name.options"
    count=$((count + 1))
done
if [ $count -eq 0 ]; then
    echo "oss-fuzz-build.sh: no harness was built" >&2
    exit 1
fi
echo "oss-fuzz-build.sh: $count harnesses with seed corpora, dictionaries and options in $OUT"
