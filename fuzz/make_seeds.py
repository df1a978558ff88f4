#!/usr/bin/env python3
"""Writes the hand-made seed inputs of corpus/<harness>/ (seed-*.bin). Inputs found by fuzzing are kept beside them
under their own names (crash-*, regress-*, merged coverage under hashes) and are never rewritten by this script.

Usage: fuzz/make_seeds.py [corpus dir]   (default: corpus/ of the repository)
Each harness's input layout is documented at the top of its fuzz/fuzz_<harness>.cpp."""
import base64
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "corpus")

SINGLE, MULTI, SASL = 0, 1, 2


def write(harness, name, data):
    folder = os.path.join(CORPUS, harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name + ".bin"), "wb") as f:
        f.write(data)


def split_plan(sizes):
    return bytes([len(sizes)] + [s - 1 for s in sizes])


# ---- reply_parser: [flags][limit][kind count][kinds][split plan][server bytes] -----------------------------------
def reply(name, kinds, stream, flags=0, limit=0, sizes=(1, 7, 3)):
    write("reply_parser", name, bytes([flags, limit, len(kinds)] + kinds) + split_plan(list(sizes)) + stream)


GREETING = b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"
reply("greeting", [], GREETING)
reply("session", [SINGLE, SINGLE, SINGLE, SINGLE, MULTI, MULTI, MULTI, SINGLE, SINGLE],
      GREETING + b"+OK send PASS\r\n+OK maildrop has 2 messages (320 octets)\r\n+OK 2 320\r\n"
      b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"
      b"+OK 120 octets\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\n-ERR no such message\r\n+OK bye\r\n")
reply("capa", [MULTI], b"+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN\r\nRESP-CODES\r\n"
      b"LOGIN-DELAY 900\r\nPIPELINING\r\nEXPIRE NEVER\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n")
reply("resp-codes", [SINGLE] * 5, b"-ERR [IN-USE] locked\r\n-ERR [LOGIN-DELAY] wait\r\n-ERR [SYS/TEMP] later\r\n"
      b"-ERR [sys/perm/x] bad\r\n-ERR [AUTH] no\r\n")
reply("bad-resp-code", [SINGLE] * 3, b"-ERR [IN-USE no bracket\r\n-ERR [] empty\r\n+OK [a/]\r\n")
reply("sasl", [SASL, SASL, SASL], b"+ \r\n+ dGVzdA==\r\n+OK logged in\r\n")
reply("bare-lf", [MULTI, SINGLE], b"+OK\nline one\nline two\r\n.\n+OK\n")
reply("bare-cr-nul", [MULTI], b"+OK x\r\nab\rcd\r\nnul\x00here\r\n.\r\n")
reply("bad-status", [SINGLE] * 5, b"OK\r\n+ERR\r\n+ok lower\r\n-Err mixed\r\n+OKfoo\r\n")
reply("eof-in-body", [MULTI], b"+OK\r\nno terminator\r\n")
reply("eof-in-status", [SINGLE], b"+OK half a line")
reply("err-is-single", [MULTI, MULTI], b"-ERR no such message\r\n+OK\r\n.\r\n")
reply("long-status", [SINGLE], b"+OK " + b"x" * 600 + b"\r\n+OK\r\n")
reply("long-body-line", [MULTI], b"+OK\r\n" + b"y" * 300 + b"\r\n.\r\n", flags=8, limit=40)
reply("small-limits", [MULTI, MULTI], b"+OK\r\n" + b"line\r\n" * 40 + b".\r\n+OK\r\n..a\r\n.\r\n", flags=8, limit=9)
reply("strict-bare-lf", [MULTI], b"+OK\r\nbad\n.\r\n", flags=1)
reply("sink", [MULTI, MULTI], b"+OK\r\n..dot\r\nx\r\n.\r\n+OK\r\n.\r\n", flags=2)
reply("discard", [MULTI], b"+OK\r\na\r\nb\r\n.\r\n", flags=4)
reply("terminator-split", [MULTI], b"+OK\r\nabc\r\n.\r\n", sizes=(1,))
reply("after-stls", [SINGLE, SINGLE], b"+OK begin TLS\r\n+OK injected\r\n")
reply("reuse-reset", [MULTI, SINGLE], b"+OK 12 octets\r\nhello\r\n..x\r\n.\r\n-ERR [SYS/TEMP/x] later\r\n", flags=16, limit=12)
reply("reuse-sink", [MULTI], b"+OK\r\nabc\r\n.\r\n", flags=16 | 2)

# ---- command_parser: [flags][limit][split plan][bytes] ----------------------------------------------------------
def command(name, data, flags=0, limit=0, sizes=(2, 5)):
    write("command_parser", name, bytes([flags, limit]) + split_plan(list(sizes)) + data)


command("user", b"USER alice")
command("pass-spaces", b"PASS my secret  pass")
command("apop", b"APOP mrose c4c9334bac560ecc979e58001b3e22fb")
command("auth-initial", b"AUTH PLAIN " + base64.b64encode(b"\0alice\0wonderland"))
command("top", b"top 1 10")
command("pipelined", b"USER a\r\nPASS b\r\nSTAT\r\nLIST\r\nRETR 1\r\nQUIT\r\n")
command("bare-lf", b"STAT\nLIST 1\n")
command("cr-inside", b"NOOP\rX\r\n")
command("too-long", b"USER " + b"a" * 300 + b"\r\nNOOP\r\n")
command("limit-edge", b"X" * 253 + b"\r\n" + b"Y" * 254 + b"\r\n", flags=4)
command("bad-chars", b"U5ER x\r\n\x00\r\n LIST\r\nLIST  1\r\nLIST 1 \r\nSTLS\t\r\n")
command("too-many-args", b"LIST 1 2 3 4 5 6 7 8 9")
command("small-limits", b"USER abcdefghij\r\nPASS x\r\n", flags=5, limit=12)
command("utf8", "USER jöhn".encode())
command("no-8bit", "USER jöhn".encode(), flags=1, limit=250)

# ---- dot_stuffing: [mode][limit][split plan A][split plan B][bytes] ---------------------------------------------
def dots(name, data, mode=0, limit=3, a=(3,), b=(1, 4)):
    write("dot_stuffing", name, bytes([mode, limit]) + split_plan(list(a)) + split_plan(list(b)) + data)


dots("plain", b"Subject: x\r\n\r\nhello\r\n")
dots("dots", b".\r\n..\r\n.x\r\nend.\r\n.")
dots("bare-lf", b"Subject: y\n\nbody\n.\nlast")
dots("lone-cr", b"a\rb\r\r\n\r")
dots("empty", b"")
dots("no-final-newline", b"one\r\ntwo")
dots("nul", b"a\x00b\r\n")
dots("top-header-only", b"H: 1\r\nH: 2\r\n", limit=0)
dots("top-body", b"H: 1\r\n\r\nl1\r\nl2\r\nl3\r\n", limit=2)
dots("raw-terminated", b"..a\r\nb\r\n.\r\nafter", mode=1)
dots("raw-unterminated", b"abc\r\n.", mode=1)
dots("raw-bare-lf", b"a\nb\n.\n", mode=1)
dots("raw-long-line", b"x" * 100 + b"\r\n.\r\n", mode=1, limit=9)
dots("raw-dot-cr", b".\rx\r\n..\r\n.\r\n", mode=1)

# ---- sasl_plain: [mode][bytes] -----------------------------------------------------------------------------------
write("sasl_plain", "b64-valid", b"\0" + base64.b64encode(b"\0alice\0wonderland"))
write("sasl_plain", "b64-authzid", b"\0" + base64.b64encode(b"admin\0alice\0pw"))
write("sasl_plain", "b64-bad", b"\0" + b"YWxp=2U")
write("sasl_plain", "b64-empty", b"\0")
write("sasl_plain", "b64-noncanonical", b"\0" + b"YR==")
write("sasl_plain", "raw-valid", b"\1" + b"\0bob\0secret")
write("sasl_plain", "raw-one-nul", b"\1" + b"bob\0secret")
write("sasl_plain", "raw-three-nul", b"\1" + b"a\0b\0c\0d")
write("sasl_plain", "raw-utf8", b"\1" + "\0jöhn\0pässword".encode())
write("sasl_plain", "raw-bad-utf8", b"\1" + b"\0\xc3\x28\0pw")
write("sasl_plain", "raw-long", b"\1" + b"\0" + b"u" * 256 + b"\0pw")
write("sasl_plain", "round-trip", b"\2" + bytes(range(256)))

# ---- apop: [split][greeting text] --------------------------------------------------------------------------------
write("apop", "rfc-example", bytes([8]) + b"POP3 server ready <1896.697170952@dbc.mtview.ca.us>")
write("apop", "digest", bytes([0]) + b"c4c9334bac560ecc979e58001b3e22fb")
write("apop", "digest-upper", bytes([0]) + b"C4C9334BAC560ECC979E58001B3E22FB")
write("apop", "two-at", bytes([3]) + b"ready <a@b@c>")
write("apop", "no-close", bytes([3]) + b"ready <abc@def")
write("apop", "empty-parts", bytes([3]) + b"<@> <a@> <@b>")
write("apop", "space-inside", bytes([3]) + b"<a b@c>")

# ---- session, session_chunked: [setup A][setup B]([feed plan][write plan])[conversation] --------------------------
# Grammar ops (fuzz/session_model.hpp encode_conversation); name indexes: 0 alice, 1 bob, 2 carol, 3 mallory.
USER, PASS, APOP, AUTHI, AUTHC, STLS, CAPA, STAT, LIST, UIDL, RETR, TOP, DELE = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
RSET, NOOP, QUIT, RAWLINE, RAWBYTES, CHUNK, LOWER, BARELF, LONG, AUTHX, EXTRA = 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24
A_PLAINTEXT_OFF, A_APOP_OFF, A_TLS, A_IMPLICIT, A_DELAY, A_CAROL_LOCKED, A_RAW, A_PIPELINED = 1, 2, 4, 8, 16, 32, 64, 128


def login(name=0):
    return [USER, name, PASS, name, 1]


def listing(bare=True, n=1):
    return [LIST, 1] if bare else [LIST, 0, n]


def session(name, a, b, ops, chunked_plans=((3, 9), (5,))):
    write("session", name, bytes([a, b] + ops))
    write("session_chunked", name, bytes([a, b]) + split_plan(list(chunked_plans[0])) +
          split_plan(list(chunked_plans[1])) + bytes(ops))


def raw_session(name, a, b, text):
    write("session", name, bytes([a | A_RAW, b]) + text)
    write("session_chunked", name, bytes([a | A_RAW, b]) + split_plan([2, 11]) + split_plan([7]) + text)


session("user-pass-full", 0, 3, login() + [STAT, LIST, 1, UIDL, 1] + sum(([RETR, n] for n in range(1, 8)), []) +
        [TOP, 1, 0, TOP, 3, 1, TOP, 6, 2, DELE, 2, STAT, LIST, 0, 2, LIST, 0, 3, UIDL, 0, 1, RSET, DELE, 1, DELE, 4,
         STAT, QUIT])
session("apop-capa", 0, 3, [CAPA, APOP, 0, 0, CAPA, STAT, QUIT])
session("apop-wrong", 0, 3, [APOP, 0, 1, APOP, 0, 2, APOP, 0, 3, APOP, 2, 0, STAT])
session("auth-plain", 0, 3, [AUTHI, 3, 0, AUTHI, 5, 0, AUTHC, 1, 6, AUTHC, 0, 0, 2, STAT, LIST, 1, QUIT])
session("auth-authzid", 0, 0, [AUTHI, 2, 0, AUTHI, 1, 2, UIDL, 1, DELE, 1, QUIT])
session("auth-empty", 0, 0, [AUTHI, 4, 0, AUTHC, 1, 4, 0, AUTHX, 1, AUTHX, 0, LOWER, USER, 1, PASS, 1, 1, QUIT])
session("failures-close", 0, 3, login(3)[:-1] + [0] + [USER, 0, PASS, 0, 0, USER, 0, PASS, 0, 0, STAT])
session("bad-commands-close", 0, 4, [STAT, NOOP, EXTRA, 3, RETR, 1, NOOP])
session("pipelined", A_PIPELINED, 0, login() + [STAT, LIST, 1, RETR, 2, DELE, 1, DELE, 1, QUIT, STAT])
session("stls-pipelined", A_TLS | A_PIPELINED, 0, [CAPA, STLS, USER, 0, PASS, 0, 1, CHUNK, CAPA, STLS] + login() +
        [CAPA, QUIT])
session("stls-required", A_TLS | A_PLAINTEXT_OFF, 0, [CAPA, USER, 0, AUTHI, 0, 0, STLS, CAPA] + login() + [QUIT])
session("implicit-tls", A_IMPLICIT | A_PLAINTEXT_OFF | A_TLS, 0, [CAPA, STLS] + login(1) + [STAT, LIST, 1, QUIT])
session("carol-locked", A_CAROL_LOCKED, 0, [USER, 2, PASS, 2, 1] + login(2) + [QUIT])
session("carol", 0, 0, login(2) + [UIDL, 1, UIDL, 0, 1, TOP, 1, 0, DELE, 1, LIST, 1, RETR, 1, QUIT])
session("small-chunks", 0, 0x10, login() + [LIST, 1, UIDL, 1, RETR, 6, TOP, 6, 30, QUIT])
session("chunk-17", 0, 0x20, login() + [RETR, 6, RETR, 3, RETR, 2, QUIT])
session("max-size", 0, 0x40, login() + [RETR, 6, TOP, 6, 1, RETR, 1, QUIT])
session("odd-numbers", 0, 0, login() + [RETR, 224, RETR, 225, RETR, 226, RETR, 227, RETR, 228, RETR, 230, RETR, 231,
                                        RETR, 232, TOP, 1, 227, LIST, 0, 233, DELE, 235, QUIT])
session("bare-lf-lower", 0, 0, [BARELF, USER, 0, BARELF, PASS, 0, 1, LOWER, STAT, LOWER, LIST, 1, QUIT])
session("long-lines", 0, 0, [LONG, 30, 0, LONG, 0x10, 0x20, NOOP, USER, 0, LONG, 50, 0, PASS, 0, 1])
session("no-apop-bare-config", A_APOP_OFF, 0x80, [APOP, 0, 0, CAPA] + login() + [CAPA, QUIT])
session("delay", A_DELAY, 0, [USER, 0, PASS, 0, 0, USER, 0, PASS, 0, 1, QUIT])
session("update", 0, 0, login() + [DELE, 1, DELE, 2, DELE, 3, DELE, 4, DELE, 5, DELE, 6, STAT, LIST, 1, QUIT])
session("no-quit", 0, 0, login() + [DELE, 1, DELE, 2, STAT])
session("partial-line", 0, 0, login() + [RAWBYTES, 4, ord('S'), ord('T'), ord('A'), ord('T')])
raw_session("raw-dialogue", 0, 0, b"CAPA\r\nUSER alice\r\nPASS wonderland\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 2\r\n"
            b"TOP 5 0\r\nDELE 1\r\nRSET\r\nNOOP\r\nQUIT\r\n")
raw_session("raw-pipelined", A_PIPELINED, 0, b"USER bob\r\nPASS builder\r\nSTAT\r\nLIST\r\nQUIT\r\n")
raw_session("raw-junk", 0, 0, b"\x00\r\nHELO x\r\n  \r\nUSER\r\nUSER a b\r\nPASS\r\nRETR 1\r\n\r\nQUIT\r\n")
raw_session("raw-auth", 0, 0, b"AUTH PLAIN\r\n" + base64.b64encode(b"\0carol\0c4r0l pass") + b"\r\nSTAT\r\nQUIT\r\n")
raw_session("raw-overlong", 0, 0, b"NOOP " + b"x" * 9000 + b"\r\nUSER alice\r\nPASS wonderland\r\nQUIT\r\n")

# ---- scenario_loader: YAML text (the suite's own files are copied beside these) ---------------------------------
def yaml(name, text):
    write("scenario_loader", name, text.encode())


yaml("empty", "")
yaml("just-separator", "---\n---\n")
yaml("not-a-map", "- a\n- b\n")
yaml("unknown-key", "id: x\ntitle: t\nlevel: MUST\nbogus: 1\nsteps: []\n")
yaml("bad-escape", 'id: x\ntitle: t\nlevel: MUST\nsteps:\n  - send: {raw: "\\q"}\n')
yaml("bad-duration", "id: x\ntitle: t\nlevel: MUST\nsteps:\n  - expect: {silence: 5parsecs}\n")
yaml("anchors", "a: &a [1, 2]\nb: *a\nc: *missing\n")
yaml("tabs", "id:\tx\n\ttitle: y\n")
yaml("nested", "[" * 64 + "]" * 64 + "\n")
yaml("bad-regex", 'id: x\ntitle: t\nlevel: MUST\nsteps:\n  - expect: {status: OK, regex: "([a-"}\n')
yaml("utf8-bom", "\ufeffid: x\n")

# Store faults (op 26: lock bits 0-1, open bits 2-3, commit bits 4-5; 1 temporary, 2 permanent) and the idle timeout
# (op 27); B bit 7: LOGIN-DELAY 900 with bob's last login "now".
FAULTS, TIMEOUT = 26, 27
session("store-faults", 0, 0, login() + [FAULTS, 4 | 16, RETR, 1, TOP, 1, 0, DELE, 1, QUIT])
session("lock-faults", 0, 0, [FAULTS, 2] + login() + [FAULTS, 1] + login() + [FAULTS, 0] + login() + [STAT, QUIT])
session("open-perm", 0, 0, login() + [FAULTS, 8, RETR, 2, TOP, 2, 1, FAULTS, 32, DELE, 2, QUIT])
session("timeout", 0, 0, login() + [DELE, 1, STAT, TIMEOUT, QUIT])
session("timeout-auth", 0, 0, [USER, 0, TIMEOUT])
session("login-delay", 0, 0x80, login(1) + login() + [CAPA, QUIT])
raw_session("bare-keywords", 0, 0, b"DELE\r\nTOP\r\nAPOP\r\nXTND x\r\nUSER alice\r\nPASS wonderland\r\nDELE\r\nTOP\r\n"
            b"USER\r\nPASS\r\nAPOP\r\nXTND x\r\nLIST 1 2\r\nSTLS\r\nAUTH\r\nQUIT\r\n")

# Triples and engine paths the seeds above miss (ctest fuzz.session.triples requires every triple of the model's
# universe, fuzz/session_model.hpp triples::rules()). APOP by bob under LOGIN-DELAY: [LOGIN-DELAY] after APOP.
session("triple-apop-login-delay", 0, 0x80, [APOP, 1, 0, APOP, 0, 0, QUIT])
# "AUTH PLAIN" sent as a raw line, then a response longer than the AUTH line limit (8192 octets with CRLF):
# "SASL response too long" (R2449-LEN-3), then a valid login. LONG's length is 200 + (little-endian u16 % 9000).
session("sasl-response-too-long", 0, 0, [RAWLINE, 10] + list(b"AUTH PLAIN") + [LONG, 8500 & 255, 8500 >> 8] +
        login() + [QUIT])
# A message that opens but cannot be read (op 26, bit 6): +OK, then the engine closes without a body or terminator.
session("read-fault-retr", 0, 0, login() + [FAULTS, 64, RETR, 2, NOOP])
session("read-fault-top", 0, 0, login(2) + [DELE, 1, FAULTS, 64, LIST, 1, TOP, 2, 0, QUIT])
