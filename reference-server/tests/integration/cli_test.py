"""pop3spec-server's command line: --help, configuration errors (file, line, what), a port in use, a config file
with flags overriding it, and a clean exit on SIGINT.

Usage: cli_test.py PATH/TO/pop3spec-server"""
import os
import signal
import socket
import subprocess
import sys

from server_harness import ServerProcess, temp_dir, users_file


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=20)


def main():
    binary = sys.argv[1]
    r = run(binary, "--help")
    assert r.returncode == 0 and "--tls-listen" in r.stdout, r
    r = run(binary, "--listen", "127.0.0.1:0", "--frobnicate")
    assert r.returncode == 2 and "unknown option '--frobnicate'" in r.stderr, r
    with temp_dir() as tmp:
        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("listen:\n  - address: 127.0.0.1:0\nlimits:\n  autologout: 600\n")
        r = run(binary, "--config", bad)
        assert r.returncode == 2, r
        assert f"{bad}:4:3: unknown key 'autologout' in limits" in r.stderr, r.stderr
        # A port already taken: the server refuses to start (exit 1) and says where.
        blocker = socket.socket()
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]
        r = run(binary, "--listen", f"127.0.0.1:{taken}", "--store", "memory")
        assert r.returncode == 1 and f"127.0.0.1:{taken}" in r.stderr, r
        blocker.close()
        # A configuration file, with --listen overriding its listener.
        users = users_file(tmp, {"alice": "secret"})
        good = os.path.join(tmp, "good.yaml")
        with open(good, "w") as f:
            f.write(f"listen:\n  - address: 127.0.0.1:{taken}\nstore: {{kind: memory}}\nusers: {users}\n"
                    "limits: {autologout_seconds: 900}\n")
        with ServerProcess(binary, ["--config", good, "--listen", "127.0.0.1:0", "--log-level", "info"]) as server:
            assert server.port != taken
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            f = s.makefile("rwb")
            assert f.readline().startswith(b"+OK")
            f.write(b"USER alice\r\nPASS secret\r\nSTAT\r\n")
            f.flush()
            assert [f.readline()[:3] for _ in range(3)] == [b"+OK"] * 3
            server.proc.send_signal(signal.SIGINT)
            assert server.proc.wait(timeout=10) == 0
            assert f.readline() == b"", "the session is closed on shutdown"
            log = server.proc.stderr.read().decode()
            assert "event=login user=alice" in log and "event=shutdown" in log, log
            assert "secret" not in log, "secrets never reach the log"
    print("cli: all checks passed")


if __name__ == "__main__":
    main()
