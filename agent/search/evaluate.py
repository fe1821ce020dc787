"""Trying a candidate: write its files into the workspace, syntax, lint, the failing tests (stopping at the first
still failing), then the whole known set for regressions; undo. Equivalent candidates (normalize.py) run once."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.search.lint import Linter, new_errors
from agent.search.normalize import patch_key
from agent.search.patches import is_reproduction_path, split_patch
from agent.search.selection import Candidate
from agent.testing.baseline import TestBaseline, TestVerdict, judge, screen
from tools.syntax import format_problems, introduced_errors
from workspaces.base import Workspace


@dataclass
class Trial:
    """What trying one candidate showed."""

    key: str
    """Normalised form of the change (equal keys: equivalent candidates)."""
    diff: str = ""
    """The candidate as a diff against the base commit."""
    problem: str = ""
    """Why it was not tested (a syntax error it introduces), or ""."""
    verdict: TestVerdict | None = None
    """The tests' verdict (None when it was not tested)."""
    lint_new: list[str] = field(default_factory=list)
    """Lint errors it introduces."""

    @property
    def plausible(self) -> bool:
        """Every target passes, no guard regressed, no new lint error."""
        return self.verdict is not None and self.verdict.passed and not self.lint_new

    @property
    def score(self) -> int:
        """Targets fixed minus regressions minus new lint errors (-1000 when untested)."""
        if self.verdict is None:
            return -1000
        return len(self.verdict.fixed) - len(self.verdict.regressions) - len(self.lint_new)

    def candidate(self, index: int, targets: int, patch: str | None = None, exit_status: str = "",
                  cost: float = 0.0) -> Candidate:
        """This trial as selection candidate `index` (`patch` defaults to its diff). Test files the candidate wrote
        are run but are no evidence (they may pass on the base commit)."""
        patch = self.diff if patch is None else patch
        candidate = Candidate(index, patch, split_patch(patch), exit_status, cost, "passed", key=self.key)
        if self.problem or not candidate.split.source.strip():
            candidate.dropped = self.problem.splitlines()[0] if self.problem else "changes only test files"
            return candidate
        verdict = self.verdict
        candidate.judged, candidate.lint_new, candidate.repro_total = verdict is not None, list(self.lint_new), targets
        candidate.repro_passed = list(verdict.fixed) if verdict else []
        candidate.regressions = list(verdict.regressions) if verdict else []
        return candidate


NO_CHANGE = patch_key({})
"""The normalised key of a change that changes no code."""


class Trier:
    """Tries candidates in one entered workspace at the base commit against one baseline (None: syntax, lint only)."""

    def __init__(self, ws: Workspace, baseline: TestBaseline | None, linter: Linter | None = None):
        self.ws, self.baseline, self.linter = ws, baseline, linter
        self.originals: dict[str, str] = {}
        self.trials: dict[str, Trial] = {}
        self._base_lint: dict[str, list] = {}

    def original(self, path: str) -> str:
        """A file's text on the base commit (read once)."""
        if path not in self.originals:
            try:
                self.originals[path] = self.ws.read_file(path)
            except FileNotFoundError:
                self.originals[path] = ""
        return self.originals[path]

    def key(self, changed: dict[str, str]) -> str:
        """The normalised key of a change (path -> new text)."""
        return patch_key({path: (self.original(path), text) for path, text in changed.items()})

    def trial(self, changed: dict[str, str]) -> Trial:
        """Try the change (path -> new text), or reuse an equivalent one's verdict (formatting-only: not tried)."""
        key = self.key(changed)
        if key == NO_CHANGE:
            return Trial(key, problem="the change is only in formatting (blank lines, spaces, comments): change the "
                                      "code that causes the failure")
        if key not in self.trials:
            self.trials[key] = self._try(key, changed)
        return self.trials[key]

    def _try(self, key: str, changed: dict[str, str]) -> Trial:
        problems = [format_problems(path, errors) for path, text in changed.items()
                    if (errors := introduced_errors(path, self.original(path), text))]
        if problems:
            return Trial(key, problem="the code does not parse:\n" + "\n".join(problems))
        paths = sorted(changed)
        self._lint_base(paths)
        try:
            for path, text in changed.items():
                self.ws.write_file(path, text)
            trial = Trial(key, diff=self.ws.diff())
            if self.linter is not None:
                before = [e for p in paths for e in self._base_lint[p]]
                trial.lint_new = [str(e) for e in new_errors(before, self.linter.check(paths))]
            if self.baseline is not None:
                added = [p for p in paths if is_reproduction_path(p) and not self.original(p)]
                trial.verdict = screen(self.baseline) or judge(self.baseline, added)
            return trial
        finally:
            self.ws.reset()

    def _lint_base(self, paths: list[str]) -> None:
        """Lint the files on the base commit once (the workspace must be at it)."""
        missing = [p for p in paths if p not in self._base_lint]
        if self.linter is None or not missing:
            return
        found = self.linter.check(missing)
        for path in missing:
            self._base_lint[path] = [e for e in found if e.path == path]
