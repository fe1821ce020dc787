"""`bench/real_model.py --swebench`: repo-agent with the same model on the validated SWE-bench dev instances.

One `agent swebench run` per repo-agent variant (inference in instance containers, then our harness's
evaluation, the same as `agent swebench eval`), on the development instances of /work/shared/swebench/README.md
whose repository has a bare mirror under `--mirrors`; missing mirrors are reported and their instances skipped.
Hours of CPU with a local model: run it on a quiet machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

from bench.scoring import diff_size
from bench.systems import AGENT, Outcome, Settings, read_repo_agent, run_bounded

DEV_INSTANCES = ("pallets__flask-4992", "pallets__flask-5063", "pallets__flask-4045", "pytest-dev__pytest-11143",
                 "pytest-dev__pytest-11148", "pytest-dev__pytest-5103", "pytest-dev__pytest-5227",
                 "pytest-dev__pytest-7373", "pytest-dev__pytest-7432", "pytest-dev__pytest-8906",
                 "pylint-dev__pylint-7993", "pylint-dev__pylint-5859", "pylint-dev__pylint-6506",
                 "mwaskom__seaborn-3010", "mwaskom__seaborn-3190")
"""Gold-validated here (shared/swebench/README.md): the development set."""


def repository(instance_id: str) -> str:
    """`owner/name` of an instance id such as `pallets__flask-4992`."""
    owner, rest = instance_id.split("__", 1)
    return f"{owner}/{rest.rsplit('-', 1)[0]}"


def with_mirrors(mirrors: Path, instances: tuple[str, ...] = DEV_INSTANCES) -> tuple[list[str], list[str]]:
    """(instances whose repository has a mirror, repositories without one)."""
    have, missing = [], []
    for instance in instances:
        owner, name = repository(instance).split("/")
        if (mirrors / f"{owner}+{name}").exists() or (mirrors / f"{owner}__{name}").exists():
            have.append(instance)
        elif repository(instance) not in missing:
            missing.append(repository(instance))
    return have, missing


def has_strategy_option() -> bool:
    """Whether `agent swebench run` takes `--strategy`."""
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    text = subprocess.run([str(AGENT), "swebench", "run", "--help"], capture_output=True, text=True, env=env).stdout
    return "--strategy" in text


def command(variant: str, run_id: str, runs_dir: Path, mirrors: Path, instances: list[str], s: Settings) -> list[str]:
    """The `agent swebench run` command line for one variant."""
    cmd = [str(AGENT), "swebench", "run", "--dataset", "lite", "--run-id", run_id, "--runs-dir", str(runs_dir),
           "--mirrors", str(mirrors), "--model", s.model, "--max-steps", str(s.steps), "--workers", "1",
           "-c", f"limits.wall_time={s.wall_time}", "-c", f"model.timeout={max(900, int(s.wall_time))}",
           "-c", f"model.temperature={s.temperature}", "-c", f"limits.cost={s.cost_limit}"]
    if s.max_tokens:
        cmd += ["-c", f"model.max_output_tokens={s.max_tokens}"]
    if s.api_base:
        cmd += ["-c", f"model.api_base={s.api_base}", "-c", "model.api_key=none"]
    if variant != "default":
        cmd += ["--strategy", variant]
    return cmd + instances


def read_run(run_dir: Path, system: str, instances: list[str]) -> list[dict]:
    """Per-instance rows (the same fields as the QuixBugs rows) from a finished `agent swebench run`."""
    results = {}
    with contextlib.suppress(OSError, ValueError):
        results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    resolved = set(results.get("resolved_ids") or [])
    rows = []
    for instance in instances:
        folder = run_dir / "infer" / instance
        outcome: Outcome = read_repo_agent(folder)
        try:
            meta = json.loads((folder / "outcome.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        rows.append({"system": system, "task": instance, "resolved": instance in resolved,
                     "steps": meta.get("steps", outcome.steps),
                     "wall_seconds": round(meta.get("agent_seconds", 0.0), 1),
                     "format_errors": outcome.format_errors, "replies": outcome.replies,
                     "exit_status": meta.get("exit_status") or outcome.exit_status,
                     "diff_size": diff_size(meta.get("model_patch") or ""),
                     "error": meta.get("message", "")[:300] if meta.get("kind") == "error" else outcome.error})
    return rows


def run(variants: list[str], s: Settings, mirrors: Path, artifacts: Path, stamp: str, dry_run: bool,
        log=print) -> list[dict]:
    """Every variant on the dev instances with mirrors; their rows (nothing runs with `dry_run`)."""
    instances, missing = with_mirrors(mirrors)
    if missing:
        log(f"no mirror under {mirrors} for: {', '.join(missing)} (their instances are skipped)")
    if not instances:
        raise SystemExit(f"No development instance has a mirror under {mirrors}; pass --mirrors DIR.")
    strategy = has_strategy_option()
    rows: list[dict] = []
    for variant in variants:
        if variant != "default" and not strategy:
            log(f"skipping variant {variant}: `agent swebench run` has no --strategy option")
            continue
        system = "repo-agent" if variant == "default" else f"repo-agent:{variant}"
        run_id = f"real-{variant}-{stamp}"
        cmd = command(variant, run_id, artifacts / "swebench-runs", mirrors, instances, s)
        log(f"{system}: {' '.join(cmd)}")
        if dry_run:
            continue
        limit = len(instances) * (s.wall_time + 3600)  # inference plus image builds and evaluation per instance
        rc, seconds, killed = run_bounded(cmd, artifacts, dict(os.environ), artifacts / f"swebench-{variant}.log",
                                          limit)
        log(f"{system}: exit {rc} after {seconds:.0f} s{' (stopped by the bench)' if killed else ''}")
        rows += read_run(artifacts / "swebench-runs" / "swebench" / run_id, system, instances)
    return rows
