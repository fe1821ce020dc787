"""Choosing one patch among candidates, and saying why: gate failures dropped, then test score, agreement (group of
equivalent patches), smaller diff, number. `select: tests` drops agreement, `select: vote` the tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from agent.search.patches import SplitPatch

ORDER = {"tests+vote": ("score", "group", "size"), "tests": ("score", "size"), "vote": ("group", "size")}
"""Selection mode -> criteria in order of precedence (the rollout number breaks what is left)."""


@dataclass
class Candidate:
    """One rollout's patch and what selection learnt about it."""

    index: int
    """Rollout number."""
    patch: str
    """The rollout's whole diff (what is handed out when it is chosen)."""
    split: SplitPatch
    """The fix apart from the test files."""
    exit_status: str = ""
    """How the rollout ended."""
    cost: float = 0.0
    """Dollars the rollout spent."""
    gate: str = "no change"
    """The patch gate's verdict: passed, failed or no change."""
    dropped: str = ""
    """Why the candidate is out of the running ("" while it is in)."""
    key: str = ""
    """Normalised form of the fix (equal keys: equivalent patches)."""
    group: list[int] = field(default_factory=list)
    """Rollout numbers of the candidates with the same key, itself included."""
    judged: bool = False
    """Tests and lint were run on it."""
    repro_passed: list[str] = field(default_factory=list)
    """Pooled reproduction tests it makes pass."""
    repro_total: int = 0
    """Pooled reproduction tests it was run against."""
    regressions: list[str] = field(default_factory=list)
    """Existing tests that pass on the base commit and not with it."""
    lint_new: list[str] = field(default_factory=list)
    """Lint errors it introduces."""

    @property
    def label(self) -> str:
        """`#k`."""
        return f"#{self.index}"

    @property
    def eligible(self) -> bool:
        """Still in the running."""
        return not self.dropped

    @property
    def score(self) -> int:
        """Reproduction tests passed minus regressions minus new lint errors."""
        return len(self.repro_passed) - len(self.regressions) - len(self.lint_new)

    @property
    def size(self) -> int:
        """Lines the fix adds and removes."""
        return self.split.size


@dataclass
class Selection:
    """The choice and its explanation."""

    mode: str
    """The selection mode."""
    candidates: list[Candidate]
    """Every candidate, in rollout order."""
    ranking: list[Candidate]
    """Eligible candidates, best first."""
    reason: str
    """Why the first of the ranking was chosen (or why none was)."""

    @property
    def chosen(self) -> Candidate | None:
        """The chosen candidate, if any."""
        return self.ranking[0] if self.ranking else None


def assign_groups(candidates: list[Candidate]) -> None:
    """Group eligible candidates by their normalised key."""
    eligible = [c for c in candidates if c.eligible]
    for candidate in eligible:
        candidate.group = [c.index for c in eligible if c.key == candidate.key]


def sort_key(candidate: Candidate, mode: str) -> tuple:
    """Smaller is better."""
    values = {"score": -candidate.score, "group": -len(candidate.group), "size": candidate.size}
    return (*(values[name] for name in ORDER[mode]), candidate.index)


def select(candidates: list[Candidate], mode: str) -> Selection:
    """Rank the eligible candidates (groups must be assigned) and explain the choice."""
    ranking = sorted((c for c in candidates if c.eligible), key=lambda c: sort_key(c, mode))
    return Selection(mode, candidates, ranking, explain(ranking, mode, len(candidates)))


def explain(ranking: list[Candidate], mode: str, total: int) -> str:
    """Why the first candidate won: against the best candidate that is not equivalent to it, then among its equals."""
    if not ranking:
        return f"No candidate was chosen: none of the {total} passed the patch gate with a change to the code."
    winner = ranking[0]
    if len(ranking) == 1:
        return f"{winner.label} was chosen: the only candidate of {total} that passed the patch gate."
    rival = next((c for c in ranking[1:] if c.key != winner.key), None)
    twins = [c for c in ranking if c.key == winner.key]
    parts = _against(winner, rival, mode) if rival else [f"all {len(ranking)} candidates are equivalent"]
    if len(twins) > 1:
        parts.append(_among(winner, twins))
    return f"{winner.label} was chosen: " + "; ".join(parts) + "."


def _against(winner: Candidate, rival: Candidate, mode: str) -> list[str]:
    ties = []
    for name in ORDER[mode]:
        if _criterion(winner, name) == _criterion(rival, name):
            ties.append(f"tied with {rival.label} on {_describe(name, winner)}")
            continue
        return [*ties, _win(name, winner, rival)]
    return [*ties, f"the lower rollout number decides against {rival.label}"]


def _among(winner: Candidate, twins: list[Candidate]) -> str:
    labels = ", ".join(c.label for c in sorted(twins, key=lambda c: c.index))
    runner_up = twins[1]
    if winner.size < runner_up.size:
        return (f"of the equivalent patches {labels} it has the smallest diff ({_count(winner.size, 'line')} "
                f"changed against {runner_up.size} for {runner_up.label})")
    return f"of the equivalent patches {labels} it has the lowest rollout number"


def _criterion(candidate: Candidate, name: str) -> int:
    return {"score": candidate.score, "group": len(candidate.group), "size": candidate.size}[name]


def _describe(name: str, candidate: Candidate) -> str:
    if name == "score":
        return f"test score ({candidate.score})"
    if name == "group":
        return f"agreement (a group of {len(candidate.group)})"
    return f"diff size ({_count(candidate.size, 'line')})"


def _win(name: str, winner: Candidate, second: Candidate) -> str:
    if name == "score":
        return (f"the best test score, {winner.score} ({score_parts(winner)}) against {second.score} for "
                f"{second.label} ({score_parts(second)})")
    if name == "group":
        members = ", ".join(f"#{i}" for i in winner.group)
        return (f"the largest group of equivalent patches ({members}) against a group of {len(second.group)} "
                f"for {second.label}")
    return f"the smaller diff, {_count(winner.size, 'line')} changed against {second.size} for {second.label}"


def score_parts(candidate: Candidate) -> str:
    """`1/1 reproduction tests passed, 0 regressions, 0 new lint errors`."""
    return (f"{len(candidate.repro_passed)}/{candidate.repro_total} reproduction tests passed, "
            f"{_count(len(candidate.regressions), 'regression')}, "
            f"{_count(len(candidate.lint_new), 'new lint error')}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def group_names(candidates: list[Candidate]) -> dict[str, str]:
    """Key -> a letter (A for the largest group), for tables."""
    sizes = Counter(c.key for c in candidates if c.eligible)
    ordered = sorted(sizes, key=lambda key: (-sizes[key], min(c.index for c in candidates if c.key == key)))
    return {key: chr(ord("A") + i) if i < 26 else f"G{i}" for i, key in enumerate(ordered)}
