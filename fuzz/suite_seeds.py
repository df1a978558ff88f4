#!/usr/bin/env python3
"""Turns the conformance suite's transcripts into seed inputs of the fuzz harnesses (issue 7: "seed inputs from the
scenario suite's transcripts").

Reads the JSON result document of a suite run (`scripts/run-suite.sh` writes out/report.json; or
`pop3spec run --json FILE`, reports/schema/result.schema.json) and writes, for every connection of every scenario:

- session (fuzz/fuzz_session.cpp, encoding in fuzz/session_model.hpp encode_conversation): the client side as one
  grammar-encoded conversation. Commands become the op that sends the same command (USER/PASS/APOP/AUTH with the
  harness's fixture accounts: the transcript's secrets are redacted and the suite's accounts differ; message numbers
  kept where the encoding has them), lower-case keywords and bare-LF line ends through their ops, anything else a
  raw line (long ones as raw-byte pieces). Whether a redacted secret was right is read from the server's reply.
  Pipelined batches stay batches (setup bit A7 and a chunk boundary after each client write), STLS stays STLS;
  implicit TLS, the failed-login delay and a maildrop held elsewhere ([IN-USE]) set the matching setup bits.
- reply_parser (fuzz/fuzz_reply_parser.cpp): the server's bytes, with the expectation kinds derived from the client
  commands (multi-line after LIST/UIDL without argument, RETR, TOP, CAPA; SASL for AUTH and its continuation), in
  windows of at most 15 replies (the harness reads at most 15 kinds).
- command_parser (fuzz/fuzz_command_parser.cpp): each distinct client line as the session input sends it.

Usage:
  fuzz/suite_seeds.py REPORT.json OUT           write the candidates to OUT/<harness>/suite-<scenario id>[-n].bin
                                                (n counts a scenario's inputs: its connections, its reply windows)
  fuzz/suite_seeds.py REPORT.json OUT --merge BUILD
                                                candidates in OUT/candidates/<harness>/; keep those that add coverage
                                                to corpus/<harness>/ (libFuzzer -merge=1 with BUILD/fuzz/fuzz_<harness>,
                                                a fuzz preset build such as build/fuzz) under their suite- names
Options: --corpus DIR (default: corpus/ of the repository); --harness H (repeatable; default all three);
--account NAME=FIXTURE (repeatable) maps another server's account to alice (main maildrop), carol (a second one with
messages) or bob (empty); the embedded server's alice, bob and empty (with any "-k" suffix) are mapped already.
Only the Python standard library is used."""
import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARNESSES = ("session", "reply_parser", "command_parser")

# ---- the session encoding (fuzz/session_model.hpp: SessionSetup::read, encode_conversation) ---------------------
USER, PASS, APOP, AUTHI, AUTHC, STLS, CAPA, STAT, LIST, UIDL, RETR, TOP, DELE = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
RSET, NOOP, QUIT, RAWLINE, RAWBYTES, CHUNK, LOWER, BARELF, LONG, AUTHX, EXTRA = 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24
A_PLAINTEXT_OFF, A_APOP_OFF, A_TLS, A_IMPLICIT, A_DELAY, A_CAROL_LOCKED, A_PIPELINED = 1, 2, 4, 8, 16, 32, 128
# Setup byte B as the reference server's defaults: 3 failed logins (bits 0-1), 20 bad commands (bits 2-3 = 3), stream
# chunk 64 KiB (bits 4-5 = 0), no message size limit, full configuration.
B_DEFAULTS = 3 | (3 << 2)
MAX_OPS = 256  # encode_conversation reads at most 256 ops
RAW_MAX = 64  # short_string(64): one length byte (mod 65), then the bytes
LONG_MIN, LONG_SPAN = 200, 9000  # op LONG: 200 + u16 % 9000 'A's

NAMES = ["alice", "bob", "carol", "mallory", "ALICE", "a"]  # the grammar's name table
SECRETS = {"alice": "wonderland", "bob": "builder", "carol": "c4r0l pass"}  # fixture_users()
NUMBER_ODD = ["0", "-1", "01", "18446744073709551617", "18446744073709551615", "4294967297", "1x", "+1",
              "99999999999999999999999", "00000000000000000000001", "7", "6"]
EXTRAS = ["NOOP x", "STAT 1", "QUIT now", "RSET 1", "CAPA x", "STLS x", "LIST 1 2", "RETR", "TOP 1", "USER a b"]
# The embedded server's accounts (src/cli/embedded_server.cpp: alice, bob, empty, with "-k" per parallel worker) as
# the fixture accounts that play the same part: the main maildrop, a second one with messages, an empty one.
ACCOUNT_MAP = {"alice": "alice", "bob": "carol", "empty": "bob"}


def account_re():
    names = "|".join(re.escape(n) for n in sorted(ACCOUNT_MAP, key=len, reverse=True))
    return re.compile(r"(?<![A-Za-z0-9_.-])(" + names + r")(?:-\d+)?(?![A-Za-z0-9_.-])")


ACCOUNT_RE = account_re()

# ---- the reply parser's kinds (src/pop3/reply_parser.hpp ReplyKind) ---------------------------------------------
SINGLE, MULTI, SASL = 0, 1, 2
MAX_KINDS = 15  # the harness reads `byte % 16` kinds
REPLY_FLAGS = 0  # tolerant (the harness also compares strict), stored bodies, default limits
REPLY_PLAN = (1, 7, 100)  # chunk sizes of the split run
COMMAND_FLAGS = 4  # default limits; the framer's max_line is the limits' max_line
COMMAND_PLAN = (3,)


def split_plan(sizes):
    return bytes([len(sizes)] + [s - 1 for s in sizes])


def sasl_plain(variant, name):
    """The grammar's plain(variant) for a user name (session_model.hpp), as text."""
    secret = SECRETS.get(name, "nope")
    v = variant % 6
    if v == 4:
        return "="
    if v == 5:
        return "not@base64"
    authzid, password = {0: ("", secret), 1: (name, secret), 2: ("bob", secret), 3: ("", "wrong")}[v]
    return base64.b64encode(f"{authzid}\0{name}\0{password}".encode()).decode()


def number_byte(text):
    """The byte that makes the grammar's number() give `text`, or None."""
    if re.fullmatch(r"[0-8]", text):
        return int(text)
    if text in NUMBER_ODD:
        return 224 + (NUMBER_ODD.index(text) - 224) % 12
    return None


# ---- reading the report -----------------------------------------------------------------------------------------
ESCAPE_RE = re.compile(r"\\(r|n|t|\\|x[0-9A-Fa-f]{2})|\[\.\.\. (\d+) bytes omitted \.\.\.\]")


def unescape(text):
    """Transcript::escape reversed; returns (bytes, truncated). An omitted middle is dropped (head + tail kept)."""
    out = bytearray()
    truncated = False
    pos = 0
    for m in ESCAPE_RE.finditer(text):
        out += text[pos:m.start()].encode("latin-1", "replace")
        esc = m.group(1)
        if esc is None:
            truncated = True
        elif esc[0] == "x":
            out.append(int(esc[1:], 16))
        else:
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}[esc]
        pos = m.end()
    out += text[pos:].encode("latin-1", "replace")
    return bytes(out), truncated


class Connection:
    def __init__(self):
        self.client = []  # one bytes object per client write
        self.server = b""  # everything received, concatenated
        self.implicit_tls = False
        self.truncated = False


def connections(scenario):
    """The scenario's connections in order of their first entry: one per "connected to" event of each session."""
    current = {}
    out = []
    for e in scenario.get("transcript", []):
        sess = e.get("session", "")
        if e["dir"] == "*" and e["text"].startswith("connected to"):
            current[sess] = Connection()
            out.append(current[sess])
            continue
        conn = current.get(sess)
        if conn is None:
            continue
        if e["dir"] == "*":
            if e["text"].startswith("TLS started") and not conn.server and not conn.client:
                conn.implicit_tls = True
            continue
        data, truncated = unescape(e["text"])
        if e["dir"] == "C":
            if truncated:  # a client write whose middle is lost: keep what came before it
                conn.truncated = True
            if not conn.truncated:
                conn.client.append(data)
        else:
            conn.server += data
    return out


def read_reply(server, pos, kind):
    """The reply at `pos` as (status line without its end, position after the reply), or None at the end."""
    if pos >= len(server):
        return None
    end = server.find(b"\n", pos)
    end = len(server) if end < 0 else end + 1
    status = server[pos:end].rstrip(b"\r\n")
    if kind == MULTI and status.startswith(b"+OK"):
        while end < len(server):
            nxt = server.find(b"\n", end)
            nxt = len(server) if nxt < 0 else nxt + 1
            line = server[end:nxt]
            end = nxt
            if line.rstrip(b"\r\n") == b".":
                break
    return status, end


class Line:
    def __init__(self, text, ending, write, last_in_write):
        self.text = text  # bytes, without the line end
        self.ending = ending  # b"\r\n", b"\n" or b"" (no end: the client stopped mid-line)
        self.write = write  # index of the client write that completed it
        self.last_in_write = last_in_write
        self.kind = SINGLE
        self.reply = None  # the status line of the reply, or None
        self.sasl_response = False
        self.dropped = False  # pipelined after an accepted STLS: the server never executes it


def pair(conn):
    """Splits the client writes into lines and pairs each line with its reply, read from the server's bytes with the
    kind the line's command expects. Returns (lines, spans): spans are (start, end, kind) of each reply, greeting
    first; bytes the pairing cannot explain (a reply lost in an omitted middle) stay with the last span."""
    lines = []
    carry = b""
    for w, data in enumerate(conn.client):
        parts = (carry + data).split(b"\n")
        carry = parts.pop()
        for p in parts:
            if p.endswith(b"\r"):
                lines.append(Line(p[:-1], b"\r\n", w, False))
            else:
                lines.append(Line(p, b"\n", w, False))
        if lines and lines[-1].write == w:
            lines[-1].last_in_write = not carry
    if carry:
        lines.append(Line(carry, b"", len(conn.client) - 1, True))

    spans = []
    greeting = read_reply(conn.server, 0, SINGLE)
    pos = 0
    if greeting:
        spans.append((0, greeting[1], SINGLE))
        pos = greeting[1]
    in_sasl = False
    drop_write = None
    for line in lines:
        if line.ending == b"":
            continue
        if drop_write is not None and line.write == drop_write:
            line.dropped = True
            continue
        drop_write = None
        words = line.text.split(b" ")
        keyword = words[0].upper()
        if in_sasl:
            line.sasl_response = True
            line.kind = SASL
        elif keyword == b"AUTH" and len(words) > 1:
            line.kind = SASL
        elif keyword in (b"LIST", b"UIDL") and len(words) == 1:
            line.kind = MULTI
        elif keyword in (b"RETR", b"TOP", b"CAPA"):
            line.kind = MULTI
        got = read_reply(conn.server, pos, line.kind)
        if got is None:
            break
        line.reply = got[0]
        spans.append((pos, got[1], line.kind))
        pos = got[1]
        in_sasl = line.kind == SASL and (line.reply == b"+" or line.reply.startswith(b"+ "))
        if keyword == b"STLS" and not line.sasl_response and line.reply.startswith(b"+OK"):
            drop_write = line.write  # RFC 2595 §4: the rest of this write was pipelined after STLS
    if pos < len(conn.server) and spans:  # bytes the pairing did not explain stay with the last reply
        start, _, kind = spans[-1]
        spans[-1] = (start, len(conn.server), kind)
    return lines, spans


# ---- encoding one connection for the session harness ------------------------------------------------------------
def auth_variant(reply):
    """Which of the grammar's SASL variants (plain() in session_model.hpp; 6: "*") gives the reply the suite saw."""
    reply = (reply or b"").lower()
    if b"[auth]" in reply:
        return 3  # wrong password (RFC 3206 §6)
    if b"cancel" in reply:
        return 6  # RFC 5034 §4: "*" cancels
    if b"base64" in reply:
        return 5
    return 0  # right credentials (+OK, or refused for another reason: [IN-USE], [SYS/TEMP], ...)


def map_accounts(text, override=None):
    return ACCOUNT_RE.sub(lambda m: override or ACCOUNT_MAP[m.group(1)], text)


class SessionEncoder:
    def __init__(self, account=None):
        self.account = account  # every suite account becomes this fixture account (None: ACCOUNT_MAP)
        self.ops = []  # one list of bytes per op
        self.lines = []  # what each line sends (bytes with its end), for the command parser
        self.user = "alice"  # the fixture user of the last USER (PASS and the SASL response use it)

    def op(self, *values):
        self.ops.append(list(values))

    def raw(self, text, ending):
        """A raw line (or raw bytes when `ending` is empty): 64-octet pieces, a run of 'A's through LONG."""
        tail = b""
        if ending and len(text) > RAW_MAX:
            run = len(text) - len(text.rstrip(b"A"))
            if LONG_MIN <= run < LONG_MIN + LONG_SPAN:
                tail, text = text[len(text) - run:], text[:len(text) - run]
        pieces = [text[i:i + RAW_MAX] for i in range(0, len(text), RAW_MAX)] or [b""]
        if ending and not tail:
            last = pieces.pop()
        for p in pieces:
            if p:
                self.op(RAWBYTES, len(p), *p)
        if not ending:
            return
        if ending == b"\n":
            self.op(BARELF)
        if tail:
            k = len(tail) - LONG_MIN
            self.op(LONG, k & 0xFF, k >> 8)
        else:
            self.op(RAWLINE, len(last), *last)

    def command(self, text, ending, ops, produced):
        """Emits `ops` when they send `text` (exactly, or lower-cased through LOWER); else a raw line."""
        if ending and ops and produced is not None and text in (produced, produced.lower()):
            if ending == b"\n":
                self.op(BARELF)
            if text != produced:
                self.op(LOWER)
            self.ops.extend(ops)
        else:
            self.raw(text, ending)

    def name_index(self, name):
        return NAMES.index(name) if name in NAMES else None

    def line(self, line, following):
        """Encodes one client line; returns how many following lines it consumed (the SASL response of AUTHC)."""
        text = line.text
        sent = map_accounts(text.decode("latin-1"), self.account).encode("latin-1")
        words = sent.split(b" ")
        keyword = words[0].upper()
        args = words[1:]
        canonical = b"" not in words
        redacted = b"<redacted>"
        reply = line.reply or b""
        user_index = self.name_index(self.user)
        ops, produced = None, None
        if line.sasl_response and text == redacted:
            v = auth_variant(line.reply)
            self.raw(b"*" if v == 6 else sasl_plain(v, self.user).encode(), line.ending)
            self.lines.append((b"*" if v == 6 else sasl_plain(v, self.user).encode()) + line.ending)
            return 0
        if keyword == b"PASS" and args == [redacted]:
            ok = not reply.startswith(b"-ERR") or b"[AUTH]" not in reply
            secret = SECRETS.get(self.user, "nope") if ok else "wrong pass"
            ops, produced = [[PASS, user_index if user_index is not None else 3, int(ok)]], b"PASS " + secret.encode()
            if words[0] not in (b"PASS", b"pass"):
                ops = None  # mixed case: a raw line with the fixture secret
            sent = words[0] + b" " + secret.encode()
        elif keyword == b"APOP" and len(args) == 2 and args[1] == redacted:
            name = args[0].decode("latin-1")
            index = self.name_index(name)
            index = 3 if index is None else index
            v = 1 if b"[AUTH]" in reply else 0
            digest = hashlib.md5(b"<4242.7.1700000000@fuzz.example>" + SECRETS.get(NAMES[index], "nope").encode())
            # The digest depends on the harness's greeting: the op whatever the keyword's case.
            produced = b"APOP " + NAMES[index].encode() + b" " + digest.hexdigest().encode()
            sent = produced.lower() if words[0] == b"apop" else produced
            ops = [[APOP, index, v]]
        elif keyword == b"APOP" and args == [redacted]:
            sent = words[0] + b" " + self.user.encode()
        elif keyword == b"AUTH" and len(args) == 2 and args[1] == redacted:
            v = auth_variant(line.reply)
            payload = sasl_plain(v, self.user).encode()
            sent = words[0] + b" " + args[0] + b" " + payload
            if sent == b"AUTH PLAIN " + payload:
                ops, produced = [[AUTHI, v, user_index if user_index is not None else 3]], sent
        elif (keyword == b"AUTH" and len(args) == 1 and args[0].upper() == b"PLAIN" and reply.startswith(b"+")
              and following and following[0].sasl_response and following[0].text == redacted
              and sent in (b"AUTH PLAIN", b"AUTH plain") and line.ending == b"\r\n"
              and following[0].ending == b"\r\n"):
            v = auth_variant(following[0].reply)
            response = b"*" if v == 6 else sasl_plain(v, self.user).encode()
            self.op(AUTHC, int(sent == b"AUTH PLAIN"), v, *([] if v == 6 else [user_index or 0]))
            self.lines.append(sent + line.ending)
            self.lines.append(response + following[0].ending)
            return 1
        elif canonical:
            ops, produced = self.plain_command(keyword, args)
        if keyword == b"USER" and len(args) == 1:
            name = args[0].decode("latin-1")
            self.user = name if name in SECRETS else "mallory"
        if b"<redacted>" in sent:  # a registered secret where no mask applies
            sent = sent.replace(b"<redacted>", SECRETS.get(self.user, "nope").encode())
        self.command(sent, line.ending, ops, produced)
        self.lines.append(sent + line.ending)
        return 0

    def plain_command(self, keyword, args):
        """(ops, the line they send) for a command without secrets, or (None, None)."""
        simple = {b"STLS": STLS, b"CAPA": CAPA, b"STAT": STAT, b"RSET": RSET, b"NOOP": NOOP, b"QUIT": QUIT}
        line = b" ".join([keyword] + args)
        if line.decode("latin-1") in EXTRAS:
            return [[EXTRA, EXTRAS.index(line.decode("latin-1"))]], line
        if keyword in simple and not args:
            return [[simple[keyword]]], keyword
        if keyword == b"USER" and len(args) == 1 and args[0].decode("latin-1") in NAMES:
            return [[USER, NAMES.index(args[0].decode("latin-1"))]], line
        if keyword == b"AUTH" and (not args or args == [b"LOGIN"]):
            return [[AUTHX, int(not args)]], line
        numbers = [number_byte(a.decode("latin-1")) for a in args]
        if None in numbers:
            return None, None
        if keyword in (b"LIST", b"UIDL"):
            op = LIST if keyword == b"LIST" else UIDL
            if not args:
                return [[op, 1]], line
            if len(args) == 1:
                return [[op, 0, numbers[0]]], line
        if keyword in (b"RETR", b"DELE") and len(args) == 1:
            return [[RETR if keyword == b"RETR" else DELE, numbers[0]]], line
        if keyword == b"TOP" and len(args) == 2:
            return [[TOP, numbers[0], numbers[1]]], line
        return None, None


def encode_session(conn, lines, target):
    """The session harness's input for one connection, and the lines it sends."""
    a = 0
    caps = target.get("capabilities", [])
    if caps and "USER" not in caps:
        a |= A_PLAINTEXT_OFF
    if "<" not in target.get("greeting", "<"):
        a |= A_APOP_OFF
    if "STLS" in caps or conn.implicit_tls:
        a |= A_TLS
    if conn.implicit_tls:
        a |= A_IMPLICIT
    if target.get("embedded"):
        a |= A_DELAY  # the embedded server holds failed logins back (200 ms; the harness's delay is 1 s)
    pipelined = any(w.count(b"\n") > 1 for w in conn.client)  # a batch of commands in one write
    if pipelined:
        a |= A_PIPELINED
    in_use = any(b"[IN-USE]" in (line.reply or b"") for line in lines)
    if in_use:
        a |= A_CAROL_LOCKED  # another connection held the maildrop: the harness holds carol's
    enc = SessionEncoder("carol" if in_use else None)
    i = 0
    while i < len(lines):
        i += 1 + enc.line(lines[i], lines[i + 1:])
        if pipelined and lines[i - 1].last_in_write:
            enc.op(CHUNK)
    ops = enc.ops[:MAX_OPS]
    return bytes([a, B_DEFAULTS] + [x & 0xFF for op in ops for x in op]), enc.lines


# ---- driver ------------------------------------------------------------------------------------------------------
def sanitize(scenario_id):
    return re.sub(r"[^A-Za-z0-9._-]", "-", scenario_id)


def candidates(report):
    """{harness: [(name, bytes)]}, first occurrence of each input only."""
    out = {h: [] for h in HARNESSES}
    seen = set()
    count = {}
    target = report.get("target", {})

    def add(harness, sid, data):
        if (harness, data) in seen:
            return
        seen.add((harness, data))
        n = count[(harness, sid)] = count.get((harness, sid), 0) + 1
        out[harness].append((f"suite-{sid}{'' if n == 1 else '-' + str(n)}.bin", data))

    for scenario in report.get("scenarios", []):
        sid = sanitize(scenario["id"])
        for conn in connections(scenario):
            lines, spans = pair(conn)
            if conn.client:
                data, sent = encode_session(conn, lines, target)
                add("session", sid, data)
                for s in sent:
                    add("command_parser", sid, bytes([COMMAND_FLAGS, 0]) + split_plan(COMMAND_PLAN) + s)
            for w in range(0, len(spans), MAX_KINDS):
                window = spans[w:w + MAX_KINDS]
                kinds = [k for _, _, k in window]
                stream = conn.server[window[0][0]:window[-1][1]]
                add("reply_parser", sid,
                    bytes([REPLY_FLAGS, 0, len(kinds)] + kinds) + split_plan(REPLY_PLAN) + stream)
    return out


def libfuzzer_status(binary, folder):
    """cov and ft of a corpus folder (libFuzzer's INITED line of a -runs=0 replay). The session harness's figures
    vary by a few edges from run to run; the merge's own "new features" line is the exact difference."""
    r = subprocess.run([binary, "-runs=0", folder], capture_output=True, text=True, errors="replace")
    m = re.search(r"INITED cov: (\d+) ft: (\d+)", r.stderr)
    if r.returncode != 0 or not m:
        sys.exit(f"{binary} -runs=0 {folder} failed (exit {r.returncode}):\n{r.stderr[-2000:]}")
    return int(m.group(1)), int(m.group(2))


def merge(harness, files, build, corpus, work):
    """Keeps the candidates that add coverage to corpus/<harness>/ (libFuzzer -merge=1), under their suite- names."""
    binary = os.path.join(build, "fuzz", f"fuzz_{harness}")
    committed = os.path.join(corpus, harness)
    merged = os.path.join(work, f"merged-{harness}")
    shutil.rmtree(merged, ignore_errors=True)
    shutil.copytree(committed, merged)
    before = set(os.listdir(merged))
    cand = os.path.join(work, "candidates", harness)
    r = subprocess.run([binary, "-merge=1", merged, cand], capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        sys.exit(f"merge of {harness} failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    summary = [ln for ln in r.stderr.splitlines() if "MERGE-OUTER:" in ln and "new files" in ln]
    by_sha = {hashlib.sha1(data).hexdigest(): name for name, data in files}
    kept = []
    for f in sorted(set(os.listdir(merged)) - before):
        name = by_sha.get(f)
        if name is None:
            sys.exit(f"merge of {harness} produced {f}, which is no candidate")
        dest = os.path.join(committed, name)
        if os.path.exists(dest):
            stem = name[:-4]
            n = 2
            while os.path.exists(os.path.join(committed, f"{stem}-x{n}.bin")):
                n += 1
            dest = os.path.join(committed, f"{stem}-x{n}.bin")
        shutil.copyfile(os.path.join(merged, f), dest)
        kept.append(os.path.basename(dest))
    return kept, summary


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("report")
    p.add_argument("out")
    p.add_argument("--merge", metavar="BUILD", help="a fuzz preset build folder (BUILD/fuzz/fuzz_<harness>)")
    p.add_argument("--corpus", default=os.path.join(ROOT, "corpus"))
    p.add_argument("--harness", action="append", choices=HARNESSES)
    p.add_argument("--account", action="append", default=[], metavar="NAME=FIXTURE")
    args = p.parse_args()
    global ACCOUNT_RE
    for a in args.account:
        name, _, fixture = a.partition("=")
        if fixture not in SECRETS or not name:
            sys.exit(f"--account {a}: expected NAME=alice, NAME=bob or NAME=carol")
        ACCOUNT_MAP[name] = fixture
    ACCOUNT_RE = account_re()
    harnesses = args.harness or list(HARNESSES)
    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    if report.get("schema_version") != 1:
        sys.exit(f"{args.report}: schema_version {report.get('schema_version')}, expected 1")
    found = candidates(report)
    for h in harnesses:
        folder = os.path.join(args.out, "candidates", h) if args.merge else os.path.join(args.out, h)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for name, data in found[h]:
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
        size = sum(len(d) for _, d in found[h])
        print(f"{h}: {len(found[h])} candidates ({size} bytes) in {folder}")
    if not args.merge:
        return
    for h in harnesses:
        binary = os.path.join(args.merge, "fuzz", f"fuzz_{h}")
        cov0, ft0 = libfuzzer_status(binary, os.path.join(args.corpus, h))
        kept, summary = merge(h, found[h], args.merge, args.corpus, args.out)
        cov1, ft1 = libfuzzer_status(binary, os.path.join(args.corpus, h))
        size = sum(os.path.getsize(os.path.join(args.corpus, h, k)) for k in kept)
        print(f"{h}: kept {len(kept)} of {len(found[h])} ({size} bytes); cov {cov0} -> {cov1}, ft {ft0} -> {ft1}")
        for line in summary:
            print("  " + line.strip())
        for k in kept:
            print("  + " + os.path.join(args.corpus, h, k))


if __name__ == "__main__":
    main()
