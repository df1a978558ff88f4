#!/usr/bin/env bash
# Fails (exit 1) when a tracked C++ file is not formatted as .clang-format says. Usage: check-format.sh [clang-format]
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${1:-clang-format-14}
mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.h' 2>/dev/null || find src reference-server fuzz -name '*.[ch]pp')
if [ ${#files[@]} -eq 0 ]; then echo "check-format: no files"; exit 0; fi
if "$tool" --dry-run --Werror "${files[@]}"; then
  echo "check-format: ${#files[@]} files formatted"
else
  echo "check-format: run '$tool -i' on the files above (or scripts/format.sh)" >&2
  exit 1
fi
