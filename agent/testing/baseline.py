"""The tests a run knows of (named by the issue, else related by the planner), measured on the base commit, and the
verdict on a change. Targets fail now and must pass (a collection error is not a target); guards pass now and must
keep passing. A run that hangs makes its files the unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from agent.testing.named import NamedTests, named_tests
from agent.testing.runner import ERROR, FAILED, PASSED, TestRun, TestRunner, test_file

Origin = Literal["issue", "related", "reproduction", "none"]


@dataclass
class TestBaseline:
    """The known tests and how they fared on the base commit."""

    __test__ = False  # not a pytest test class

    runner: TestRunner
    """How the tests run in the workspace."""
    files: list[str]
    """Test files that were run."""
    named: NamedTests
    """What the issue names."""
    before: TestRun | None
    """The run on the base commit (None when there was nothing to run)."""
    targets: list[str] = field(default_factory=list)
    """Tests (ids, or files when their run hung) that fail now and must pass after the fix."""
    guards: list[str] = field(default_factory=list)
    """Tests that pass now and must keep passing."""
    origin: Origin = "none"
    """Where the targets come from."""
    written: dict[str, str] = field(default_factory=dict)
    """Test files that are not in the repository (a reproduction test), written into the workspace for every run."""

    def run(self, files: list[str], ids: list[str] | None = None, *, stop_first: bool = False) -> TestRun:
        """Run tests with the written files in place."""
        for path, text in self.written.items():
            self.runner.ws.write_file(path, text)
        return self.runner.run(files, ids, stop_first=stop_first)

    @property
    def strict(self) -> bool:
        """Targets are issue-named or failing related tests: every known test must pass (a written test is weaker)."""
        return self.origin in ("issue", "related")

    @property
    def known(self) -> bool:
        """Some test could check a change."""
        return bool(self.targets or self.guards)


@dataclass
class TestVerdict:
    """A change against the baseline."""

    __test__ = False

    run: TestRun
    """The run after the change."""
    fixed: list[str]
    """Targets that pass now."""
    still_failing: list[str]
    """Targets that do not pass yet."""
    regressions: list[str]
    """Guards that no longer pass (failed, errored or no longer run)."""
    new_tests: dict[str, str] = field(default_factory=dict)
    """Test files the change adds -> their verdict (`passed`, `failed`, `error`)."""

    @property
    def passed(self) -> bool:
        """Every target passes, no guard regressed, every added test file passes."""
        return (not self.still_failing and not self.regressions
                and all(v == "passed" for v in self.new_tests.values()))


def status_of(run: TestRun, test: str) -> str:
    """PASSED, FAILED, ... for a test id; for a file, `PASSED` only when its tests ran and all passed."""
    if "::" in test:
        return run.statuses.get(test, "MISSING")
    return {"passed": PASSED, "failed": FAILED}.get(run.file_verdict(test), ERROR)


def measure(runner: TestRunner, issue: str, related: list[str]) -> TestBaseline:
    """Run the known tests on the base commit (the runner's workspace must be unchanged) and sort them into targets
    and guards."""
    listed = runner.ws.exec("git ls-files", timeout=120)
    paths = [path for path in listed.output.split("\n") if path] if listed.exit_code == 0 else []
    named = named_tests(issue, paths)
    files = list(dict.fromkeys([*named.files, *(p for p in related if p in paths)]))
    baseline = TestBaseline(runner, files, named, None)
    if not files:
        return baseline
    before = runner.run(files)
    baseline.before = before
    hung = [f for f in files if before.timed_out and not before.of_files({f})]
    named_failing = [t for t in named.ids if before.statuses.get(t) == FAILED]
    named_failing += [f for f in named.files if f in hung or (f not in {test_file(t) for t in named.ids}
                                                             and before.file_verdict(f) == "failed")]
    if named_failing:
        baseline.targets, baseline.origin = named_failing, "issue"
    else:
        slow = set(before.timed_out_tests)  # a related test that is merely slow is no evidence of the bug
        failing = [t for t, s in before.statuses.items() if s == FAILED and t not in slow] + hung
        baseline.targets, baseline.origin = failing, "related" if failing else "none"
    baseline.guards = [t for t, s in before.statuses.items() if s == PASSED]
    return baseline


def screen(baseline: TestBaseline) -> TestVerdict | None:
    """The targets alone, up to the first failure: its verdict (guards not run), else None."""
    if not baseline.targets or baseline.runner.kind != "pytest" or not baseline.strict:
        return None  # a written test is a weak target: regressions are wanted for every candidate
    files = list(dict.fromkeys(test_file(t) for t in baseline.targets))
    run = baseline.run(files, ids=baseline.targets, stop_first=True)
    fixed = [t for t in baseline.targets if status_of(run, t) == PASSED]
    if len(fixed) == len(baseline.targets):
        return None
    return TestVerdict(run, fixed, [t for t in baseline.targets if t not in fixed], [])


def judge(baseline: TestBaseline, new_files: list[str] | None = None) -> TestVerdict:
    """Run the known tests (and test files the change adds) in the changed workspace; compare with the base."""
    added = [f for f in new_files or [] if f not in baseline.files]
    run = baseline.run([*baseline.files, *added])
    fixed = [t for t in baseline.targets if status_of(run, t) == PASSED]
    still = [t for t in baseline.targets if t not in fixed]
    regressed = [test for test in baseline.guards if status_of(run, test) != PASSED]
    return TestVerdict(run, fixed, still, regressed, {f: run.file_verdict(f) for f in added})
