"""Grading, pure functions: a test log and FAIL_TO_PASS / PASS_TO_PASS -> resolved, partial or unresolved, by
SWE-bench's rules: PASSED/XFAIL pass; FAILED/ERROR/missing fail; SKIPPED counts neither way. Partial: some but not
all FAIL_TO_PASS tests pass while every PASS_TO_PASS test still does."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.testing.pytest_summary import ERROR, FAILED, PASSED, XFAIL
from swebench.log_parsers import Parser

START_MARKER = ">>>>> Start Test Output"
"""Printed by eval.sh right before the test command."""
END_MARKER = ">>>>> End Test Output"
"""Printed by eval.sh right after the test command."""
EXIT_MARKER = ">>>>> Test Exit Code"
"""Printed by eval.sh after END_MARKER with the test command's own exit status."""
APPLY_MARKER = ">>>>> Applied Patch"
"""Printed by eval.sh with the method that applied the model patch."""
APPLY_FAILED_MARKER = ">>>>> Patch Apply Failed"
"""Printed by eval.sh when no method applied the model patch."""
TEST_PATCH_FAILED_MARKER = ">>>>> Test Patch Apply Failed"
"""Printed by eval.sh when the instance's own test patch did not apply."""
INSTALL_FAILED_MARKER = ">>>>> Reinstall Failed"
"""Printed by eval.sh when re-installing the project after the model patch failed."""

RESOLVED, PARTIAL, UNRESOLVED = "resolved", "partial", "unresolved"

_EXIT_RE = re.compile(re.escape(EXIT_MARKER) + r":\s*(-?\d+)")
_APPLY_RE = re.compile(re.escape(APPLY_MARKER) + r":\s*(.+)")


@dataclass
class LogReading:
    """What a test_output.txt says: the per-test statuses, or why they cannot be trusted."""

    status_map: dict[str, str]
    """Test name -> PASSED / FAILED / SKIPPED / ERROR / XFAIL."""
    problem: str | None = None
    """Why the log yields no usable results (None when it does)."""
    apply_method: str | None = None
    """The command that applied the model patch (None when none did or no patch was applied)."""
    exit_code: int | None = None
    """The test command's own exit status, when it was recorded."""
    patch_applied: bool = True
    """False when the model patch did not apply."""


@dataclass
class Grade:
    """The verdict on one instance's test results."""

    status: str
    """resolved, partial or unresolved."""
    tests_status: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """{"FAIL_TO_PASS": {"success": [...], "failure": [...]}, "PASS_TO_PASS": {...}} (the official shape)."""

    @property
    def resolved(self) -> bool:
        """True when the status is resolved."""
        return self.status == RESOLVED


def read_test_log(text: str, parser: Parser) -> LogReading:
    """Parse the output of eval.sh: patch application, the marked test section, the test exit code."""
    applied = _APPLY_RE.search(text)
    method = applied.group(1).strip() if applied else None
    exit_match = _EXIT_RE.search(text)
    exit_code = int(exit_match.group(1)) if exit_match else None
    if APPLY_FAILED_MARKER in text:
        return LogReading({}, "the model patch did not apply", None, exit_code, patch_applied=False)
    for marker, problem in ((TEST_PATCH_FAILED_MARKER, "the instance's test patch did not apply"),
                            (INSTALL_FAILED_MARKER, "re-installing the project after the patch failed")):
        if marker in text:
            return LogReading({}, problem, method, exit_code)
    if START_MARKER not in text:
        return LogReading({}, "the tests never started (no start marker in the log)", method, exit_code)
    if END_MARKER not in text:
        return LogReading({}, "the tests did not finish (no end marker in the log)", method, exit_code)
    section = text.split(START_MARKER, 1)[1].split(END_MARKER, 1)[0]
    status_map = parser(section)
    if exit_code not in (None, 0) and status_map and not any(s in (FAILED, ERROR) for s in status_map.values()):
        return LogReading({}, f"the test command exited {exit_code} but the log reports no failing test",
                          method, exit_code)
    return LogReading(status_map, None, method, exit_code)


def _split(names: list[str], status_map: dict[str, str]) -> dict[str, list[str]]:
    """Tests that passed (success) and that failed or are missing (failure); skipped ones are in neither."""
    return {"success": [n for n in names if status_map.get(n) in (PASSED, XFAIL)],
            "failure": [n for n in names if status_map.get(n, FAILED) in (FAILED, ERROR)]}


def _rate(split: dict[str, list[str]]) -> float:
    total = len(split["success"]) + len(split["failure"])
    return 1.0 if total == 0 else len(split["success"]) / total


def grade(status_map: dict[str, str], fail_to_pass: list[str], pass_to_pass: list[str]) -> Grade:
    """The verdict for a status map against the instance's FAIL_TO_PASS and PASS_TO_PASS lists."""
    f2p, p2p = _split(fail_to_pass, status_map), _split(pass_to_pass, status_map)
    f2p_rate, p2p_rate = _rate(f2p), _rate(p2p)
    if f2p_rate == 1 and p2p_rate == 1:
        status = RESOLVED
    elif 0 < f2p_rate < 1 and p2p_rate == 1:
        status = PARTIAL
    else:
        status = UNRESOLVED
    tests_status = {"FAIL_TO_PASS": f2p, "PASS_TO_PASS": p2p, "FAIL_TO_FAIL": {"success": [], "failure": []},
                    "PASS_TO_FAIL": {"success": [], "failure": []}}
    return Grade(status, tests_status)


def grade_log(text: str, parser: Parser, fail_to_pass: list[str], pass_to_pass: list[str]) -> tuple[LogReading, Grade]:
    """read_test_log then grade; a log with a problem grades unresolved with empty test lists."""
    reading = read_test_log(text, parser)
    if reading.problem:
        return reading, Grade(UNRESOLVED, {})
    return reading, grade(reading.status_map, fail_to_pass, pass_to_pass)
