"""The candidate table and its explanation: Markdown for summary.md, rows for the terminal, JSON for tools."""

from __future__ import annotations

from typing import Any

from agent.samples.judge import JudgeReport
from agent.samples.selection import ORDER, Candidate, Selection, group_names, score_parts

HEADERS = ["rollout", "exit", "gate", "reproduction", "regressions", "new lint", "score", "group", "diff", "cost",
           "verdict"]
"""Columns of the candidate table."""

SCORE_NOTE = ("score = reproduction tests passed - existing tests that regress - new lint errors; a group holds "
              "patches that are the same once whitespace, comments and formatting are stripped; diff = lines "
              "changed outside test files.")


def table_rows(selection: Selection) -> list[list[str]]:
    """One row of strings per candidate, in rollout order."""
    names = group_names(selection.candidates)
    chosen = selection.chosen
    rows = []
    for c in selection.candidates:
        judged = c.judged and c.eligible
        rows.append([
            c.label, c.exit_status, c.gate,
            f"{len(c.repro_passed)}/{c.repro_total}" if judged else "-",
            str(len(c.regressions)) if judged else "-",
            str(len(c.lint_new)) if judged else "-",
            str(c.score) if judged else "-",
            f"{names[c.key]} ({len(c.group)})" if c.eligible else "-",
            str(c.size), f"${c.cost:.4f}", verdict(c, chosen, selection.mode),
        ])
    return rows


def verdict(candidate: Candidate, chosen: Candidate | None, mode: str) -> str:
    """Why this row was or was not chosen, in a few words."""
    if candidate.dropped:
        return f"dropped: {candidate.dropped}"
    if candidate is chosen or chosen is None:
        return "chosen" + (f" ({_details(candidate)})" if _details(candidate) else "")
    values = {"score": ("lower test score", candidate.score, chosen.score),
              "group": ("smaller group", len(candidate.group), len(chosen.group)),
              "size": ("larger diff", candidate.size, chosen.size)}
    for name in ORDER[mode]:
        words, mine, theirs = values[name]
        if mine != theirs:
            details = _details(candidate)
            return f"{words} ({mine} vs {theirs})" + (f": {details}" if details else "")
    return f"equivalent to {chosen.label}, higher rollout number"


def _details(candidate: Candidate) -> str:
    parts = []
    if candidate.regressions:
        parts.append("regresses " + _some(candidate.regressions))
    if candidate.lint_new:
        parts.append("lint " + _some(candidate.lint_new))
    return "; ".join(parts)


def _some(items: list[str], limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def markdown(selection: Selection, judged: JudgeReport | None, notes: list[str]) -> str:
    """The `## Candidates` section of summary.md."""
    lines = [f"## Candidates ({len(selection.candidates)} rollouts, select: {selection.mode})", ""]
    lines.append("| " + " | ".join(HEADERS) + " |")
    lines.append("|" + "---|" * len(HEADERS))
    lines.extend("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table_rows(selection))
    lines += ["", f"**Why:** {selection.reason}", "", SCORE_NOTE]
    if selection.chosen is not None and selection.chosen.judged:
        lines.append(f"The chosen patch: {score_parts(selection.chosen)}.")
    lines += _tests_section(judged) + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def _tests_section(judged: JudgeReport | None) -> list[str]:
    if judged is None:
        return []
    lines = ["", "### Reproduction tests", ""]
    if not judged.tests:
        lines.append("None were written.")
    for test in judged.tests:
        lines.append(f"- `{test.path}` from {', '.join(test.origins)}: {test.verdict}")
    related = ", ".join(f"`{p}`" for p in judged.related) or "none found"
    lines += ["", f"Existing tests run against every candidate ({judged.runner}): {related}. "
              f"Lint: {judged.linter or 'no linter in the workspace'}."]
    return lines


def as_json(selection: Selection, judged: JudgeReport | None, notes: list[str]) -> dict[str, Any]:
    """Everything the table shows, and more, for selection.json."""
    chosen = selection.chosen
    return {
        "mode": selection.mode,
        "chosen": chosen.index if chosen else None,
        "reason": selection.reason,
        "candidates": [{
            "index": c.index, "exit_status": c.exit_status, "gate": c.gate, "dropped": c.dropped, "key": c.key,
            "group": c.group, "judged": c.judged, "score": c.score, "repro_passed": c.repro_passed,
            "repro_total": c.repro_total, "regressions": c.regressions, "lint_new": c.lint_new, "size": c.size,
            "cost": c.cost, "source_files": list(c.split.source_files), "test_files": list(c.split.test_files),
        } for c in selection.candidates],
        "reproduction_tests": [{"path": t.path, "origins": t.origins, "kept": t.kept, "verdict": t.verdict}
                               for t in (judged.tests if judged else [])],
        "related_tests": judged.related if judged else [],
        "test_runner": judged.runner if judged else "",
        "linter": judged.linter if judged else "",
        "notes": notes,
    }
