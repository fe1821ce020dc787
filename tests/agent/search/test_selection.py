"""Ranking candidates: tests first, then agreement, then size; and the words that explain it."""

from __future__ import annotations

from agent.search.patches import SplitPatch
from agent.search.report import table_rows, verdict
from agent.search.selection import Candidate, assign_groups, select


def candidate(index: int, key: str, size: int, passed: int = 0, regressions: int = 0, lint: int = 0,
              gate: str = "passed") -> Candidate:
    split = SplitPatch(source="diff --git a/x b/x\n" if gate != "no change" else "", tests="", source_files=("x",),
                       test_files=(), size=size)
    made = Candidate(index, split.source, split, "Submitted", 0.01, gate, key=key, judged=True,
                     repro_passed=[f"t{i}" for i in range(passed)], repro_total=2,
                     regressions=[f"r{i}" for i in range(regressions)], lint_new=[f"l{i}" for i in range(lint)])
    return made


def choose(candidates: list[Candidate], mode: str = "tests+vote"):
    for made in candidates:
        if made.gate != "passed":  # as the evaluator drops them: nothing changed, or a check failed
            made.dropped = "no change" if made.gate == "no change" else f"patch gate {made.gate}"
    assign_groups(candidates)
    return select(candidates, mode)


def test_ties_on_tests_are_broken_by_agreement_then_by_size() -> None:
    candidates = [candidate(0, "lonely", 1, passed=1), candidate(1, "shared", 9, passed=1),
                  candidate(2, "shared", 5, passed=1), candidate(3, "worse", 1, passed=0)]
    selection = choose(candidates)
    assert [c.index for c in selection.ranking] == [2, 1, 0, 3]
    assert selection.reason == ("#2 was chosen: tied with #0 on test score (1); the largest group of equivalent "
                                "patches (#1, #2) against a group of 1 for #0; of the equivalent patches #1, #2 it "
                                "has the smallest diff (5 lines changed against 9 for #1).")
    assert verdict(candidates[0], selection.chosen, "tests+vote") == "smaller group (1 vs 2)"
    assert verdict(candidates[3], selection.chosen, "tests+vote") == "lower test score (0 vs 1)"


def test_agreement_beats_a_smaller_diff_but_not_a_better_score() -> None:
    pair = [candidate(0, "a", 3), candidate(1, "a", 3), candidate(2, "b", 1)]
    selection = choose(pair)
    assert selection.chosen.index == 0
    assert selection.reason == ("#0 was chosen: tied with #2 on test score (0); the largest group of equivalent "
                                "patches (#0, #1) against a group of 1 for #2; of the equivalent patches #0, #1 it "
                                "has the lowest rollout number.")
    assert verdict(pair[1], selection.chosen, "tests+vote") == "equivalent to #0, higher rollout number"
    better = [candidate(0, "a", 3), candidate(1, "a", 3), candidate(2, "b", 1, passed=1)]
    selection = choose(better)
    assert selection.chosen.index == 2
    assert selection.reason.startswith("#2 was chosen: the best test score, 1 (1/2 reproduction tests passed, "
                                       "0 regressions, 0 new lint errors) against 0 for #0")


def test_regressions_and_lint_count_against() -> None:
    candidates = [candidate(0, "a", 1, passed=2, regressions=1), candidate(1, "b", 1, passed=2, lint=2),
                  candidate(2, "c", 4, passed=1)]
    selection = choose(candidates)
    assert [c.score for c in candidates] == [1, 0, 1]
    assert selection.chosen.index == 0
    assert selection.reason == ("#0 was chosen: tied with #2 on test score (1); tied with #2 on agreement (a group "
                                "of 1); the smaller diff, 1 line changed against 4 for #2.")
    everyone = choose([candidate(0, "a", 4), candidate(1, "a", 2)])
    assert everyone.reason == ("#1 was chosen: all 2 candidates are equivalent; of the equivalent patches #0, #1 it "
                               "has the smallest diff (2 lines changed against 4 for #0).")
    assert verdict(candidates[1], selection.chosen, "tests+vote") == "lower test score (0 vs 1): lint l0, l1"


def test_modes_leave_out_what_they_do_not_use() -> None:
    def fresh() -> list[Candidate]:
        return [candidate(0, "a", 2, passed=0), candidate(1, "a", 2, passed=0), candidate(2, "b", 3, passed=1)]

    assert choose(fresh(), "tests+vote").chosen.index == 2
    assert choose(fresh(), "vote").chosen.index == 0
    only_tests = [candidate(0, "a", 4, passed=1), candidate(1, "a", 4, passed=1), candidate(2, "b", 2, passed=1)]
    assert choose(only_tests, "tests").chosen.index == 2  # the group of two does not count


def test_gate_failures_are_dropped_and_named() -> None:
    candidates = [candidate(0, "a", 2, gate="failed"), candidate(1, "", 0, gate="no change"),
                  candidate(2, "b", 2, passed=1)]
    selection = choose(candidates)
    assert selection.chosen.index == 2
    assert selection.reason == "#2 was chosen: the only candidate of 3 that passed the patch gate."
    rows = table_rows(selection)
    assert rows[0][-1] == "dropped: patch gate failed" and rows[1][-1] == "dropped: no change"
    assert rows[0][3] == "-" and rows[2][3] == "1/2" and rows[2][7] == "A (1)"
    nothing = choose([candidate(0, "", 0, gate="no change")])
    assert nothing.chosen is None and nothing.reason.startswith("No candidate was chosen")
