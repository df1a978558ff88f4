#!/usr/bin/env bash
# The reference server's benchmark: pop3spec-server and Debian's dovecot-pop3d serve the same Maildirs on two
# loopback ports; pop3spec-loadgen (ours, one thread, one event loop) drives both and reports its own CPU.
#
#   reference-server/bench/run.sh [BUILD_DIR]      (default: build/default; needs pop3spec-server and
#                                                   pop3spec-loadgen built there)
# Environment: KEEP=1 keeps the work folder (logs, Maildirs); SECONDS_PER_RUN (default 5), CONCURRENCY (32), IDLE (10000), IDLE_AUTH (1000), HUGE (100000).
# Measures: full sessions/s; RETR throughput of a 1 MiB message; 10,000 idle sessions (1,000 authenticated) and
# pop3spec-server's RSS per session; login+STAT+UIDL time to first reply on a 100,000-message Maildir.
# Dovecot is started as `dovecot -F -c OWN.conf` by scripts/dovecot.sh (own base_dir, passwd-file, 127.0.0.1
# only, ssl=no); the system service is never touched. Everything it starts is stopped on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(realpath "${1:-$top/build/default}")
server_bin=$build/reference-server/src/app/pop3spec-server
loadgen=$build/reference-server/bench/pop3spec-loadgen
secs=${SECONDS_PER_RUN:-5}
conc=${CONCURRENCY:-32}
idle=${IDLE:-10000}
idle_auth=${IDLE_AUTH:-1000}
huge=${HUGE:-100000}
for b in "$server_bin" "$loadgen"; do [ -x "$b" ] || { echo "run.sh: build $b first" >&2; exit 2; }; done

ulimit -n "$(ulimit -Hn)"  # 10,000 idle sessions need as many descriptors on each side
work=$(mktemp -d /tmp/pop3spec-bench.XXXXXX)
chmod 755 "$work"  # dovecot's auth and mail processes run as other users
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  "$top/scripts/dovecot.sh" stop "$work/dovecot" >/dev/null 2>&1 || true
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== seeding $idle_auth accounts x 10 messages, a 1 MiB message, a $huge-message Maildir under $work"
accounts=$idle_auth
mail=$work/dovecot/mail
mkdir -p "$mail"
python3 "$here/seed_maildirs.py" "$mail" "$accounts" "$huge"
users="big huge"
for i in $(seq 0 $((accounts - 1))); do users="$users u$i"; done
: >"$work/users"
for u in $users; do echo "$u:secret" >>"$work/users"; done

echo "== starting dovecot"
dovecot_line=$(DOVECOT_USERS="$users" "$top/scripts/dovecot.sh" start "$work/dovecot")
dovecot_port=${dovecot_line##*:}
echo "$dovecot_line"

echo "== starting pop3spec-server"
"$server_bin" --listen 127.0.0.1:0 --store "maildir:$mail" --users "$work/users" --log-level error \
  --failed-auth-delay 0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/server.out" 2>/dev/null && break; sleep 0.1; done
server_line=$(head -1 "$work/server.out")
server_port=${server_line##*:}
echo "$server_line (pid $server_pid)"

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

declare -A result
for name in pop3spec dovecot; do
  port=$server_port; [ $name = dovecot ] && port=$dovecot_port
  echo "== $name: warm-up"
  "$loadgen" sessions "$port" u "$accounts" "$conc" 2 >/dev/null || true  # cold caches and indexes
  echo "== $name: full sessions, $conc concurrent, ${secs}s"
  out=$("$loadgen" sessions "$port" u "$accounts" "$conc" "$secs"); echo "$out"
  result[$name.sessions]=$(echo "$out" | field sessions_per_s)
  echo "== $name: RETR of a 1 MiB message, 200 times in one session"
  out=$("$loadgen" retr "$port" big 200); echo "$out"
  result[$name.retr]=$(echo "$out" | field mib_per_s)
  echo "== $name: login + STAT + UIDL on $huge messages (first run cold, second warm)"
  out=$("$loadgen" ttfr "$port" huge); echo "cold: $out"
  result[$name.ttfr_cold]=$(echo "$out" | field stat_ms)
  out=$("$loadgen" ttfr "$port" huge); echo "warm: $out"
  result[$name.ttfr]=$(echo "$out" | field stat_ms)
  result[$name.uidl]=$(echo "$out" | field uidl_complete_ms)
done

echo "== pop3spec: $idle idle sessions ($idle_auth authenticated on distinct accounts), on a fresh server process"
# A fresh process, so that memory freed by the runs above does not hide what idle sessions cost.
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
"$server_bin" --listen 127.0.0.1:0 --store "maildir:$mail" --users "$work/users" --log-level error \
  >"$work/server2.out" 2>"$work/server2.err" &
server_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/server2.out" 2>/dev/null && break; sleep 0.1; done
server_line=$(head -1 "$work/server2.out")
server_port=${server_line##*:}
"$loadgen" idle "$server_port" u 1 1 0 >/dev/null  # one session: thread-local and allocator set-up
before=$(rss_kib "$server_pid")
"$loadgen" idle "$server_port" u "$idle" "$idle_auth" 3 >"$work/idle.out" &
idle_pid=$!
for _ in $(seq 1 600); do grep -q mode=idle "$work/idle.out" 2>/dev/null && break; sleep 0.1; done
sleep 1
during=$(rss_kib "$server_pid")
wait "$idle_pid" || true
cat "$work/idle.out"
per=$(( (during - before) * 1024 / idle ))
echo "server RSS before ${before} KiB, holding ${during} KiB: $per bytes per session"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "== summary (pop3spec-server vs dovecot $(dovecot --version | cut -d' ' -f1))"
echo "full sessions/s:          ${result[pop3spec.sessions]} vs ${result[dovecot.sessions]}  (x$(ratio "${result[pop3spec.sessions]}" "${result[dovecot.sessions]}"))"
echo "RETR 1 MiB MiB/s:         ${result[pop3spec.retr]} vs ${result[dovecot.retr]}  (x$(ratio "${result[pop3spec.retr]}" "${result[dovecot.retr]}"))"
echo "login+STAT ms, $huge msgs: ${result[pop3spec.ttfr]} vs ${result[dovecot.ttfr]} warm; ${result[pop3spec.ttfr_cold]} vs ${result[dovecot.ttfr_cold]} cold"
echo "UIDL complete ms (warm):  ${result[pop3spec.uidl]} vs ${result[dovecot.uidl]}"
echo "idle sessions:            $idle held, $per bytes RSS per session"
