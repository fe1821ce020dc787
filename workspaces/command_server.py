"""The command server that runs inside a workspace container (sent there as source, run with `python3 -u -c`).

One JSON request per line on stdin, one JSON reply line on stdout (a command costs a fork, not a `docker exec`):
  {"op": "exec", "cmd", "timeout", "cwd", "limit", "env"} -> {"code", "timed_out", "head", "tail", "dropped"}
  {"op": "read", "path"} -> {"data"};  {"op": "write", "path", "data"} -> {}
Bytes travel base64-encoded; failures come back as {"error": "FileNotFoundError", "message": ...}. Commands run
in their own session, killed as a group past the timeout. Stdlib only, Python 3.5 compatible (any image's python3).
The local workspace runs its commands with the same `run` and the host keeps output in the same HeadTailBuffer."""
# ruff: noqa: UP031

import base64
import json
import os
import select
import signal
import subprocess
import sys
import time

DRAIN = 1.0
"""Seconds to keep reading after the command exited, for background processes that still hold its output."""
RUNNING = {}
"""The process group of the command being run ("pgid"), for the SIGTERM handler."""


def b64(data):
    """Bytes as base64 text."""
    return base64.b64encode(data).decode("ascii")


def favour_for_oom_killer():
    """In the child before exec: make commands, not this server, the OOM killer's first choice."""
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")
    except OSError:
        pass


class HeadTailBuffer:
    """Accumulates a byte stream, keeping the first and last `limit // 2` bytes and counting the rest."""

    def __init__(self, limit):
        self.head_limit = limit // 2
        self.tail_limit = limit - self.head_limit
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def write(self, chunk):
        """Add a chunk of output."""
        take = max(0, self.head_limit - len(self.head))
        self.head += chunk[:take]
        self.tail += chunk[take:]
        excess = len(self.tail) - self.tail_limit
        if excess > 0:
            del self.tail[:excess]
            self.dropped += excess

    def text(self):
        """The kept output as text, with a marker where the middle was dropped."""
        head = self.head.decode("utf-8", errors="replace")
        tail = self.tail.decode("utf-8", errors="replace")
        if self.dropped:
            return "%s\n... [%d bytes of output omitted] ...\n%s" % (head, self.dropped, tail)
        return head + tail


def pump(proc, buffer, deadline):
    """Read the command's output until EOF (True), the deadline, or DRAIN seconds after the command exited."""
    fd = proc.stdout.fileno()
    drain_until = None
    while True:
        now = time.monotonic()
        if drain_until is None and proc.poll() is not None:
            drain_until = now + DRAIN
        stop_at = deadline if drain_until is None else min(deadline, drain_until)
        if now >= stop_at:
            return False
        if select.select([fd], [], [], min(stop_at - now, 0.05))[0]:
            data = os.read(fd, 65536)
            if not data:
                return True
            buffer.write(data)


def kill_group(pgid):
    """SIGKILL every process of a group, again while members remain (a fork bomb keeps forking)."""
    for _ in range(20):
        try:
            os.killpg(pgid, signal.SIGKILL)
            time.sleep(0.005)
            os.killpg(pgid, 0)
        except OSError:
            return


def run(cmd, cwd, timeout, limit, env=None, preexec_fn=favour_for_oom_killer):
    """Run one command as its own process group, killed past the timeout, if leftovers hold its output after exit,
    or when the caller is interrupted; (output, exit code, timed out)."""
    output = HeadTailBuffer(limit)
    try:
        proc = subprocess.Popen(["bash", "-c", cmd], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=preexec_fn)
    except OSError as exc:
        output.write(("cannot run in %s: %s\n" % (cwd, exc.strerror)).encode())
        return output, 127, False
    RUNNING["pgid"] = proc.pid
    deadline = time.monotonic() + timeout
    code, timed_out, reached_eof = -1, False, False
    try:
        reached_eof = pump(proc, output, deadline)
        code = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        if timed_out or not reached_eof or proc.poll() is None:
            kill_group(proc.pid)
        proc.wait()
        RUNNING.pop("pgid", None)
        proc.stdout.close()
    return output, code, timed_out


def run_exec(request):
    """The reply to an exec request."""
    env = dict(os.environ)
    env.update(request.get("env") or {})
    output, code, timed_out = run(request["cmd"], request["cwd"], float(request["timeout"]), int(request["limit"]),
                                  env=env)
    return {"code": code, "timed_out": timed_out, "head": b64(bytes(output.head)), "tail": b64(bytes(output.tail)),
            "dropped": output.dropped}


def run_read(request):
    """The bytes of a file (open() raises FileNotFoundError and IsADirectoryError)."""
    with open(request["path"], "rb") as handle:
        return {"data": b64(handle.read())}


def run_write(request):
    """Write a file (absolute path), creating parent directories; an existing file keeps its permission bits."""
    os.makedirs(os.path.dirname(request["path"]), exist_ok=True)
    with open(request["path"], "wb") as handle:
        handle.write(base64.b64decode(request["data"]))
    return {}


HANDLERS = {"exec": run_exec, "read": run_read, "write": run_write}


def answer(line):
    """The reply to one request line."""
    try:
        request = json.loads(line.decode("utf-8"))
        return HANDLERS[request["op"]](request)
    except OSError as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    except Exception as exc:  # a bad request must not end the server
        return {"error": "ServerError", "message": "%s: %s" % (type(exc).__name__, exc)}


def stop(signum, frame):
    """SIGTERM (the host gave up on a request): kill the running command's group, then exit."""
    if "pgid" in RUNNING:
        kill_group(RUNNING["pgid"])
    os._exit(0)


def main():
    """Say hello (pid, Python version), then answer requests until stdin closes or SIGTERM arrives."""
    signal.signal(signal.SIGTERM, stop)
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else sys.stdout
    out.write((json.dumps({"pid": os.getpid(), "python": sys.version.split()[0]}) + "\n").encode())
    out.flush()
    for line in iter(sys.stdin.buffer.readline, b""):
        out.write((json.dumps(answer(line)) + "\n").encode())
        out.flush()


if __name__ == "__main__":
    main()
