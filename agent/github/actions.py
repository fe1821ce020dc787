"""GitHub Actions runner output: step outputs, job summary, log annotations; no-ops outside Actions."""

from __future__ import annotations

import os
from collections.abc import Mapping

from agent.github.event import EventOutcome
from agent.redact import redact


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(redact(text))


def write_outputs(outcome: EventOutcome, env: Mapping[str, str] | None = None) -> None:
    """Step outputs (`status`, `url`, `cost`, `run-dir`) and the job summary of the run."""
    env = os.environ if env is None else env
    values = {"status": outcome.status, "url": outcome.url, "cost": f"{outcome.cost:.4f}",
              "run-dir": str(outcome.run_dir or "")}
    _append(env.get("GITHUB_OUTPUT"), "".join(f"{k}={v.replace(chr(10), ' ')}\n" for k, v in values.items()))
    summary = outcome.run_dir / "summary.md" if outcome.run_dir else None
    text = summary.read_text(encoding="utf-8") if summary and summary.is_file() else ""
    _append(env.get("GITHUB_STEP_SUMMARY"), f"## repo-agent: {outcome.status}\n\n{outcome.message}\n\n"
            + (f"{outcome.url}\n\n" if outcome.url else "") + text)


def annotation(outcome: EventOutcome, env: Mapping[str, str] | None = None) -> str | None:
    """A `::warning` line for refusals when running in Actions, else None."""
    env = os.environ if env is None else env
    if env.get("GITHUB_ACTIONS") != "true" or outcome.status not in ("untrusted", "over budget"):
        return None
    return f"::warning title=repo-agent {outcome.status}::{outcome.message}"

