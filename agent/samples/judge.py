"""Running the candidates: each fix applied in one judge workspace, linted, and tested.

On the base commit first: the pooled reproduction tests are validated (kept when they fail), the existing
tests most related to the touched files are run for a baseline, and the touched Python files are linted.
Then, for each eligible candidate, the workspace is reset, the fix (without its test files) applied, and the
same runs repeated: reproduction tests that now pass count for it; existing tests that passed on the base
commit and no longer do, and lint errors it introduces, count against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.config import AgentConfig
from agent.samples.lint import Linter, LintError, detect_linter, new_errors
from agent.samples.patches import BaseTree
from agent.samples.reproduction import ReproTest, run_pool, validate
from agent.samples.selection import Candidate
from agent.testing.baseline import regressions
from agent.testing.runner import PASSED, TestRun, TestRunner, detect_runner
from workspaces.base import Workspace, apply_diff


@dataclass
class JudgeReport:
    """How the candidates were judged."""

    tests: list[ReproTest]
    """The pooled reproduction tests with their verdicts on the base commit."""
    related: list[str] = field(default_factory=list)
    """Existing test files run against every candidate."""
    runner: str = ""
    """How tests ran: pytest, command or script."""
    linter: str = ""
    """The linter used ("" when none was found or lint is off)."""


def related_test_files(tree: BaseTree, config: AgentConfig, sources: set[str]) -> list[str]:
    """Existing test files most related to the touched source files (repo map: names and references)."""
    limit = config.samples.related_tests
    if not limit or not sources:
        return []
    from agent.repomap_planner import RepoMapPlanner
    from tools.repomap.testcmd import related_tests

    index = RepoMapPlanner(config.planner).index(tree.root)
    return [path for path in related_tests(index, sorted(sources), limit=limit) if tree.exists(path)]


class Judge:
    """Judges candidates in one workspace (entered, at the base commit)."""

    def __init__(self, ws: Workspace, config: AgentConfig, related: list[str]):
        gate = config.gate
        self.ws = ws
        self.runner: TestRunner = detect_runner(ws, gate.test_command, gate.test_timeout, gate.case_timeout or None)
        self.linter: Linter | None = detect_linter(ws) if config.samples.lint else None
        self.related = related
        self.baseline: TestRun | None = None
        self.base_lint: list[LintError] = []

    def prepare(self, pool: list[ReproTest], touched: set[str]) -> JudgeReport:
        """Validate the pool, run the related tests and lint the touched files, all on the base commit."""
        self.baseline = validate(pool, self.ws, self.runner, self.related)
        self.base_lint = self.linter.check(sorted(touched)) if self.linter else []
        return JudgeReport(pool, self.related, self.runner.kind, self.linter.command if self.linter else "")

    def judge(self, candidate: Candidate, kept: list[ReproTest]) -> None:
        """Apply the candidate's fix and record its reproduction passes, regressions and new lint errors."""
        self.ws.reset()
        try:
            if not self.apply(candidate.split.source):
                candidate.dropped = "does not apply in the judge workspace"
                return
            if self.linter:
                files = set(candidate.split.source_files)
                before = [e for e in self.base_lint if e.path in files]
                candidate.lint_new = [str(e) for e in new_errors(before, self.linter.check(sorted(files)))]
            related_run, verdicts = run_pool(self.ws, self.runner, self.related, kept)
            if self.baseline is not None:
                passing = [t for t, s in self.baseline.of_files(set(self.related)).items() if s == PASSED]
                candidate.regressions = regressions(passing, related_run)
            candidate.repro_total = len(kept)
            candidate.repro_passed = [t.path for t, v in zip(kept, verdicts, strict=True) if v == "passed"]
            candidate.judged = True
        finally:
            self.ws.reset()

    def apply(self, patch: str) -> bool:
        """`git apply` the patch in the workspace."""
        return apply_diff(self.ws, patch)

