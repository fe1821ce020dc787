"""`InferRunner`: many instances through a backend into preds.jsonl, resumable and on one budget (README.md)."""

from __future__ import annotations

import shutil
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from agent.config import AgentConfig
from swebench.datasets import Instance
from swebench.evaluate import write_json
from swebench.images import ImageSource
from swebench.infer.backends import PoolBackend, make_backend, worker_setup
from swebench.infer.predictions_writer import PredictionsWriter
from swebench.infer.progress import InferProgress, exit_counts, summary_table
from swebench.infer.task import NOT_STARTED, InstanceOutcome, InstanceTask
from swebench.run_eval import run_folder

TICK = 0.5
"""Seconds between looks at the budget and the live view while waiting for outcomes."""


@dataclass
class InferOptions:
    """How a batch runs."""

    run_id: str
    """The run's name (its folder under `runs_dir/swebench/`)."""
    runs_dir: Path = Path("runs")
    """Parent of the swebench/ folder of runs."""
    workers: int = 1
    """Instances at once."""
    backend: str = "thread"
    """`thread`, `process` or `ray`."""
    ray_address: str | None = None
    """Ray cluster address (`auto`); empty starts a local Ray instance."""
    budget: float | None = None
    """Dollars all instances share (None: no global budget)."""
    redo: bool = False
    """Run again instances that already have a prediction."""
    images: ImageSource = field(default_factory=ImageSource)
    """Where instance images and mirrors come from (inference and evaluation use the same)."""
    cli_model: str | None = None
    """`--model`."""
    model_name: str = ""
    """`model_name_or_path` of the predictions."""


@dataclass
class InferPaths:
    """The files of a run (README.md, "The run folder")."""

    folder: Path
    """The run folder."""

    def __post_init__(self) -> None:
        self.preds = self.folder / "preds.jsonl"
        self.rollouts = self.folder / "rollouts.jsonl"

    def instance(self, instance_id: str) -> Path:
        """The instance's folder."""
        return self.folder / "infer" / instance_id


@dataclass
class InferSummary:
    """What an invocation did."""

    run_id: str
    """The run."""
    paths: InferPaths
    """Its files."""
    progress: InferProgress
    """Counts, outcomes and cost."""
    not_started: list[str] = field(default_factory=list)
    """Instances never started (budget spent, or the run stopped)."""
    budget_spent: bool = False
    """True when the global budget ran out during the run."""
    interrupted: bool = False
    """True when Ctrl-C stopped the run."""
    wall_seconds: float = 0.0
    """Wall time of the invocation."""

    @property
    def outcomes(self) -> dict[str, InstanceOutcome]:
        """Finished instances of this invocation."""
        return self.progress.tally.outcomes

    def note(self) -> str:
        """The sentence about the budget or the interruption, if one applies."""
        if self.budget_spent:
            ended = sum(o.exit_status == "BudgetExhausted" and o.predicted for o in self.outcomes.values())
            return (f"The global budget of ${self.progress.limit:.2f} was spent: {len(self.not_started)} instance(s) "
                    f"were not started and {ended} ended early with the patch they had.")
        if self.interrupted:
            return f"Interrupted: {len(self.not_started)} instance(s) were not started; rerun to continue."
        return ""

    def to_json(self) -> dict:
        """infer.json."""
        tally = self.progress.tally
        return {"run_id": self.run_id, "total": tally.total, "skipped": tally.skipped,
                "kinds": dict(tally.kinds()), "exit_statuses": dict(exit_counts(self.outcomes)),
                "not_started": self.not_started, "budget": self.progress.limit, "spent": tally.spent,
                "budget_spent": self.budget_spent, "interrupted": self.interrupted,
                "wall_seconds": round(self.wall_seconds, 2),
                "agent_seconds": round(sum(o.agent_seconds for o in self.outcomes.values()), 2),
                "note": self.note(), "updated": time.strftime("%Y-%m-%dT%H:%M:%S")}


OutcomeHook = Callable[[InstanceOutcome], None]
"""Called on the driver for every finished instance, after its prediction is written (`run` evaluates)."""


class InferRunner:
    """Drives one invocation: picks the instances to run, feeds the backend, writes what comes back."""

    def __init__(self, config: AgentConfig, options: InferOptions, console: Console | None = None,
                 on_outcome: OutcomeHook | None = None, evaluating: bool = False, live: bool | None = None):
        self.config = config
        self.options = options
        self.console = console or Console(stderr=True)
        self.on_outcome = on_outcome
        self.evaluating = evaluating
        self.live = live
        self.paths = InferPaths(run_folder(options.runs_dir, options.run_id))
        self.progress: InferProgress | None = None
        """The live view of the current invocation (set by `run`)."""

    def run(self, instances: list[Instance]) -> InferSummary:
        """Run every instance that needs it; write the files; return the summary."""
        started = time.monotonic()
        worker_setup(self.config.model.api_key)  # secrets redacted from every file the run writes
        self.paths.folder.mkdir(parents=True, exist_ok=True)
        with PredictionsWriter(self.paths.preds) as preds, PredictionsWriter(self.paths.rollouts) as rollouts:
            for problem in preds.problems:
                self.console.print(f"[yellow]{self.paths.preds}: {problem}[/]", highlight=False)
            done = set() if self.options.redo else preds.ids()
            todo = [i for i in instances if i.instance_id not in done]
            progress = self.progress = InferProgress(self.console, len(todo), skipped=len(instances) - len(todo),
                                                     limit=self.options.budget, evaluating=self.evaluating,
                                                     live=self.live)
            summary = InferSummary(self.options.run_id, self.paths, progress)
            if todo:
                backend = make_backend(self.options.backend, max(1, self.options.workers), self.options.budget,
                                       ray_address=self.options.ray_address, api_key=self.config.model.api_key)
                try:
                    with progress:
                        self._drive(backend, deque(todo), summary, preds, rollouts)
                    summary.budget_spent |= backend.budget.verdict()[0] == "BudgetExhausted"
                except BaseException:
                    backend.stop()  # instances still running end before their next step
                    raise
                finally:
                    backend.close()
        summary.wall_seconds = time.monotonic() - started
        write_json(self.paths.folder / "infer.json", summary.to_json())
        return summary

    def _drive(self, backend: PoolBackend, pending: deque[Instance], summary: InferSummary, preds: PredictionsWriter,
               rollouts: PredictionsWriter) -> None:
        """Keep `workers` instances in flight until all are back; stop starting when the budget is spent."""
        def collect() -> None:
            """Handle the outcomes that finish within a tick; refresh the cost."""
            for outcome in backend.wait(TICK):
                self._handle(outcome, summary, preds, rollouts)
            summary.progress.cost(backend.budget.spent())

        try:
            while pending or backend.running():
                while pending and backend.running() < self.options.workers and not backend.budget.exhausted():
                    instance = pending.popleft()
                    backend.submit(InstanceTask(instance, self.config, self.paths.instance(instance.instance_id),
                                                self.options.cli_model, self.options.images))
                    summary.progress.started_instance(instance.instance_id)
                if pending and backend.budget.exhausted():
                    summary.budget_spent = True
                    self._drop(pending, summary)
                collect()
        except KeyboardInterrupt:
            backend.stop()
            summary.interrupted = True
            self._drop(pending, summary)
            self.console.print(f"[yellow]stopping: {backend.running()} running instance(s) end before their next "
                               "step; Ctrl-C again to abandon them[/]")
            while backend.running():
                collect()

    @staticmethod
    def _drop(pending: deque[Instance], summary: InferSummary) -> None:
        """Give up on the instances not started yet."""
        for instance in pending:
            summary.not_started.append(instance.instance_id)
            summary.progress.not_started(instance.instance_id)
        pending.clear()

    def _handle(self, outcome: InstanceOutcome, summary: InferSummary, preds: PredictionsWriter,
                rollouts: PredictionsWriter) -> None:
        """Write what an instance produced: its folder, outcome.json, its prediction, its rollouts."""
        folder = self.paths.instance(outcome.instance_id)
        if outcome.files is not None:
            shutil.rmtree(folder, ignore_errors=True)
            for relative, data in outcome.files.items():
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                (folder / relative).write_bytes(data)
            outcome.files = None
        if outcome.kind == NOT_STARTED:
            summary.not_started.append(outcome.instance_id)
            summary.progress.not_started(outcome.instance_id)
            return
        folder.mkdir(parents=True, exist_ok=True)
        write_json(folder / "outcome.json", outcome.record())
        if outcome.predicted:
            preds.put(outcome.prediction(self.options.model_name))
            if outcome.rollout_patches is not None:
                rollouts.put({"instance_id": outcome.instance_id, "selected": outcome.selected,
                              "patches": outcome.rollout_patches})
        summary.progress.finished(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)


def print_summary(summary: InferSummary, console: Console) -> None:
    """The summary table and where the files are."""
    progress = summary.progress
    console.print(summary_table(progress.tally, summary.wall_seconds, len(summary.not_started), summary.note()))
    console.print(f"predictions: {summary.paths.preds}\ninstances:   {summary.paths.folder / 'infer'}",
                  highlight=False)
