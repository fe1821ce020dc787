"""Reading, numbering and checked writing of text files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.function_tool import ToolError
from tools.textfile import (
    FileMissing,
    NotAFile,
    TextFile,
    numbered,
    read_text,
    snippet,
    split_lines,
    write_checked,
)


def test_split_lines_ignores_only_the_final_newline() -> None:
    assert split_lines("a\nb\n") == ["a", "b"]
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("a\n\n") == ["a", ""]
    assert split_lines("") == []


def test_numbered_aligns_numbers_and_cuts_long_lines() -> None:
    assert numbered(["a", "b"], 9) == "   9\ta\n  10\tb"
    assert numbered(["x"], 12345) == "12345\tx"
    assert numbered(["y" * 3000], 1).endswith("... [line cut, 3000 characters]")


def test_snippet_adds_context_within_bounds() -> None:
    lines = [str(i) for i in range(1, 21)]
    assert snippet(lines, 0, 1) == numbered(lines[:4], 1)
    assert snippet(lines, 18, 20) == numbered(lines[15:], 16)
    assert snippet(lines, 5, 5, context=1) == numbered(lines[4:7], 5)


def test_read_text_kinds(calc_ws) -> None:
    Path(calc_ws.root, "crlf.txt").write_bytes(b"a\r\nb\r\n")
    file = read_text(calc_ws, "crlf.txt")
    assert file == TextFile("crlf.txt", "a\nb\n", crlf=True)
    assert split_lines(file.text) == ["a", "b"]
    assert read_text(calc_ws, "calc.py").crlf is False
    with pytest.raises(FileMissing):
        read_text(calc_ws, "missing.py")
    with pytest.raises(NotAFile):
        read_text(calc_ws, ".")
    Path(calc_ws.root, "bin.dat").write_bytes(b"\x00\xff")
    with pytest.raises(ToolError, match="binary"):
        read_text(calc_ws, "bin.dat")


def test_write_checked_refuses_new_syntax_errors_and_keeps_crlf(calc_ws) -> None:
    file = read_text(calc_ws, "calc.py")
    with pytest.raises(ToolError) as info:
        write_checked(calc_ws, file, file.text + "def broken(:\n", check_syntax=True)
    assert info.value.data == {"syntax_errors": 1}
    assert read_text(calc_ws, "calc.py") == file
    write_checked(calc_ws, file, file.text + "def broken(:\n", check_syntax=False)
    assert "broken" in read_text(calc_ws, "calc.py").text
    Path(calc_ws.root, "w.py").write_bytes(b"x = 1\r\n")
    crlf = read_text(calc_ws, "w.py")
    write_checked(calc_ws, crlf, "x = 2\n", check_syntax=True)
    assert Path(calc_ws.root, "w.py").read_bytes() == b"x = 2\r\n"
