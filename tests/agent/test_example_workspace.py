"""`agent example` chooses its workspace: Docker when it can be used (building a missing base image first when
this host can), else a local workspace, announced in one line that says why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli.example import docker_unusable_reason
from tests.workspaces.docker_support import base_image, docker_client, requires_docker  # noqa: F401 - fixtures

DEAD_SOCKET = "unix:///nonexistent/docker.sock"
"""A DOCKER_HOST nobody answers on."""


def test_without_a_daemon_the_example_runs_locally_and_says_why_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k != "AGENT_MODEL"}
    result = subprocess.run([sys.executable, "-m", "agent", "example"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={**env, "DOCKER_HOST": DEAD_SOCKET, "COLUMNS": "300"})
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "local workspace" in line]
    assert lines == ["No Docker daemon is reachable (start it: `dockerd &` or `systemctl start docker`); "
                     "running the example in a local workspace."]
    assert "workspace local" in result.stdout and "patch gate: passed" in result.stdout


def test_without_a_daemon_the_reason_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", DEAD_SOCKET)
    assert docker_unusable_reason(None).startswith("no Docker daemon is reachable")


class TestWithDocker:
    """Against the real daemon."""

    pytestmark = requires_docker

    def test_a_built_base_image_is_used(self, base_image) -> None:  # noqa: F811 - fixture
        assert docker_unusable_reason(None) == ""
        assert docker_unusable_reason(base_image) == ""

    def test_a_missing_base_image_this_host_cannot_build_is_one_reason(self, docker_client, tmp_path: Path,  # noqa
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PATH", str(tmp_path))  # a host without debootstrap
        assert docker_unusable_reason("repo-agent/base:nosuchsuite") == (
            "the base image repo-agent/base:nosuchsuite is not built, and debootstrap is not installed: "
            "run `sudo apt-get install debootstrap` and try again")

    def test_a_missing_image_of_another_kind_is_not_built_here(self, docker_client) -> None:  # noqa: F811
        assert docker_unusable_reason("repo-agent/env:0000000000000000") == \
            "the image repo-agent/env:0000000000000000 is not on this machine"
