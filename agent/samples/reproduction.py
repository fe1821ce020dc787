"""Reproduction tests: written by rollouts or by a short dedicated pass, pooled, and kept only if they fail on the base.

A test is kept when it fails on the base commit in its tests (not by a timeout, a collection error or a
syntax error): the closest mechanical check of "fails for the reason the issue gives". Identical tests
from several sources are pooled once.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from agent.config import AgentConfig, ModelConfig, deep_merge
from agent.samples.patches import BaseTree, split_patch
from agent.testing.runner import TestRun, TestRunner
from workspaces.base import Workspace

PASS_NAME = "reproduction"
"""Run id and folder name of the reproduction pass (under the run folder)."""
PASS_TEMPLATE = "reproduce.j2"
"""Instance template of the reproduction pass."""


@dataclass
class ReproTest:
    """One pooled reproduction test."""

    path: str
    """Where the file goes, relative to the repository root."""
    text: str
    """Its content."""
    origins: list[str] = field(default_factory=list)
    """Who wrote it: rollout labels (`#0`) or `reproduction pass`."""
    kept: bool = False
    """It fails on the base commit, in its tests."""
    verdict: str = "not run"
    """Why it was kept or discarded."""


def pass_config(config: AgentConfig, run_dir: Path) -> AgentConfig:
    """The configuration of the reproduction pass: its own prompt, a short step limit, its model overrides."""
    samples = config.samples
    model = ModelConfig.model_validate(deep_merge(config.model.model_dump(mode="json"), samples.reproduction_model))
    limits = config.limits.model_copy(update={"steps": samples.reproduction_steps})
    return config.model_copy(update={"model": model, "limits": limits, "instance_template": PASS_TEMPLATE,
                                     "runs_dir": run_dir})


def collect(patches: list[tuple[str, str]], tree: BaseTree) -> list[ReproTest]:
    """The test files of (origin, patch) pairs, pooled: identical files once, with every origin."""
    pooled: dict[tuple[str, str], ReproTest] = {}
    for origin, patch in patches:
        split = split_patch(patch)
        if not split.test_files:
            continue
        texts = tree.after(split.tests, split.test_files) or {}
        for path in split.test_files:
            text = texts.get(path)
            if text is None or not text.strip():
                continue
            test = pooled.setdefault((path, text), ReproTest(path, text))
            test.origins.append(origin)
    return list(pooled.values())


def batches(tests: list[ReproTest], taken: set[str]) -> list[list[ReproTest]]:
    """Tests split so that no batch holds two files at one path, nor (the first batch) a path in `taken`."""
    used: list[set[str]] = [set(taken)]
    groups: list[list[ReproTest]] = [[]]
    for test in tests:
        slot = next((i for i, paths in enumerate(used) if test.path not in paths), None)
        if slot is None:
            used.append(set())
            groups.append([])
            slot = len(used) - 1
        used[slot].add(test.path)
        groups[slot].append(test)
    return groups


def run_with(ws: Workspace, runner: TestRunner, files: list[str], tests: list[ReproTest]) -> TestRun:
    """Run existing test `files` and the reproduction `tests` (put in for the run, then taken out) together."""
    for test in tests:
        ws.write_file(test.path, test.text)
    try:
        return runner.run([*files, *(t.path for t in tests)])
    finally:
        if tests:
            quoted = " ".join(shlex.quote(t.path) for t in tests)
            ws.exec(f"for f in {quoted}; do git checkout -q {ws.base_commit} -- \"$f\" 2>/dev/null || rm -f -- \"$f\"; "
                    "done", timeout=60)


def run_pool(ws: Workspace, runner: TestRunner, related: list[str], tests: list[ReproTest]
             ) -> tuple[TestRun | None, list[str]]:
    """Run the related tests and the reproduction tests in as few runs as their paths allow.

    Returns the run that holds the related tests (None without any) and each test's file verdict.
    """
    verdicts: dict[int, str] = {}
    related_run = None
    for number, group in enumerate(batches(tests, set(related))):
        files = related if number == 0 else []
        if not files and not group:
            continue
        run = run_with(ws, runner, files, group)
        related_run = run if number == 0 and files else related_run
        verdicts.update({id(test): run.file_verdict(test.path) for test in group})
    return related_run, [verdicts[id(test)] for test in tests]


def validate(tests: list[ReproTest], ws: Workspace, runner: TestRunner, related: list[str]) -> TestRun | None:
    """On the base commit (`ws` must be at it): keep the tests that fail in their tests; return the related run."""
    related_run, verdicts = run_pool(ws, runner, related, tests)
    for test, verdict in zip(tests, verdicts, strict=True):
        test.kept = verdict == "failed"
        test.verdict = VERDICTS[verdict]
    return related_run


VERDICTS = {
    "failed": "fails on the base commit",
    "passed": "discarded: passes on the base commit",
    "error": "discarded: does not run on the base commit (collection or syntax error, timeout, or no test)",
}
"""File verdict on the base commit -> what the summary says."""
