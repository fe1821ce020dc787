"""The patch gate: parse, `git apply --check` against a private index (no work tree touched), syntax, the known
tests (failing must pass, passing must keep passing, added test files must pass). An empty diff is "no change"; a
diff no test could check is "unverified", not a pass."""

from __future__ import annotations

import shlex
from typing import Literal

import unidiff
from pydantic import BaseModel, Field

from agent.config import GateConfig
from agent.testing.baseline import TestBaseline, judge
from agent.testing.failures import failure_report, listing
from tools.repomap.filekinds import is_test_path
from tools.syntax import format_problems, introduced_errors
from workspaces.base import Workspace


class GateCheck(BaseModel):
    """One check of the gate."""

    name: str
    """`parse`, `apply`, `syntax` or `tests`."""
    passed: bool
    """Whether the check passed."""
    detail: str = ""
    """Why it failed, or what it ran."""


class GateResult(BaseModel):
    """The gate's verdict on a diff."""

    status: Literal["passed", "failed", "no change", "unverified"]
    """Overall verdict: every check passed, one failed, the diff is empty, or no test could check it."""
    checks: list[GateCheck] = Field(default_factory=list)
    """The checks that ran, in order."""
    files: list[str] = Field(default_factory=list)
    """Files the diff touches."""

    @property
    def passed(self) -> bool:
        """True only for a non-empty diff that passed every check."""
        return self.status == "passed"


GATE_FILE = ".git/repo-agent-gate"
"""Prefix of the gate's scratch files in the workspace (inside .git: never part of a diff)."""


def run_gate(patch: str, ws: Workspace, config: GateConfig, baseline: TestBaseline | None = None) -> GateResult:
    """Check `patch` (taken from `ws`) against the workspace's base commit."""
    if not patch.strip():
        return GateResult(status="no change")
    try:
        patch_set = unidiff.PatchSet(patch)
    except unidiff.UnidiffParseError as exc:
        return GateResult(status="failed", checks=[GateCheck(name="parse", passed=False, detail=str(exc))])
    files = [f.path for f in patch_set]
    checks = [GateCheck(name="parse", passed=bool(files), detail=f"{len(files)} file(s)"), check_applies(patch, ws)]
    if config.check_syntax:
        checks.append(check_syntax(patch_set, ws))
    unverified = False
    if config.run_tests and baseline is not None:
        added = [f.path for f in patch_set if f.is_added_file and is_test_path(f.path)]
        checks.append(check_tests(baseline, added))
        unverified = not baseline.known and not added
    failed = [c.name for c in checks if not c.passed]
    status = "passed" if not failed else "unverified" if unverified and failed == ["tests"] else "failed"
    return GateResult(status=status, checks=checks, files=files)


def check_applies(patch: str, ws: Workspace) -> GateCheck:
    """`git apply --check` in the workspace against a private index holding the base commit."""
    ws.write_file(f"{GATE_FILE}.patch", patch)
    index = f"GIT_INDEX_FILE={GATE_FILE}.index"
    result = ws.exec(f"{index} git read-tree {ws.base_commit} && {index} git apply --check --cached {GATE_FILE}.patch"
                     f"; status=$?; rm -f {GATE_FILE}.patch {GATE_FILE}.index; exit $status", timeout=120)
    detail = result.output.strip()[-2000:]
    return GateCheck(name="apply", passed=result.exit_code == 0, detail=detail or "applies to the base commit")


def check_syntax(patch_set: unidiff.PatchSet, ws: Workspace) -> GateCheck:
    """Every file the diff adds or modifies must not gain syntax errors (tree-sitter)."""
    failures = []
    for patched in patch_set:
        if patched.is_removed_file or patched.is_binary_file:
            continue
        after = ws.read_file(patched.path)
        before = "" if patched.is_added_file else base_text(ws, patched.source_file[2:])
        problems = introduced_errors(patched.path, before, after)
        if problems:
            failures.append(format_problems(patched.path, problems))
    detail = "\n".join(failures) or "touched files parse"
    return GateCheck(name="syntax", passed=not failures, detail=detail)


def check_tests(baseline: TestBaseline, added: list[str]) -> GateCheck:
    """The known tests (and test files the patch adds) in the patched workspace, against the base commit."""
    if not baseline.known and not added:
        why = ("no test file is named in the issue or related to the code" if not baseline.files
               else f"{listing(baseline.files, 4)} ran no test on the base commit")
        return GateCheck(name="tests", passed=False, detail=f"no tests found: {why}")
    verdict = judge(baseline, added)
    parts = [f"{len(verdict.fixed)}/{len(baseline.targets)} failing tests now pass" if baseline.targets else "",
             f"{len(baseline.guards) - len(verdict.regressions)}/{len(baseline.guards)} passing tests still pass"
             if baseline.guards else "",
             f"{sum(v == 'passed' for v in verdict.new_tests.values())}/{len(added)} added test files pass"
             if added else ""]
    summary = "; ".join(p for p in parts if p) + f" ({baseline.runner.kind}: {listing(baseline.files + added, 4)})"
    if verdict.passed:
        return GateCheck(name="tests", passed=True, detail=summary)
    bad = verdict.still_failing + verdict.regressions + [f for f, v in verdict.new_tests.items() if v != "passed"]
    report = failure_report(verdict.run, failing=bad, limit=2000)
    return GateCheck(name="tests", passed=False, detail=f"{summary}\n{report}")


def base_text(ws: Workspace, path: str) -> str:
    """A file's text on the workspace's base commit ("" when it has none); through a file, so nothing is clipped."""
    target = f"{GATE_FILE}.base"
    shown = ws.exec(f"git show {ws.base_commit}:{shlex.quote(path)} > {target}", timeout=60)
    text = ws.read_file(target) if shown.exit_code == 0 else ""
    ws.exec(f"rm -f {target}", timeout=30)
    return text
