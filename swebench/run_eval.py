"""Evaluate a predictions file: parallel, one folder per instance, resumable, re-gradable (see swebench/README.md)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.errors import UserError
from core.pool import Lazy, run_pool
from swebench.datasets import Instance
from swebench.evaluate import (
    EMPTY,
    UNRESOLVED,
    EvalResult,
    EvalSettings,
    evaluate_instance,
    regrade_instance,
    write_json,
)
from swebench.images import ImageBuilder
from swebench.predictions import Prediction, PredictionSet
from swebench.specs import SpecTable

RETRIED_REASONS = ("container died",)
"""Infrastructure errors a rerun evaluates again (an interrupted run's containers are removed under it)."""


@dataclass
class RunOptions:
    """How a run goes."""

    run_id: str
    runs_dir: Path = Path("runs")
    """Parent of the swebench/ folder of runs."""
    workers: int = 1
    """Instances evaluated at once."""
    force: bool = False
    """Evaluate again instances that already have a report."""
    settings: EvalSettings = field(default_factory=EvalSettings)
    dataset_name: str = ""
    predictions_path: str = ""


def run_folder(runs_dir: Path, run_id: str) -> Path:
    """Where run `run_id` keeps its files."""
    return Path(runs_dir) / "swebench" / run_id


def _write_metadata(folder: Path, options: RunOptions, dataset: list[Instance], predictions: PredictionSet) -> None:
    """run.json and rejections.json: enough for `report` and `--regrade` without the original inputs."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"run_id": options.run_id, "dataset": options.dataset_name, "predictions": options.predictions_path,
            "model_name_or_path": predictions.model_name, "dataset_ids": [i.instance_id for i in dataset],
            "submitted_ids": sorted(predictions.predictions), "updated": time.strftime("%Y-%m-%dT%H:%M:%S")}
    write_json(folder / "run.json", meta)
    write_json(folder / "rejections.json", [asdict(r) for r in predictions.rejections])


def _record_unrunnable(prediction: Prediction, folder: Path, model: str) -> EvalResult | None:
    """Score a prediction that needs no container (empty or not a diff); None when it must run."""
    reason = "the prediction's patch is empty" if prediction.is_empty else prediction.malformed
    if not reason:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "patch.diff").write_text(prediction.model_patch)
    result = EvalResult(prediction.instance_id, EMPTY if prediction.is_empty else UNRESOLVED, reason)
    (folder / "run.log").write_text(f"not run: {reason}\n")
    write_json(folder / "report.json", result.to_report(model))
    return result


def load_result(folder: Path) -> EvalResult | None:
    """The finished result in an instance folder, or None (no report, or an unreadable one)."""
    try:
        return EvalResult.from_report(json.loads((folder / "report.json").read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _finished(folder: Path) -> EvalResult | None:
    """A result a rerun keeps: any report except a container that died (what an interrupted run leaves)."""
    result = load_result(folder)
    if result and result.infra and result.reason.startswith(RETRIED_REASONS):
        return None
    return result


class _Progress:
    """A rich progress bar with the running tally of verdicts."""

    def __init__(self, total: int, console: Console, enabled: bool):
        self.tally: Counter[str] = Counter()
        self.progress = Progress(TextColumn("[bold]eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 TextColumn("{task.description}"), console=console, disable=not enabled)
        self.task = self.progress.add_task("", total=total)

    def done(self, result: EvalResult) -> None:
        """Count one finished instance."""
        self.tally[result.status] += 1
        text = " ".join(f"{k} {v}" for k, v in sorted(self.tally.items()))
        self.progress.update(self.task, advance=1, description=f"{text} · last {result.instance_id}")


def run_evaluation(dataset: list[Instance], predictions: PredictionSet, make_builder: Callable[[], ImageBuilder],
                   options: RunOptions, console: Console | None = None, progress: bool = True) -> list[EvalResult]:
    """Evaluate every prediction (see the module docstring); returns the results of all predictions."""
    console = console or Console(stderr=True)
    folder = run_folder(options.runs_dir, options.run_id)
    _write_metadata(folder, options, dataset, predictions)
    by_id = {instance.instance_id: instance for instance in dataset}
    model = predictions.model_name or options.settings.model_name
    options.settings.model_name = model
    builder = Lazy(make_builder)  # built only when a prediction must run

    def kept(prediction: Prediction) -> EvalResult | None:
        """The result kept from an earlier run, or that of a prediction that needs no container."""
        target = folder / prediction.instance_id
        return (None if options.force else _finished(target)) or _record_unrunnable(prediction, target, model)

    def run(prediction: Prediction) -> EvalResult:
        """Evaluate one prediction in its container."""
        return evaluate_instance(by_id[prediction.instance_id], prediction.model_patch,
                                 folder / prediction.instance_id, builder(), options.settings)

    def waiting(running: int) -> None:
        console.print(f"[yellow]waiting for {running} running instance(s) to finish; Ctrl-C again to abandon them[/]")

    items = list(predictions.predictions.values())
    bar = _Progress(len(items), console, progress)
    with bar.progress:
        return run_pool(items, run, workers=options.workers, done=kept, on_result=lambda _p, result: bar.done(result),
                        on_abort=waiting, name="eval")


def read_run_meta(folder: Path) -> dict:
    """A run's run.json; a UserError when the run does not exist or its run.json is damaged."""
    path = folder / "run.json"
    again = f"evaluate it again with `agent swebench eval --run-id {folder.name} --predictions FILE`."
    if not path.is_file():
        raise UserError(f"No evaluation run {folder.name!r} in {folder.parent}; run `agent swebench eval "
                        f"--run-id {folder.name} --predictions FILE` first, or pass --runs-dir.")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} cannot be read ({exc}); {again}") from exc
    if not isinstance(meta, dict):
        raise UserError(f"{path} is not a run description (a JSON object); {again}")
    return meta


def regrade_run(dataset: list[Instance], specs: SpecTable, runs_dir: Path, run_id: str) -> list[EvalResult]:
    """Grade every instance of a run again from its stored test output (no Docker)."""
    folder = run_folder(runs_dir, run_id)
    meta = read_run_meta(folder)
    by_id = {instance.instance_id: instance for instance in dataset}
    results = []
    for instance_id in meta.get("submitted_ids", []):
        target = folder / instance_id
        if instance_id not in by_id:
            continue
        result = regrade_instance(by_id[instance_id], specs, target, meta.get("model_name_or_path", ""))
        result = result or load_result(target)
        if result:
            results.append(result)
    return results
