"""Crash safety of UPDATE (RFC 1939 §6), proven by killing: pop3spec-server is SIGKILLed at random instants while it
applies many deletions to a large Maildir. After every kill each message must be present byte-for-byte or gone
(never truncated, duplicated or corrupted), no message that was not deleted may be missing, and the server must start
again cleanly and list exactly what is on disk.

Usage: crash_update_test.py PATH/TO/pop3spec-server [SECONDS]"""
import hashlib
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from server_harness import ServerProcess, temp_dir, users_file, write_maildir_message  # noqa: E402

MESSAGES = 3000
REFILL_BELOW = 800


_cache = {}


def message(seq):
    """Deterministic content for message `seq`: LF or CRLF lines, 100 B to ~15 KB."""
    if seq not in _cache:
        digest = hashlib.sha256(b"%d" % seq).hexdigest().encode()
        eol = b"\r\n" if seq % 3 == 0 else b"\n"
        lines = [b"Subject: crash test %d" % seq, b"X-Seq: %d" % seq, b""]
        lines += [b"%d.%d %s" % (seq, i, digest[: (i * 7 + seq) % 64]) for i in range(int(digest[:2], 16) % 200 + 1)]
        _cache[seq] = eol.join(lines) + eol
    return _cache[seq]


class Pop3:
    """A minimal blocking POP3 client with timeouts."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.buf = b""
        assert self.line().startswith(b"+OK")

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def multiline(self):
        status = self.line()
        assert status.startswith(b"+OK"), status
        lines = []
        while True:
            line = self.line()
            if line == b".":
                return lines
            lines.append(line)

    def cmd(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.line()


def on_disk(maildir):
    """seq -> (path, bytes) for every message file in cur/ and new/; fails on a duplicate or a corrupt file."""
    found = {}
    for folder in ("cur", "new"):
        for name in os.listdir(os.path.join(maildir, folder)):
            path = os.path.join(maildir, folder, name)
            with open(path, "rb") as f:
                data = f.read()
            marker = data.find(b"X-Seq: ")
            assert marker >= 0, f"corrupt message (no X-Seq): {path} ({len(data)} bytes)"
            seq = int(data[marker + 7:data.find(b"\n", marker)].strip())
            assert seq not in found, f"message {seq} duplicated: {found[seq][0]} and {path}"
            assert data == message(seq), f"message {seq} truncated or corrupted: {path} ({len(data)} bytes)"
            found[seq] = (path, data)
    return found


def main():
    binary = sys.argv[1]
    budget = float(sys.argv[2]) if len(sys.argv) > 2 else 40.0
    rng = random.Random(int(os.environ.get("POP3SPEC_CRASH_SEED", "1939")))
    with temp_dir() as tmp:
        root = os.path.join(tmp, "mail")
        maildir = os.path.join(root, "alice")
        next_seq = 0

        def refill(count):
            nonlocal next_seq
            for _ in range(count):
                write_maildir_message(maildir, f"1700000000.M{next_seq}P1.crash", message(next_seq))
                next_seq += 1

        refill(MESSAGES)
        users = users_file(tmp, {"alice": "secret"})
        args = ["--listen", "127.0.0.1:0", "--store", f"maildir:{root}", "--users", users, "--log-level", "error",
                "--threads", "1"]
        started = time.monotonic()
        update_time = None
        kills = completed = interrupted = 0
        iteration = 0
        while time.monotonic() - started < budget:
            iteration += 1
            before = on_disk(maildir)
            if len(before) < REFILL_BELOW:
                refill(MESSAGES - len(before))
                before = on_disk(maildir)
            server = ServerProcess(binary, args)
            try:
                pop = Pop3(server.port)
                assert pop.cmd("USER alice").startswith(b"+OK")
                assert pop.cmd("PASS secret").startswith(b"+OK"), "login after a kill must work (lock released)"
                count = int(pop.cmd("STAT").split()[1])
                assert count == len(before), f"server lists {count}, disk holds {len(before)}"
                pop.sock.sendall(b"UIDL\r\n")
                pop.multiline()
                doomed_numbers = rng.sample(range(1, count + 1), k=count // 2)
                # Which seq each number is: RETR would be slow; TOP n 0 gives the headers with X-Seq.
                pop.sock.sendall(b"".join(b"TOP %d 0\r\n" % n for n in doomed_numbers))
                doomed = set()
                for _ in doomed_numbers:
                    for line in pop.multiline():
                        if line.startswith(b"X-Seq: "):
                            doomed.add(int(line[7:]))
                pop.sock.sendall(b"".join(b"DELE %d\r\n" % n for n in doomed_numbers))
                for _ in doomed_numbers:
                    assert pop.line().startswith(b"+OK")
                if update_time is None:
                    # Calibrate once: how long an UPDATE of this size takes, so later kills land inside one.
                    t0 = time.monotonic()
                    assert pop.cmd("QUIT").startswith(b"+OK")
                    update_time = time.monotonic() - t0
                    server.stop()
                    completed += 1
                else:
                    pop.sock.sendall(b"QUIT\r\n")
                    time.sleep(rng.uniform(0, update_time))
                    server.kill()
                    kills += 1
                pop.sock.close()
            finally:
                server.kill() if server.proc.poll() is None else None
            after = on_disk(maildir)  # asserts: no corruption, no duplicate
            lost = set(before) - set(after) - doomed
            assert not lost, f"iteration {iteration}: messages lost that were never deleted: {sorted(lost)[:10]}"
            gone = len(doomed & (set(before) - set(after)))
            if 0 < gone < len(doomed):
                interrupted += 1  # the kill landed inside UPDATE: some deletions done, some not
            appeared = set(after) - set(before)
            assert not appeared, f"iteration {iteration}: messages appeared: {sorted(appeared)[:10]}"
        # A final clean start lists exactly what is on disk.
        with ServerProcess(binary, args) as server:
            pop = Pop3(server.port)
            pop.cmd("USER alice")
            assert pop.cmd("PASS secret").startswith(b"+OK")
            assert int(pop.cmd("STAT").split()[1]) == len(on_disk(maildir))
            pop.cmd("QUIT")
            assert server.stop() == 0
        print(f"crash: {kills} kills during UPDATE (calibrated UPDATE {update_time * 1000:.1f} ms for "
              f"{MESSAGES // 2} deletions), {completed} clean, {interrupted} kills landed mid-UPDATE; every message intact or deleted")
        assert kills >= 5, "too few kills to prove anything"


if __name__ == "__main__":
    main()
