"""`agent swebench run`'s scoring: predictions as they arrive (`LiveEvaluator`), then rollouts for pass@k."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from agent.search.passk import SampledOutcome, sampling_metrics
from core.pool import run_pool
from swebench.datasets import Instance
from swebench.evaluate import EvalSettings, evaluate_instance, write_json
from swebench.grading import RESOLVED
from swebench.infer.predictions_writer import read_records
from swebench.infer.task import InstanceOutcome
from swebench.run_eval import load_result

Notify = Callable[[str, str], None]
"""(instance id, verdict) for the live view."""


class LiveEvaluator:
    """Evaluates each prediction as soon as the runner writes it (see the module docstring)."""

    def __init__(self, instances: list[Instance], builder: Callable[[], Any], folder: Path, settings: EvalSettings,
                 workers: int = 1, notify: Notify | None = None):
        self.instances = {instance.instance_id: instance for instance in instances}
        self.builder = builder
        """Returns the ImageBuilder (called in the evaluation threads, once each)."""
        self.folder = folder
        """The run folder; instance folders go below it."""
        self.settings = settings
        self.notify = notify
        self._pool = concurrent.futures.ThreadPoolExecutor(max(1, workers), thread_name_prefix="eval")
        self._futures: list[concurrent.futures.Future] = []

    def __call__(self, outcome: InstanceOutcome) -> None:
        """Queue the evaluation of a new prediction."""
        if outcome.predicted and outcome.instance_id in self.instances:
            self._futures.append(self._pool.submit(self._evaluate, outcome.instance_id, outcome.model_patch))

    def _evaluate(self, instance_id: str, patch: str) -> None:
        result = evaluate_instance(self.instances[instance_id], patch, self.folder / instance_id, self.builder(),
                                   self.settings)
        if self.notify is not None:
            self.notify(instance_id, result.status)

    def finish(self, cancel: bool = False) -> None:
        """Wait for every queued evaluation (failures raised here); `cancel` drops queued ones, waits for running."""
        try:
            for future in [] if cancel else concurrent.futures.as_completed(self._futures):
                future.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


def score_rollouts(instances: list[Instance], rollouts_path: Path, folder: Path, builder: Any,
                   settings: EvalSettings, workers: int = 1) -> list[SampledOutcome]:
    """Per instance with rollouts: whether each rollout's fix resolves it (identical fixes once), and the chosen one."""
    by_id = {instance.instance_id: instance for instance in instances}
    records = {i: r for i, r in read_records(rollouts_path)[0].items() if i in by_id}
    verdicts: dict[tuple[str, str], bool] = {}
    todo: dict[tuple[str, str], int] = {}  # (instance, patch) -> the rollout whose folder its evaluation gets
    for instance_id, record in records.items():
        main = load_result(folder / instance_id)
        for k, patch in enumerate(record.get("patches") or []):
            key = (instance_id, patch)
            if key in verdicts or key in todo:
                continue
            if not patch.strip():
                verdicts[key] = False
            elif main is not None and k == record.get("selected"):
                verdicts[key] = main.status == RESOLVED
            else:
                todo[key] = k

    def resolves(key: tuple[str, str]) -> bool:
        """Evaluate one rollout's fix."""
        instance_id, patch = key
        target = folder / "rollouts" / instance_id / str(todo[key])
        return evaluate_instance(by_id[instance_id], patch, target, builder, settings).status == RESOLVED

    keys = list(todo)
    verdicts.update(zip(keys, run_pool(keys, resolves, workers=workers, name="eval-rollout"), strict=True))
    outcomes = []
    for instance_id, record in records.items():
        resolved = [verdicts[(instance_id, patch)] for patch in record.get("patches") or []]
        if resolved:
            outcomes.append(SampledOutcome(instance_id, resolved, record.get("selected")))
    return outcomes


def write_sampling(outcomes: list[SampledOutcome], path: Path) -> dict[str, Any]:
    """sampling.json: the metrics and, per instance, each rollout's verdict and the chosen one."""
    metrics = sampling_metrics(outcomes)
    payload = {"metrics": metrics, "instances": {o.instance_id: {"resolved": list(o.resolved),
                                                                 "selected": o.selected} for o in outcomes}}
    write_json(path, payload)
    return metrics


def print_sampling(metrics: dict[str, Any], console: Console) -> None:
    """pass@k for every k and selected@1, side by side, and the sentence that reads them."""
    table = Table(title=f"rollouts: {metrics.get('instances', 0)} instance(s), {metrics.get('samples', 0)} each",
                  title_justify="left")
    names = [name for name in metrics if name.startswith(("pass@", "selected@"))]
    for name in names:
        table.add_column(name, justify="right")
    table.add_row(*(f"{100 * metrics[name]:.1f}%" for name in names))
    console.print(table)
    if "selected@1" in metrics and metrics.get("samples"):
        top = metrics[f"pass@{metrics['samples']}"]
        console.print(f"a right fix was generated for {100 * top:.1f}% of instances and chosen for "
                      f"{100 * metrics['selected@1']:.1f}%", highlight=False)
