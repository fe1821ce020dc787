"""Rollouts in a Docker workspace (the default), where there is neither pytest nor a linter."""

from __future__ import annotations

from pathlib import Path

from tests.agent.search.conftest import ISSUE, SIGNS, sample_config, solve_sampled
from tests.workspaces.docker_support import (
    base_image,  # noqa: F401 - fixture
    docker_client,  # noqa: F401 - fixture
    git_repo,
    requires_docker,
)
from workspaces import gc

pytestmark = requires_docker

RUN_AS_SCRIPT = "\n\nif __name__ == '__main__':\n    test_sub()\n    test_mul()\n"


def test_rollouts_in_one_container_choose_the_right_fix(tmp_path: Path, docker_client, base_image) -> None:  # noqa: F811
    repo = git_repo(tmp_path / "signs", {**SIGNS, "test_calc.py": SIGNS["test_calc.py"] + RUN_AS_SCRIPT})
    config = sample_config(tmp_path, ["fix_wrong.yaml", "fix_tidy.yaml"], "workspace.type=docker",
                           "workspace.auto_setup=false", f"workspace.image={base_image}")
    result, data = solve_sampled(config, repo, run_id="dock", issue=ISSUE + " test_calc.py must keep passing.")
    wrong, right = data.extra["rollouts"]["candidates"]
    assert data.extra["rollouts"]["chosen"] == 1 and "_combine(a, b, 1)" in result.patch
    assert data.extra["tests"]["runner"] == "unittest"  # no pytest in the image: unittest, then scripts
    assert wrong["regressions"] == ["test_calc.py::test_sub"] and not right["regressions"]
    assert wrong["lint_new"] == right["lint_new"] == []  # no linter in the image
    assert docker_client.containers.list(all=True, filters={"label": f"{gc.RUN_ID}=dock"}) == []
