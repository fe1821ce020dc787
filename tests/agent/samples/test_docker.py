"""Rollouts and the judge in Docker workspaces (the default), where there is neither pytest nor a linter."""

from __future__ import annotations

from pathlib import Path

from agent.issue import IssueText
from agent.repo import resolve_repo
from agent.samples import SampleJob, solve_samples
from tests.agent.samples.conftest import ISSUE, SCRIPTS, SIGNS, sample_config
from tests.workspaces.docker_support import (
    base_image,  # noqa: F401 - fixture
    docker_client,  # noqa: F401 - fixture
    git_repo,
    requires_docker,
)
from workspaces import gc

pytestmark = requires_docker

RUN_AS_SCRIPT = "\n\nif __name__ == '__main__':\n    test_sub()\n    test_mul()\n"


def test_samples_in_containers_choose_the_right_fix(tmp_path: Path, docker_client, base_image) -> None:  # noqa: F811
    repo = git_repo(tmp_path / "signs", {**SIGNS, "test_calc.py": SIGNS["test_calc.py"] + RUN_AS_SCRIPT})
    config = sample_config(tmp_path, ["fix_wrong.yaml", "fix_tidy.yaml"], "workspace.type=docker",
                           "workspace.auto_setup=false", f"workspace.image={base_image}", "samples.workers=2",
                           f"samples.reproduction_model.script={SCRIPTS / 'reproduce_script.yaml'}")
    result = solve_samples(SampleJob(config=config, repo=resolve_repo(str(repo)), issue=IssueText(text=ISSUE),
                                     run_id="dock"))
    wrong, right = result.selection.candidates
    assert result.chosen is right and "_combine(a, b, 1)" in result.patch
    assert result.judged.runner == "unittest" and result.judged.linter == ""  # no pytest: unittest, then scripts
    assert [t.path for t in result.judged.tests if t.kept] == ["repro_add.py"]
    assert wrong.regressions == ["test_calc.py::test_sub"]
    assert wrong.repro_passed == right.repro_passed == ["repro_add.py"]
    assert "no linter in the workspace" in (result.run_dir / "summary.md").read_text()
    for name in ("dock-0", "dock-1", "dock-reproduction", "dock-judge"):
        assert docker_client.containers.list(all=True, filters={"label": f"{gc.RUN_ID}={name}"}) == []
