"""Seeds the benchmark's Maildirs: ROOT/u0..u{N-1} (10 messages of ~4 KB each), ROOT/big (one 1 MiB message),
ROOT/huge (100,000 small messages). Usage: seed_maildirs.py ROOT ACCOUNTS HUGE_COUNT"""
import os
import sys


def maildir(root, user):
    path = os.path.join(root, user)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    return path


def write(path, name, content):
    with open(os.path.join(path, "cur", name + ":2,S"), "wb") as f:
        f.write(content)


def main():
    root, accounts, huge = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    body = b"".join(b"Line %03d of a typical message body, some words to fill it up.\r\n" % i for i in range(60))
    for a in range(accounts):
        path = maildir(root, f"u{a}")
        for m in range(10):
            write(path, f"1700000000.M{m}P{a}.bench",
                  b"From: a@example.test\r\nTo: u%d@example.test\r\nSubject: message %d\r\n\r\n" % (a, m) + body)
    path = maildir(root, "big")
    line = b"x" * 78 + b"\r\n"
    write(path, "1700000000.M1P1.big", b"Subject: one mebibyte\r\n\r\n" + line * (1048576 // len(line)))
    path = maildir(root, "huge")
    small = b"From: a@example.test\r\nSubject: small\r\n\r\nhello\r\n"
    for m in range(huge):
        write(path, f"1700000000.M{m}P1.huge", small)


if __name__ == "__main__":
    main()
