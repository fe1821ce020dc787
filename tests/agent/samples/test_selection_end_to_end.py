"""Four scripted rollouts on a small repository: the right fix is chosen, and the table says why."""

from __future__ import annotations

import json
from pathlib import Path

from agent.issue import IssueText
from agent.repo import resolve_repo
from agent.samples import SampleJob, solve_samples
from tests.agent.samples.conftest import ISSUE, SCRIPTS, sample_config

ROLLOUTS = ["fix_tidy.yaml", "fix_sprawling.yaml", "fix_wrong.yaml", "give_up.yaml"]


def run(repo: Path, tmp_path: Path, *overrides: str):
    config = sample_config(tmp_path, ROLLOUTS, "samples.workers=2", *overrides)
    job = SampleJob(config=config, repo=resolve_repo(str(repo)), issue=IssueText(text=ISSUE), run_id="r1")
    return solve_samples(job)


def test_the_right_fix_is_chosen_and_the_table_explains_why(signs_repo: Path, tmp_path: Path) -> None:
    result = run(signs_repo, tmp_path, f"samples.reproduction_model.script={SCRIPTS / 'reproduce.yaml'}")
    by_index = {c.index: c for c in result.selection.candidates}
    tidy, sprawling, wrong, nothing = (by_index[k] for k in range(4))

    assert result.chosen is tidy
    assert "+    return _combine(a, b, 1)" in result.patch
    assert nothing.dropped == "no change" and nothing.gate == "no change"
    assert tidy.key == sprawling.key != wrong.key  # formatting variants agree; the wrong fix stands apart
    assert tidy.group == sprawling.group == [0, 1] and wrong.group == [2]
    assert tidy.repro_passed == sprawling.repro_passed == wrong.repro_passed == ["test_reproduce_issue.py"]
    assert wrong.regressions == ["test_calc.py::test_sub"] and not tidy.regressions
    assert (tidy.score, sprawling.score, wrong.score) == (1, 1, 0)
    assert tidy.size == 2 and sprawling.size == 6

    tests = {t.path: t for t in result.judged.tests}
    assert tests["test_reproduce_issue.py"].kept and tests["test_reproduce_issue.py"].origins == ["reproduction pass"]
    assert not tests["test_repro_sub.py"].kept and "passes on the base commit" in tests["test_repro_sub.py"].verdict
    assert result.judged.related == ["test_calc.py"] and result.judged.runner == "pytest"

    summary = (result.run_dir / "summary.md").read_text()
    table = summary[summary.index("## Candidates"):]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| #")}
    assert "chosen" in rows["#0"] and "1/1" in rows["#0"]
    assert "larger diff (6 vs 2)" in rows["#1"]
    assert "lower test score (0 vs 1)" in rows["#2"] and "test_calc.py::test_sub" in rows["#2"]
    assert "dropped: no change" in rows["#3"]
    reason = ("#0 was chosen: the best test score, 1 (1/1 reproduction tests passed, 0 regressions, 0 new lint "
              "errors) against 0 for #2 (1/1 reproduction tests passed, 1 regression, 0 new lint errors); of the "
              "equivalent patches #0, #1 it has the smallest diff (2 lines changed against 6 for #1).")
    assert reason in summary
    assert "`test_repro_sub.py` from #2: discarded: passes on the base commit" in summary
    assert summary.startswith("# repo-agent run r1 (rollout 0 of 4, chosen)")
    assert (result.run_dir / "patch.diff").read_text() == result.patch
    assert result.source_patch == result.patch  # the chosen rollout wrote no test file
    assert result.model_patches[2] == wrong.split.source and "test_repro_sub.py" in wrong.patch
    assert "test_repro_sub.py" not in result.model_patches[2] and result.model_patches[3] == ""


def test_run_folder_holds_every_rollout_and_the_choice(signs_repo: Path, tmp_path: Path) -> None:
    result = run(signs_repo, tmp_path, "samples.reproduction=rollouts")
    assert sorted(p.name for p in (result.run_dir / "rollouts").iterdir()) == ["0", "1", "2", "3"]
    trajectory = json.loads((result.run_dir / "rollouts" / "2" / "trajectory.json").read_text())
    assert trajectory["extra"]["sample"] == 2 and trajectory["extra"]["seed"] == 2
    assert trajectory["model"].endswith("fix_wrong.yaml")
    assert not (result.run_dir / "reproduction").exists() and result.reproduction is None
    selection = json.loads((result.run_dir / "selection.json").read_text())
    assert selection["chosen"] == 0 and selection["cost"] == result.cost
    # Without the reproduction pass the only pooled test passes on the base commit: regressions decide.
    assert [t["kept"] for t in selection["reproduction_tests"]] == [False]
    scores = [c["score"] for c in selection["candidates"]]
    assert scores[:3] == [0, 0, -1]
