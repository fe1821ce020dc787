"""Where model-written programs run: a Docker container per worker (networking off, memory, CPU and process limits),
or, only when asked for, a subprocess on this machine.

Each program runs in a fresh folder as an unprivileged user, under a per-sample timeout and an address-space limit;
afterwards every process that user still has is killed and the folder removed. So a sample that loops, forks,
fills memory or deletes files costs its own verdict and nothing else: the container stays, and the next sample
starts clean. Containers are reused for every sample a worker runs, and a sample costs a fork inside its container
(the workspaces' command server, run as root there) rather than a whole `docker exec`, so throughput is set by the
tests.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from workspaces import gc
from workspaces.docker_exec import ServerGone, ServerStuck
from workspaces.docker_server import CommandServer, decode

RUNNER = r"""set -u
dir=$(mktemp -d /tmp/sample.XXXXXX) && chown sandbox: "$dir" && cd "$dir" || exit 125
printf '%s' "$PROGRAM" > program.py
timeout -s KILL "$1" setpriv --reuid=sandbox --regid=sandbox --clear-groups \
    prlimit --as="$2" --nproc=64 --fsize=10000000 python3 -I program.py > output 2>&1 < /dev/null
code=$?
setpriv --reuid=sandbox --regid=sandbox --clear-groups sh -c 'kill -9 -1' 2>/dev/null
tail -c 4000 output
cd / && rm -rf "$dir"
exit $code
"""
"""Runs $PROGRAM (timeout seconds and address-space bytes as arguments) as user `sandbox`; prints the output's tail."""
SETUP = "id sandbox >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin sandbox"
"""Creates the unprivileged user programs run as."""


@dataclass(frozen=True)
class Execution:
    """What running one program showed."""

    status: str
    """`passed` (exit 0), `failed` (any other exit) or `timed out`."""
    output: str = ""
    """The tail of its output."""
    seconds: float = 0.0
    """Wall time."""


class Sandbox(Protocol):
    """Runs one program at a time, isolated from the machine and from the programs before it."""

    def run(self, program: str, timeout: float) -> Execution:
        """Run `program` (Python source) with a wall limit of `timeout` seconds."""
        ...

    def close(self) -> None:
        """Release what the sandbox holds (its container)."""
        ...


def verdict(code: int, seconds: float, timeout: float, output: str) -> Execution:
    """The execution a runner's exit code, wall time and output mean."""
    if code in (124, 137) and seconds >= timeout * 0.95:
        return Execution("timed out", output, seconds)
    return Execution("passed" if code == 0 else "failed", output, seconds)


class DockerSandbox:
    """A container of `image` with networking off and limits; programs run in it one at a time."""

    def __init__(self, client: Any, image: str, *, memory: str = "2g", cpus: float = 1.0, pids: int = 256,
                 address_space: int = 1 << 30, run_id: str = ""):
        self.client, self.address_space = client, address_space
        self.run_id = run_id or uuid.uuid4().hex[:8]
        container = client.containers.create(
            image, command=["sleep", "infinity"], name=f"repo-agent-sandbox-{self.run_id}-{uuid.uuid4().hex[:6]}",
            labels=gc.container_labels("sandbox", self.run_id), network_mode="none", mem_limit=memory,
            memswap_limit=memory, nano_cpus=int(cpus * 1e9), pids_limit=pids, init=True,
            security_opt=["no-new-privileges"], detach=True)
        self.container_id = container.id
        self.server: CommandServer | None = None
        try:
            container.start()
            self._exec(["sh", "-c", SETUP], {})
            self._start_server()
        except BaseException:
            self.close()
            raise

    def _start_server(self) -> None:
        """The command server as root in the container; without one (no python3 there) samples use `docker exec`."""
        if self.server is not None:
            self.server.close()
        self.server = CommandServer(self.client.api, self.container_id, "0", {})
        if not self.server.start():
            self.server = None

    def _exec(self, command: list[str], environment: dict[str, str]) -> tuple[int, str]:
        api = self.client.api
        created = api.exec_create(self.container_id, command, environment=environment, user="0", workdir="/")
        output = api.exec_start(created["Id"]).decode("utf-8", "replace")
        return api.exec_inspect(created["Id"])["ExitCode"], output

    def run(self, program: str, timeout: float) -> Execution:
        """Run `program` as user `sandbox` in a fresh folder of the container."""
        started = time.monotonic()
        arguments = ["runner", f"{timeout:g}", str(self.address_space)]
        if self.server is None:
            code, output = self._exec(["sh", "-c", RUNNER, *arguments], {"PROGRAM": program})
            return verdict(code, time.monotonic() - started, timeout, output)
        command = " ".join(shlex.quote(part) for part in ["sh", "-c", RUNNER, *arguments])
        request = {"op": "exec", "cmd": command, "timeout": timeout + 30, "cwd": "/", "limit": 8000,
                   "env": {"PROGRAM": program}}
        try:
            reply = self.server.request(request, timeout + 60)
        except (ServerGone, ServerStuck):
            self._start_server()  # the sample's verdict stands on its own; the next one gets a fresh server
            return Execution("failed", "the sandbox's runner stopped answering", time.monotonic() - started)
        output = (decode(reply.get("head", "")) + decode(reply.get("tail", ""))).decode("utf-8", "replace")
        return verdict(int(reply.get("code", 1)), time.monotonic() - started, timeout, output)

    def close(self) -> None:
        """Remove the container (idempotent)."""
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.container_id:
            with contextlib.suppress(Exception):
                self.client.api.remove_container(self.container_id, force=True, v=True)
            self.container_id = ""


class LocalSandbox:
    """A subprocess on this machine, in a fresh folder, with a timeout and an address-space limit: it does not stop a
    program from reading or deleting the user's files or reaching the network (hence `--sandbox local` warns)."""

    def __init__(self, address_space: int = 1 << 30):
        self.address_space = address_space

    def _limits(self) -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (self.address_space, self.address_space))
        os.setsid()

    def run(self, program: str, timeout: float) -> Execution:
        """Run `program` with this interpreter in a temporary folder; its whole process group is killed after."""
        folder = tempfile.mkdtemp(prefix="repo-agent-sample-")
        started = time.monotonic()
        try:
            with open(os.path.join(folder, "program.py"), "w", encoding="utf-8") as handle:
                handle.write(program)
            process = subprocess.Popen([sys.executable, "-I", "program.py"], cwd=folder, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=self._limits)
            try:
                output, _ = process.communicate(timeout=timeout)
                code = process.returncode
            except subprocess.TimeoutExpired:
                code, output = 124, b""
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
            process.wait()
            return verdict(code, time.monotonic() - started, timeout, output.decode("utf-8", "replace")[-4000:])
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        """Nothing to release."""
