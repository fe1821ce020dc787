"""The candidate table and its explanation: Markdown for summary.md, rows for the terminal."""

from __future__ import annotations

from agent.search.selection import ORDER, Candidate, Selection, group_names, score_parts

HEADERS = ["rollout", "exit", "gate", "tests", "regressions", "new lint", "score", "group", "diff", "cost",
           "verdict"]
"""Columns of the candidate table."""

SCORE_NOTE = ("score = failing tests fixed - known tests that regress - new lint errors; a group holds "
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


def markdown(selection: Selection) -> str:
    """The `## Candidates` section of summary.md."""
    lines = [f"## Candidates ({len(selection.candidates)} rollouts, select: {selection.mode})", ""]
    lines.append("| " + " | ".join(HEADERS) + " |")
    lines.append("|" + "---|" * len(HEADERS))
    lines.extend("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table_rows(selection))
    lines += ["", f"**Why:** {selection.reason}", "", SCORE_NOTE]
    if selection.chosen is not None and selection.chosen.judged:
        lines.append(f"The chosen patch: {score_parts(selection.chosen)}.")
    return "\n".join(lines) + "\n"
