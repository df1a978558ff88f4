#!/usr/bin/env python3
"""Generates the standard fixture messages in scenarios/fixtures/ (CRLF .eml files), their manifest fixtures.yaml
and README.md. Deterministic: running it again gives byte-identical files (CI may check `git diff --exit-code`).

Usage: scripts/make-fixtures.py [--check] [OUTPUT_DIR]
  --check  write nothing; exit 1 if any committed file differs from what would be generated.
"""
import hashlib
import os
import sys

CRLF = "\r\n"


def headers(n, subject, extra=()):
    h = [
        "From: Alice Sender <alice@example.org>",
        "To: Bob Receiver <bob@example.net>",
        f"Subject: {subject}",
        f"Date: Mon, 02 Feb 2026 10:{n:02d}:00 +0000",
        f"Message-ID: <pop3spec-m{n}@fixtures.pop3spec.example>",
    ]
    h.extend(extra)
    return h


def message(head, body_lines, final_newline=True):
    text = CRLF.join(head) + CRLF + CRLF + CRLF.join(body_lines)
    if body_lines and final_newline:
        text += CRLF
    return text.encode("utf-8")


def m1():
    return message(headers(1, "m1 short message"), ["Hello"])


def m2():
    # RFC 1939 §3 byte-stuffing: each of these lines starts with '.', or is empty, or has a '.' elsewhere.
    body = [".", "..", ".x", ".leading", ". space", "middle.", "", "end"]
    return message(headers(2, "m2 lines that need dot-stuffing"), body)


def m3():
    return message(headers(3, "m3 ten body lines for TOP"), [f"line {i:02d}" for i in range(1, 11)])


def m4():
    # Headers, the blank separator line, and no body at all (this is also the empty-body message).
    return (CRLF.join(headers(4, "m4 headers only, empty body")) + CRLF + CRLF).encode("ascii")


def m5():
    """About 1 MiB: exactly 1048576 octets as sent, with one 3000-octet body line and a few dot-leading lines."""
    target = 1 << 20
    head = headers(5, "m5 large message of 1 MiB")
    lines = []
    i = 0
    size = len(CRLF.join(head)) + 4  # headers, CRLF after the last header, blank line
    while True:
        i += 1
        if i == 500:
            line = "L" + "".join(chr(ord("a") + (k % 26)) for k in range(2999))  # 3000 octets
        elif i % 1000 == 0:
            line = f".dot-leading line {i:05d} (stuffed on the wire)"
        else:
            line = f"line {i:05d} of the large fixture: the quick brown fox jumps over the lazy dog 0123456789"
        if size + len(line) + 2 > target - 64:
            break
        lines.append(line)
        size += len(line) + 2
    # Pad the last line so that the message is exactly `target` octets with its final CRLF.
    last = "end " + "z" * (target - size - 2 - 4)
    lines.append(last)
    data = message(head, lines)
    assert len(data) == target, len(data)
    return data


def m6():
    head = headers(
        6,
        "m6 Grüße aus Köln ✓ 日本語 8-bit UTF-8",
        ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"],
    )
    phrase = "Ünïcödé façade naïve — 日本語のテキスト — "
    long_line = ""
    while len(long_line.encode("utf-8")) < 1200:
        long_line += phrase
    body = ["Grüße! This body is 8-bit UTF-8.", long_line.rstrip(), "Ende."]
    data = message(head, body)
    assert max(len(x) for x in data.split(b"\r\n")) > 1000
    return data


def m7():
    return message(headers(7, "m7 last line without CRLF"), ["first line", "last line has no newline"],
                   final_newline=False)


FIXTURES = [
    ("m1-short.eml", m1, "Minimal message: the five usual headers, a blank line, body `Hello`."),
    ("m2-dot-lines.eml", m2,
     "Body lines `.`, `..`, `.x`, `.leading`, `. space`, `middle.`, an empty line and `end`: byte-stuffing on RETR "
     "and TOP (RFC 1939 §3), unstuffing in the client."),
    ("m3-ten-lines.eml", m3, "Body `line 01` ... `line 10`: TOP n k for k = 0, 1, 5, 10, 11 (RFC 1939 §7)."),
    ("m4-headers-only.eml", m4,
     "Headers, the blank line, no body: TOP n 0 equals RETR n; also serves as the empty-body message (no m8)."),
    ("m5-large-1mib.eml", m5,
     "Exactly 1 MiB as sent, with one 3000-octet body line (no POP3 length limit on content, R1939-LEN-4) and "
     "dot-leading lines every 1000 lines."),
    ("m6-utf8-long-line.eml", m6,
     "8-bit UTF-8 in Subject and body, one body line over 1000 octets (RFC 6856 context; LIST counts octets)."),
    ("m7-no-final-newline.eml", m7,
     "Last line without CRLF: the server must add one before the terminator, and LIST counts it (R1939-LIST-7)."),
]


def size_as_sent(data):
    """Octets on the wire with CRLF line ends, unstuffed, final CRLF added if missing (what LIST reports)."""
    text = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not text.endswith(b"\r\n"):
        text += b"\r\n"
    return len(text), text


def body_lines(wire):
    sep = wire.find(b"\r\n\r\n")
    if sep < 0:
        return 0
    body = wire[sep + 4:]
    return body.count(b"\r\n")


def manifest(rows):
    out = [
        "# The standard fixture messages, in seeding order: message n of a seeded maildrop is entry n.",
        "# Generated by scripts/make-fixtures.py; do not edit by hand.",
        "# size: octets as sent (CRLF line ends, final CRLF added where missing, before byte-stuffing) = what LIST",
        "#       and STAT must report for the message (RFC 1939 §5 / R1939-LIST-7).",
        "# file_size: octets of the .eml file. body_lines: lines after the blank separator (for TOP n k).",
        "# sha256: of the message as sent (the unstuffed RETR body a client must reassemble).",
        "version: 1",
        f"total_size: {sum(r['size'] for r in rows)}",
        "messages:",
    ]
    for r in rows:
        out += [
            f"  - number: {r['number']}",
            f"    file: {r['file']}",
            f"    size: {r['size']}",
            f"    file_size: {r['file_size']}",
            f"    body_lines: {r['body_lines']}",
            f"    final_crlf: {'true' if r['final_crlf'] else 'false'}",
            f"    sha256: {r['sha256']}",
        ]
    return "\n".join(out) + "\n"


def readme(rows):
    out = [
        "# Fixture messages",
        "",
        "The standard messages every seeded scenario relies on. They are CRLF files (`.gitattributes` marks `*.eml`",
        "`-text`, so git never touches their bytes). `fixtures.yaml` gives the seeding order: message *n* of a",
        "seeded maildrop is entry *n*, so the runner, the reference server and `--seed-*` agree on numbering.",
        "",
        "Regenerate with `scripts/make-fixtures.py` (deterministic; `--check` verifies the committed files).",
        "",
        "**Size as sent** is what `LIST n` must report: octets with CRLF line ends, before byte-stuffing, with a final",
        "CRLF added where the file lacks one (R1939-LIST-7). The total is what `STAT` reports for the full maildrop.",
        "",
        "| # | File | Size as sent | File size | Body lines | Purpose |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        out.append(f"| {r['number']} | `{r['file']}` | {r['size']} | {r['file_size']} | {r['body_lines']} | "
                   f"{r['purpose']} |")
    out += [
        "",
        f"Total size as sent of messages 1-{len(rows)}: {sum(r['size'] for r in rows)} octets (`STAT` = "
        f"`+OK {len(rows)} {sum(r['size'] for r in rows)}`).",
        "",
        "Notes for seeding other servers:",
        "",
        "- `m7-no-final-newline.eml` lacks its final CRLF on disk (242 octets). A server must send a CRLF before the",
        "  terminating `.CRLF` (RFC 1939 §3), so the message as sent is 244 octets; a server that counts the stored",
        "  bytes reports 242 in LIST, which R1939-LIST-7 (sizes as sent, RFC 1939 §5 and §11) makes a divergence.",
        "- `m6-utf8-long-line.eml` carries raw 8-bit UTF-8 (not encoded-words); some delivery agents re-encode it.",
        "- Maildir stores use LF line ends on disk; sizes as sent are unchanged (every LF becomes CRLF on the wire).",
        "",
    ]
    return "\n".join(out)


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outdir = args[0] if args else os.path.join(root, "scenarios", "fixtures")
    files = {}
    rows = []
    for n, (name, make, purpose) in enumerate(FIXTURES, start=1):
        data = make()
        size, wire = size_as_sent(data)
        files[name] = data
        rows.append({
            "number": n, "file": name, "size": size, "file_size": len(data), "body_lines": body_lines(wire),
            "final_crlf": data.endswith(b"\r\n"), "sha256": hashlib.sha256(wire).hexdigest(), "purpose": purpose,
        })
    files["fixtures.yaml"] = manifest(rows).encode("utf-8")
    files["README.md"] = readme(rows).encode("utf-8")
    differ = []
    for name, data in files.items():
        path = os.path.join(outdir, name)
        if check:
            try:
                with open(path, "rb") as f:
                    if f.read() != data:
                        differ.append(name)
            except FileNotFoundError:
                differ.append(name)
        else:
            os.makedirs(outdir, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    if check and differ:
        print("make-fixtures: out of date: " + ", ".join(differ), file=sys.stderr)
        return 1
    print(f"make-fixtures: {len(files)} files {'checked' if check else 'written'} in {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
