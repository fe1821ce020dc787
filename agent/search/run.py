"""The repair strategy in a run: localize, search, put the chosen candidate in the workspace, and record it all
(`extra.repair` and one trajectory step per model call)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.loop import LoopEvent
from agent.planner import Plan
from agent.repair_config import RepairConfig
from agent.search.evaluate import Trier
from agent.search.lint import detect_linter
from agent.search.localize import Region, leads, regions
from agent.search.reproduce import reproduce
from agent.search.search import Attempt, RepairSearch, SearchResult
from agent.testing.baseline import TestBaseline
from agent.testing.failures import failures_of
from agent.testing.runner import test_file
from agent.trajectory import StepRecord, Trajectory
from core.types import Message
from workspaces.base import Workspace

if TYPE_CHECKING:
    from agent.runner import SolveJob


@dataclass
class RepairOutcome:
    """What the repair strategy left behind."""

    done: bool
    """A candidate passed every known test and is in the workspace."""
    result: SearchResult | None = None
    """The search, when one ran."""


def repair(job: SolveJob, ws: Workspace, plan: Plan | None, baseline: TestBaseline, trajectory: Trajectory,
           deadline: float, settings: RepairConfig) -> RepairOutcome:
    """Search for a fix; put the chosen one (or, for `strategy: repair`, the best partial one) in the workspace.
    `settings` is the `repair` section as the strategy applies it (it may allow more samples)."""
    data = trajectory.data
    shown = suspect_regions(ws, plan, baseline, settings)
    kept = data.extra.setdefault("repair", {"regions": [{"path": r.path, "start": r.start, "end": r.end,
                                                            "reason": r.reason} for r in shown], "attempts": []})
    if not shown:
        kept["reason"] = "no code to show: the planner and the failing tests point at no source file"
        trajectory.save()
        return RepairOutcome(False)
    events = job.on_event or (lambda event: None)
    if not baseline.targets and settings.reproduce:
        aim_at_reproduction(job, baseline, shown, trajectory, deadline, events, settings.reproduce)
    trier = Trier(ws, baseline, detect_linter(ws))
    aim = f"{len(baseline.targets)} failing test(s)" if baseline.targets else "no failing test (agreement decides)"
    where = ", ".join(f"{r.path}:{r.start}-{r.end}" for r in shown)
    events(LoopEvent("note", len(data.steps), job.model.cost, text=f"repair: {aim}; showing {where}"))

    def record(attempt: Attempt, messages: list[Message]) -> None:
        note(trajectory, attempt, messages)
        events(progress(attempt, len(data.steps), job.model.cost, len(baseline.targets)))

    search = RepairSearch(job.model, trier, baseline, shown, job.issue.text, settings, deadline=deadline,
                          record=record, seed=job.config.seed_for)
    kept["opening"] = [m.model_dump() for m in search.opening]
    kept["line_opening"] = search.line_opening[1].model_dump()
    if search.file_opening:
        kept["file_opening"] = search.file_opening[1].model_dump()
    result = search.run()
    kept["reason"] = result.reason
    chosen = result.chosen or (partial(result) if job.config.strategy == "repair" else None)
    kept["chosen"] = chosen.number if chosen is not None else None
    if chosen is not None:
        put(ws, chosen)
        data.patch = ws.diff()
    data.exit_status = "Repaired" if result.chosen else "RepairFailed"
    data.exit_message = result.reason
    trajectory.save()
    return RepairOutcome(result.chosen is not None, result)


def suspect_regions(ws: Workspace, plan: Plan | None, baseline: TestBaseline, settings: RepairConfig) -> list[Region]:
    """The code shown to the model: where the failing tests' tracebacks, their imports and the plan point."""
    paths = [p for p in ws.exec("git ls-files", timeout=120).output.split("\n") if p]
    output = failures_of(baseline.before) if baseline.before and baseline.targets else ""
    failing_files = list(dict.fromkeys(test_file(t) for t in baseline.targets))  # related tests are no evidence
    return regions(ws, leads(ws, plan, output, failing_files, paths), budget=settings.context_lines,
                   whole_file=settings.whole_file_lines)


def aim_at_reproduction(job: SolveJob, baseline: TestBaseline, shown: list[Region], trajectory: Trajectory,
                        deadline: float, events: Callable[[LoopEvent], None], answers: int) -> None:
    """No test fails: ask up to `answers` times for one written from the issue; aim at one failing now."""
    data = trajectory.data
    events(LoopEvent("note", len(data.steps), job.model.cost,
                     text="repair: no failing test; writing one from the issue"))
    found = reproduce(job.model, baseline, shown, job.issue.text, answers, deadline, job.config.seed_for)
    data.extra.setdefault("repair", {})["reproduction"] = {"path": found.path, "kept": found.text, "tests": found.tests,
                                            "answers": found.answers}
    for answer in found.answers:
        data.steps.append(StepRecord(step=len(data.steps) + 1, model_seconds=answer["seconds"], cost=0.0,
                                     format_error="no code block" if answer["verdict"] == "no code block" else None))
    trajectory.save()
    if found.tests:
        baseline.written[found.path] = found.text
        baseline.files.append(found.path)
        baseline.targets, baseline.origin = list(found.tests), "reproduction"
        baseline.before = found.run
        events(LoopEvent("note", len(data.steps), job.model.cost, text=f"repair: {found.path} fails on the base "
                                                                             f"commit ({len(found.tests)} test(s))"))


def partial(result: SearchResult) -> Attempt | None:
    """The best attempt when it fixes some failing test and breaks none (None otherwise)."""
    best = result.best
    verdict = best.trial.verdict if best and best.trial else None
    return best if verdict and verdict.fixed and not verdict.regressions and not best.problem else None


def put(ws: Workspace, attempt: Attempt) -> None:
    """Write the attempt's files into the workspace."""
    for path, text in attempt.changed.items():
        ws.write_file(path, text)


def progress(attempt: Attempt, step: int, cost: float, targets: int) -> LoopEvent:
    """The event that shows an attempt in progress displays."""
    if attempt.unreadable:
        return LoopEvent("format_error", step, cost, seconds=attempt.seconds, text=attempt.problem)
    verdict = attempt.trial.verdict if attempt.trial else None
    arguments = {"candidate": attempt.number, **({"mutant": attempt.reply} if attempt.kind == "mutant" else
                                                 {"temperature": attempt.temperature})}
    if verdict is not None:
        arguments["fixed"] = f"{len(verdict.fixed)}/{targets}"
        arguments["regressions"] = len(verdict.regressions)
    else:
        arguments["problem"] = attempt.problem.splitlines()[0]
    return LoopEvent("tool", step, cost, tool="tests", arguments=arguments, seconds=attempt.seconds,
                     error=not attempt.plausible)


def note(trajectory: Trajectory, attempt: Attempt, messages: list[Message]) -> None:
    """Record one candidate of the search: its messages and verdict, and a step when the model made it; save."""
    data = trajectory.data
    if attempt.kind != "mutant":
        data.steps.append(StepRecord(step=len(data.steps) + 1, model_seconds=attempt.seconds, cost=attempt.cost,
                                     format_error=attempt.problem if attempt.unreadable else None))
    data.cost += attempt.cost
    entry = attempt.summary()
    entry["messages"] = [m.model_dump() for m in messages]
    data.extra["repair"]["attempts"].append(entry)
    trajectory.save()
