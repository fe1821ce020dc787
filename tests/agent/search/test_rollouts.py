"""Rollouts of the tool loop as candidates: each tried by the one evaluator, one chosen, and the table says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from agent.config import load_config
from agent.runner import SolveJob
from agent.search.rollouts import sampling_of
from core.errors import Interrupted
from tests.agent.search.conftest import ISSUE, SCRIPTS, sample_config, solve_sampled

ROLLOUTS = ["fix_tidy.yaml", "fix_sprawling.yaml", "fix_wrong.yaml", "give_up.yaml"]
GUARDED = ISSUE + " The tests in test_calc.py must keep passing."
"""Names test_calc.py: its passing tests are the guards every rollout is tried against."""


def test_the_right_fix_is_chosen_and_the_table_explains_why(signs_repo: Path, tmp_path: Path) -> None:
    result, data = solve_sampled(sample_config(tmp_path, ROLLOUTS), signs_repo, issue=GUARDED)
    rollouts = data.extra["rollouts"]
    tidy, sprawling, wrong, nothing = rollouts["candidates"]
    assert rollouts["chosen"] == 0 and "+    return _combine(a, b, 1)" in result.patch
    assert result.exit_status == "Submitted" and result.gate.status == "passed"
    assert nothing["dropped"] == "changed nothing"
    assert tidy["key"] == sprawling["key"] != wrong["key"] and tidy["group"] == sprawling["group"] == [0, 1]
    assert wrong["regressions"] == ["test_calc.py::test_sub"] and not tidy["regressions"]
    assert wrong["fixed"] == [] and wrong["own_tests"] == ["test_repro_sub.py"]  # its own test is no evidence
    assert rollouts["reason"].startswith("#0 was chosen") and "smallest diff (2 lines changed against 6" in \
        rollouts["reason"]
    summary = (result.run_dir / "summary.md").read_text()
    table = summary[summary.index("## Candidates"):]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| #")}
    assert "chosen" in rows["#0"] and "larger diff (6 vs 2)" in rows["#1"]
    assert "lower test score (-1 vs 0)" in rows["#2"] and "test_calc.py::test_sub" in rows["#2"]
    assert "dropped: changed nothing" in rows["#3"]
    assert (result.run_dir / "patch.diff").read_text() == result.patch
    assert data.cost == pytest.approx(0.010) and len(data.steps) == 10  # every rollout's calls, once


def test_each_rollout_keeps_its_conversation_sampling_and_script(signs_repo: Path, tmp_path: Path) -> None:
    config = sample_config(tmp_path, ["fix_wrong.yaml", "fix_tidy.yaml"], "samples.count=3",
                           "samples.temperatures=[0.2, 0.9]", "samples.top_ps=[0.95]", "model.seed=10")
    result, data = solve_sampled(config, signs_repo, run_id="r2")
    folders = sorted(p.name for p in (result.run_dir / "rollouts").iterdir())
    assert folders == ["0", "1", "2"]
    extras = [json.loads((result.run_dir / "rollouts" / k / "trajectory.json").read_text())["extra"] for k in folders]
    assert [e["sampling"]["seed"] for e in extras] == [10, 11, 12]
    assert [e["sampling"]["temperature"] for e in extras] == [0.2, 0.9, 0.2]
    assert {e["sampling"]["top_p"] for e in extras} == {0.95} and [e["sample"] for e in extras] == [0, 1, 2]
    first = json.loads((result.run_dir / "rollouts" / "0" / "trajectory.json").read_text())
    assert "test_repro_sub.py" in first["patch"]  # rollout 0 replayed fix_wrong.yaml, rollout 2 did too
    assert [c["own_tests"] for c in data.extra["rollouts"]["candidates"]] == [["test_repro_sub.py"], [],
                                                                              ["test_repro_sub.py"]]
    defaults = load_config(["samples.count=2", "model.temperature=0.7"])
    job = SolveJob(config=defaults, repo=None, issue=None, model=None, tools={})
    assert [(sampling_of(job, k).seed, sampling_of(job, k).temperature) for k in (0, 1)] == [(None, None), (None, None)]
    seeded = SolveJob(config=load_config(["samples.seed=5"]), repo=None, issue=None, model=None, tools={})
    assert [sampling_of(seeded, k).seed for k in (0, 1)] == [5, 6]


def test_without_a_failing_test_the_rollouts_are_tried_against_one_written_from_the_issue(signs_repo: Path,
                                                                                          tmp_path: Path) -> None:
    test = "from calc import add\n\n\ndef test_add_adds():\n    assert add(2, 3) == 5\n"
    script = tmp_path / "answer_then_wrong.yaml"  # the test file asked for first, then rollout 0's actions
    script.write_text(yaml.safe_dump([{"text": f"```python\n{test}```"},
                                      *yaml.safe_load((SCRIPTS / "fix_wrong.yaml").read_text())]))
    config = sample_config(tmp_path, [], f"model.scripts=[{script},{SCRIPTS / 'give_up.yaml'}]", "samples.count=2",
                           "repair.reproduce=1", "planner.type=repomap")
    result, data = solve_sampled(config, signs_repo, run_id="r3", issue=GUARDED)
    reproduction = data.extra["repair"]["reproduction"]
    assert reproduction["tests"] and reproduction["kept"] == test
    wrong, nothing = data.extra["rollouts"]["candidates"]
    assert wrong["fixed"][0].endswith("::test_add_adds") and wrong["regressions"] == ["test_calc.py::test_sub"]
    assert nothing["dropped"] == "changed nothing" and data.extra["rollouts"]["chosen"] == 0


def test_a_stop_ends_the_sampling_with_the_rollout_it_ended(signs_repo: Path, tmp_path: Path) -> None:
    def stop() -> None:
        raise Interrupted("stopped by the user")

    result, data = solve_sampled(sample_config(tmp_path, ["fix_tidy.yaml", "fix_tidy.yaml"]), signs_repo,
                                 checks=[stop])
    candidates = data.extra["rollouts"]["candidates"]
    assert [c["exit_status"] for c in candidates] == ["Interrupted"] and result.patch == ""
    assert not (result.run_dir / "rollouts" / "1").exists()


def test_rollouts_one_after_another_stop_exactly_at_the_budget(signs_repo: Path, tmp_path: Path) -> None:
    script = tmp_path / "spend.yaml"
    script.write_text("- tool: view\n  args: {path: calc.py}\n  cost: 0.01\n  repeat: forever\n")
    config = sample_config(tmp_path, [], f"model.scripts=[{script}]", "samples.count=3", "samples.budget=0.05",
                           "limits.repeated_calls=1000")
    result, data = solve_sampled(config, signs_repo)
    candidates = data.extra["rollouts"]["candidates"]
    assert [c["exit_status"] for c in candidates] == ["CostLimitExceeded"] and len(data.steps) == 5
    assert data.cost == pytest.approx(0.05) and result.patch == ""
    assert "none of the 1" in data.extra["rollouts"]["reason"]


def test_a_rollout_that_only_writes_tests_is_never_a_candidate(signs_repo: Path, tmp_path: Path) -> None:
    config = sample_config(tmp_path, ["tests_only.yaml", "tests_only.yaml", "fix_tidy.yaml"], "samples.select=vote")
    result, data = solve_sampled(config, signs_repo, run_id="r3")
    first, second, tidy = data.extra["rollouts"]["candidates"]
    assert first["dropped"] == second["dropped"] == "changes only test files" and not tidy["dropped"]
    assert data.extra["rollouts"]["chosen"] == 2 and "_combine(a, b, 1)" in result.patch  # the vote of two lost
