"""pass@k against brute-force counting, and the sampling report."""

from __future__ import annotations

import itertools
import math

import pytest

from agent.search.passk import SampledOutcome, mean_pass_at_k, pass_at_k, sampling_metrics, selected_at_1


def brute_force(n: int, c: int, k: int) -> float:
    """Share of the k-subsets of n samples (c of them right) that hold a right one."""
    samples = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    return sum(any(samples[i] for i in subset) for subset in subsets) / len(subsets)


@pytest.mark.parametrize(("n", "c", "k"), [(1, 0, 1), (1, 1, 1), (5, 2, 1), (5, 2, 2), (5, 2, 4), (6, 1, 3),
                                           (8, 0, 8), (8, 3, 6), (10, 9, 2)])
def test_matches_counting_subsets(n: int, c: int, k: int) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(brute_force(n, c, k))


def test_pass_at_1_is_the_share_right_and_large_n_stays_exact() -> None:
    assert pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert pass_at_k(5, 2, 2) == pytest.approx(0.7)
    assert pass_at_k(200, 13, 10) == pytest.approx(1 - math.comb(187, 10) / math.comb(200, 10))


def test_impossible_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="k must be"):
        pass_at_k(3, 1, 4)
    with pytest.raises(ValueError, match="c must be"):
        pass_at_k(3, 4, 1)


def test_selected_at_1_shows_the_gap_to_pass_at_k() -> None:
    outcomes = [
        SampledOutcome("a", [True, False, True, False], selected=0),   # right one generated and chosen
        SampledOutcome("b", [False, True, False, False], selected=2),  # generated, but a wrong one chosen
        SampledOutcome("c", [False, False, False, False], selected=None),
    ]
    metrics = sampling_metrics(outcomes)
    assert metrics["instances"] == 3 and metrics["samples"] == 4
    assert metrics["pass@1"] == pytest.approx((0.5 + 0.25 + 0) / 3)
    assert metrics["pass@4"] == pytest.approx(2 / 3)
    assert metrics["selected@1"] == pytest.approx(1 / 3) == selected_at_1(outcomes)
    assert mean_pass_at_k(outcomes, 2) == metrics["pass@2"]
    assert sampling_metrics([]) == {"instances": 0}
