"""Resolve `--issue`: literal text, `@FILE`, or an issue URL handled by a registered reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UserError


@dataclass
class IssueText:
    """The task as the agent will read it."""

    text: str
    """Title and body (and comments, for issues read from a tracker)."""
    source: str = "text"
    """Where it came from: `text`, a file path, or an issue URL."""
    meta: dict[str, object] = field(default_factory=dict)
    """Tracker details (number, url, repository clone URL) for issues read from a tracker."""


IssueReader = Callable[[str], IssueText]
URL_READERS: list[tuple[Callable[[str], bool], IssueReader]] = []
"""(matches, reader) pairs for issue URLs; the GitHub integration registers one."""


def register_url_reader(matches: Callable[[str], bool], reader: IssueReader) -> None:
    """Let a tracker integration read issues from URLs it recognises."""
    URL_READERS.append((matches, reader))


def resolve_issue(spec: str) -> IssueText:
    """Turn the `--issue` argument into the task text, or raise UserError with one sentence."""
    if spec.startswith("@"):
        path = Path(spec[1:]).expanduser()
        if not path.is_file():
            raise UserError(f"Issue file {path} does not exist.")
        issue = IssueText(text=path.read_text(encoding="utf-8", errors="replace"), source=str(path))
    elif spec.startswith(("http://", "https://")):
        reader = next((reader for matches, reader in URL_READERS if matches(spec)), None)
        if reader is None:
            raise UserError(f"Don't know how to read an issue from {spec}; pass the text with --issue TEXT or @FILE.")
        issue = reader(spec)
    else:
        issue = IssueText(text=spec)
    if not issue.text.strip():
        raise UserError(f"The issue from {issue.source} is empty; describe the problem to solve.")
    return issue

