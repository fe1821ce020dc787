"""`view`: numbered file windows and directory listings on a real workspace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.function_tool import FunctionTool
from tools.view import view

NUMBERS = "".join(f"line {i}\n" for i in range(1, 26))


@pytest.fixture
def ws(open_ws):
    return open_ws({
        "numbers.txt": NUMBERS,
        "empty.txt": "",
        "pkg/__init__.py": "",
        "pkg/core.py": "x = 1\n",
        "pkg/deep/deeper/hidden.py": "y = 2\n",
        "node_modules/lib/index.js": "module.exports = 1;\n",
        "README.md": "# hi\n",
    })


def show(ws, window: int = 10, output_limit: int = 10_000, **args):
    return FunctionTool(view, settings={"window": window, "output_limit": output_limit})(ws, **args)


def test_default_window_from_config_with_header_and_continuation(ws) -> None:
    out = show(ws, path="numbers.txt").output
    lines = out.splitlines()
    assert lines[0] == "numbers.txt (lines 1-10 of 25)"
    assert lines[1] == "   1\tline 1"
    assert lines[10] == "  10\tline 10"
    assert lines[-1] == "[15 more lines; continue with start=11]"


def test_explicit_range_end_of_file_and_negative_start(ws) -> None:
    out = show(ws, path="numbers.txt", start=12, end=13).output
    assert out.splitlines()[1:3] == ["  12\tline 12", "  13\tline 13"]
    assert "(lines 20-25 of 25)" in show(ws, path="numbers.txt", start=20, end=-1).output
    out = show(ws, path="numbers.txt", start=-3).output
    assert out.splitlines()[0] == "numbers.txt (lines 23-25 of 25)"
    assert "more lines" not in out


def test_ranges_past_the_end_are_clamped_or_refused(ws) -> None:
    assert "(lines 24-25 of 25)" in show(ws, path="numbers.txt", start=24, end=99).output
    past = show(ws, path="numbers.txt", start=26)
    assert past.error and "has 25 lines" in past.output
    backwards = show(ws, path="numbers.txt", start=10, end=5)
    assert backwards.error and "before start" in backwards.output


def test_output_limit_cuts_at_a_line_boundary(ws) -> None:
    out = show(ws, window=25, output_limit=60, path="numbers.txt").output
    lines = out.splitlines()
    last_shown = int(lines[-2].split("\t")[0])
    assert lines[0] == f"numbers.txt (lines 1-{last_shown} of 25)"
    assert lines[-1] == f"[{25 - last_shown} more lines; continue with start={last_shown + 1}]"


def test_empty_missing_and_binary_files(ws) -> None:
    assert show(ws, path="empty.txt").output == "empty.txt is empty (0 lines)."
    missing = show(ws, path="nope.py")
    assert missing.error and "nope.py does not exist" in missing.output
    Path(ws.root, "blob.bin").write_bytes(b"\x00\x01\x02")
    binary = show(ws, path="blob.bin")
    assert binary.error and "binary" in binary.output


def test_long_lines_are_cut(ws) -> None:
    Path(ws.root, "wide.txt").write_text("z" * 5000 + "\n")
    out = show(ws, path="wide.txt").output
    assert "[line cut, 5000 characters]" in out
    assert len(out) < 2200


def test_directory_listing_two_levels_marks_dirs_and_skips_junk(ws) -> None:
    out = show(ws, path=".").output
    lines = out.splitlines()
    assert lines[0] == "./ (2 levels; directories end with /)"
    assert "pkg/" in lines
    assert "  pkg/core.py" in lines
    assert "  pkg/deep/" in lines
    assert "node_modules/ (not listed)" in lines
    assert not any("hidden.py" in line or ".git" in line or "lib/index.js" in line for line in lines)


def test_default_path_is_the_root_and_subdirectories_list_their_own_entries(ws) -> None:
    assert show(ws).output.startswith("./ (2 levels")
    out = show(ws, path="pkg").output.splitlines()
    assert out[0] == "pkg/ (2 levels; directories end with /)"
    assert out[1:] == ["pkg/__init__.py", "pkg/core.py", "pkg/deep/", "  pkg/deep/deeper/"]


def test_empty_directory(ws) -> None:
    os.makedirs(os.path.join(ws.root, "void"))
    assert show(ws, path="void").output == "void/ is empty."


def test_big_directories_are_summarised(open_ws) -> None:
    ws = open_ws({f"many/f{i:03}.txt": "x\n" for i in range(50)})
    lines = show(ws, path=".").output.splitlines()
    assert "many/" in lines
    assert "  many/f000.txt" in lines and "  many/f039.txt" in lines and "  many/f040.txt" not in lines
    assert lines[-1] == "  ... 10 more in many/"
