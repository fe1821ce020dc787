"""Running test files in a workspace during selection: detected once, the same way for every candidate.

With pytest available, files run together under `pytest -rA` and each test gets its own verdict; with a
configured `samples.test_command`, the files run through it (per-test verdicts when its output is pytest's
`-rA` summary, else one verdict for all); otherwise each file runs on its own with python.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Literal

from swebench.log_parsers import parse_pytest
from workspaces.base import Workspace

PASSED, FAILED, ERROR = "PASSED", "FAILED", "ERROR"


@dataclass
class TestRun:
    """The outcome of running some test files once."""

    __test__ = False  # not a pytest test class

    exit_code: int
    """Exit status (the worst one when files ran one by one; -1 on a timeout)."""
    output: str
    """What the command(s) printed."""
    timed_out: bool = False
    """A run hit the time limit."""
    statuses: dict[str, str] = field(default_factory=dict)
    """Test id (pytest node id, or the file when tests are not told apart) -> PASSED, FAILED, ERROR, ..."""

    def of_files(self, files: list[str] | set[str]) -> dict[str, str]:
        """The statuses of the tests in `files`."""
        return {test: status for test, status in self.statuses.items() if test_file(test) in files}

    def file_verdict(self, path: str) -> str:
        """`passed` (its tests ran and none failed), `failed` (a test failed, none errored) or `error` (it did
        not run: a collection or syntax error, a timeout, no tests)."""
        statuses = self.of_files({path}).values()
        if not statuses or ERROR in statuses:
            return "error"
        if FAILED in statuses:
            return "failed"
        return "passed" if PASSED in statuses else "error"


@dataclass
class TestRunner:
    """How test files are run in one workspace."""

    __test__ = False

    ws: Workspace
    """Where the tests run."""
    kind: Literal["pytest", "command", "script"]
    """pytest with `-rA`, the configured command, or python per file."""
    python: str = "python3"
    """The interpreter (for pytest and script runs)."""
    command: str = ""
    """The configured command, with `{files}`."""
    timeout: float = 300.0
    """Seconds one run may take."""

    def run(self, files: list[str]) -> TestRun:
        """Run `files` (paths relative to the repository root)."""
        if not files:
            return TestRun(exit_code=0, output="")
        if self.kind == "script":
            return self._scripts(files)
        quoted = " ".join(shlex.quote(f) for f in files)
        if self.kind == "pytest":
            # A missing file would stop pytest before it runs anything: pass only the files that exist.
            command = (f'files=(); for f in {quoted}; do [ -e "$f" ] && files+=("$f"); done; '
                       '[ ${#files[@]} -gt 0 ] || exit 5; '
                       f'{self.python} -m pytest -q -rA -p no:cacheprovider --rootdir=. '
                       '--continue-on-collection-errors "${files[@]}"')
        else:
            command = self.command.replace("{files}", quoted) if "{files}" in self.command else self.command
        result = self.ws.exec(command, timeout=self.timeout)
        statuses = parse_pytest(result.output)
        if not statuses and self.kind == "command":
            verdict = PASSED if result.exit_code == 0 and not result.timed_out else FAILED
            statuses = dict.fromkeys(files, verdict)
        return TestRun(result.exit_code, result.output, result.timed_out, statuses)

    def _scripts(self, files: list[str]) -> TestRun:
        runs = []
        for path in files:
            result = self.ws.exec(f"{self.python} {shlex.quote(path)}", timeout=self.timeout)
            runs.append((path, result))
        statuses = {p: _script_status(r.exit_code, r.timed_out, r.output) for p, r in runs}
        worst = next((r.exit_code for _, r in runs if r.exit_code != 0), 0)
        output = "\n".join(f"$ {self.python} {p}\n{r.output}" for p, r in runs)
        return TestRun(worst, output, any(r.timed_out for _, r in runs), statuses)


def test_file(test_id: str) -> str:
    """The file of a test id (`tests/t.py::test_a[x]` -> `tests/t.py`)."""
    return test_id.split("::", 1)[0]


def _script_status(exit_code: int, timed_out: bool, output: str) -> str:
    if timed_out or "SyntaxError" in output or "IndentationError" in output:
        return ERROR
    return PASSED if exit_code == 0 else FAILED


def detect_runner(ws: Workspace, command: str | None = None, timeout: float = 300.0) -> TestRunner:
    """The way to run tests in `ws`: the configured command, else pytest if importable, else python per file."""
    if command:
        return TestRunner(ws, "command", command=command, timeout=timeout)
    python = next((p for p in ("python", "python3") if _ok(ws, f"{p} -m pytest --version")), None)
    if python:
        return TestRunner(ws, "pytest", python, timeout=timeout)
    plain = next((p for p in ("python3", "python") if _ok(ws, f"{p} --version")), "python3")
    return TestRunner(ws, "script", plain, timeout=timeout)


def _ok(ws: Workspace, command: str) -> bool:
    return ws.exec(f"{command} >/dev/null 2>&1", timeout=60).exit_code == 0
