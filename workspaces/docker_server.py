"""Host side of the in-container command server: one attached `docker exec`, JSON lines in, replies from its stream."""

from __future__ import annotations

import base64
import json
import threading
import time
from pathlib import Path
from typing import Any

from workspaces.docker_exec import FrameReader, ServerGone, ServerStuck

SERVER_SOURCE = (Path(__file__).parent / "command_server.py").read_text()
"""The server's source, run in the container with `python3 -u -c`."""
HELLO_TIMEOUT = 15.0
"""Seconds the server may take to start and say hello."""


class CommandServer:
    """A running command server in a container, as one user."""

    def __init__(self, api: Any, container_id: str, user: str, env: dict[str, str]):
        self.api = api
        self.container_id = container_id
        self.user = user
        self.env = env
        self.reader: FrameReader | None = None
        self.pid = 0
        """The server's pid inside the container."""
        self.broken = False
        """True when a request was sent and its reply not read (timeout, Ctrl-C): the server must be replaced."""
        self.lock = threading.Lock()

    def start(self) -> bool:
        """Start the server; False when the image cannot run it (no python3)."""
        exec_id = self.api.exec_create(self.container_id, ["python3", "-u", "-c", SERVER_SOURCE], stdin=True,
                                       user=self.user, environment=self.env)["Id"]
        self.reader = FrameReader(self.api.exec_start(exec_id, socket=True))
        try:
            hello = json.loads(self.reader.line(time.monotonic() + HELLO_TIMEOUT))
        except (ServerGone, ServerStuck, ValueError):
            self.close()
            return False
        self.pid = int(hello.get("pid", 0))
        return True

    def request(self, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait up to `timeout` seconds for its reply."""
        if self.reader is None:
            raise ServerGone("not started")
        with self.lock:  # one request at a time: replies carry no id
            if self.broken:
                raise ServerGone("an earlier request was abandoned")
            self.broken = True  # until the reply is read: an interrupted request leaves the protocol out of step
            self.reader.send((json.dumps(payload) + "\n").encode())
            reply = json.loads(self.reader.line(time.monotonic() + timeout))
            self.broken = False
            return reply

    def close(self) -> None:
        """Disconnect (idempotent)."""
        if self.reader is not None:
            self.reader.close()
            self.reader = None


def decode(text: str) -> bytes:
    """Base64 text from the server as bytes."""
    return base64.b64decode(text)
