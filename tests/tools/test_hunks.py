"""Placing hunks: offsets carry over, insertions, order, end-of-file flags, refusal to guess."""

from __future__ import annotations

import pytest
from unidiff import PatchSet

from tools.hunks import Hunk, HunkFailed, hunk_from_unidiff, place_hunks

LINES = [f"line {i}" for i in range(1, 41)]


def change(start: int, old: str, new: str, before: str | None = None, after: str | None = None) -> Hunk:
    lines = [(" ", before)] if before else []
    lines += [("-", old), ("+", new)]
    lines += [(" ", after)] if after else []
    return Hunk(header=f"@@ -{start} @@", source_start=start, lines=lines)


def test_in_place_hunks_apply_without_notes() -> None:
    result, notes, touches_end = place_hunks(LINES, [change(2, "line 3", "THREE", "line 2", "line 4")])
    assert result[2] == "THREE" and len(result) == 40
    assert notes == [] and touches_end is False


def test_offset_of_one_hunk_carries_to_the_next() -> None:
    hunks = [change(12, "line 3", "THREE", "line 2", "line 4"), change(30, "line 21", "X", "line 20", "line 22")]
    result, notes, _ = place_hunks(LINES, hunks)
    assert result[2] == "THREE" and result[20] == "X"
    assert notes == ["hunk 1 (@@ -12 @@): 10 lines above its stated position"]


def test_nearest_of_several_identical_places_wins() -> None:
    lines = ["x", "pass", "x", "pass", "x", "pass"]
    result, _, _ = place_hunks(lines, [Hunk("@@", 5, [(" ", "x"), ("-", "pass"), ("+", "done")])])
    assert result == ["x", "pass", "x", "pass", "x", "done"]


def test_hunks_stay_in_order() -> None:
    lines = ["a", "b", "a", "b"]
    hunks = [Hunk("@@", 3, [("-", "a"), ("+", "A")]), Hunk("@@", 1, [("-", "b"), ("+", "B")])]
    assert place_hunks(lines, hunks)[0] == ["a", "b", "A", "B"]


def test_pure_insertions_at_top_middle_and_end() -> None:
    top = Hunk("@@", 0, [("+", "first")])
    middle = Hunk("@@", 20, [("+", "after 20")])
    end = Hunk("@@", 40, [("+", "last")])
    result, _, touches_end = place_hunks(LINES, [top, middle, end])
    assert result[0] == "first" and result[21] == "after 20" and result[-1] == "last"
    assert touches_end is True
    assert place_hunks([], [Hunk("@@", 0, [("+", "new")])])[0] == ["new"]


def test_failure_names_the_hunk_and_the_closest_place() -> None:
    with pytest.raises(HunkFailed) as info:
        place_hunks(LINES, [change(1, "line 1", "ONE"), change(5, "line 6 typo", "SIX", "line 5", "line 7")])
    message = str(info.value)
    assert message.startswith("hunk 2 (@@ -5 @@) could not be placed")
    assert "after line 1" in message
    assert "line 6 is 'line 6', you expected 'line 6 typo'" in message


def test_fuzz_ignores_wrong_edge_context_but_keeps_some() -> None:
    wrong_edge = Hunk("@@", 1, [(" ", "no such line"), (" ", "line 8"), ("-", "line 9"), ("+", "NINE")])
    result, notes, _ = place_hunks(LINES, [wrong_edge])
    assert result[8] == "NINE" and "ignored 1 context line(s)" in notes[0]
    # Dropping the only context line would leave "line 9" alone, which could be anywhere: refused.
    lonely = Hunk("@@", 1, [(" ", "no such line"), ("-", "line 9"), ("+", "NINE")])
    with pytest.raises(HunkFailed):
        place_hunks(LINES, [lonely])


def test_fuzz_refuses_ambiguous_places() -> None:
    lines = ["a", "x", "b", "c", "x", "b"]
    hunk = Hunk("@@", 1, [(" ", "wrong"), (" ", "x"), ("-", "b"), ("+", "B")])
    with pytest.raises(HunkFailed):
        place_hunks(lines, [hunk])


def test_no_newline_markers_from_unidiff() -> None:
    patch = PatchSet("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n")
    hunk = hunk_from_unidiff(patch[0][0])
    assert hunk.lines == [(" ", "a"), ("-", "b"), ("+", "c")]
    assert hunk.old_no_newline and not hunk.new_no_newline
    assert hunk.sides() == (["a", "b"], ["a", "c"])
