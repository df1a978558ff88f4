#!/usr/bin/env bash
# Runs Debian's dovecot-pop3d as a private test peer: its own config, base_dir, passwd-file and Maildirs under DIR,
# listening on 127.0.0.1 only. The system-wide service is never touched.
#
#   scripts/dovecot.sh start DIR [PORT]   write DIR/dovecot.conf, start dovecot in the background, wait until the
#                                          POP3 greeting arrives; prints "dovecot pop3s 127.0.0.1:TLSPORT" (implicit
#                                          TLS, RFC 8314) and then, as its last line, "dovecot pop3 127.0.0.1:PORT"
#   scripts/dovecot.sh stop DIR            stop it (SIGTERM, then SIGKILL after 5 s)
#
# Accounts (the standard fixture users): alice, bob, empty with password "secret"; their Maildirs are
# DIR/mail/USER/ (write messages there, e.g. with `pop3spec run --seed-maildir DIR/mail/alice`).
# Environment: DOVECOT_USERS="alice bob empty" overrides the account list; DOVECOT_EXTRA adds config lines;
# DOVECOT_AUTH_DELAYS=default keeps Dovecot's failed-login delays (see below); DOVECOT_TLS=no turns off STLS and
# the pop3s listener (by default a self-signed certificate for localhost is made in DIR); DOVECOT_APOP=no turns off
# APOP (by default `auth_mechanisms = plain apop`, so the greeting carries an APOP timestamp).
#
# Failed logins: by default Dovecot holds every failed authentication for auth_failure_delay (2 s) and, through
# anvil's auth penalty, delays the next logins from the same IP by 2..15 s. The suite fails logins on purpose dozens
# of times, so the rig sets auth_failure_delay = 0 (the auth process still answers on its 0.5 s failure timer) and
# disables the penalty the way Dovecot documents (no anvil-auth-penalty listener). Both are deployment settings: the
# POP3 code paths are unchanged. The security scenario that records the failed-login delay then sees ~0.5 s.
# disable_plaintext_auth keeps its default (yes): Dovecot counts 127.0.0.1 as secured, so USER/PASS and PLAIN
# still work on the loopback listener, as they would for any local client.
# login_trusted_networks is deliberately not set: it tags the greeting with [XCLIENT], and with 127.0.0.0/8 trusted
# 2.3.19 still applied both delays here (its documentation says trusted networks skip the penalty).
set -euo pipefail

cmd=${1:?usage: dovecot.sh start|stop DIR [PORT]}
dir=${2:?usage: dovecot.sh start|stop DIR [PORT]}
dir=$(realpath -m "$dir")

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
start)
  port=${3:-$(free_port)}
  tls_port=0
  tls_conf='ssl = no'
  if [ "${DOVECOT_TLS:-yes}" != no ]; then
    tls_port=$(free_port)
    [ "$tls_port" != "$port" ] || tls_port=$(free_port)
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost -keyout "$dir/key.pem" \
      -out "$dir/cert.pem" >/dev/null 2>&1
    tls_conf="ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem"
  fi
  mechanisms='plain apop'
  [ "${DOVECOT_APOP:-yes}" = no ] && mechanisms=plain
  mkdir -p "$dir/run" "$dir/mail"
  # Dovecot refuses to access mail as root: as root the Maildirs belong to nobody (files written later by root
  # with mode 644 stay readable, and the folders stay writable for dovecot's renames and unlinks).
  if [ "$(id -u)" -eq 0 ]; then
    me_uid=$(id -u nobody) me_gid=$(id -g nobody)
  else
    me_uid=$(id -u) me_gid=$(id -g)
  fi
  : >"$dir/passwd"
  for u in ${DOVECOT_USERS:-alice bob empty}; do
    mkdir -p "$dir/mail/$u/cur" "$dir/mail/$u/new" "$dir/mail/$u/tmp"
    # {PLAIN} scheme: the test rig's secrets are not secret; uid/gid are the caller's so mail files stay readable.
    echo "$u:{PLAIN}secret:$me_uid:$me_gid::$dir/mail/$u" >>"$dir/passwd"
  done
  chown -R "$me_uid:$me_gid" "$dir/mail"
  auth_delays='auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}'
  [ "${DOVECOT_AUTH_DELAYS:-}" = default ] && auth_delays=''
  cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/run/state
instance_name = pop3spec-dovecot-$port
protocols = pop3
listen = 127.0.0.1
${tls_conf}
auth_mechanisms = ${mechanisms}
mail_location = maildir:~
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
pop3_uidl_format = %08Xu%08Xv
pop3_lock_session = yes
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $port
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $tls_port
    ssl = yes
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/passwd
}
userdb {
  driver = passwd-file
  args = $dir/passwd
}
${auth_delays}
${DOVECOT_EXTRA:-}
CONF
  mkdir -p "$dir/run/state"
  chmod 755 "$dir" "$dir/run"
  dovecot -F -c "$dir/dovecot.conf" >>"$dir/dovecot.out" 2>&1 &
  echo $! >"$dir/dovecot.pid"
  for _ in $(seq 1 100); do
    if python3 - "$port" <<'PY' 2>/dev/null; then
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.settimeout(2)
assert s.recv(512).startswith(b"+OK")
PY
      [ "$tls_port" = 0 ] || echo "dovecot pop3s 127.0.0.1:$tls_port"
      echo "dovecot pop3 127.0.0.1:$port"
      exit 0
    fi
    if ! kill -0 "$(cat "$dir/dovecot.pid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "dovecot.sh: dovecot did not greet on 127.0.0.1:$port; log follows" >&2
  cat "$dir/dovecot.out" "$dir/dovecot.log" >&2 2>/dev/null || true
  exit 1
  ;;
stop)
  [ -f "$dir/dovecot.pid" ] || exit 0
  pid=$(cat "$dir/dovecot.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/dovecot.pid"
  ;;
*)
  echo "usage: dovecot.sh start|stop DIR [PORT]" >&2
  exit 2
  ;;
esac
