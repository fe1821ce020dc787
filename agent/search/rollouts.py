"""The tool loop as a candidate source: `samples.count` rollouts, one after another from the base commit in the one
workspace, each with its own sampling and an equal share of the time left, logged in `rollouts/<k>/`, tried by
evaluate.py and chosen by selection.py; the chosen diff goes back into the workspace."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import unidiff

from agent.loop import AgentLoop, LoopEvent
from agent.search.evaluate import Trial, Trier
from agent.search.lint import detect_linter
from agent.search.patches import split_patch
from agent.search.report import markdown, table_rows
from agent.search.selection import Candidate, Selection, assign_groups, select
from agent.testing.baseline import TestBaseline
from agent.trajectory import Trajectory, TrajectoryData
from core.model import Sampling
from core.types import Message
from workspaces.base import Workspace

if TYPE_CHECKING:
    from agent.runner import SolveJob

STOPPING = {"Interrupted", "BudgetExhausted", "CostLimitExceeded"}
"""Exit statuses after which no further rollout starts (the user or the budget said stop)."""


@dataclass
class Rollout:
    """One rollout as a candidate."""

    index: int
    """Sample number."""
    exit_status: str = ""
    """How its loop ended."""
    patch: str = ""
    """Its whole diff against the base commit."""
    changed: dict[str, str] = field(default_factory=dict, repr=False)
    """The files it changed, path -> text (deleted files are left out)."""
    trial: Trial | None = None
    """The evaluator's verdict on it (None when it changed nothing)."""
    cost: float = 0.0
    """Dollars its calls cost."""

    def candidate(self, targets: int) -> Candidate:
        """The rollout as a selection candidate (Trial.candidate); one that changed nothing is dropped."""
        if self.trial is None:
            return Candidate(self.index, self.patch, split_patch(self.patch), self.exit_status, self.cost,
                             dropped="changed nothing")
        return self.trial.candidate(self.index, targets, self.patch, self.exit_status, self.cost)


def sampling_of(job: SolveJob, k: int) -> Sampling:
    """Rollout k's sampling settings."""
    samples = job.config.samples
    temperatures, top_ps = samples.temperatures, samples.top_ps
    return Sampling(temperature=temperatures[k % len(temperatures)] if temperatures else None,
                    top_p=top_ps[k % len(top_ps)] if top_ps else None,
                    seed=job.config.seed_for(k), rollout=k)


def sample_rollouts(job: SolveJob, ws: Workspace, opening: list[Message], tools: dict, baseline: TestBaseline | None,
                    trajectory: Trajectory, deadline: float) -> Selection:
    """Run the rollouts, try each, choose one and leave it in the workspace; the trajectory records them all."""
    config, count = job.config, job.config.samples.count
    trier = Trier(ws, baseline if config.samples.by_tests else None, detect_linter(ws) if config.samples.lint else None)
    rollouts: list[Rollout] = []
    for k in range(count):
        left = deadline - time.monotonic()
        if left <= 1.0:
            break
        rollout = run_rollout(job, ws, opening, tools, k, left / (count - k), trajectory)
        rollout.trial = trier.trial(rollout.changed) if rollout.changed else None
        rollouts.append(rollout)
        if rollout.exit_status in STOPPING:
            break
    targets = len(baseline.targets) if baseline else 0
    candidates = [rollout.candidate(targets) for rollout in rollouts]
    assign_groups(candidates)
    selection = select(candidates, config.samples.select)
    record(trajectory, selection, job.model.cost)
    chosen = selection.chosen
    if chosen is not None:
        for path, text in rollouts[chosen.index].changed.items():
            ws.write_file(path, text)
        trajectory.data.patch = ws.diff()
    return selection


def run_rollout(job: SolveJob, ws: Workspace, opening: list[Message], tools: dict, k: int, seconds: float,
                trajectory: Trajectory) -> Rollout:
    """Rollout k from the base commit, within `seconds`; the workspace is back at the base commit afterwards."""
    config = job.config
    sampling = sampling_of(job, k)
    parent = trajectory.data
    sub = Trajectory(trajectory.path.parent / "rollouts" / str(k) / "trajectory.json", TrajectoryData(
        run_id=f"{parent.run_id}-{k}", issue=parent.issue, model=parent.model, repo=parent.repo,
        config=parent.config, plan=parent.plan, extra={**parent.extra, "sample": k, "samples": config.samples.count,
                                                        "sampling": sampling.__dict__}))
    sub.data.messages.extend(opening)
    budget = config.samples.budget if config.samples.budget is not None else config.limits.cost * config.samples.count
    limits = config.limits.model_copy(update={"wall_time": seconds, "cost": budget})
    cost_before = job.model.cost
    if job.on_event:
        job.on_event(LoopEvent("note", len(parent.steps), cost_before, text=f"rollout {k + 1} of "
                                                                          f"{config.samples.count}"))
    ws.reset()
    try:
        AgentLoop(job.model, ws, tools, limits, sub, job.on_event, job.checks, sampling=sampling).run()
        patch = ws.diff()
        changed = files_after(ws, patch)
    finally:
        ws.reset()
        sub.save()
    parent.steps.extend(step.model_copy(update={"step": len(parent.steps) + n + 1})
                        for n, step in enumerate(sub.data.steps))
    return Rollout(k, sub.data.exit_status or "", patch, changed, cost=job.model.cost - cost_before)


def files_after(ws: Workspace, patch: str) -> dict[str, str]:
    """The text of every file the patch adds or changes (deleted files are left out)."""
    try:
        files = unidiff.PatchSet(patch)
    except unidiff.UnidiffParseError:
        return {}
    return {f.path: ws.read_file(f.path) for f in files if not f.is_removed_file}


def record(trajectory: Trajectory, selection: Selection, cost: float) -> None:
    """The rollouts and the choice, under `extra.rollouts` (what `agent solve` prints and SWE-bench reports use)."""
    data = trajectory.data
    chosen = selection.chosen
    data.extra["rollouts"] = {
        "reason": selection.reason, "chosen": chosen.index if chosen else None, "select": selection.mode,
        "candidates": [{"index": c.index, "exit_status": c.exit_status, "patch": c.patch, "key": c.key,
                        "group": c.group, "dropped": c.dropped, "fixed": c.repro_passed, "tests": c.repro_total,
                        "regressions": c.regressions, "lint_new": c.lint_new, "cost": c.cost,
                        "own_tests": list(c.split.test_files)}
                       for c in selection.candidates],
        "rows": table_rows(selection), "markdown": markdown(selection)}
    data.cost = cost
    data.exit_status = chosen.exit_status if chosen else "NoCandidate"
    data.exit_message = selection.reason
    trajectory.save()
