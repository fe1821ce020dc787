"""The repair search: rewrites of the suspect code, one-line answers, mutants and execution feedback, each tried
against the tests, until `stop_after` pass, the calls run out or the deadline. Order: agent/search/README.md."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice

from agent.repair_config import RepairConfig
from agent.search.edits import NoChange, apply_edits, named_lines, parse_edits, parse_line_edits, show, show_numbered
from agent.search.evaluate import Trial, Trier
from agent.search.localize import Region
from agent.search.mutate import changed_lines, mutants, statement_lines
from agent.search.selection import Selection, assign_groups, select
from agent.search.whole_file import SYSTEM as FILE_SYSTEM
from agent.search.whole_file import file_prompt, file_region, parse_file
from agent.testing.baseline import TestBaseline
from agent.testing.failures import failure_report, first_error, listing, without_pasted_runs
from core.errors import TimeLimitExceeded
from core.model import Model, Sampling
from core.types import Message
from prompts import render
from workspaces.base import clip_middle


@dataclass
class Attempt:
    """One candidate of the search (a model call's answer, or a mutant) and what became of it."""

    number: int
    """0-based candidate number (model calls and mutants alike)."""
    kind: str
    """`rewrite` (regions given back), `file` (whole file), `line` (one corrected line) or `mutant` (no model)."""
    temperature: float | None
    """Sampling temperature of the call (None for a mutant)."""
    parent: int | None
    """The attempt whose feedback the call answered (None: the opening prompt)."""
    reply: str = ""
    """The model's answer."""
    seconds: float = 0.0
    """Duration of the model call."""
    cost: float = 0.0
    """Dollars of the call."""
    problem: str = ""
    """Why the answer could not be tried ("" when it was)."""
    unreadable: bool = False
    """The answer could not be read as code for the regions shown (a format error)."""
    trial: Trial | None = None
    """The tests' verdict on it."""
    changed: dict[str, str] = field(default_factory=dict, repr=False)
    """The files it changes, path -> new text (not recorded: the diff is)."""

    @property
    def plausible(self) -> bool:
        """It passes every known test and adds no lint error."""
        return self.trial is not None and not self.problem and self.trial.plausible

    @property
    def rank(self) -> tuple:
        """Sort key, best first: plausible, score, tried at all, earlier."""
        score = self.trial.score if self.trial and not self.problem else -10_000
        return (not self.plausible, -score, self.number)

    def summary(self) -> dict:
        """What the trajectory records of the attempt."""
        verdict = self.trial.verdict if self.trial else None
        return {"number": self.number, "kind": self.kind, "temperature": self.temperature, "parent": self.parent,
                "seconds": round(self.seconds, 2), "cost": self.cost, "problem": self.problem,
                "unreadable": self.unreadable,
                "plausible": self.plausible, "key": self.trial.key if self.trial else "",
                "fixed": verdict.fixed if verdict else [], "still_failing": verdict.still_failing if verdict else [],
                "regressions": verdict.regressions if verdict else [],
                "lint_new": self.trial.lint_new if self.trial else [], "diff": self.trial.diff if self.trial else "",
                **({"mutant": self.reply} if self.kind == "mutant" else {})}


@dataclass
class SearchResult:
    """How the search ended."""

    attempts: list[Attempt]
    """Every call, in order."""
    selection: Selection | None
    """The ranking of the candidates that passed (None when none did)."""
    best: Attempt | None
    """The chosen attempt, else the best tried one."""
    reason: str
    """Why it ended as it did, in one sentence."""
    conversation: list[Message] = field(default_factory=list)
    """The opening prompt (for the trajectory)."""
    chosen: Attempt | None = None
    """The chosen attempt, when one passed."""


Recorder = Callable[[Attempt, list[Message]], None]
"""Called after each attempt with the messages of its call and its answer (the trajectory's hook)."""


class RepairSearch:
    """One search over one set of regions, against one baseline, in one workspace."""

    def __init__(self, model: Model, trier: Trier, baseline: TestBaseline, regions: list[Region], issue: str,
                 config: RepairConfig, *, deadline: float | None = None, record: Recorder | None = None,
                 seed: Callable[[int], int | None] = lambda k: None):
        self.model, self.trier, self.baseline, self.regions = model, trier, baseline, regions
        self.config, self.deadline, self.seed = config, deadline, seed
        self.record = record or (lambda attempt, messages: None)
        self.originals = {region.path: trier.original(region.path) for region in regions}
        self.opening = [Message(role="system", content=render("repair_system.j2").strip()),
                        Message(role="user", content=self.prompt(issue))]
        self.line_opening = [self.opening[0], Message(role="user", content=self.prompt(issue, numbered=True))]
        self.file = file_region(regions, self.originals, config.file_lines)
        """The file the whole-file source rewrites (None: no such source, the file is too long)."""
        self.file_opening = [Message(role="system", content=FILE_SYSTEM),
                             Message(role="user", content=file_prompt(self.file, issue, self.report()))] \
            if self.file else []
        self.line_chat: list[Message] = []
        """One-line answers so far, each followed by what became of it: the next one-line call continues this chat
        (a server that caches the prompt's prefix reads only the new turns)."""
        self.attempts: list[Attempt] = []

    def prompt(self, issue: str, numbered: bool = False) -> str:
        """The opening prompt: issue, failing tests' report, suspect code (numbered for one-line answers)."""
        report = self.report()
        if report:
            issue = without_pasted_runs(issue)
        issue, single = clip_middle(issue.strip(), self.config.issue_chars), len(self.regions) == 1
        if numbered:
            return render("repair_lines.j2", issue=issue, report=report, code=show_numbered(self.regions),
                          single=single).strip()
        return render("repair.j2", issue=issue, report=report, code=show(self.regions), single=single,
                      count=len(self.regions), explain=self.config.explain).strip()

    def report(self) -> str:
        """The failing tests' report ("" when no test fails)."""
        before = self.baseline.before
        if before is None or not self.baseline.targets:
            return ""
        return failure_report(before, failing=self.baseline.targets, limit=self.config.report_chars)

    def budget(self, kind: str) -> int:
        """Output tokens of one answer: room for the shown code (or file) rewritten, twice over, within the cap;
        doubled for each earlier answer of this kind cut off inside its code (a stub's body is longer than the stub)."""
        shown = len(self.file.text) if kind == "file" else sum(len(region.text) for region in self.regions)
        cut = sum(a.kind == kind and (a.reply or "").count("```") % 2 for a in self.attempts)
        return min(self.config.max_output_tokens, (2 * shown // 3 + 256) << cut)

    def answered(self, text: str) -> bool:
        """The answer holds as many closed code blocks as there are regions (the stream can stop there)."""
        return text.count("```") // 2 >= len(self.regions)

    @staticmethod
    def one_line(text: str) -> bool:
        """A `LINE n: ...` answer has ended."""
        return bool(re.search(r"LINE\s+\d+\s*:[^\n]*\n", text))

    def run(self) -> SearchResult:
        """Search until enough candidates pass, the calls are spent, or the deadline (a model call still running then
        is abandoned; what was tried before it stands)."""
        aiming, calls, mutated = bool(self.baseline.targets), 0, False
        while calls < self.config.samples and not self.finished(aiming):
            if not mutated and calls == self.config.first_round + self.config.line_samples:
                mutated = True
                if aiming and self.baseline.strict:
                    self.mutate()
                continue
            try:
                self.attempts.append(self.attempt(len(self.attempts), calls))
            except TimeLimitExceeded:
                break
            calls += 1
        return self.result(aiming)

    def finished(self, aiming: bool) -> bool:
        """The deadline has passed, or enough candidates pass."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return True
        return aiming and sum(self.accepted(a) for a in self.attempts) >= self.config.stop_after

    def attempt(self, number: int, call: int) -> Attempt:
        """Model call `call` (a rewrite, fresh or after feedback, a whole file, or a line), then its trial."""
        temps = self.config.temperatures or [0.0]
        kind, parent = self.plan(call)
        temperature = temps[min(call, len(temps) - 1)] if kind != "line" else max(temps)
        attempt = Attempt(number, kind, temperature, parent.number if parent else None)
        messages = {"line": [*self.line_opening, *self.line_chat], "file": list(self.file_opening)}.get(
            kind, list(self.opening))
        if parent is not None:
            messages += [Message(role="assistant", content=parent.reply),
                         Message(role="user", content=self.feedback(parent))]
        started, cost_before = time.monotonic(), self.model.cost
        sampling = Sampling(temperature, seed=self.seed(call) if temperature else None)
        if kind == "line":
            reply = self.model.complete(messages, sampling=sampling, deadline=self.deadline, max_tokens=96,
                                        until=self.one_line)
        else:
            reply = self.model.complete(messages, sampling=sampling, deadline=self.deadline,
                                        max_tokens=self.budget(kind), until=self.answered)
        attempt.seconds, attempt.cost, attempt.reply = time.monotonic() - started, self.model.cost - cost_before, \
            reply.content
        self.judge(attempt)
        self.record(attempt, messages[2:] + [reply])
        if kind == "line":
            self.continue_lines(attempt, reply)
        return attempt

    def continue_lines(self, attempt: Attempt, reply: Message) -> None:
        """The next one-line call continues the chat with what became of this answer; after an answer given before,
        it starts afresh (a small model shown its own answer tends to repeat it)."""
        before = [a.reply.strip() for a in self.attempts if a.kind == "line" and a is not attempt]
        if attempt.reply.strip() in before:
            self.line_chat = []
        else:
            self.line_chat += [reply, Message(role="user", content=line_feedback(attempt))]

    def mutate(self) -> None:
        """Try up to `repair.mutants` mutants of the suspect lines, in half the time left, until enough pass."""
        until = None if self.deadline is None else time.monotonic() + (self.deadline - time.monotonic()) / 2
        candidates = (m for tier in self.suspects() for path in dict.fromkeys(p for p, _ in tier)
                      for m in mutants(path, self.originals[path], [n for p, n in tier if p == path]))
        for mutant in islice(candidates, self.config.mutants):
            if self.finished(True) or (until and time.monotonic() >= until):
                return
            started = time.monotonic()
            attempt = Attempt(len(self.attempts), "mutant", None, None,
                              reply=f"{mutant.path}:{mutant.line}: {mutant.what}")
            attempt.changed = {mutant.path: mutant.text}
            attempt.trial = self.trier.trial(attempt.changed)
            attempt.problem, attempt.seconds = attempt.trial.problem, time.monotonic() - started
            self.attempts.append(attempt)
            self.record(attempt, [])

    def suspects(self) -> list[list[tuple[str, int]]]:
        """Python lines to mutate in tiers, each fully tried before the next: those one-line answers named (most often
        named first), those rewrites changed or next to a named one, then every other line shown."""
        said = Counter((r.path, n) for a in self.attempts if a.kind == "line"
                       for r, n, _ in named_lines(a.reply, self.regions))
        said_order = [place for place, _ in said.most_common()]
        named = [(path, n) for path in dict.fromkeys(p for p, _ in said_order)
                 for n in statement_lines(self.originals[path], [m for p, m in said_order if p == path])]
        touched = [(path, n) for a in self.attempts if a.kind in ("rewrite", "file")
                   for path, text in a.changed.items() for n in changed_lines(self.originals[path], text)]
        near = [(path, n + d) for path, n in named for d in (1, -1)]
        tiers = [[(p, n) for p, n in dict.fromkeys(lines) if p.endswith(".py")] for lines in (named, touched + near)]
        tiers[1] = [place for place in tiers[1] if place not in tiers[0]]
        placed = {*tiers[0], *tiers[1]}
        rest = [(r.path, n) for r in self.regions if r.path.endswith(".py") for n in range(r.start, r.end + 1)
                if (r.path, n) not in placed]
        return [*tiers, rest]

    def plan(self, call: int) -> tuple[str, Attempt | None]:
        """(kind, parent) of model call `call`: the first round, the one-line answers, then alternately feedback on the
        best failed rewrite not yet stale and a fresh sample (whole-file and region rewrites in turn; a whole file
        costs more than the mutants, so it waits for them)."""
        first, lines = self.config.first_round, self.config.line_samples
        if call < first:
            return "rewrite", None
        if call < first + lines:
            return "line", None
        later = call - first - lines
        failed = [a for a in self.attempts
                  if a.kind in ("rewrite", "file") and not a.plausible and not self.stale(a) and not self.duplicate(a)]
        if not self.config.feedback or later % 2 or not failed:
            fresh = later // 2 if self.config.feedback else later
            return ("file" if self.file and fresh % 2 == 0 else "rewrite"), None
        parent = min(failed, key=lambda a: a.rank)
        return parent.kind, parent

    def stale(self, parent: Attempt) -> bool:
        """Feedback on `parent` brought back nothing new (small models repeat): the next best gets it instead."""
        return any(child.parent == parent.number and (child.trial is None or self.duplicate(child))
                   for child in self.attempts)

    def duplicate(self, attempt: Attempt) -> bool:
        """`attempt` is equivalent to an earlier candidate."""
        return attempt.trial is not None and any(other.trial is not None and other.trial.key == attempt.trial.key
                                                 for other in self.attempts[:attempt.number])

    def judge(self, attempt: Attempt) -> None:
        """Parse, apply and try the answer; the first thing that goes wrong is its problem."""
        parse = {"line": parse_line_edits, "file": lambda reply, _: parse_file(reply, self.file)}.get(attempt.kind,
                                                                                                    parse_edits)
        try:
            changed = apply_edits(self.originals, parse(attempt.reply, self.regions))
        except ValueError as exc:
            attempt.problem, attempt.unreadable = str(exc), not isinstance(exc, NoChange)
            return
        if not changed:
            attempt.problem = "the code you gave back changes nothing: change the code that causes the failure"
            return
        attempt.changed = changed
        attempt.trial = self.trier.trial(changed)
        attempt.problem = attempt.trial.problem

    def feedback(self, parent: Attempt) -> str:
        """What the model is told about `parent`."""
        if parent.problem:
            return render("repair_feedback.j2", problem=parent.problem, summary="", report="").strip()
        verdict = parent.trial.verdict
        parts = []
        if verdict.still_failing:
            parts.append("The tests still fail." if not verdict.fixed else
                         f"Some tests pass now ({listing(verdict.fixed, 3)}), but not all.")
        if verdict.regressions:
            parts.append(f"It breaks tests that passed before: {listing(verdict.regressions, 4)}.")
        if parent.trial.lint_new:
            parts.append(f"It adds lint errors: {'; '.join(parent.trial.lint_new[:3])}.")
        report = failure_report(verdict.run, failing=verdict.still_failing + verdict.regressions,
                                limit=self.config.report_chars)
        return render("repair_feedback.j2", problem="", summary=" ".join(parts), report=report).strip()

    def result(self, aiming: bool) -> SearchResult:
        """Choose among the accepted attempts; say why the search ended as it did. Against a written test or none
        (a weaker specification: the issue may change pinned-down behaviour), candidates breaking at most a tenth of
        the guards count too, and if none passes, agreement among those decides."""
        passing = [a for a in self.attempts if self.accepted(a)]
        if not passing and not self.baseline.strict:
            passing = [a for a in self.attempts if self.tolerable(a)]
        tried = [a for a in self.attempts if a.trial is not None and not a.problem]
        if not passing:
            best = min(tried, key=lambda a: a.rank) if tried else None
            what = (f"the best, #{best.number}, fixed {len(best.trial.verdict.fixed)} of "
                    f"{len(self.baseline.targets)} failing tests" if best and aiming else "none could be tried")
            reason = f"No candidate of {len(self.attempts)} passed every known test; {what}."
            return SearchResult(self.attempts, None, best, reason, self.opening)
        selection = choose(passing, len(self.baseline.targets))
        best = next(a for a in passing if a.number == selection.chosen.index)
        reason = selection.reason if len(passing) > 1 else (
            f"#{best.number} passed every known test ({len(best.trial.verdict.fixed)} failing test(s) fixed, "
            f"{len(self.baseline.guards)} passing kept) after {len(self.attempts)} candidate(s).")
        return SearchResult(self.attempts, selection, best, reason, self.opening, chosen=best)

    def accepted(self, attempt: Attempt) -> bool:
        """Every target passes, and the guards hold (strictly for tests the issue names or that fail now)."""
        if attempt.plausible:
            return True
        return not self.baseline.strict and self.tolerable(attempt) and not attempt.trial.verdict.still_failing

    def tolerable(self, attempt: Attempt) -> bool:
        """Without a failing test to aim at: tried, lint clean, and breaking at most a tenth of the passing tests."""
        trial = attempt.trial
        if trial is None or attempt.problem or trial.verdict is None or trial.lint_new:
            return False
        return len(trial.verdict.regressions) <= max(2, len(self.baseline.guards) // 10)


def line_feedback(attempt: Attempt) -> str:
    """What the model hears after a one-line answer, before it is asked for another."""
    ask = "Which line is wrong? Answer in the same form: LINE <number>: <the corrected line>"
    if attempt.unreadable:
        return f"That is not of the form asked for. {ask}"
    if attempt.trial is None:
        return f"That line is already written that way, so the bug is elsewhere. {ask}"
    if attempt.trial.problem:
        return f"That line does not parse. {ask}"
    verdict = attempt.trial.verdict
    why = first_error(verdict.run) if verdict and verdict.still_failing else "other tests break"
    return f"With that change the tests still fail ({why}). {ask}"


def choose(passing: list[Attempt], targets: int) -> Selection:
    """Rank the passing attempts: tests, then agreement, then the smaller diff (agent/search/selection.py)."""
    candidates = [attempt.trial.candidate(attempt.number, targets) for attempt in passing]
    assign_groups(candidates)
    return select(candidates, "tests+vote")
