"""What a model is shown of a failing run: the first few failure blocks, short, with local values, and the list
of failing tests (pytest); other runners' output clipped in the middle."""

from __future__ import annotations

import re

from agent.testing.runner import TestRun, headed
from workspaces.base import clip_middle

_PASTED_RUN = re.compile(r"```[^\n]*\n(?:(?!```).)*?(?:test session starts|short test summary info|= FAILURES =)"
                         r"(?:(?!```).)*```", re.S)
_SECTION = re.compile(r"^={3,} (.+?) ={3,}$", re.M)


def _section(output: str, title: str) -> str:
    """The text of pytest's `=== title ===` section ("" when absent)."""
    return next((text for head, text in headed(output, _SECTION) if head.strip().lower().startswith(title)), "")


_LOCATION = re.compile(r"^[\w./\\~-]+:\d+: in \S+|^[\w./\\~-]+:\d+: \w*(Error|Exception)", re.M)
_LOCAL = re.compile(r"^ {8}\S")
_CARETS = re.compile(r"^\s*[\^~]+\s*$")


def _frames(lines: list[str]) -> list[list[str]]:
    """A failure block cut into frames, each opening at its `path:line: in f` location line."""
    frames: list[list[str]] = [[]]
    for line in lines:
        if _LOCATION.match(line) and frames[-1]:
            frames.append([])
        frames[-1].append(line)
    return frames


def _frame_text(frame: list[str], local_values: int) -> list[str]:
    """A frame with its code and error lines, and at most `local_values` of its local variables."""
    values = [line for line in frame if _LOCAL.match(line)]
    other = [line for line in frame if not _LOCAL.match(line)]
    return other + values[:local_values] + (["        ..."] if len(values) > local_values else [])


def compress(block: str, max_lines: int) -> list[str]:
    """A failure block shortened: the test's frame and the innermost one whole (local values cut to a few), the
    frames between by their location and code only, `...` where frames were left out."""
    lines = [line for line in block.strip("\n").splitlines() if len(line.strip()) > 1 and not _CARETS.match(line)]
    frames = _frames(lines)
    if len(frames) <= 2:
        out = [line for frame in frames for line in _frame_text(frame, 6)]
    else:
        middle = [[line for line in frame if not _LOCAL.match(line)] for frame in frames[1:-1]]
        shown = middle[:1] + (["    ..."] if len(middle) > 2 else []) + (middle[-1:] if len(middle) > 1 else [])
        out = _frame_text(frames[0], 3) + [line for frame in shown for line in frame] + _frame_text(frames[-1], 6)
    return out if len(out) <= max_lines else out[:max_lines // 2] + ["    ..."] + out[-(max_lines - max_lines // 2):]


def failures_of(run: TestRun) -> str:
    """The failure and error sections of pytest output (passing tests' tracebacks left out), else the whole output."""
    found = _section(run.output, "failures") + _section(run.output, "errors")
    return found if found or _SECTION.search(run.output) else run.output


def _blocks(failures: str, max_blocks: int, max_lines: int) -> list[str]:
    found = headed(failures)
    shown = [f"--- {title}\n" + "\n".join(compress(text, max_lines)) for title, text in found[:max_blocks]]
    more = [f"({len(found) - max_blocks} more failures like these)"] if len(found) > max_blocks else []
    return shown + more


def listing(tests: list[str], shown: int = 6) -> str:
    """`a.py::t1, t2 and 3 more`: test ids with their file written once."""
    out, last_file = [], None
    for test in tests[:shown]:
        path, sep, name = test.partition("::")
        out.append(name if sep and path == last_file else test)
        last_file = path if sep else None
    return ", ".join(out) + (f" and {len(tests) - shown} more" if len(tests) > shown else "")


def failure_report(run: TestRun, *, failing: list[str] | None = None, max_blocks: int = 2,
                   max_lines: int = 24, limit: int = 2500) -> str:
    """A short account of what failed in `run`, listing the tests in `failing`."""
    parts = []
    if run.timed_out:
        parts.append("The test run was stopped: it did not finish within its time limit.")
    blocks = _blocks(_section(run.output, "failures") or _section(run.output, "errors"), max_blocks, max_lines)
    parts.extend(blocks)
    if failing:
        parts.append(f"Failing: {listing(failing)}")
    if not blocks:
        parts.append(clip_middle(run.output.strip(), limit // 2))
    return clip_middle("\n\n".join(p for p in parts if p), limit)


def without_pasted_runs(text: str, note: str = "```\n(test output: see the tests' report below)\n```") -> str:
    """`text` with fenced pytest session outputs replaced by `note` (when a fresher report is shown anyway)."""
    return _PASTED_RUN.sub(lambda _: note, text)


def first_error(run: TestRun) -> str:
    """The first error line of a pytest report (`assert [1] == [2]`), or what ended the run, in one line."""
    match = re.search(r"^E +(\S.*)$", run.output, re.M)
    if match:
        return match.group(1).strip()[:200]
    return "the test run did not finish" if run.timed_out else "see the failing tests"
