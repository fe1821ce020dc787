"""N rollouts of one issue (and the reproduction pass), each in its own workspace, in parallel, on one budget.

Rollout k runs with seed `seed + k` and its own temperature / top_p (`samples.temperatures`, `top_ps`,
cycled), replays `model.scripts[k]` for a scripted model, and keeps its trajectory under
`runs/<id>/rollouts/<k>/`. Every model call is charged to the shared budget as it returns; every rollout
stops before its next step once the budget is spent or the user pressed Ctrl-C.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent.config import AgentConfig
from agent.issue import IssueText
from agent.loop import LoopEvent
from agent.repo import RepoSource
from agent.runner import SolveJob, SolveResult, solve
from agent.samples.budget import BudgetedModel, SharedBudget
from agent.samples.reproduction import PASS_NAME, pass_config
from core.errors import Interrupted, UserError
from workspaces.base import Workspace

WorkspaceFactory = Callable[[AgentConfig, str], Workspace]
"""(the run's config, a name such as `0`, `reproduction` or `judge`) -> a workspace, not yet entered."""
EventSink = Callable[[str, LoopEvent], None]
"""Receives (rollout label, event) for progress displays; called from the rollouts' threads."""


@dataclass
class RolloutSpec:
    """What one rollout runs with."""

    name: str
    """Folder and workspace name: `0`, `1`, ... or `reproduction`."""
    label: str
    """How people see it: `#0`, or `reproduction pass`."""
    config: AgentConfig
    """Its configuration (sampling settings, runs_dir, templates)."""
    index: int | None = None
    """Sample number; None for the reproduction pass."""
    extra: dict = field(default_factory=dict)
    """Recorded in its trajectory's `extra`."""


@dataclass
class Rollout:
    """A finished rollout."""

    spec: RolloutSpec
    """What it ran with."""
    result: SolveResult | None = None
    """Its solve result; None when it failed outside the loop."""
    error: str = ""
    """The failure outside the loop (workspace did not start, ...), when there was one."""

    @property
    def patch(self) -> str:
        """Its final diff ("" without a result)."""
        return self.result.patch if self.result else ""

    @property
    def exit_status(self) -> str:
        """How it ended."""
        return self.result.exit_status if self.result else (self.error.split(":")[0] or "Error")

    @property
    def cost(self) -> float:
        """Dollars it spent (what its trajectory recorded)."""
        return self.result.cost if self.result else 0.0


def rollout_specs(config: AgentConfig, run_dir: Path) -> list[RolloutSpec]:
    """The reproduction pass when it is asked for (first: it is short, and must not find the budget spent), then
    the rollouts of `config.samples`."""
    samples = config.samples
    specs = [rollout_spec(config, k, run_dir / "rollouts") for k in range(samples.count)]
    if samples.reproduction in ("both", "pass"):
        specs.insert(0, RolloutSpec(PASS_NAME, "reproduction pass", pass_config(config, run_dir),
                                    extra={"label": "reproduction pass"}))
    return specs


def rollout_spec(config: AgentConfig, k: int, rollouts_dir: Path) -> RolloutSpec:
    """Rollout k: its seed, temperature, top_p and script, its folder under `rollouts_dir`."""
    samples, model = config.samples, config.model
    updates: dict = {"seed": (model.seed if model.seed is not None else samples.seed) + k}
    if samples.temperatures:
        updates["temperature"] = samples.temperatures[k % len(samples.temperatures)]
    if samples.top_ps:
        updates["top_p"] = samples.top_ps[k % len(samples.top_ps)]
    if model.scripts:
        updates["script"] = model.scripts[k % len(model.scripts)]
    model = model.model_copy(update=updates)
    rollout = config.model_copy(update={"model": model, "runs_dir": rollouts_dir})
    extra = {"sample": k, "samples": samples.count, "seed": model.seed, "temperature": model.temperature,
             "top_p": model.top_p, "label": f"rollout {k} of {samples.count}"}
    return RolloutSpec(str(k), f"#{k}", rollout, k, extra)


def default_workspace(repo: RepoSource, run_id: str) -> WorkspaceFactory:
    """Workspaces as `agent solve` makes them (the config's type), named after the run and the rollout."""
    from workspaces.factory import make_workspace

    return lambda config, name: make_workspace(config.workspace, repo.path, repo.commit, f"{run_id}-{name}")


@dataclass
class RolloutRunner:
    """Runs rollout specs in parallel against one repository and issue."""

    repo: RepoSource
    """The repository and base commit."""
    issue: IssueText
    """The task."""
    budget: SharedBudget
    """Charged by every model call of every rollout."""
    workspace: WorkspaceFactory
    """Makes each rollout's workspace."""
    cli_model: str | None = None
    """`--model`, when given."""
    on_event: EventSink | None = None
    """Progress sink."""
    extra: dict = field(default_factory=dict)
    """Recorded in every rollout's trajectory (instance ids, ...)."""
    stop: threading.Event = field(default_factory=threading.Event)
    """Set to end every rollout before its next step."""

    def run(self, specs: list[RolloutSpec], workers: int | None = None) -> list[Rollout]:
        """Run `specs` with up to `workers` at once (default: the CPU count); results in spec order."""
        workers = max(1, min(workers or os.cpu_count() or 1, len(specs)))
        with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="rollout") as pool:
            futures = [pool.submit(self.run_one, spec) for spec in specs]
            try:
                concurrent.futures.wait(futures)
            except KeyboardInterrupt:
                self.stop.set()  # each rollout ends before its next step and keeps its trajectory
                concurrent.futures.wait(futures)
                raise
            errors = [f.exception() for f in futures if isinstance(f.exception(), UserError)]
            if errors:
                raise errors[0]
            return [future.result() for future in futures]

    def run_one(self, spec: RolloutSpec) -> Rollout:
        """One rollout to its end; failures outside the loop are recorded, a UserError stops the others."""
        from agent.models.registry import make_model
        from tools.registry import make_tools

        try:
            model = BudgetedModel(make_model(spec.config.model, self.cli_model), self.budget)
            job = SolveJob(config=spec.config, repo=self.repo, issue=self.issue, model=model,
                           tools=make_tools(spec.config), run_id=spec.name, checks=[self._check_stop,
                                                                                    self.budget.check],
                           on_event=self._sink(spec.label), extra={**self.extra, **spec.extra})
            return Rollout(spec, solve(job, self.workspace(spec.config, spec.name)))
        except UserError:
            self.stop.set()
            raise
        except Exception as exc:  # the workspace did not start, the repository vanished, ...
            return Rollout(spec, error=f"{type(exc).__name__}: {exc}")

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise Interrupted("stopped: another rollout failed or the user pressed Ctrl-C")

    def _sink(self, label: str) -> Callable[[LoopEvent], None] | None:
        if self.on_event is None:
            return None
        sink = self.on_event
        return lambda event: sink(label, event)
