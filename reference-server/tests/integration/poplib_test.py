"""Python's stdlib poplib as a real client: downloads a seeded Maildir intact over plain, STLS and implicit TLS.

Usage: poplib_test.py PATH/TO/pop3spec-server"""
import hashlib
import os
import poplib
import ssl
import sys

from server_harness import ServerProcess, crlf, self_signed, temp_dir, users_file, write_maildir_message


def messages():
    """Messages that exercise the wire form: LF-only and CRLF files, dot-stuffing, 8-bit bytes, a large one."""
    big = b"".join(b"line %06d of a large message with some text\n" % i for i in range(50000))  # ~2.3 MB
    return {
        "m1": b"Subject: plain LF\nX-Seq: m1\n\nHello.\nSecond line.\n",
        "m2": b"Subject: CRLF file\r\nX-Seq: m2\r\n\r\nHello over CRLF.\r\n",
        "m3": b"Subject: dots\nX-Seq: m3\n\n.\n..\n.leading dot\n...three\nend\n",
        "m4": b"Subject: 8bit\nX-Seq: m4\n\n\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xff\xfe\n",
        "m5": b"Subject: no final newline\nX-Seq: m5\n\nlast line without end",
        "m6": b"Subject: big\nX-Seq: m6\n\n" + big,
        "m7": b"Subject: new folder\nX-Seq: m7\n\nDelivered to new/.\n",
    }


def expected_wire(content):
    """What RETR returns after un-stuffing: CRLF line ends, and a final CRLF added when the file lacked one."""
    wire = crlf(content)
    return wire if wire.endswith(b"\r\n") else wire + b"\r\n"


def seq_of(lines):
    for line in lines:
        if line.startswith(b"X-Seq: "):
            return line[7:].decode()
    raise AssertionError("message without X-Seq")


def check_download(pop, seeded):
    count, total = pop.stat()
    assert count == len(seeded), (count, len(seeded))
    sizes = {}
    for entry in pop.list()[1]:
        num, size = entry.split()
        sizes[int(num)] = int(size)
    assert sum(sizes.values()) == total
    uids = {int(e.split()[0]): e.split()[1] for e in pop.uidl()[1]}
    assert len(set(uids.values())) == count, "unique ids must be distinct"
    found = {}
    for num in range(1, count + 1):
        _, lines, octets = pop.retr(num)
        seq = seq_of(lines)
        body = b"\r\n".join(lines) + b"\r\n"
        want = expected_wire(seeded[seq])
        assert body == want, f"{seq}: {hashlib.sha1(body).hexdigest()} != {hashlib.sha1(want).hexdigest()}"
        # RFC 1939 §11: the size is the message as sent, with CRLF line ends, before byte-stuffing.
        assert sizes[num] == len(want), (seq, sizes[num], len(want))
        _, top_lines, _ = pop.top(num, 0)
        assert seq_of(top_lines) == seq
        found[seq] = (num, uids[num])
    assert set(found) == set(seeded)
    return found


def main():
    binary = sys.argv[1]
    with temp_dir() as tmp:
        root = os.path.join(tmp, "mail")
        seeded = messages()
        for i, (seq, content) in enumerate(seeded.items()):
            write_maildir_message(os.path.join(root, "alice"), f"17000000{i:02d}.M{i}P1.host",
                                  content, folder="new" if seq == "m7" else "cur")
        users = users_file(tmp, {"alice": "secret", "bob": "other secret"})
        tls = self_signed(tmp)
        args = ["--listen", "127.0.0.1:0", "--store", f"maildir:{root}", "--users", users, "--log-level", "warn"]
        if tls:
            args += ["--tls-listen", "127.0.0.1:0", "--cert", tls[0], "--key", tls[1]]
        with ServerProcess(binary, args, listeners=2 if tls else 1) as server:
            # 1. USER/PASS over plain TCP: every message intact.
            pop = poplib.POP3("127.0.0.1", server.port, timeout=20)
            assert pop.getwelcome().startswith(b"+OK")
            pop.user("alice")
            pop.pass_("secret")
            first = check_download(pop, seeded)
            pop.quit()

            # 2. APOP (RFC 1939 §7), same unique ids (stable across sessions).
            pop = poplib.POP3("127.0.0.1", server.port, timeout=20)
            pop.apop("alice", "secret")
            assert check_download(pop, seeded) == first
            # Delete one and QUIT: UPDATE removes exactly that file.
            num, _ = first["m3"]
            pop.dele(num)
            pop.quit()
            del seeded["m3"]
            files = [f for d in ("cur", "new") for f in os.listdir(os.path.join(root, "alice", d))]
            assert len(files) == len(seeded), files

            if tls:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                # 3. STLS (RFC 2595), then USER/PASS inside TLS.
                pop = poplib.POP3("127.0.0.1", server.port, timeout=20)
                assert "STLS" in pop.capa()
                pop.stls(context)
                assert "STLS" not in pop.capa()
                pop.user("alice")
                pop.pass_("secret")
                check_download(pop, seeded)
                pop.quit()
                # 4. Implicit TLS (RFC 8314).
                pop = poplib.POP3_SSL("127.0.0.1", server.ports[1], timeout=20, context=context)
                pop.user("alice")
                pop.pass_("secret")
                check_download(pop, seeded)
                pop.quit()

            # A wrong password is refused and the account is unharmed.
            pop = poplib.POP3("127.0.0.1", server.port, timeout=20)
            pop.user("bob")
            try:
                pop.pass_("wrong")
                raise AssertionError("wrong password accepted")
            except poplib.error_proto:
                pass
            pop.close()
            assert server.stop() == 0, "pop3spec-server exits 0 on SIGTERM"
    print("poplib: all checks passed")


if __name__ == "__main__":
    main()
