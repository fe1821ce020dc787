"""pass@k (unbiased, Chen et al. 2021) and selected@1 (share of instances whose chosen sample is right)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one problem with `n` samples of which `c` are right: 1 - C(n-c, k) / C(n, k)."""
    if not 0 <= c <= n:
        raise ValueError(f"c must be between 0 and n={n}, got {c}")
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and n={n}, got {k}")
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)  # exact integers; C(n-c, k) is 0 when k > n-c


@dataclass(frozen=True)
class SampledOutcome:
    """What is known of one instance solved with several samples."""

    instance_id: str
    """The instance (or issue) id."""
    resolved: Sequence[bool]
    """Per sample, in rollout order: whether its patch resolved the instance."""
    selected: int | None = None
    """Index of the sample that selection chose; None when none was chosen."""

    @property
    def selected_resolved(self) -> bool:
        """Whether the chosen sample resolved the instance (False when nothing was chosen)."""
        return self.selected is not None and bool(self.resolved[self.selected])


def mean_pass_at_k(outcomes: Iterable[SampledOutcome], k: int) -> float:
    """pass@k averaged over instances (each with at least k samples); 0.0 for no instances."""
    values = [pass_at_k(len(o.resolved), sum(map(bool, o.resolved)), k) for o in outcomes]
    return sum(values) / len(values) if values else 0.0


def selected_at_1(outcomes: Iterable[SampledOutcome]) -> float:
    """Share of instances whose chosen sample resolved them; 0.0 for no instances."""
    values = [o.selected_resolved for o in outcomes]
    return sum(values) / len(values) if values else 0.0


def sampling_metrics(outcomes: Sequence[SampledOutcome]) -> dict[str, float | int]:
    """`pass@1` .. `pass@n` (n the fewest samples of any instance), `selected@1`, and the instance count."""
    if not outcomes:
        return {"instances": 0}
    n = min(len(o.resolved) for o in outcomes)
    metrics: dict[str, float | int] = {"instances": len(outcomes), "samples": n}
    for k in range(1, n + 1):
        metrics[f"pass@{k}"] = mean_pass_at_k(outcomes, k)
    metrics["selected@1"] = selected_at_1(outcomes)
    return metrics
