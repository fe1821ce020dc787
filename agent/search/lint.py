"""Lint errors a candidate introduces in the Python files it touches: ruff (`--select E9,F`, the project's config
ignored), else pyflakes. Compared by file, code and message, not line, so moved errors are not new."""

from __future__ import annotations

import re
import shlex
from collections import Counter
from dataclasses import dataclass

from workspaces.base import Workspace

PYTHON_SUFFIXES = (".py", ".pyi")
"""Files the linters check."""

CANDIDATES = (
    ("ruff", "ruff"), ("ruff", "python -m ruff"), ("ruff", "python3 -m ruff"),
    ("pyflakes", "python -m pyflakes"), ("pyflakes", "python3 -m pyflakes"), ("pyflakes", "pyflakes"),
)
"""(kind, command) tried in order; the first whose `--version` works is used."""

RUFF_ARGS = "check --isolated --no-cache --select E9,F --output-format concise --exit-zero"
_LINE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?:\d+:)? (?:(?P<code>[A-Z]+\d+) )?(?:\[\*\] )?(?P<msg>.+)$")


@dataclass(frozen=True)
class LintError:
    """One linter message."""

    path: str
    """File, relative to the repository root."""
    line: int
    """1-based line."""
    code: str
    """Rule code (ruff), or "" (pyflakes)."""
    message: str
    """What is wrong."""

    def key(self) -> tuple[str, str, str]:
        """What identifies the error wherever its line moved."""
        return self.path, self.code, self.message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code + ' ' if self.code else ''}{self.message}"


@dataclass
class Linter:
    """A linter found in a workspace."""

    ws: Workspace
    """Where it runs."""
    kind: str
    """`ruff` or `pyflakes`."""
    command: str
    """How it is started."""
    timeout: float = 120.0
    """Seconds one run may take."""

    def check(self, paths: list[str] | tuple[str, ...]) -> list[LintError]:
        """Errors in the Python files among `paths` (files that do not exist are skipped)."""
        files = [p for p in paths if p.endswith(PYTHON_SUFFIXES)]
        if not files:
            return []
        quoted = " ".join(shlex.quote(p) for p in files)
        args = RUFF_ARGS if self.kind == "ruff" else ""
        existing = f"for f in {quoted}; do [ -f \"$f\" ] && printf '%s\\0' \"$f\"; done"
        command = f"{existing} | xargs -0 -r {self.command} {args} 2>/dev/null"
        result = self.ws.exec(command, timeout=self.timeout)
        return parse_errors(result.output)


def parse_errors(output: str) -> list[LintError]:
    """ruff's concise output or pyflakes' output -> LintErrors (summary lines are skipped)."""
    errors = []
    for line in output.splitlines():
        match = _LINE.match(line.strip())
        if match:
            path = match["path"].removeprefix("./")
            errors.append(LintError(path, int(match["line"]), match["code"] or "", match["msg"].strip()))
    return errors


def new_errors(before: list[LintError], after: list[LintError]) -> list[LintError]:
    """Errors in `after` beyond those `before` already had (as a multiset, by `LintError.key`)."""
    allowed = Counter(error.key() for error in before)
    allowed.subtract(error.key() for error in after)  # a key below zero: that many copies are new
    surplus = {key: -count for key, count in allowed.items() if count < 0}
    return [error for error in reversed(after) if _take(surplus, error.key())][::-1]


def _take(surplus: dict[tuple[str, str, str], int], key: tuple[str, str, str]) -> bool:
    if surplus.get(key, 0) <= 0:
        return False
    surplus[key] -= 1
    return True


def detect_linter(ws: Workspace) -> Linter | None:
    """The first linter of CANDIDATES that runs in `ws`, or None."""
    for kind, command in CANDIDATES:
        if ws.exec(f"{command} --version >/dev/null 2>&1", timeout=60).exit_code == 0:
            return Linter(ws, kind, command)
    return None
