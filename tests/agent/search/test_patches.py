"""Taking candidate patches apart: the fix apart from test files, sizes, and files as a patch leaves them."""

from __future__ import annotations

from pathlib import Path

from agent.search.patches import file_sections, is_reproduction_path, split_patch
from tests.agent.search.conftest import SIGNS, patch_of


def test_test_files_and_repro_scripts_are_split_from_the_fix(signs_repo: Path) -> None:
    fixed = SIGNS["calc.py"].replace("return _combine(a, b, -1)\n\n\ndef sub", "return _combine(a, b, 1)\n\n\ndef sub")
    patch = patch_of(signs_repo, {
        "calc.py": fixed, "test_calc.py": SIGNS["test_calc.py"] + "\n\ndef test_add():\n    assert 1\n",
        "tests/test_new.py": "def test_x():\n    pass\n", "reproduce_bug.py": "print(1)\n", "docs/notes.md": "x\n",
    })
    split = split_patch(patch)
    assert split.source_files == ("calc.py", "docs/notes.md")
    assert set(split.test_files) == {"reproduce_bug.py", "test_calc.py", "tests/test_new.py"}
    assert split.size == 3  # calc.py -1 +1, notes +1
    assert "def test_x" in split.tests and "def test_x" not in split.source
    assert split_patch(split.source).source == split.source
    assert [s.path for s in file_sections(patch)] == ["calc.py", "docs/notes.md", "reproduce_bug.py", "test_calc.py",
                                                      "tests/test_new.py"]
    assert is_reproduction_path("repro.py") and is_reproduction_path("pkg/tests/helpers.py")
    assert not is_reproduction_path("pkg/reporting.py")


def test_deleted_test_files_are_not_reproduction_tests(signs_repo: Path) -> None:
    split = split_patch(patch_of(signs_repo, {"test_calc.py": None}))
    assert split.test_files == () and split.source == "" and "deleted file" in split.tests


def test_plain_unified_diffs_are_read_too() -> None:
    plain = ("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"
             "--- a/test_x.py\n+++ b/test_x.py\n@@ -1 +1 @@\n-b\n+c\n")
    split = split_patch(plain)
    assert split.source_files == ("x.py",) and split.test_files == ("test_x.py",) and split.size == 2
    assert split_patch("") == split_patch("\n")
