"""DockerWorkspace against the real Docker engine: isolation, limits, timeouts and the Workspace contract."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.errors import UserError, WorkspaceError
from tests.workspaces.docker_support import (
    base_image,  # noqa: F401 - fixture
    check_file_contract,
    docker_client,  # noqa: F401 - fixture
    git_repo,
    plain_config,
    requires_docker,
    tree_state,
)
from workspaces import gc
from workspaces.base import Workspace
from workspaces.docker import DockerWorkspace
from workspaces.docker_exec import ServerStuck

pytestmark = requires_docker

FILES = {
    "pkg/core.py": "def answer():\n    return 41\n",
    "run.sh": "#!/bin/sh\necho run\n",
    "README.md": "# demo\n",
    ".gitignore": "*.log\n",
}


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The user's checkout: a small repository with an executable script."""
    return git_repo(tmp_path_factory.mktemp("user") / "demo", FILES, modes={"run.sh": 0o755})


@pytest.fixture(scope="module")
def shared_ws(source, base_image):  # noqa: F811 - fixture
    """One workspace for the tests that leave it as they found it."""
    with DockerWorkspace(plain_config(), source, "HEAD") as ws:
        yield ws


@pytest.fixture
def ws(shared_ws):
    """The shared workspace, reset after each test."""
    yield shared_ws
    shared_ws.reset()


def test_satisfies_the_protocol_and_runs_commands_in_the_container(ws, source):
    assert isinstance(ws, Workspace)
    result = ws.exec("hostname; whoami; pwd; test -e " + str(source) + " || echo no-host-path", timeout=30)
    assert result.exit_code == 0
    assert result.output.split() == ["workspace", "agent", "/workspace/repo", "no-host-path"]
    assert ws.base_commit == subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True,
                                            text=True).stdout.strip()


def test_network_is_off_by_default(ws):
    result = ws.exec("ls /sys/class/net; python3 -c 'import socket; socket.create_connection((\"1.1.1.1\", 53), 3)'",
                     timeout=30)
    assert result.output.split()[0] == "lo" and result.output.split()[1] != "eth0"
    assert result.exit_code != 0
    assert "unreachable" in result.output


def test_exit_code_cwd_and_interleaved_output(ws):
    result = ws.exec("echo out; echo err >&2; pwd; exit 7", timeout=30, cwd="pkg")
    assert result.exit_code == 7
    assert result.output == "out\nerr\n/workspace/repo/pkg\n"
    missing = ws.exec("true", timeout=30, cwd="nowhere")
    assert missing.exit_code != 0 and "nowhere" in missing.output


def test_timeout_kills_the_whole_process_group(ws):
    result = ws.exec("sleep 300.5 & sleep 301.5; echo never", timeout=1)
    assert result.timed_out and result.exit_code == -1
    assert "never" not in result.output
    assert result.duration < 1 + 2
    left = ws.exec("ps -eo args | grep -c '^sleep 30[01].5' || true", timeout=30)
    assert left.output.strip() == "0"


def test_an_abandoned_request_does_not_answer_the_next_one(ws):
    with pytest.raises(ServerStuck):  # what Ctrl-C in the middle of a command leaves behind, too
        ws.server.request({"op": "exec", "cmd": "sleep 30.25; echo late", "timeout": 60, "cwd": ws.root,
                           "limit": 1000}, timeout=0.5)
    assert ws.exec("echo next", timeout=30).output == "next\n"
    assert ws.exec("ps -eo args | grep -c '^sleep 30.25' || true", timeout=30).output.strip() == "0"


def test_long_output_keeps_head_and_tail(ws):
    result = ws.exec("seq 1 300000", timeout=60)
    assert result.output.startswith("1\n2\n3\n")
    assert result.output.rstrip().endswith("299999\n300000")
    assert "omitted" in result.output
    assert len(result.output) < 250_000


def test_read_and_write_files(ws):
    assert ws.read_file("pkg/core.py") == FILES["pkg/core.py"]
    assert ws.read_file("/workspace/repo/README.md") == "# demo\n"
    check_file_contract(ws, "missing.py", "pkg", "new/deep/module.py")
    ws.exec("printf 'ok\\377\\n' > bytes.txt", timeout=30)
    assert ws.read_file("bytes.txt") == "ok\ufffd\n"


def test_rewriting_a_script_keeps_its_mode_and_diff_has_new_and_binary_files(ws, source, tmp_path):
    ws.write_file("run.sh", "#!/bin/sh\necho changed\n")
    ws.write_file("notes/new.txt", "hello\n")
    ws.exec("printf '\\000\\001\\002' > blob.bin; echo ignored > debug.log", timeout=30)
    patch = ws.diff()
    assert "old mode" not in patch
    assert "+echo changed" in patch
    assert "new file mode 100644" in patch and "+hello" in patch
    assert "GIT binary patch" in patch
    assert "debug.log" not in patch
    check = tmp_path / "check"
    subprocess.run(["git", "clone", "-q", str(source), str(check)], check=True)
    (tmp_path / "p.diff").write_text(patch)
    applied = subprocess.run(["git", "apply", "--check", str(tmp_path / "p.diff")], cwd=check, capture_output=True)
    assert applied.returncode == 0, applied.stderr


def test_same_size_edit_right_after_reset_is_in_every_diff(ws):
    for _ in range(3):
        ws.write_file("pkg/core.py", "def answer():\n    return 42\n")  # same size as the original
        assert [("return 42" in ws.diff()) for _ in range(3)] == [True, True, True]
        ws.reset()


def test_reset_returns_to_the_base_commit(ws):
    ws.write_file("pkg/core.py", "broken\n")
    ws.write_file("extra.py", "print(1)\n")
    ws.exec("git add extra.py && git -c user.name=a -c user.email=a@b commit -qm x", timeout=30)
    assert ws.diff() != ""
    ws.reset()
    assert ws.diff() == ""
    assert ws.read_file("pkg/core.py") == FILES["pkg/core.py"]
    with pytest.raises(FileNotFoundError):
        ws.read_file("extra.py")


def test_the_users_checkout_does_not_change(source, base_image):  # noqa: F811 - fixture
    before = tree_state(source)
    with DockerWorkspace(plain_config(), source, "HEAD") as ws:
        ws.write_file("pkg/core.py", "def answer():\n    return 42\n")
        ws.exec("touch made-in-container; git checkout -q -b other", timeout=30)
        assert ws.diff()
    assert tree_state(source) == before


def test_no_container_is_left_after_the_context_exits(source, docker_client, base_image):  # noqa: F811 - fixtures
    def mine(run_id: str) -> list:
        return docker_client.containers.list(all=True, filters={"label": f"{gc.RUN_ID}={run_id}"})

    with DockerWorkspace(plain_config(), source, "HEAD", run_id="leftover-check-1") as ws:
        assert [c.id for c in mine(ws.run_id)] == [ws.container_id]
    assert mine("leftover-check-1") == []
    with pytest.raises(RuntimeError), DockerWorkspace(plain_config(), source, "HEAD", run_id="leftover-check-2"):
        raise RuntimeError("the run failed")
    assert mine("leftover-check-2") == []


def test_fork_bomb_hits_the_pids_limit(source, base_image):  # noqa: F811 - fixture
    with DockerWorkspace(plain_config(pids=64), source, "HEAD") as ws:
        bomb = ws.exec("bomb() { bomb | bomb & }; bomb", timeout=5)
        assert bomb.timed_out or "Resource temporarily unavailable" in bomb.output or bomb.exit_code != 0
        after = ws.exec("echo alive; ps -e --no-headers | wc -l", timeout=30)
        assert after.output.split()[0] == "alive"
        assert int(after.output.split()[1]) < 10


def test_big_allocation_hits_the_memory_limit(source, base_image):  # noqa: F811 - fixture
    with DockerWorkspace(plain_config(memory="256m"), source, "HEAD") as ws:
        hog = ws.exec("python3 -c \"b = b'x' * (1024 ** 3); print(len(b))\"", timeout=60)
        assert hog.exit_code != 0
        assert str(1024 ** 3) not in hog.output
        assert ws.exec("echo alive", timeout=30).output == "alive\n"


def test_a_killed_container_is_a_workspace_error_and_keeps_its_patch(source, docker_client, base_image):  # noqa: F811
    with DockerWorkspace(plain_config(), source, "HEAD") as ws:
        ws.write_file("pkg/core.py", "def answer():\n    return 42\n")
        ws.write_file("added.txt", "new\n")
        docker_client.api.kill(ws.container_id)
        with pytest.raises(WorkspaceError, match="stopped"):
            ws.exec("echo hi", timeout=30)
        patch = ws.diff()  # the patch so far is kept: read from the stopped container
    assert "+    return 42" in patch and "+new" in patch


def test_missing_local_image_names_build_base(source, docker_client):  # noqa: F811 - fixture
    with pytest.raises(UserError, match="agent images build-base --suite nosuchsuite"), \
            DockerWorkspace(plain_config(image="repo-agent/base:nosuchsuite"), source, "HEAD"):
        pass


def test_no_daemon_suggests_local_workspace(source, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(UserError, match="--workspace local"), DockerWorkspace(plain_config(), source, "HEAD"):
        pass


def test_not_a_repository_is_a_user_error(tmp_path, base_image):  # noqa: F811 - fixture
    with pytest.raises(UserError, match="not a git repository"), DockerWorkspace(plain_config(), tmp_path, "HEAD"):
        pass
