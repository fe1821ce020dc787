"""Finding blocks of lines despite whitespace drift, and explaining near misses."""

from __future__ import annotations

from tools.fuzzy import BlockMatch, closest_region, common_indent, find_all, find_block, first_difference

FILE = [
    "class A:",
    "    def f(self):",
    "        x = 1",
    "        return x",
    "",
    "    def g(self):",
    "        x = 1",
    "        return x + 1",
]


def test_common_indent() -> None:
    assert common_indent(["    a", "      b", "", "    c"]) == "    "
    assert common_indent(["\tx", "\t\ty"]) == "\t"
    assert common_indent(["a", "  b"]) == ""
    assert common_indent(["", "  "]) == ""


def test_exact_and_rstrip_modes() -> None:
    assert find_all(FILE, ["        x = 1", "        return x"], "exact") == [BlockMatch(2, 4, "exact")]
    assert find_all(FILE, ["        x = 1  ", "        return x"], "exact") == []
    assert find_all(FILE, ["        x = 1  ", "        return x"], "rstrip") == [BlockMatch(2, 4, "rstrip")]


def test_indent_mode_requires_the_same_structure() -> None:
    [match] = find_all(FILE, ["def g(self):", "    x = 1"], "indent")
    assert (match.start, match.end, match.file_indent, match.block_indent) == (5, 7, "    ", "")
    assert find_all(FILE, ["def g(self):", "x = 1"], "indent") == []


def test_find_block_stops_at_the_strictest_level_that_matches() -> None:
    matches = find_block(FILE, ["x = 1"])
    assert [m.start for m in matches] == [2, 6]
    assert {m.mode for m in matches} == {"indent"}
    assert find_block(FILE, ["        x = 1"])[0].mode == "exact"
    assert find_block(FILE, ["nothing like it"]) == []
    assert find_block(FILE, []) == []
    assert find_block(["a"], ["a", "b"]) == []


def test_adapt_moves_new_lines_to_the_file_indentation() -> None:
    match = BlockMatch(5, 7, "indent", file_indent="    ", block_indent="")
    assert match.adapt(["def g(self):", "    y = 2", "", "    return y"]) == [
        "    def g(self):", "        y = 2", "", "        return y"]
    deeper = BlockMatch(0, 1, "indent", file_indent="\t", block_indent="        ")
    assert deeper.adapt(["        a", "            b", "c"]) == ["\ta", "\t    b", "\tc"]
    assert BlockMatch(0, 1, "exact").adapt(["  keep"]) == ["  keep"]


def test_closest_region_by_votes() -> None:
    assert closest_region(FILE, ["    def g(self):", "        x = 2", "        return x + 1"]) == (5, 8)


def test_closest_region_by_similarity_when_no_line_matches() -> None:
    region = closest_region(FILE, ["    def gg(self) :"])
    assert region == (5, 6)
    assert closest_region(FILE, ["completely unrelated text here"]) is None


def test_closest_region_is_clamped_to_the_file() -> None:
    start, end = closest_region(FILE, ["zzz", "zzz", "class A:"])
    assert start == 0 and end <= len(FILE)


def test_first_difference() -> None:
    assert first_difference(FILE, ["    def g(self):", "        x = 2"], 5) == (
        "line 7 is '        x = 1', you expected '        x = 2'")
    assert "the file ends before line 9" in first_difference(FILE, ["        return x + 1", "more"], 7)
    assert "not consistent" in first_difference(FILE, ["def g(self):", "x = 1"], 5)
