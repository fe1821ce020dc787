"""Between the plan and the patch gate: the known tests measured on the base commit, then `repair`, the tool `loop`,
or `auto`: repair when a failing test is known, then the loop with the time left if nothing passed, else the loop.
A self-hosted model (rarely useful in the tool loop) tries repair first anyway, and samples more repairs."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from agent.loop import AgentLoop
from agent.planner import Plan
from agent.search.rollouts import sample_rollouts
from agent.search.run import aim_at_reproduction, put, repair, suspect_regions
from agent.search.search import Attempt
from agent.testing.baseline import TestBaseline, measure
from agent.testing.failures import listing
from agent.testing.runner import detect_runner
from agent.trajectory import Trajectory
from core.types import Message
from prompts import render
from tools.settings import ToolsConfig
from workspaces.base import Workspace, clip_middle

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
    return measure(runner, job.issue.text, plan.test_files if plan else [])


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
    deadline = trajectory.started + config.limits.wall_time  # setup and the baseline tests count too
    aim = baseline is not None and bool(baseline.targets)
    local = job.model.self_hosted
    fallback = None
    if config.strategy == "repair" or (config.strategy == "auto" and (aim or local)):
        settings = config.repair
        if config.samples.count > 1:
            settings = settings.model_copy(update={"samples": config.samples.count})
        elif config.strategy == "auto" and local and aim:
            settings = settings.model_copy(update={"samples": max(settings.samples, settings.self_hosted_samples)})
        outcome = repair(job, ws, plan, baseline, trajectory, deadline, settings)
        if outcome.done or config.strategy == "repair":
            return
        fallback = outcome.result.best if outcome.result else None
        log.info("repair found no candidate that passes; the tool loop continues")
    opening = opening_messages(job, ws, plan, baseline, local)
    tools = lean(job.tools, config.tools.enabled) if local else job.tools
    if config.samples.count > 1:
        if baseline is not None and not baseline.targets and config.repair.reproduce and config.samples.by_tests:
            shown = suspect_regions(ws, plan, baseline, config.repair)
            if shown:  # the rollouts are then tried against a test written from the issue, as repair would be
                aim_at_reproduction(job, baseline, shown, trajectory, deadline,
                                    job.on_event or (lambda event: None), config.repair.reproduce)
        sample_rollouts(job, ws, opening, tools, baseline, trajectory, deadline)
        return
    trajectory.data.messages.extend(opening)
    limits = config.limits.model_copy(update={"wall_time": max(1.0, deadline - time.monotonic())})
    try:
        AgentLoop(job.model, ws, tools, limits, trajectory, job.on_event, job.checks).run()
    finally:
        if fallback is not None and not trajectory.data.patch.strip():
            keep_best_candidate(ws, fallback, trajectory)


def keep_best_candidate(ws: Workspace, best: Attempt, trajectory: Trajectory) -> None:
    """The loop changed nothing: the run hands out the repair's best candidate rather than nothing (the gate then
    says what checks it: `failed` when a known test still fails, `unverified` when no test could check it)."""
    put(ws, best)
    trajectory.data.patch = ws.diff()
    trajectory.data.extra.setdefault("repair", {})["kept_at_the_end"] = best.number
    trajectory.data.exit_message = (f"{trajectory.data.exit_message} The loop changed nothing; the repair's best "
                                    f"candidate, #{best.number}, is the patch.").strip()
    trajectory.save()


LEAN_TOOLS = ("search", "view", "edit", "run", "submit")
"""The tools a self-hosted model is offered when the configuration keeps the default list: their descriptions are
half the opening prompt, and a small model uses few tools."""
COMPACT_ISSUE = 2500
"""Characters of the issue a self-hosted model is shown in the loop's opening prompt (head and tail)."""


def lean(tools: dict, enabled: list[str]) -> dict:
    """The lean tool set, unless the user chose the tools."""
    if enabled != ToolsConfig().enabled:
        return tools
    return {name: tool for name, tool in tools.items() if name in LEAN_TOOLS}


def opening_messages(job: SolveJob, ws: Workspace, plan: Plan | None, baseline: TestBaseline | None,
                     compact: bool = False) -> list[Message]:
    """The tool loop's system prompt and task, rendered from prompts/; `compact` (a self-hosted model) keeps the
    issue short, the plan to its top files and symbols, and leaves the repo map out."""
    config = job.config
    failing = listing(baseline.targets, 8) if baseline and baseline.targets else ""
    issue = job.issue.text
    if compact:
        issue = clip_middle(issue, COMPACT_ISSUE)
        plan = plan.model_copy(update={"repo_map": "", "files": plan.files[:5], "symbols": plan.symbols[:6]}) \
            if plan else None
    system = render(config.system_template, root=ws.root, command_timeout=int(config.limits.command_timeout))
    task = render(config.instance_template, issue=issue, root=ws.root, base_commit=ws.base_commit,
                  plan=plan, failing=failing)
    return [Message(role="system", content=system), Message(role="user", content=task)]
