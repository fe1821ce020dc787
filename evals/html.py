"""`report.html` of an `agent bench` run: the metrics, and the problem x sample grid (one cell per sample)."""

from __future__ import annotations

import html
from pathlib import Path

from evals.run import ProblemScore

COLOURS = {"passed": "#2e7d32", "failed": "#c62828", "timed out": "#ef6c00"}
"""Cell colour per verdict."""
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}} td{{padding:2px 6px}}
td.cell{{width:14px;height:14px;padding:0;border:1px solid #fff}} .legend span{{padding:2px 8px;color:#fff}}</style>
</head><body><h1>{title}</h1><p>{summary}</p><p class="legend">{legend}</p>
<table>{rows}</table></body></html>
"""


def write_grid(path: Path, title: str, metrics: dict, scores: list[ProblemScore], chosen: dict | None = None) -> None:
    """Write the page: one row per problem, one coloured cell per sample (the chosen one outlined)."""
    summary = " · ".join(f"{name} {100 * value:.1f}%" for name, value in metrics.items() if "@" in name)
    legend = "".join(f'<span style="background:{colour}">{html.escape(name)}</span> ' for name, colour in
                     COLOURS.items())
    rows = []
    for score in scores:
        cells = []
        for k, status in enumerate(score.statuses):
            outline = ";outline:2px solid #000" if chosen and chosen.get(score.task_id) == k else ""
            cells.append(f'<td class="cell" title="sample {k}: {html.escape(status)}" '
                         f'style="background:{COLOURS.get(status, "#9e9e9e")}{outline}"></td>')
        rows.append(f"<tr><td>{html.escape(score.task_id)}</td><td>{score.passed}/{score.total}</td>{''.join(cells)}"
                    "</tr>")
    path.write_text(PAGE.format(title=html.escape(title), summary=html.escape(summary), legend=legend,
                                rows="\n".join(rows)), encoding="utf-8")
