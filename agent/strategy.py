"""Between the plan and the patch gate: the known tests measured, then the repair strategy and/or the tool loop.

- The tests the run knows of (named by the issue, else related by the planner) run once on the base commit
  (agent/testing/baseline.py); the repair strategy aims at the failing ones, the gate checks against all.
- `repair` (agent/repair/): focused rewrites of the suspect code, tried against the tests, failures fed back.
- `loop`: the tool-using agent (agent/loop.py).
- `auto`: repair when a failing test is known; if no candidate passes, the loop continues with the time left,
  told which tests fail. Without a failing test, the loop.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from agent.loop import AgentLoop
from agent.planner import Plan
from agent.repair.run import repair
from agent.testing.baseline import TestBaseline, measure
from agent.testing.failures import listing
from agent.testing.runner import detect_runner
from agent.trajectory import Trajectory
from agent.types import Message
from prompts import render
from workspaces.base import Workspace

if TYPE_CHECKING:
    from agent.runner import SolveJob

log = logging.getLogger(__name__)


def known_tests(job: SolveJob, ws: Workspace, plan: Plan | None) -> TestBaseline | None:
    """The known tests, run on the base commit (None when neither the gate nor the strategy needs them)."""
    config = job.config
    if not config.gate.run_tests and config.strategy == "loop":
        return None
    gate = config.gate
    runner = detect_runner(ws, gate.test_command, gate.test_timeout, gate.case_timeout or None)
    listed = ws.exec("git ls-files", timeout=120)
    paths = listed.output.split("\n") if listed.exit_code == 0 else []
    return measure(ws, runner, job.issue.text, plan.test_files if plan else [], [p for p in paths if p])


def describe(baseline: TestBaseline | None) -> dict:
    """The baseline as the trajectory records it."""
    if baseline is None:
        return {"ran": False}
    before = baseline.before
    return {"ran": before is not None, "runner": baseline.runner.kind, "files": baseline.files,
            "named": baseline.named.ids or baseline.named.files, "targets": baseline.targets,
            "guards": len(baseline.guards), "origin": baseline.origin,
            "seconds_timed_out": bool(before and before.timed_out)}


def find_fix(job: SolveJob, ws: Workspace, plan: Plan | None, baseline: TestBaseline | None,
             trajectory: Trajectory) -> None:
    """Run the configured strategy; the workspace ends holding the change, `trajectory.data.patch` its diff."""
    config = job.config
    deadline = time.monotonic() + config.limits.wall_time
    aim = baseline is not None and bool(baseline.targets)
    if config.strategy == "repair" or (config.strategy == "auto" and aim):
        outcome = repair(job, ws, plan, baseline, trajectory, deadline)
        if outcome.done or config.strategy == "repair":
            return
        log.info("repair found no candidate that passes; the tool loop continues")
    remaining = max(1.0, deadline - time.monotonic())
    trajectory.data.messages.extend(opening_messages(job, ws, plan, baseline))
    limits = config.limits.model_copy(update={"wall_time": remaining})
    AgentLoop(job.model, ws, job.tools, limits, trajectory, job.on_event, job.checks).run()


def opening_messages(job: SolveJob, ws: Workspace, plan: Plan | None,
                     baseline: TestBaseline | None) -> list[Message]:
    """The tool loop's system prompt and task, rendered from prompts/."""
    config = job.config
    failing = listing(baseline.targets, 8) if baseline and baseline.targets else ""
    system = render(config.system_template, root=ws.root, command_timeout=int(config.limits.command_timeout))
    task = render(config.instance_template, issue=job.issue.text, root=ws.root, base_commit=ws.base_commit,
                  plan=plan, failing=failing)
    return [Message(role="system", content=system), Message(role="user", content=task)]
