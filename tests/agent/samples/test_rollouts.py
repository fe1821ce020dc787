"""Rollouts: their own sampling settings and scripts, their own folders, failures kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.issue import IssueText
from agent.repo import resolve_repo
from agent.samples.budget import SharedBudget
from agent.samples.rollouts import RolloutRunner, default_workspace, rollout_specs
from core.errors import UserError
from tests.agent.samples.conftest import ISSUE, SCRIPTS, sample_config
from workspaces.local import LocalWorkspace


def test_each_rollout_gets_its_seed_sampling_settings_and_script(tmp_path: Path) -> None:
    config = sample_config(tmp_path, ["fix_tidy.yaml", "fix_wrong.yaml"], "samples.count=3",
                           "samples.temperatures=[0.2, 0.9]", "samples.top_ps=[0.95]", "model.seed=10",
                           f"samples.reproduction_model={{script: {SCRIPTS / 'reproduce.yaml'}}}",
                           "samples.reproduction_steps=7")
    specs = rollout_specs(config, tmp_path / "run")
    repro, rollouts = specs[0], specs[1:]
    models = [s.config.model for s in rollouts]
    assert [m.seed for m in models] == [10, 11, 12]
    assert [m.temperature for m in models] == [0.2, 0.9, 0.2] and {m.top_p for m in models} == {0.95}
    assert [m.script.name for m in models] == ["fix_tidy.yaml", "fix_wrong.yaml", "fix_tidy.yaml"]
    assert {s.config.runs_dir for s in rollouts} == {tmp_path / "run" / "rollouts"}
    assert [s.name for s in rollouts] == ["0", "1", "2"] and rollouts[2].extra["label"] == "rollout 2 of 3"
    assert repro.name == "reproduction" and repro.index is None and repro.config.runs_dir == tmp_path / "run"
    assert repro.config.instance_template == "reproduce.j2" and repro.config.limits.steps == 7
    assert repro.config.model.script.name == "reproduce.yaml"
    assert config.model.seed == 10 and config.model.script is None  # the solve's own config is left alone


def test_without_variety_settings_rollouts_differ_by_seed_only(tmp_path: Path) -> None:
    config = sample_config(tmp_path, ["fix_tidy.yaml"], "samples.count=2", "samples.reproduction=rollouts",
                           "model.temperature=0.7")
    specs = rollout_specs(config, tmp_path)
    assert [(s.config.model.seed, s.config.model.temperature) for s in specs] == [(0, 0.7), (1, 0.7)]


def runner(repo: Path, workspace=None) -> RolloutRunner:
    source = resolve_repo(str(repo))
    return RolloutRunner(source, IssueText(text=ISSUE), SharedBudget(None), workspace or default_workspace(source, "t"))


def test_a_rollout_that_cannot_start_is_recorded_and_the_others_finish(signs_repo: Path, tmp_path: Path) -> None:
    config = sample_config(tmp_path, ["fix_tidy.yaml", "give_up.yaml"], "samples.reproduction=none")
    specs = rollout_specs(config, tmp_path / "run")

    def workspace(cfg, name: str):
        return LocalWorkspace(signs_repo, "no-such-commit" if name == "0" else "HEAD")

    done = runner(signs_repo, workspace).run(specs, 2)
    assert done[0].result is None and done[0].exit_status == "WorkspaceError" and "no-such-commit" in done[0].error
    assert done[1].exit_status == "Submitted"
    assert (tmp_path / "run" / "rollouts" / "0" / "trajectory.json").exists()  # written even so


def test_a_configuration_error_stops_everything_with_one_sentence(signs_repo: Path, tmp_path: Path) -> None:
    config = sample_config(tmp_path, ["fix_tidy.yaml"], f"model.scripts=[{tmp_path / 'missing.yaml'}]",
                           "samples.count=2", "samples.reproduction=none")
    with pytest.raises(UserError, match="missing.yaml could not be read"):
        runner(signs_repo).run(rollout_specs(config, tmp_path / "run"), 2)


def test_a_stop_ends_every_rollout_before_its_next_step(signs_repo: Path, tmp_path: Path) -> None:
    config = sample_config(tmp_path, ["fix_tidy.yaml", "fix_tidy.yaml"], "samples.reproduction=none")
    stopped = runner(signs_repo)
    stopped.stop.set()
    done = stopped.run(rollout_specs(config, tmp_path / "run"), 2)
    assert [r.exit_status for r in done] == ["Interrupted", "Interrupted"]
    assert all(r.result.steps == 0 and r.patch == "" for r in done)
