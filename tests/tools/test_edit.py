"""`edit`, `insert` and `create` on real workspaces: uniqueness, drift tolerance, syntax gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.edit import create, edit, insert
from tools.function_tool import FunctionTool

SHAPES = (
    "class Shape:\n"
    "    def area(self):\n"
    "        if self.kind == 'square':\n"
    "            return self.side ** 2\n"
    "        return 0\n"
    "\n"
    "    def name(self):\n"
    "        return 'shape'\n"
    "\n"
    "    def label(self):\n"
    "        return 'shape'\n"
)


@pytest.fixture
def ws(open_ws):
    return open_ws({"shapes.py": SHAPES, "notes.md": "alpha\n"})


EDIT, INSERT, CREATE = FunctionTool(edit), FunctionTool(insert), FunctionTool(create)


def text(ws, path: str = "shapes.py") -> str:
    return Path(ws.root, path).read_text()


def test_unique_exact_match_is_replaced_and_shown(calc_ws) -> None:
    out = EDIT(calc_ws, path="calc.py", old_text="return a - b", new_text="return a + b")
    assert not out.error
    assert out.output.startswith("Edited calc.py. Line 3 now:")
    assert "   3\t    return a + b" in out.output
    assert "return a + b" in calc_ws.diff()


def test_ambiguous_match_lists_line_numbers_and_changes_nothing(ws) -> None:
    out = EDIT(ws, path="shapes.py", old_text="return 'shape'", new_text="return 'x'")
    assert out.error
    assert "occurs 2 times" in out.output and "lines 8, 11" in out.output
    assert text(ws) == SHAPES


def test_missing_text_shows_the_closest_region(ws) -> None:
    out = EDIT(ws, path="shapes.py", old_text="    def name(self):\n        return 'circle'\n", new_text="x")
    assert out.error
    assert "not found in shapes.py" in out.output
    assert "lines 7-8" in out.output and "   8\t        return 'shape'" in out.output
    assert "line 8 is" in out.output and "'circle'" in out.output
    assert text(ws) == SHAPES


def test_nothing_similar_says_so(ws) -> None:
    out = EDIT(ws, path="shapes.py", old_text="zzzz qqqq", new_text="x")
    assert out.error and "nothing there resembles it" in out.output


def test_trailing_whitespace_drift_is_tolerated(ws) -> None:
    out = EDIT(ws, path="shapes.py", old_text="    def name(self):   \n        return 'shape'  \n",
               new_text="    def name(self):\n        return 'named'\n")
    assert not out.error, out.output
    assert "ignoring trailing whitespace" in out.output
    assert text(ws) == SHAPES.replace("'shape'\n\n    def label", "'named'\n\n    def label")


def test_indentation_drift_is_tolerated_and_new_text_reindented(ws) -> None:
    old = "if self.kind == 'square':\n    return self.side ** 2\n"
    new = "if self.kind == 'square':\n    return self.side * self.side\nif self.kind == 'circle':\n    return 3\n"
    out = EDIT(ws, path="shapes.py", old_text=old, new_text=new)
    assert not out.error, out.output
    assert "re-indented" in out.output
    assert (
        "        if self.kind == 'square':\n"
        "            return self.side * self.side\n"
        "        if self.kind == 'circle':\n"
        "            return 3\n"
        "        return 0\n"
    ) in text(ws)


def test_inconsistent_indentation_is_not_matched(ws) -> None:
    # The body is indented relative to the `if` in the file, but not in old_text.
    out = EDIT(ws, path="shapes.py", old_text="if self.kind == 'square':\nreturn self.side ** 2\n", new_text="x")
    assert out.error and text(ws) == SHAPES


def test_line_numbers_copied_from_view_are_removed(ws) -> None:
    out = EDIT(ws, path="shapes.py", old_text="   5\t        return 0", new_text="   5\t        return -1")
    assert not out.error, out.output
    assert "line numbers removed" in out.output
    assert "        return -1\n" in text(ws)


def test_syntax_error_is_rejected_with_the_file_unchanged(ws) -> None:
    out = EDIT(ws, path="shapes.py", old_text="return 0", new_text="return (0")
    assert out.error
    assert "syntax error in shapes.py; the file is unchanged" in out.output
    assert "shapes.py:5:" in out.output and "^" in out.output
    assert text(ws) == SHAPES


def test_already_broken_file_can_still_be_edited(open_ws) -> None:
    ws = open_ws({"broken.py": "def f(:\n    pass\n\nX = 1\n"})
    out = EDIT(ws, path="broken.py", old_text="X = 1", new_text="X = 2")
    assert not out.error, out.output
    assert text(ws, "broken.py").endswith("X = 2\n")


def test_syntax_check_can_be_switched_off(ws) -> None:
    lenient = FunctionTool(edit, settings={"check_syntax": False})
    assert not lenient(ws, path="shapes.py", old_text="return 0", new_text="return (0").error


def test_crlf_files_stay_crlf(open_ws) -> None:
    ws = open_ws({"win.py": "a = 1\n"})
    Path(ws.root, "win.py").write_bytes(b"a = 1\r\nb = 2\r\n")
    out = EDIT(ws, path="win.py", old_text="a = 1\nb = 2\n", new_text="a = 1\nb = 3\n")
    assert not out.error, out.output
    assert Path(ws.root, "win.py").read_bytes() == b"a = 1\r\nb = 3\r\n"


def test_degenerate_edits_are_refused(ws) -> None:
    assert "old_text is empty" in EDIT(ws, path="shapes.py", old_text="  ", new_text="x").output
    assert "the same" in EDIT(ws, path="shapes.py", old_text="return 0", new_text="return 0").output
    assert "does not exist" in EDIT(ws, path="nope.py", old_text="a", new_text="b").output
    assert "is a directory" in EDIT(ws, path=".", old_text="a", new_text="b").output


def test_deleting_text_with_empty_new_text(ws) -> None:
    out = EDIT(ws, path="shapes.py", old_text="\n    def label(self):\n        return 'shape'\n", new_text="")
    assert not out.error, out.output
    assert text(ws) == SHAPES.split("\n    def label")[0]


def test_insert_at_top_middle_and_end(ws) -> None:
    assert not INSERT(ws, path="notes.md", line=0, text="top").error
    assert not INSERT(ws, path="notes.md", line=1, text="after top\n").error
    out = INSERT(ws, path="notes.md", line=-1, text="end")
    assert not out.error
    assert text(ws, "notes.md") == "top\nafter top\nalpha\nend\n"
    assert "   4\tend" in out.output


def test_insert_out_of_range_and_syntax_error(ws) -> None:
    out = INSERT(ws, path="notes.md", line=5, text="x")
    assert out.error and "has 1 lines" in out.output
    out = INSERT(ws, path="shapes.py", line=1, text="    def broken(:\n")
    assert out.error and "syntax error" in out.output and text(ws) == SHAPES
    assert INSERT(ws, path="notes.md", line=0, text="").error


def test_create_makes_directories_and_ends_with_a_newline(ws) -> None:
    out = CREATE(ws, path="pkg/sub/new.py", content="VALUE = 1")
    assert out.output == "Created pkg/sub/new.py (1 line)."
    assert text(ws, "pkg/sub/new.py") == "VALUE = 1\n"
    assert "pkg/sub/new.py" in ws.diff()


def test_create_refuses_to_overwrite_unless_asked(ws) -> None:
    out = CREATE(ws, path="notes.md", content="beta")
    assert out.error and "already exists" in out.output and "overwrite=true" in out.output
    assert text(ws, "notes.md") == "alpha\n"
    assert CREATE(ws, path="notes.md", content="beta\n", overwrite=True).output == "Overwrote notes.md (1 line)."
    assert text(ws, "notes.md") == "beta\n"


def test_create_refuses_a_directory_and_syntax_errors(ws) -> None:
    assert "is a directory" in CREATE(ws, path=".", content="x").output
    out = CREATE(ws, path="bad.py", content="def f(:\n")
    assert out.error and "syntax error" in out.output
    assert not Path(ws.root, "bad.py").exists()


def test_part_of_a_line_can_be_replaced(ws) -> None:
    out = EDIT(ws, path="shapes.py", old_text="self.side ** 2", new_text="self.side * self.side")
    assert not out.error
    assert "            return self.side * self.side\n" in text(ws)


def test_ambiguous_drifted_match_lists_both_places(ws) -> None:
    out = EDIT(ws, path="shapes.py", old_text="  return 'shape'  \n", new_text="return 'other'\n")
    assert out.error
    assert "matches 2 places" in out.output and "at lines 8, 11" in out.output
    assert text(ws) == SHAPES


def test_insert_keeps_crlf_and_a_missing_final_newline(open_ws) -> None:
    ws = open_ws({"w.txt": "x\n", "n.txt": "a\nb"})
    Path(ws.root, "w.txt").write_bytes(b"one\r\ntwo\r\n")
    assert not INSERT(ws, path="w.txt", line=1, text="middle").error
    assert Path(ws.root, "w.txt").read_bytes() == b"one\r\nmiddle\r\ntwo\r\n"
    assert not INSERT(ws, path="n.txt", line=1, text="between").error
    assert text(ws, "n.txt") == "a\nbetween\nb"
