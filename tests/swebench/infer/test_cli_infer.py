"""`agent swebench infer | run` options and errors, and what the live view and the summary show."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rich.console import Console

from agent.cli.swebench_infer import sampling_sources
from core.errors import UserError
from swebench.infer.progress import InferProgress, duration, outcome_line, summary_table
from swebench.infer.task import ERROR, NOT_STARTED, PREDICTED, InstanceOutcome

from .conftest import GOLD, read_lines, write_script


def test_attempts_are_independent_rollouts_kept_by_vote_and_samples_use_the_full_selection():
    assert sampling_sources(3, None, None, 0.8) == ["samples.count=3", "model.temperature=0.8",
                                                    "samples.select=vote"]
    assert sampling_sources(3, None, "tests", None) == ["samples.count=3", "samples.select=tests"]
    assert sampling_sources(None, 4, "tests+vote", None) == ["samples.count=4", "samples.select=tests+vote"]
    assert sampling_sources(None, None, None, None) == []
    with pytest.raises(UserError, match="not both"):
        sampling_sources(2, 3, None, None)


def agent(*args: str, cwd) -> subprocess.CompletedProcess:
    """The real entry point."""
    return subprocess.run([sys.executable, "-m", "agent", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, timeout=300)


@pytest.mark.parametrize(("extra", "message"), [
    (["--attempts", "2", "--samples", "3"], "Give --attempts or --samples, not both"),
    (["--backend", "slurm"], "--backend slurm is not known"),
    (["-c", "model.script=/nonexistent.json"], "could not be read"),
    (["--strategy", "fastest"], "Invalid value for '--strategy'"),
])
def test_bad_options_are_one_sentence_and_exit_2(batch, extra, message):
    script = write_script(batch.root, "gold.json", GOLD)
    result = agent("swebench", "infer", "--dataset", str(batch.dataset()), "--run-id", "x", "--workspace", "local",
                   "-c", "model.type=scripted", "-c", f"model.script={script}", *extra, cwd=batch.root)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr and "Traceback" not in result.stderr


def test_infer_on_the_command_line_writes_predictions_and_prints_the_summary(batch):
    script = write_script(batch.root, "gold.json", GOLD)
    result = agent("swebench", "infer", "--dataset", str(batch.dataset()), "acme__calc-1",
                   "--instances", "acme__calc-2", "--run-id", "c", "--mirrors", str(batch.mirrors),
                   "-w", "local", "--workers", "2",
                   "-c", "model.type=scripted", "-c", f"model.script={script}", "--model-name", "gold-bot",
                   cwd=batch.root)
    assert result.returncode == 0, result.stderr
    lines = read_lines(batch.root / "runs" / "swebench" / "c" / "preds.jsonl")
    assert sorted(line["instance_id"] for line in lines) == ["acme__calc-1", "acme__calc-2"]
    assert {line["model_name_or_path"] for line in lines} == {"gold-bot"}
    assert "inference summary" in result.stderr and "Submitted" in result.stderr
    again = agent("swebench", "infer", "--dataset", str(batch.dataset()), "acme__calc-1", "--run-id", "c",
                  "--mirrors", str(batch.mirrors), "--workspace", "local", "-c", "model.type=scripted",
                  "-c", f"model.script={script}", cwd=batch.root)
    assert again.returncode == 0 and "skipped (already predicted)" in again.stderr


def outcome(instance_id: str, kind: str = PREDICTED, status: str = "Submitted", **fields) -> InstanceOutcome:
    return InstanceOutcome(instance_id, kind, status, **fields)


def test_the_live_view_shows_done_running_resolved_cost_and_eta():
    console = Console(record=True, width=200)
    progress = InferProgress(console, 4, limit=1.0, evaluating=True, live=False)
    assert progress.eta() == "-"
    for name in ("a", "b", "c"):
        progress.started_instance(name)
    progress.finished(outcome("a", model_patch="diff\n", steps=3, cost=0.05, seconds=12.0))
    progress.evaluated("a", "resolved")
    progress.cost(0.1)
    console.print(progress.render())
    text = console.export_text()
    assert "[1/4] a: Submitted, 3 steps, $0.0500, 12.0s, 1 patch lines" in text
    assert "eval a: resolved" in text
    assert "1/4 done · 2 running · 0 error(s) · $0.10 of $1.00" in text and "ETA " in text
    assert "resolved 1/1 scored" in text and "running: b (" in text
    assert progress.eta() != "-"


def test_outcome_lines_and_the_summary_count_exit_statuses_and_explain_the_budget():
    assert "not started" in outcome_line(outcome("x", NOT_STARTED, "BudgetExhausted", message="spent"))
    line = outcome_line(outcome("y", ERROR, "WorkspaceError", message="[the runner] died"))
    assert line == "y: [red]error[/] WorkspaceError: \\[the runner] died"  # messages cannot inject markup
    progress = InferProgress(Console(), 5, skipped=2, live=False)
    for name, kind, status in (("a", PREDICTED, "Submitted"), ("b", PREDICTED, "Submitted"),
                               ("c", PREDICTED, "BudgetExhausted"), ("d", ERROR, "WorkspaceError")):
        progress.finished(outcome(name, kind, status, agent_seconds=30.0))
    console = Console(record=True, width=200)
    console.print(summary_table(progress.tally, 75.0, 1, "The global budget of $1.00 was spent: ..."))
    text = console.export_text()
    for row in ("Submitted", "BudgetExhausted", "WorkspaceError"):
        assert row in text
    assert "│ Submitted" in text and "2 │" in text
    assert "not started (budget spent or run stopped)" in text and "skipped (already predicted)" in text
    assert "2m00s" in text and "1m15s" in text and "The global budget of $1.00 was spent" in text
    assert (duration(5), duration(3725)) == ("5s", "1h02m")
