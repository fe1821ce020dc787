"""The local sandbox: a timeout and a memory limit (the Docker sandbox is in test_docker_sandbox.py)."""

from __future__ import annotations

import pytest

from evals.sandbox import LocalSandbox

HOSTILE = {
    "loops": ("while True:\n    pass\n", "timed out"),
    "forks": ("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", "timed out"),
    "fills memory": ("x = bytearray(3 << 30)\n", "failed"),
    "reaches out": ("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)\n", "failed"),
    "deletes files": ("import os, shutil\nshutil.rmtree('/usr/lib/python3', ignore_errors=True)\n"
                      "os.system('rm -rf / 2>/dev/null')\n", "passed"),
}
"""What each hostile program does, and the verdict it gets."""


@pytest.mark.parametrize("name", ["loops", "fills memory"])
def test_the_local_sandbox_stops_loops_and_memory_hogs(name: str) -> None:
    program, expected = HOSTILE[name]
    result = LocalSandbox().run(program, 2)
    assert result.status == expected and result.seconds < 10
