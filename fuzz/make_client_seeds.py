#!/usr/bin/env python3
"""Writes the hand-made seeds of the client_session harness into corpus/client_session/seed-*.bin.

The layout is the one fuzz/fuzz_client_session.cpp reads (see the top of that file):
[config][8 limit bytes][greeting script if config bit 7][count][count x (verb, script)][ops...].
Usage: fuzz/make_client_seeds.py [output folder] (default: corpus/client_session next to this script's folder).
"""
import os
import struct
import sys

VERBS = ["USER", "PASS", "APOP", "AUTH", "CAPA", "STLS", "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET",
         "NOOP", "QUIT"]
V = {name: i for i, name in enumerate(VERBS)}

STRICT, SMALL_LIMITS, SMALL_CHUNK, SMALL_PARTIAL, SMALL_TIMEOUTS, TLS_FAILS, GREETING = 1, 2, 4, 8, 16, 64, 128
# line_end byte: 0 CRLF, 2 LF, 3 CR, 4 NUL CRLF, 5 none
CRLF, LF, CR, NULCRLF, NOEND = 0, 2, 3, 4, 5
# single-line indicator byte: "+OK", "-ERR", "+", "+ok", "+OK [", ""
OK, ERR, PLUS, LOWER_OK, BAD_CODE, NOIND = range(6)


def short(data, maximum):
    data = data.encode() if isinstance(data, str) else data
    assert len(data) <= maximum and len(data) < 256
    return bytes([len(data)]) + data


def flags_bytes(extra=None, close=False, reset=False, truncate=None, split=None, delay=None):
    flags, tail = 0, b""
    if extra is not None:
        flags |= 1
        tail += short(extra, 64)
    if close:
        flags |= 2
    if reset:
        flags |= 4
    if truncate is not None:
        flags |= 8
        tail += bytes([truncate])
    if split is not None:
        flags |= 16
        tail += bytes([len(split)] + [s - 1 for s in split])
    if delay is not None:
        flags |= 32
        tail += bytes([delay])  # x 250 ms
    return bytes([flags]) + tail


def raw(data, **f):
    data = data.encode() if isinstance(data, str) else data
    if len(data) < 256:
        return bytes([0]) + short(data, 255) + flags_bytes(**f)
    return bytes([8]) + struct.pack("<H", len(data)) + data + flags_bytes(**f)


def single(indicator, text, end=CRLF, **f):
    return bytes([1, indicator]) + short(text, 64) + bytes([end]) + flags_bytes(**f)


def multi(lines, stuff=True, term=0, **f):
    out = bytes([2, len(lines), 1 if stuff else 0])
    for line, end in lines:
        out += short(line, 40) + bytes([end])
    return out + bytes([term]) + flags_bytes(**f)  # term: 0 ".\r\n", 2 ".\n", 3 none


def endless(line, kib4, **f):
    return bytes([3]) + short(line, 32) + bytes([kib4]) + flags_bytes(**f)  # (kib4 + 1) * 256 bytes


def huge(units, crlf=True, **f):
    return bytes([4, units, 1 if crlf else 0]) + flags_bytes(**f)  # (units + 1) * 64 x's


def continuation(text, **f):
    return bytes([5]) + short(text, 64) + flags_bytes(**f)


def silence(**f):
    return bytes([6]) + flags_bytes(**f)


def canned(index, **f):
    return bytes([7, index]) + flags_bytes(**f)


def header(config=0, limits=(0,) * 8, greeting=None, scripts=()):
    out = bytes([config | (GREETING if greeting is not None else 0)]) + bytes(limits)
    if greeting is not None:
        out += greeting
    out += bytes([len(scripts)])
    for verb, script in scripts:
        out += bytes([V[verb]]) + script
    return out


# Ops. p's bits 2-3 choose the body mode: 0 store, 4 sink, 8 discard.
STORE, SINK, DISCARD = 0, 4, 8


def param(mod, value, mode):
    """A byte p with p % mod == value and body mode (p >> 2) % 3 == mode // 4."""
    return next(p for p in range(256) if p % mod == value and (p >> 2) % 3 == mode // 4)


def cmd(verb, mode=STORE, arg=0):
    """One command and its reply; arg bit 0: LIST/UIDL with an argument, AUTH without initial response."""
    return bytes([0, V[verb], arg | mode])


def pipeline(*verbs, mode=STORE):
    out = bytes([1, param(3, len(verbs) - 2, mode)])
    for verb in verbs:
        out += bytes([V[verb], 0])
    return out


def bare_read(kind=0, mode=STORE):
    return bytes([2, param(3, kind, mode)])


def stls():
    return bytes([3, 0])


def start_tls():
    return bytes([4, 0])


def wait_closed(tenths):
    return bytes([5, tenths])


def silence_op(tenths):
    return bytes([6, tenths])


def greeting_op():
    return bytes([7, 0])


def close(reset=False):
    return bytes([8, 1 if reset else 0])


def send_raw(data):
    return bytes([9, 0]) + short(data, 64)


def advance(seconds):
    return bytes([10, seconds])


LOGIN = cmd("USER") + cmd("PASS")

SEEDS = {
    "normal-session": header() + LOGIN + cmd("STAT") + cmd("LIST") + cmd("LIST", arg=1) + cmd("UIDL") +
    cmd("RETR") + cmd("TOP", SINK) + cmd("RETR", DISCARD) + cmd("DELE") + cmd("NOOP") + cmd("RSET") + cmd("QUIT") +
    wait_closed(10),
    "capa-apop-auth": header() + cmd("CAPA") + cmd("APOP") + cmd("AUTH") + cmd("AUTH", arg=1) + cmd("STAT"),
    "auth-continuation": header(scripts=[("AUTH", continuation(""))]) + cmd("AUTH", arg=1) + cmd("STAT"),
    "stls-clean": header() + cmd("CAPA") + stls() + cmd("CAPA") + LOGIN + cmd("QUIT"),
    "stls-injected": header(scripts=[("STLS", canned(10, extra="+OK injected\r\n-ERR x\r\n"))]) + stls() +
    cmd("CAPA"),
    "stls-injected-small-chunk": header(SMALL_CHUNK, (0, 0, 0, 0, 7, 0, 0, 0),
                                        scripts=[("STLS", canned(10, extra="+OK 1 2\r\n", split=[3, 1, 9]))]) +
    stls() + cmd("STAT"),
    "stls-injected-delayed": header(scripts=[("STLS", canned(10, extra="+OK late\r\n", split=[15, 2],
                                                             delay=3))]) + stls() + cmd("NOOP"),
    "stls-tls-fails": header(TLS_FAILS) + stls() + cmd("NOOP") + start_tls(),
    "stls-err": header(scripts=[("STLS", single(ERR, "not now"))]) + stls() + start_tls() + cmd("NOOP"),
    "bare-lf": header(scripts=[("STAT", single(OK, "1 2", LF)), ("LIST", multi([("1 2", LF), ("2 3", CRLF)]))]) +
    cmd("STAT") + cmd("LIST"),
    "bare-lf-strict": header(STRICT, scripts=[("STAT", single(OK, "1 2", LF))]) + cmd("STAT") + cmd("NOOP"),
    "bare-cr": header(scripts=[("NOOP", single(OK, "a\rb"))]) + cmd("NOOP") + cmd("NOOP"),
    "nul": header(scripts=[("NOOP", single(OK, "x", NULCRLF)), ("RETR", multi([("a\0b", CRLF)]))]) +
    cmd("NOOP") + cmd("RETR"),
    "nul-strict": header(STRICT, scripts=[("RETR", multi([("a\0b", CRLF)]))]) + cmd("RETR") + cmd("STAT"),
    "bad-indicator": header(scripts=[("USER", single(NOIND, "hello")), ("PASS", single(LOWER_OK, "fine"))]) +
    LOGIN,
    "bad-indicator-strict": header(STRICT, scripts=[("USER", single(NOIND, "hello"))]) + LOGIN,
    "no-space": header(scripts=[("NOOP", raw("+OKfine\r\n"))]) + cmd("NOOP"),
    "bad-response-code": header(scripts=[("PASS", single(BAD_CODE, "oops]"))]) + LOGIN,
    "err-multi": header(scripts=[("LIST", raw("-ERR no\r\n1 2\r\n.\r\n"))]) + cmd("LIST") + cmd("NOOP"),
    "overlong-status": header(scripts=[("STAT", huge(20))]) + cmd("STAT") + cmd("NOOP"),
    "overlong-status-small": header(SMALL_LIMITS, (40, 8, 4, 4, 0, 0, 0, 0), scripts=[("STAT", huge(3))]) +
    cmd("STAT") + cmd("NOOP"),
    "huge-line-no-end": header(SMALL_PARTIAL, (0, 0, 0, 0, 0, 17, 0, 0), scripts=[("NOOP", huge(200, False))]) +
    cmd("NOOP") + cmd("NOOP"),
    "endless-body-small-limits": header(SMALL_LIMITS | SMALL_CHUNK, (60, 10, 2, 3, 33, 0, 0, 0),
                                        scripts=[("RETR", endless("endless line", 80))]) +
    cmd("RETR") + cmd("RETR", SINK) + cmd("RETR", DISCARD),
    "endless-body-strict": header(STRICT | SMALL_LIMITS, (60, 10, 2, 3, 0, 0, 0, 0),
                                  scripts=[("RETR", endless("x" * 30, 255))]) + cmd("RETR") + cmd("NOOP"),
    "eof-mid-reply": header(scripts=[("RETR", canned(6, truncate=20))]) + cmd("RETR") + cmd("NOOP"),
    "eof-mid-status": header(scripts=[("STAT", single(OK, "2 3", NOEND, close=True))]) + cmd("STAT"),
    "eof-before-greeting": header(greeting=silence(close=True)) + cmd("NOOP") + wait_closed(1),
    "reset-after-quit": header(scripts=[("QUIT", canned(0, reset=True))]) + cmd("QUIT") + cmd("NOOP") +
    wait_closed(5),
    "err-greeting-close": header(greeting=single(ERR, "go away", close=True)) + cmd("USER") + wait_closed(3),
    "drip-greeting": header(SMALL_TIMEOUTS, (0, 0, 0, 0, 0, 0, 20, 3),
                            greeting=canned(0, split=[1], delay=2)) + greeting_op() + greeting_op() + cmd("NOOP"),
    "slow-reply-timeout": header(SMALL_TIMEOUTS, (0, 0, 0, 0, 0, 0, 4, 30),
                                 scripts=[("LIST", canned(3, split=[4, 7], delay=5))]) +
    cmd("LIST") + bare_read(1) + bare_read(1) + cmd("NOOP"),
    "deadline": header(SMALL_TIMEOUTS, (0, 0, 0, 0, 0, 0, 63, 1), scripts=[("STAT", silence())]) + cmd("STAT") +
    advance(5) + cmd("NOOP"),
    "silence-then-reply": header(scripts=[("NOOP", silence())]) + cmd("NOOP") + cmd("STAT") + silence_op(20),
    "pipelined": header() + pipeline("USER", "PASS", "STAT") + pipeline("LIST", "UIDL", "RETR", mode=SINK) +
    pipeline("NOOP", "QUIT"),
    "pipelined-extra-bytes": header(scripts=[("STAT", canned(2, extra="+OK surprise\r\n"))]) + cmd("STAT") +
    cmd("NOOP") + bare_read() + silence_op(3),
    "raw-bytes-and-close": header() + send_raw("US") + send_raw("ER alice\r\n") + bare_read() +
    send_raw("NOOP\0\r\n") + bare_read() + close() + cmd("NOOP") + start_tls() + wait_closed(1),
    "reset-by-client": header() + cmd("NOOP") + close(True) + cmd("STAT") + silence_op(1),
    "unterminated-multi": header(scripts=[("UIDL", multi([("1 a", CRLF)], term=3))]) + cmd("UIDL") +
    cmd("NOOP"),
    "dot-stuffing": header(scripts=[("TOP", multi([(".hidden", CRLF), ("..", CRLF), ("x", CRLF)], stuff=True))]) +
    cmd("TOP") + cmd("TOP", SINK) + cmd("TOP", DISCARD),
    "unstuffed-dot": header(scripts=[("RETR", multi([(".hidden", CRLF), ("x", CRLF)], stuff=False))]) +
    cmd("RETR") + cmd("NOOP"),
    "split-everything": header(SMALL_CHUNK | SMALL_PARTIAL, (0, 0, 0, 0, 1, 3, 0, 0),
                               scripts=[("CAPA", canned(5, split=[1, 2, 3])), ("STAT", canned(2, split=[1]))]) +
    cmd("CAPA") + cmd("STAT") + stls(),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "corpus", "client_session")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, f"seed-{name}.bin"), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
