"""Reports of an evaluation run: a terminal table, results.json (official shape + extras), an HTML page."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from rich.console import Console
from rich.table import Table

from swebench.evaluate import EMPTY, ERROR, UNSUPPORTED, EvalResult, write_json
from swebench.grading import PARTIAL, RESOLVED, UNRESOLVED
from swebench.run_eval import load_result, read_run_meta, run_folder

CLASSES = (RESOLVED, PARTIAL, UNRESOLVED, EMPTY, ERROR, UNSUPPORTED)
"""Verdict classes, in the order reports list them."""


def repo_of(instance_id: str) -> str:
    """`owner__name-123` -> `owner/name`."""
    owner, _, rest = instance_id.partition("__")
    return f"{owner}/{rest.rsplit('-', 1)[0]}" if rest else instance_id


@dataclass
class RunReport:
    """Everything a report shows about one run."""

    run_id: str
    meta: dict[str, Any]
    results: dict[str, EvalResult]
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def ids(self, status: str) -> list[str]:
        """Instance ids with verdict `status`, sorted."""
        return sorted(i for i, r in self.results.items() if r.status == status)

    @property
    def total(self) -> int:
        """Instances in the dataset."""
        return len(self.meta.get("dataset_ids") or []) or len(self.results)

    def per_repo(self) -> dict[str, dict[str, int]]:
        """Per repository: counts of each class, and `submitted`."""
        table: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys((*CLASSES, "submitted"), 0))
        for instance_id in self.meta.get("dataset_ids") or self.results:
            table[repo_of(instance_id)]  # every repository of the dataset gets a row
        for instance_id, result in self.results.items():
            row = table[repo_of(instance_id)]
            row[result.status] += 1
            row["submitted"] += 1
        return dict(sorted(table.items()))


def load_report(runs_dir: Path, run_id: str) -> RunReport:
    """Read a run folder's metadata and every finished instance report."""
    folder = run_folder(runs_dir, run_id)
    meta = read_run_meta(folder)
    results = {}
    for instance_id in meta.get("submitted_ids", []):
        result = load_result(folder / instance_id)
        if result:
            results[instance_id] = result
    return RunReport(run_id, meta, results, _rejections(folder / "rejections.json"))


def _rejections(path: Path) -> list:
    """The prediction lines the run rejected; none when the file is missing or damaged (the report still stands)."""
    try:
        rejections = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return rejections if isinstance(rejections, list) else []


def official_results(report: RunReport) -> dict[str, Any]:
    """results.json: the official run-report fields, then repo-agent's extras."""
    resolved, partial, unresolved = report.ids(RESOLVED), report.ids(PARTIAL), report.ids(UNRESOLVED)
    errors, unsupported, empty = report.ids(ERROR), report.ids(UNSUPPORTED), report.ids(EMPTY)
    submitted = sorted(report.meta.get("submitted_ids") or report.results)
    completed = sorted(resolved + partial + unresolved)
    finished = set(completed) | set(errors) | set(unsupported) | set(empty)
    dataset_ids = report.meta.get("dataset_ids") or submitted
    return {
        "total_instances": report.total, "submitted_instances": len(submitted),
        "completed_instances": len(completed), "resolved_instances": len(resolved),
        "unresolved_instances": len(partial) + len(unresolved), "empty_patch_instances": len(empty),
        "error_instances": len(errors) + len(unsupported),
        "completed_ids": completed, "incomplete_ids": sorted(set(dataset_ids) - finished),
        "empty_patch_ids": empty, "submitted_ids": submitted, "resolved_ids": resolved,
        "unresolved_ids": sorted(partial + unresolved), "error_ids": sorted(errors + unsupported),
        "schema_version": 2,
        "repo_agent": {
            "run_id": report.run_id, "model_name_or_path": report.meta.get("model_name_or_path", ""),
            "partial_ids": partial, "unsupported_ids": unsupported,
            "infra_error_ids": sorted(i for i in errors if report.results[i].infra),
            "per_repo": report.per_repo(), "rejected_lines": report.rejections,
            "seconds": {i: round(r.seconds, 1) for i, r in sorted(report.results.items())},
            "reasons": {i: r.reason for i, r in sorted(report.results.items()) if r.reason},
        },
    }


def _rate(resolved: int, total: int) -> str:
    return f"{100 * resolved / total:.1f}%" if total else "-"


def print_report(report: RunReport, console: Console) -> None:
    """The terminal table per repository and in total, the instances of each class, time per instance."""
    table = Table(title=f"SWE-bench run {report.run_id}", show_lines=False)
    for column in ("repository", "resolved", "partial", "unresolved", "empty", "error", "unsupported",
                   "submitted", "rate"):
        table.add_column(column, justify="left" if column == "repository" else "right")
    for repo, row in report.per_repo().items():
        if not row["submitted"]:
            continue
        table.add_row(repo, *(str(row[c]) for c in CLASSES), str(row["submitted"]),
                      _rate(row[RESOLVED], row["submitted"]))
    counts = [len(report.ids(c)) for c in CLASSES]
    table.add_row("[bold]all[/]", *(f"[bold]{n}[/]" for n in counts), f"[bold]{len(report.results)}[/]",
                  f"[bold]{_rate(counts[0], report.total)}[/] of {report.total}")
    console.print(table)
    for cls in CLASSES:
        ids = report.ids(cls)
        if ids:
            console.print(f"[bold]{cls}[/] ({len(ids)}): {', '.join(ids)}", highlight=False)
    seconds = [r.seconds for r in report.results.values() if r.seconds]
    if seconds:
        console.print(f"time per evaluated instance: mean {sum(seconds) / len(seconds):.1f}s, "
                      f"max {max(seconds):.1f}s", highlight=False)
    infra = [i for i in report.ids(ERROR) if report.results[i].infra]
    for label, ids in (("infrastructure errors", infra), ("rejected predictions lines", report.rejections)):
        if ids:
            console.print(f"[yellow]{label}: {len(ids)}[/] (details in results.json)", highlight=False)


def render_html(report: RunReport) -> str:
    """The self-contained report.html (inline CSS and an SVG chart; no external resources)."""
    source = resources.files("swebench").joinpath("templates", "report.html.j2").read_text()
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    rows = []
    for instance_id, result in sorted(report.results.items()):
        rows.append({"id": instance_id, "repo": repo_of(instance_id), "status": result.status,
                     "reason": result.reason, "seconds": f"{result.seconds:.1f}", "infra": result.infra})
    per_repo = report.per_repo()
    scale = max([row["submitted"] for row in per_repo.values()] + [1])
    return env.from_string(source).render(
        report=report, results=official_results(report), classes=CLASSES, rows=rows, per_repo=per_repo,
        scale=scale, rate=_rate(len(report.ids(RESOLVED)), report.total))


def write_reports(report: RunReport, runs_dir: Path) -> tuple[Path, Path]:
    """results.json and report.html in the run folder; returns their paths."""
    folder = run_folder(runs_dir, report.run_id)
    results_path, html_path = folder / "results.json", folder / "report.html"
    write_json(results_path, official_results(report))
    html_path.write_text(render_html(report))
    return results_path, html_path
