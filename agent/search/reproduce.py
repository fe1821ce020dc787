"""A failing test written from the issue when none is known. Each answer runs on the base commit; tests failing inside
their body are kept (an import or collection error says nothing) and join the baseline as targets. The file is
written for every test run and never part of the patch."""

from __future__ import annotations

import posixpath
import re
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.search.edits import code_blocks, show
from agent.search.localize import Region
from agent.testing.baseline import TestBaseline
from agent.testing.runner import FAILED, TestRun
from core.errors import TimeLimitExceeded
from core.model import Model, Sampling
from core.types import Message
from prompts import render
from workspaces.base import clip_middle

FILE_NAME = "test_repo_agent_issue.py"
"""Name of the reproduction test file (next to the first related test file, else at the root)."""


@dataclass
class Reproduction:
    """What asking for a test written from the issue found."""

    path: str
    """Where the test file goes in the workspace."""
    text: str = ""
    """The kept test file ("" when none was kept)."""
    tests: list[str] = field(default_factory=list)
    """Its tests that fail on the base commit."""
    answers: list[dict] = field(default_factory=list)
    """Every answer with its verdict, for the trajectory."""
    run: TestRun | None = None
    """The base-commit run of the kept file (its failures are what the repair prompt reports)."""


def test_path(baseline: TestBaseline) -> str:
    """Where the reproduction file goes: beside the first related test file, else at the repository root."""
    folder = posixpath.dirname(baseline.files[0]) if baseline.files else ""
    return posixpath.join(folder, FILE_NAME) if folder else FILE_NAME


def prompt(issue: str, regions: list[Region], baseline: TestBaseline, example: str) -> str:
    """The reproduction prompt."""
    return render("repair_reproduce.j2", issue=clip_middle(issue.strip(), 2500), code=show(regions),
                  example=clip_middle(example, 1200), example_path=baseline.files[0] if baseline.files else "").strip()


def reproduce(model: Model, baseline: TestBaseline, regions: list[Region], issue: str, samples: int,
              deadline: float | None, seed: Callable[[int], int | None] = lambda k: None) -> Reproduction:
    """Ask for up to `samples` test files (the first greedy, sample k after it with seed `seed(k)` when there is
    one); keep the first whose tests fail on the base commit."""
    ws = baseline.runner.ws
    found = Reproduction(test_path(baseline))
    example = ""
    if baseline.files:
        try:
            example = ws.read_file(baseline.files[0])
        except (OSError, ValueError):
            example = ""
    messages = [Message(role="user", content=prompt(issue, regions, baseline, example))]
    for number in range(samples):
        if deadline is not None and time.monotonic() >= deadline:
            break
        started = time.monotonic()
        sampling = Sampling(0.0) if number == 0 else Sampling(0.8, seed=seed(number))
        try:
            reply = model.complete(messages, sampling=sampling, deadline=deadline,
                                   max_tokens=768, until=lambda text: text.count("```") >= 2)
        except TimeLimitExceeded:  # the run's limit: the repair and the loop still hand out what they have
            break
        blocks = code_blocks(reply.content)
        entry = {"number": number, "seconds": round(time.monotonic() - started, 2), "reply": reply.content,
                 "failing": []}
        found.answers.append(entry)
        if not blocks:
            entry["verdict"] = "no code block"
            continue
        run = run_at(baseline, found.path, blocks[0])
        failing = [t for t, status in run.statuses.items() if status == FAILED and t.startswith(found.path + "::")
                   and not broken(run, t)]
        entry["failing"], entry["verdict"] = failing, "kept" if failing else "does not fail because of the issue"
        if failing:
            found.text, found.tests, found.run = blocks[0], failing, run
            break
    return found


BROKEN_TEST = re.compile(r"^E +(NameError|ImportError|ModuleNotFoundError|SyntaxError|IndentationError)\b", re.M)
"""Failures of a test's own making: names it invents, modules it cannot import."""


def broken(run: TestRun, test: str) -> bool:
    """Whether the test failed of its own making (its failure block shows a NameError, an ImportError, ...)."""
    name = test.split("::", 1)[-1].replace("::", ".")
    block = re.search(rf"^_+ {re.escape(name)} _+$(.*?)(?=^_{{3,}} |^={{3,}} |\Z)", run.output, re.M | re.S)
    return bool(block and BROKEN_TEST.search(block.group(1)))


def run_at(baseline: TestBaseline, path: str, text: str) -> TestRun:
    """Run the test file `text` at `path` on the base commit (put in for the run, then taken out)."""
    ws = baseline.runner.ws
    ws.write_file(path, text)
    try:
        return baseline.runner.run([path])
    finally:
        ws.exec(f"git checkout -q {ws.base_commit} -- {shlex.quote(path)} 2>/dev/null || rm -f -- {shlex.quote(path)}",
                timeout=60)
