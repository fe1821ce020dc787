"""Cleanup: containers go away on Ctrl-C and SIGTERM; after kill -9, `gc.collect` removes the leftover."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from tests.processes import terminal_signals
from tests.workspaces.docker_support import (
    base_image,  # noqa: F401 - fixture
    docker_client,  # noqa: F401 - fixture
    git_repo,
    requires_docker,
)
from workspaces import gc

pytestmark = requires_docker

AGENT_PROCESS = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from workspaces.settings import DockerWorkspaceConfig
    from workspaces.docker import DockerWorkspace
    with DockerWorkspace(DockerWorkspaceConfig(auto_setup=False), Path(sys.argv[1]), "HEAD", run_id=sys.argv[2]) as ws:
        print(ws.container_id, flush=True)
        time.sleep(120)
""")
"""A stand-in for `agent solve`: holds a workspace until it is signalled."""


def containers_of(client, run_id: str) -> list:
    """Containers (any state) labelled with `run_id`."""
    return client.containers.list(all=True, filters={"label": f"{gc.RUN_ID}={run_id}"})


@pytest.fixture
def source(tmp_path):
    """A small repository."""
    return git_repo(tmp_path / "repo", {"a.txt": "a\n"})


def start_agent(source, run_id: str) -> tuple[subprocess.Popen, str]:
    """Run the stand-in agent and wait until its container is up."""
    proc = subprocess.Popen([sys.executable, "-c", AGENT_PROCESS, str(source), run_id], stdout=subprocess.PIPE,
                            text=True, preexec_fn=terminal_signals)
    container_id = proc.stdout.readline().strip()
    assert container_id, "the agent process did not start a workspace"
    return proc, container_id


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_container_is_removed_when_the_agent_is_interrupted(source, docker_client, base_image, signum):  # noqa
    run_id = f"signal-{signum.name.lower()}"
    proc, container_id = start_agent(source, run_id)
    assert [c.id for c in containers_of(docker_client, run_id)] == [container_id]
    proc.send_signal(signum)
    proc.wait(timeout=60)
    assert containers_of(docker_client, run_id) == []


def test_after_kill_9_gc_removes_the_leftover_and_keeps_live_runs(source, docker_client, base_image):  # noqa: F811
    proc, container_id = start_agent(source, "killed-run")
    live, live_id = start_agent(source, "live-run")
    try:
        proc.kill()
        proc.wait(timeout=30)
        assert [c.id for c in containers_of(docker_client, "killed-run")] == [container_id]
        listed = {item.run_id: item.alive for item in gc.list_containers(docker_client)}
        assert listed["killed-run"] is False and listed["live-run"] is True
        removed = gc.collect(docker_client)
        assert container_id[:12] in {item.id for item in removed}
        assert containers_of(docker_client, "killed-run") == []
        assert [c.id for c in containers_of(docker_client, "live-run")] == [live_id]
    finally:
        live.send_signal(signal.SIGINT)
        live.wait(timeout=60)


def test_owner_labels_tell_live_dead_and_foreign_processes():
    assert gc.owner_alive(gc.owner_id()) is True
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert gc.owner_alive(f"{socket.gethostname()}:{dead.stdout.strip()}:0") is False
    assert gc.owner_alive(f"{socket.gethostname()}:1:not-the-start-time") is False
    assert gc.owner_alive("some-other-host:1:1") is None
