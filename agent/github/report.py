"""The words repo-agent posts on GitHub (commit message, pull request title and body, failure comment), built from
the trajectory and redacted."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from agent.github.issue_reader import GitHubIssue
from agent.redact import redact
from agent.runner import SolveResult
from agent.trajectory import TrajectoryData, load_trajectory

TEST_COMMAND = re.compile(r"(?i)(?<![a-z])test|pytest|unittest|\b(?:tox|nox|jest|vitest|mocha|rspec|ctest)\b")
"""Commands that count as running tests."""
EDIT_TOOLS = ("edit", "insert", "create", "apply_patch")
"""Tools that change files."""
MAX_LISTED = 15
"""Commands listed in a report, at most."""


@dataclass
class RunFacts:
    """What a report says about a finished run."""

    run_id: str
    exit_status: str
    message: str
    steps: int
    cost: float
    gate_status: str
    gate_checks: list[tuple[str, bool, str]] = field(default_factory=list)
    """(name, passed, first line of detail)."""
    files: list[str] = field(default_factory=list)
    """Files the patch touches."""
    commands: list[tuple[str, int | None]] = field(default_factory=list)
    """Commands the agent ran, with their exit codes when known."""
    edited: list[str] = field(default_factory=list)
    """Files the agent edited, in order of first edit."""
    location: str = ""
    """Where the trajectory can be found."""

    @property
    def tests(self) -> list[tuple[str, int | None]]:
        """The commands that ran tests."""
        return [(cmd, code) for cmd, code in self.commands if TEST_COMMAND.search(cmd)]


def trajectory_location(run_dir: Path, env: dict[str, str] | None = None) -> str:
    """The trajectory's path, and in Actions the run page whose artifact holds it."""
    env = dict(os.environ) if env is None else env
    where = f"`{run_dir / 'trajectory.json'}`"
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        artifact = env.get("REPO_AGENT_ARTIFACT", "repo-agent-runs")
        where += (f" in the `{artifact}` artifact of "
                  f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}")
    return where


def _commands(data: TrajectoryData) -> list[tuple[str, int | None]]:
    firsts = {m.tool_call_id: (m.content or "").split("\n", 1)[0] for m in data.messages if m.role == "tool"}
    found = []
    for step in data.steps:
        for call in step.tool_calls:
            if call.name == "run" and isinstance(call.arguments.get("command"), str):
                code = re.match(r"exit code: (-?\d+)", firsts.get(call.id, ""))
                found.append((call.arguments["command"], int(code[1]) if code else None))
    return found


def run_facts(result: SolveResult) -> RunFacts:
    """Read what a report needs from the result and its trajectory."""
    checks = [(c.name, c.passed, (c.detail.strip().splitlines() or [""])[0]) for c in result.gate.checks]
    facts = RunFacts(result.run_dir.name, result.exit_status, result.message, result.steps, result.cost,
                     result.gate.status, checks, list(result.gate.files), location=trajectory_location(result.run_dir))
    path = result.run_dir / "trajectory.json"
    if path.is_file():
        data = load_trajectory(path)
        facts.commands = _commands(data)
        calls = [call for step in data.steps for call in step.tool_calls]
        edits = [str(c.arguments.get("path", "patch")) for c in calls if c.name in EDIT_TOOLS]
        facts.edited = list(dict.fromkeys(edits))
    return facts


def _gate_lines(facts: RunFacts) -> list[str]:
    lines = [f"**Patch gate: {facts.gate_status}**", ""]
    lines += [f"- {'✅' if ok else '❌'} {name}: {detail}" for name, ok, detail in facts.gate_checks]
    return lines + [""]


def _test_lines(facts: RunFacts) -> list[str]:
    if not facts.tests:
        return ["**Tests run by the agent:** none", ""]
    lines = ["**Tests run by the agent:**", ""]
    for cmd, code in facts.tests[-MAX_LISTED:]:
        outcome = "exit code unknown" if code is None else ("passed" if code == 0 else f"failed (exit {code})")
        lines.append(f"- `{cmd.splitlines()[0][:200]}` — {outcome}")
    return lines + [""]


def _footer(facts: RunFacts) -> list[str]:
    return [f"Run `{facts.run_id}`: {facts.steps} steps, cost ${facts.cost:.4f}, ended by {facts.exit_status}.",
            f"Trajectory: {facts.location}."]


def pull_request_title(issue: GitHubIssue) -> str:
    """`Fix #N: title` (shortened)."""
    title = f"Fix #{issue.number}: {issue.title}"
    return redact(title if len(title) <= 120 else title[:117] + "...")


def commit_message(issue: GitHubIssue, facts: RunFacts) -> str:
    """One commit that names the issue."""
    summary = facts.message.strip() if facts.exit_status == "Submitted" else ""
    body = f"{summary}\n\n" if summary else ""
    return redact(f"{pull_request_title(issue)}\n\n{body}Resolves #{issue.number} ({issue.html_url}).\n"
                  f"Generated by repo-agent run {facts.run_id}.\n")


def pull_request_body(issue: GitHubIssue, facts: RunFacts) -> str:
    """Summary, gate results, tests, cost and trajectory location."""
    summary = facts.message.strip() if facts.exit_status == "Submitted" else ""
    lines = [f"Resolves #{issue.number}.", "", "**Summary**", "", summary or "(the agent gave no summary)", ""]
    lines += ["**Files changed:** " + ", ".join(f"`{f}`" for f in facts.files), ""]
    lines += _gate_lines(facts) + _test_lines(facts) + _footer(facts)
    lines += ["", "_Opened by repo-agent as a draft: review it before merging._"]
    return redact("\n".join(lines) + "\n")


def failure_comment(issue: GitHubIssue, facts: RunFacts, reason: str) -> str:
    """What was tried, and why no pull request was opened."""
    lines = [f"repo-agent could not open a pull request for this issue: {reason}", "", "**What was tried**", ""]
    if facts.message.strip():
        lines += [f"- how the run ended ({facts.exit_status}): {facts.message.strip().splitlines()[0][:300]}"]
    if facts.edited:
        lines += ["- files edited: " + ", ".join(f"`{f}`" for f in facts.edited[:MAX_LISTED])]
    if facts.commands:
        lines += ["- commands run: " + ", ".join(f"`{c.splitlines()[0][:80]}`" for c, _ in facts.commands[-8:])]
    if len(lines) == 4:
        lines += ["- nothing: the agent made no edits and ran no commands"]
    lines += [""] + (_gate_lines(facts) if facts.gate_checks else []) + _test_lines(facts) + _footer(facts)
    return redact("\n".join(lines) + "\n")


def error_facts(run_id: str, error: BaseException, run_dir: Path) -> RunFacts:
    """Facts for a run that broke before it produced a result."""
    return RunFacts(run_id, type(error).__name__, str(error), 0, 0.0, "not run",
                    location=trajectory_location(run_dir))
