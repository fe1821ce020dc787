"""The in-container command server, run here on the host (it is plain stdlib Python): protocol and semantics."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from workspaces import command_server
from workspaces.docker_server import SERVER_SOURCE


def run(cmd: str, timeout: float = 30, limit: int = 100_000, cwd: str = "/") -> dict:
    """One exec request, answered in-process; head and tail decoded."""
    reply = command_server.run_exec({"cmd": cmd, "timeout": timeout, "cwd": cwd, "limit": limit})
    reply["text"] = (base64.b64decode(reply["head"]) + base64.b64decode(reply["tail"])).decode()
    return reply


def processes_with(marker: str) -> list[int]:
    """Pids of live processes whose command line mentions `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline and entry.name.isdigit():
            found.append(int(entry.name))
    return found


@pytest.fixture
def server():
    """The server as the workspace runs it: `python3 -u -c SOURCE`, requests on stdin."""
    proc = subprocess.Popen([sys.executable, "-u", "-c", SERVER_SOURCE], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    hello = json.loads(proc.stdout.readline())
    assert hello["pid"] == proc.pid

    def ask(request: dict) -> dict:
        proc.stdin.write((json.dumps(request) + "\n").encode())
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    yield ask
    proc.stdin.close()
    assert proc.wait(timeout=10) == 0


def test_exit_code_and_interleaved_output():
    reply = run("echo one; echo two >&2; exit 5")
    assert (reply["code"], reply["timed_out"], reply["text"]) == (5, False, "one\ntwo\n")


def test_timeout_kills_the_process_group():
    marker = f"{uuid.uuid4().int % 1000}.{os.getpid()}"
    reply = run(f"sleep {marker} & sleep {marker}1; echo never", timeout=0.5)
    assert reply["timed_out"] and reply["code"] == -1 and "never" not in reply["text"]
    assert processes_with(f"sleep {marker}") == []


def test_background_processes_holding_the_output_are_ended_and_redirected_ones_kept():
    marker = f"{uuid.uuid4().int % 1000}.{os.getpid()}"
    held = run(f"sleep {marker} & echo started")
    assert held["code"] == 0 and not held["timed_out"] and held["text"] == "started\n"
    assert processes_with(f"sleep {marker}") == []
    kept = run(f"sleep {marker}2 >/dev/null 2>&1 & echo started")
    survivors = processes_with(f"sleep {marker}2")
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert kept["text"] == "started\n" and len(survivors) == 1


def test_long_output_keeps_head_and_tail_and_counts_the_rest():
    reply = run("seq 1 100000", limit=1000)
    head, tail = base64.b64decode(reply["head"]).decode(), base64.b64decode(reply["tail"]).decode()
    assert head.startswith("1\n2\n") and tail.endswith("99999\n100000\n")
    assert len(head) == len(tail) == 500
    assert reply["dropped"] == len("\n".join(str(i) for i in range(1, 100001))) + 1 - 1000


def test_a_missing_working_directory_is_a_failed_command():
    reply = run("true", cwd="/does/not/exist")
    assert reply["code"] == 127 and "/does/not/exist" in reply["text"]


def test_files_and_errors_over_the_protocol(server, tmp_path):
    target = tmp_path / "deep" / "file.txt"
    assert server({"op": "write", "path": str(target), "data": base64.b64encode(b"caf\xc3\xa9\n").decode()}) == {}
    assert base64.b64decode(server({"op": "read", "path": str(target)})["data"]) == "café\n".encode()
    script = tmp_path / "run.sh"
    script.write_text("old")
    script.chmod(0o755)
    server({"op": "write", "path": str(script), "data": base64.b64encode(b"new").decode()})
    assert script.stat().st_mode & 0o777 == 0o755
    assert server({"op": "read", "path": str(tmp_path / "nope")})["error"] == "FileNotFoundError"
    assert server({"op": "read", "path": str(tmp_path)})["error"] == "IsADirectoryError"
    assert server({"op": "write", "path": str(tmp_path / "deep"), "data": ""})["error"] == "IsADirectoryError"
    assert server({"op": "bogus"})["error"] == "ServerError"
    assert server({"op": "exec", "cmd": "echo hi", "timeout": 5, "cwd": str(tmp_path), "limit": 100})["code"] == 0
