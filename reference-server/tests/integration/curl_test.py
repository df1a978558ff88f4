"""curl as a second real client: LIST, RETR and DELE (`-X 'DELE 1' -I`: a custom command with no body).

Usage: curl_test.py PATH/TO/pop3spec-server"""
import os
import subprocess
import sys

from server_harness import ServerProcess, crlf, temp_dir, users_file, write_maildir_message


def curl(port, path="", extra=()):
    r = subprocess.run(["curl", "-sS", "--max-time", "10", "-u", "alice:secret", *extra,
                        f"pop3://127.0.0.1:{port}/{path}"], capture_output=True, timeout=30)
    assert r.returncode == 0, (extra, path, r.returncode, r.stderr)
    return r.stdout


def check(binary, store, users, seeded):
    """LIST, RETR of each message, DELE 1 + QUIT, LIST again, against one server."""
    with ServerProcess(binary, ["--listen", "127.0.0.1:0", "--store", store, "--users", users,
                                "--log-level", "warn"]) as server:
        listing = curl(server.port)
        want = b"".join(b"%d %d\r\n" % (i + 1, len(crlf(c))) for i, c in enumerate(seeded))
        assert listing == want, (store, listing, want)
        for i, content in enumerate(seeded):
            body = curl(server.port, str(i + 1))
            assert body == crlf(content), (store, i + 1, body[:80])
        # DELE 1, then QUIT (curl ends every session with QUIT): UPDATE removes message 1.
        assert curl(server.port, extra=("-X", "DELE 1", "-I")) == b""
        listing = curl(server.port)
        want = b"".join(b"%d %d\r\n" % (i + 1, len(crlf(c))) for i, c in enumerate(seeded[1:]))
        assert listing == want, (store, listing, want)
        assert curl(server.port, "1") == crlf(seeded[1])
        assert server.stop() == 0


def main():
    binary = sys.argv[1]
    seeded = [b"Subject: one\nX-Seq: 1\n\nfirst\nFrom the start of a line\n",
              b"Subject: two\r\nX-Seq: 2\r\n\r\n.dot line\r\nsecond\r\n",
              b"Subject: three\nX-Seq: 3\n\n" + b"x" * 100000 + b"\n"]
    with temp_dir() as tmp:
        users = users_file(tmp, {"alice": "secret"})
        # Maildir: names sort in seeding order, so message numbers follow it.
        root = os.path.join(tmp, "maildir")
        for i, content in enumerate(seeded):
            write_maildir_message(os.path.join(root, "alice"), f"170000000{i}.M{i}P1.host", content)
        check(binary, f"maildir:{root}", users, seeded)
        # mbox (mboxrd): "From " separators, a blank line before each, ">From " quoting of body lines.
        root = os.path.join(tmp, "mbox")
        os.makedirs(root)
        with open(os.path.join(root, "alice"), "wb") as f:
            for content in seeded:
                lf = content.replace(b"\r\n", b"\n")
                quoted = b"\n".join(b">" + line if line.lstrip(b">").startswith(b"From ") else line
                                     for line in lf.split(b"\n"))
                f.write(b"From sender@example.test Thu Jan  1 00:00:00 2026\n" + quoted + b"\n")
        check(binary, f"mbox:{root}", users, [c.replace(b"\r\n", b"\n") for c in seeded])
    print("curl: all checks passed (maildir and mbox)")


if __name__ == "__main__":
    main()
