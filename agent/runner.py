"""One solve, end to end: workspace, plan, strategy, patch gate, and the run folder (trajectory.json, patch.diff,
summary.md), written even when the run ends by a limit, an error or Ctrl-C."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import AgentConfig
from agent.gate import GateResult, run_gate
from agent.issue import IssueText
from agent.loop import LoopEvent
from agent.repo import RepoSource
from agent.strategy import describe, find_fix, known_tests
from agent.summary import write_outputs
from agent.trajectory import Trajectory, TrajectoryData
from core.model import Model
from tools.base import Tool
from tools.repomap.sources import WorkspaceSource
from workspaces.base import Workspace
from workspaces.factory import make_workspace

if TYPE_CHECKING:
    from agent.models.budget import Ledger


@dataclass
class SolveResult:
    """What a solve produced."""

    run_dir: Path
    """The run folder."""
    exit_status: str
    """Name of the condition that ended the loop."""
    patch: str
    """The final diff ("" when nothing changed)."""
    gate: GateResult
    """The patch gate's verdict."""
    cost: float
    """Dollars spent."""
    steps: int
    """Model calls made."""
    message: str = ""
    """Details of the exit (the submit summary, a limit or an error)."""


@dataclass
class SolveJob:
    """Everything one solve needs; the pieces are built by the caller (CLI, SWE-bench runner, GitHub)."""

    config: AgentConfig
    """The validated configuration."""
    repo: RepoSource
    """The repository and base commit."""
    issue: IssueText
    """The task."""
    model: Model
    """The model that answers."""
    tools: dict[str, Tool]
    """The tools offered, by name."""
    run_id: str = field(default_factory=lambda: new_run_id())
    """The run's id and folder name."""
    on_event: Callable[[LoopEvent], None] | None = None
    """Progress callback."""
    checks: Sequence[Callable[[], None]] = ()
    """Extra limit checks run before each step (a shared budget raises BudgetExhausted)."""
    extra: dict = field(default_factory=dict)
    """Recorded in the trajectory's `extra` (labels such as `replay`, SWE-bench ids, ...)."""


def build_job(config: AgentConfig, repo: RepoSource, issue: IssueText, *, cli_model: str | None = None,
              budget: Ledger | None = None, **fields) -> SolveJob:
    """The one way every entry point builds a run: model and tools from the config (`--model` as `cli_model`), calls
    charged to `budget` when shared; `fields` are SolveJob's others. Errors are one-line UserErrors."""
    from agent.models.budget import BudgetedModel
    from agent.models.registry import make_model
    from tools.registry import make_tools

    model = make_model(config.model, cli_model)
    if budget is not None:
        model = BudgetedModel(model, budget)
        fields["checks"] = [*fields.get("checks", ()), budget.check]
    return SolveJob(config=config, repo=repo, issue=issue, model=model, tools=make_tools(config), **fields)


def new_run_id() -> str:
    """A sortable, unique run id: date, time and a random suffix."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def solve(job: SolveJob, workspace: Workspace | None = None) -> SolveResult:
    """Run the whole pipeline for `job`; `workspace` overrides the one the config would make."""
    config = job.config
    run_dir = config.runs_dir / job.run_id
    trajectory = Trajectory(run_dir / "trajectory.json", TrajectoryData(
        run_id=job.run_id, issue=job.issue.text, model=job.model.name, extra=dict(job.extra),
        repo={"path": str(job.repo.path), "url": job.repo.url, "commit": job.repo.commit},
        config=config.model_dump(mode="json"),
    ))
    gate = GateResult(status="no change")
    try:
        trajectory.save()
        with workspace or make_workspace(config.workspace, job.repo.path, job.repo.commit, job.run_id) as ws:
            plan = None
            if config.planner.type != "none":
                from agent.repomap_planner import RepoMapPlanner  # numpy/scipy: imported only when a run plans
                plan = RepoMapPlanner(config.planner).plan(job.issue.text, WorkspaceSource(ws))
            trajectory.data.plan = plan.model_dump() if plan else None
            baseline = known_tests(job, ws, plan)
            trajectory.data.extra["tests"] = describe(baseline)
            find_fix(job, ws, plan, baseline, trajectory)
            gate = run_gate(trajectory.data.patch, ws, config.gate, baseline)
    except BaseException as exc:  # before or after the loop: still say how the run ended
        trajectory.data.exit_status = trajectory.data.exit_status or (
            "Interrupted" if isinstance(exc, KeyboardInterrupt) else type(exc).__name__)
        trajectory.data.exit_message = trajectory.data.exit_message or str(exc)
        raise
    finally:
        trajectory.data.gate = gate.model_dump()
        trajectory.save()
        write_outputs(run_dir, trajectory.data, gate, [trajectory.data.extra.get("rollouts", {}).get("markdown", "")])
    data = trajectory.data
    return SolveResult(run_dir, data.exit_status or "", data.patch, gate, data.cost, len(data.steps), data.exit_message)

