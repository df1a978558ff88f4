#!/usr/bin/env bash
# Installs everything pop3spec needs to build, test and fuzz on Debian 12, from Debian's packages only.
# Idempotent: packages already present are skipped, so a second run costs one dpkg query.
# Usage: scripts/install-deps.sh            (as root, or with sudo available)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libasio-dev libyaml-cpp-dev libgtest-dev libgmock-dev libfmt-dev libssl-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev llvm-14 clang-format-14
  openssl python3 python3-yaml python3-jsonschema curl libxml2-utils procps
  # Headless browser the HTML report test renders the page in (reports: no console errors, totals match).
  chromium
  # Third-party peer server the runner is proven against (started by the tests on loopback, never as a service).
  dovecot-core dovecot-pop3d
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "install-deps: installing ${missing[*]}"
# Dovecot's package would start the system-wide service on install; a policy-rc.d that refuses every start keeps
# it stopped while apt runs (tests start their own dovecot on a loopback port with their own config).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
