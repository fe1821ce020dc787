"""Running tests in a workspace, detected once and run the same way before and after every change: pytest `-rA` with
per-test verdicts (and a per-test timeout plugin), a configured command, else unittest per file, test functions
(inside/repo_agent_functions.py) or the file as a script."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

from agent.testing.pytest_summary import ERROR, FAILED, PASSED, SKIPPED, parse_pytest
from workspaces.base import ExecResult, Workspace

_UNITTEST = re.compile(r"^(\w+) \(([\w.]+)\)(?:\n(?!\w+ \().*?)? \.\.\. (ok|FAIL|ERROR|skipped|expected failure|"
                       r"unexpected success)", re.M)
HELPERS_DIR = ".git/repo-agent"
"""Where the scripts of agent/testing/inside/ are copied in the workspace (never part of a diff)."""
_BLOCK = re.compile(r"^_{3,} (.+?) _{3,}$", re.M)
TIMEOUT_MESSAGE = "TimeoutError: the test ran longer than"
_UNITTEST_STATUS = {"ok": PASSED, "FAIL": FAILED, "ERROR": ERROR, "skipped": SKIPPED, "expected failure": PASSED,
                    "unexpected success": FAILED}


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

    @property
    def timed_out_tests(self) -> list[str]:
        """Tests stopped by the per-test time limit (their failure block in pytest's report says so)."""
        titles = {title for title, body in headed(self.output) if TIMEOUT_MESSAGE in body}
        return [test for test in self.statuses if test.split("::", 1)[-1].replace("::", ".") in titles]

    def of_files(self, files: list[str] | set[str]) -> dict[str, str]:
        """The statuses of the tests in `files`."""
        return {test: status for test, status in self.statuses.items() if test_file(test) in files}

    def file_verdict(self, path: str) -> str:
        """`passed` (its tests ran and none failed), `failed` (a test failed, none errored) or `error` (it did
        not run: a collection or syntax error, a timeout, no tests)."""
        statuses = set(self.of_files({path}).values())
        if ERROR in statuses or not statuses & {FAILED, PASSED}:
            return "error"
        return "failed" if FAILED in statuses else "passed"


@dataclass
class TestRunner:
    """How test files are run in one workspace."""

    __test__ = False

    ws: Workspace
    """Where the tests run."""
    kind: Literal["pytest", "unittest", "command", "script"]
    """pytest with `-rA`, unittest per file, the configured command, or python per file."""
    python: str = "python3"
    """The interpreter (for pytest and script runs)."""
    command: str = ""
    """The configured command, with `{files}`."""
    timeout: float = 300.0
    """Seconds one run may take."""
    case_timeout: float | None = None
    """Seconds one test may run before it is stopped with TimeoutError (pytest runs only); None: no limit."""

    def run(self, files: list[str], ids: list[str] | None = None, *, stop_first: bool = False) -> TestRun:
        """Run `files` (paths relative to the repository root), or under pytest only the test `ids` among them;
        `stop_first` ends a pytest run at the first failing test."""
        if not files:
            return TestRun(exit_code=0, output="")
        if self.kind in ("script", "unittest"):
            return self._one_by_one(files)
        targets = ids if ids and self.kind == "pytest" else files
        quoted = " ".join(shlex.quote(f) for f in targets)
        if self.kind == "pytest":
            # A missing file would stop pytest before it runs anything: pass only the tests whose file exists.
            command = (f'files=(); for f in {quoted}; do [ -e "${{f%%::*}}" ] && files+=("$f"); done; '
                       '[ ${#files[@]} -gt 0 ] || exit 5; '
                       f'{self._plugin()}{self.python} -m pytest -q -rA --tb=short -l -p no:cacheprovider '
                       f'--rootdir=. {"-x " if stop_first else ""}--continue-on-collection-errors "${{files[@]}}"')
        else:
            command = self.command.replace("{files}", quoted)
        result = self.ws.exec(command, timeout=self.timeout)
        statuses = parse_pytest(result.output)
        if not statuses and self.kind == "command":
            verdict = PASSED if result.exit_code == 0 and not result.timed_out else FAILED
            statuses = dict.fromkeys(files, verdict)
        return TestRun(result.exit_code, result.output, result.timed_out, statuses)

    def _helper(self, name: str) -> str:
        """Copy one of the inside/ scripts into the workspace; its path there."""
        path = f"{HELPERS_DIR}/{name}"
        self.ws.write_file(path, resources.files("agent.testing.inside").joinpath(name).read_text())
        return path

    def _plugin(self) -> str:
        """The environment and `-p` option that load the per-test timeout plugin ("" without a limit)."""
        if not self.case_timeout:
            return ""
        self._helper("repo_agent_timeouts.py")
        return (f"REPO_AGENT_CASE_TIMEOUT={self.case_timeout:g} PYTHONPATH={HELPERS_DIR}${{PYTHONPATH:+:$PYTHONPATH}} "
                "PYTEST_ADDOPTS=\"$PYTEST_ADDOPTS -p repo_agent_timeouts\" ")

    def _one_by_one(self, files: list[str]) -> TestRun:
        runs, statuses = [], {}
        for path in files:
            command, result, found = self._unittest(path) if self.kind == "unittest" else ("", None, {})
            if not found:
                command = f"{self.python} {self._helper('repo_agent_functions.py')} {shlex.quote(path)}"
                result = self.ws.exec(command, timeout=self.timeout)
                found = parse_pytest(result.output) or {
                    path: _script_status(result.exit_code, result.timed_out, result.output)}
            statuses.update(found)
            runs.append((command, result))
        worst = next((r.exit_code for _, r in runs if r.exit_code != 0), 0)
        output = "\n".join(f"$ {command}\n{r.output}" for command, r in runs)
        return TestRun(worst, output, any(r.timed_out for _, r in runs), statuses)

    def _unittest(self, path: str) -> tuple[str, ExecResult, dict[str, str]]:
        """Run one file under `python -m unittest -v`: (command, result, {path::Class::test: status})."""
        module = path.removesuffix(".py").replace("/", ".")
        command = f"{self.python} -m unittest -v {shlex.quote(module)}"
        result = self.ws.exec(command, timeout=self.timeout)
        found = {f"{path}::{where.removesuffix('.' + name).rsplit('.', 1)[-1]}::{name}": _UNITTEST_STATUS[word]
                 for name, where, word in _UNITTEST.findall(result.output)}
        return command, result, found


def headed(text: str, header: re.Pattern[str] = _BLOCK) -> list[tuple[str, str]]:
    """(title, text) of each part of pytest output that opens with a header line (`___ test_a ___` by default)."""
    parts = header.split(text)
    return list(zip(parts[1::2], parts[2::2], strict=True))


def test_file(test_id: str) -> str:
    """The file of a test id (`tests/t.py::test_a[x]` -> `tests/t.py`)."""
    return test_id.split("::", 1)[0]


def _script_status(exit_code: int, timed_out: bool, output: str) -> str:
    if timed_out or "SyntaxError" in output or "IndentationError" in output:
        return ERROR
    return PASSED if exit_code == 0 else FAILED


def detect_runner(ws: Workspace, command: str | None = None, timeout: float = 300.0,
                  case_timeout: float | None = None) -> TestRunner:
    """The way to run tests in `ws`: the configured command, else pytest if importable, else python per file."""
    if command:
        return TestRunner(ws, "command", command=command, timeout=timeout)
    python = next((p for p in ("python", "python3") if _ok(ws, f"{p} -m pytest --version")), None)
    if python:
        return TestRunner(ws, "pytest", python, timeout=timeout, case_timeout=case_timeout)
    plain = next((p for p in ("python3", "python") if _ok(ws, f"{p} --version")), "python3")
    return TestRunner(ws, "unittest", plain, timeout=timeout)


def _ok(ws: Workspace, command: str) -> bool:
    return ws.exec(f"{command} >/dev/null 2>&1", timeout=60).exit_code == 0
