"""Starts pop3spec-server on an ephemeral loopback port for the integration tests; every wait is bounded."""
import os
import select
import signal
import subprocess
import tempfile
import time


class ServerProcess:
    """pop3spec-server in a child process; `port` (and `ports`) come from its "listening ..." lines."""

    def __init__(self, binary, args, listeners=1, timeout=10.0):
        self.proc = subprocess.Popen([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.ports = []
        deadline = time.monotonic() + timeout
        buffered = b""
        while len(self.ports) < listeners:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise RuntimeError("pop3spec-server did not report its port in time")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace")
                raise RuntimeError(f"pop3spec-server exited ({self.proc.wait()}): {err}")
            buffered += chunk
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                words = line.decode().split()
                if len(words) == 3 and words[0] == "listening":
                    self.ports.append(int(words[2].rsplit(":", 1)[1]))
        self.port = self.ports[0]

    def stop(self, timeout=10.0):
        """SIGTERM, then wait; returns the exit status (SIGKILL after the timeout)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError("pop3spec-server did not stop on SIGTERM")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.kill()


def write_maildir_message(maildir, name, content, folder="cur"):
    """Writes one message file the way a delivery agent does: tmp/ first, then rename."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    tmp = os.path.join(maildir, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(content)
    final = os.path.join(maildir, folder, name + (":2,S" if folder == "cur" else ""))
    os.rename(tmp, final)
    return final


def crlf(content):
    """The message as POP3 sends it (before byte-stuffing): every line ending CRLF."""
    return content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def users_file(directory, accounts):
    path = os.path.join(directory, "users")
    with open(path, "w") as f:
        f.write("# test accounts\n")
        for user, secret in accounts.items():
            f.write(f"{user}:{secret}\n")
    return path


def self_signed(directory):
    """A throwaway certificate and key (openssl CLI), or None when openssl fails."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                       capture_output=True, timeout=30)
    return (cert, key) if r.returncode == 0 else None


def temp_dir():
    return tempfile.TemporaryDirectory(prefix="pop3spec-it-")
