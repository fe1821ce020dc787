"""The Docker sandbox: a program that loops, forks, fills memory, deletes files or reaches out costs its own verdict,
and the container stays usable for the next."""

from __future__ import annotations

from evals.sandbox import DockerSandbox
from tests.workspaces.docker_support import base_image, docker_client, requires_docker  # noqa: F401 - fixtures

from .test_sandbox import HOSTILE

pytestmark = requires_docker


def test_hostile_samples_cost_their_own_verdict_and_the_container_stays_usable(docker_client,  # noqa: F811
                                                                               base_image) -> None:  # noqa: F811
    sandbox = DockerSandbox(docker_client, base_image, run_id="test-sandbox")
    try:
        for name, (program, expected) in HOSTILE.items():
            assert sandbox.run(program, 3).status == expected, name
            after = sandbox.run("import json, shutil\nprint(json.dumps([1]))\nassert shutil.which('python3')\n", 5)
            assert (after.status, after.output.strip()) == ("passed", "[1]"), name
        assert sandbox.run("raise SystemExit(3)\n", 5).status == "failed"
    finally:
        sandbox.close()
    assert not docker_client.containers.list(all=True, filters={"label": "repo-agent.run-id=test-sandbox"})
