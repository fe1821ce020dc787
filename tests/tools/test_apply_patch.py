"""`apply_patch` on real workspaces: stale line numbers, several files, all-or-nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools.apply_patch import apply_patch, repair_patch
from tools.function_tool import FunctionTool

MODULE = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(30))
"""30 small functions; f{i} is defined on line 4*i + 1."""

APPLY = FunctionTool(apply_patch)


@pytest.fixture
def ws(open_ws):
    return open_ws({"m.py": MODULE, "old.txt": "bye\n", "b.py": "x = 1\n"})


def read(ws, path: str) -> str:
    return Path(ws.root, path).read_text()


def hunk(line: int, name: str, old: str, new: str) -> str:
    return f"@@ -{line},2 +{line},2 @@\n def {name}():\n-    return {old}\n+    return {new}\n"


def test_stale_line_numbers_are_found_nearby(ws) -> None:
    patch = "--- a/m.py\n+++ b/m.py\n" + hunk(10, "f5", "5", "55") + hunk(70, "f20", "20", "2000")
    out = APPLY(ws, patch=patch)
    assert not out.error, out.output
    assert "return 55" in read(ws, "m.py") and "return 2000" in read(ws, "m.py")
    assert "11 lines below its stated position" in out.output
    assert read(ws, "m.py").count("\n") == MODULE.count("\n")


def test_exact_patch_from_git_diff_round_trips(ws, make_repo) -> None:
    changed = MODULE.replace("return 3\n", "return 33\n").replace("def f29", "def f29_renamed")
    Path(ws.root, "m.py").write_text(changed)
    diff = ws.diff()
    ws.reset()
    out = APPLY(ws, patch=diff)
    assert not out.error, out.output
    assert read(ws, "m.py") == changed
    assert "position" not in out.output


def test_several_files_new_file_and_deletion(ws) -> None:
    patch = (
        "diff --git a/b.py b/b.py\n--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
        "diff --git a/new/c.py b/new/c.py\nnew file mode 100644\n--- /dev/null\n+++ b/new/c.py\n"
        "@@ -0,0 +1,2 @@\n+a = 1\n+b = 2\n"
        "diff --git a/old.txt b/old.txt\ndeleted file mode 100644\n--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n"
    )
    out = APPLY(ws, patch=patch)
    assert not out.error, out.output
    assert out.output.splitlines() == ["Patched b.py (1 lines).", "Created new/c.py (2 lines).", "Deleted old.txt."]
    assert read(ws, "b.py") == "x = 2\n"
    assert read(ws, "new/c.py") == "a = 1\nb = 2\n"
    assert not Path(ws.root, "old.txt").exists()


def test_new_empty_file_from_git(ws) -> None:
    out = APPLY(ws, patch="diff --git a/e.txt b/e.txt\nnew file mode 100644\nindex 0000000..e69de29\n")
    assert out.output == "Created e.txt (0 lines)."
    assert read(ws, "e.txt") == ""


def test_a_hunk_that_cannot_be_placed_writes_nothing(ws) -> None:
    patch = (
        "--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
        "--- /dev/null\n+++ b/fresh.py\n@@ -0,0 +1 @@\n+y = 1\n"
        "--- a/m.py\n+++ b/m.py\n" + hunk(5, "f1", "1", "11") + hunk(9, "f2", "999", "22")
    )
    out = APPLY(ws, patch=patch)
    assert out.error
    assert "no file was changed" in out.output
    assert "m.py: hunk 2 (@@ -9,2 +9,2 @@) could not be placed" in out.output
    assert "First difference: line 10 is '    return 2', you expected '    return 999'" in out.output
    assert read(ws, "b.py") == "x = 1\n" and read(ws, "m.py") == MODULE
    assert not Path(ws.root, "fresh.py").exists()
    assert ws.diff() == ""


def test_hunk_counts_blank_context_and_fences_are_repaired(ws) -> None:
    patch = (
        "```diff\n--- a/m.py\n+++ b/m.py\n@@ -1,99 +1,1 @@\n def f0():\n-    return 0\n+    return 100\n"
        "\n\n def f1():\n```\n"
    )
    out = APPLY(ws, patch=patch)
    assert not out.error, out.output
    assert read(ws, "m.py").startswith("def f0():\n    return 100\n\n\ndef f1():\n")


def test_headers_without_line_numbers_are_placed_by_content(ws) -> None:
    out = APPLY(ws, patch="--- a/m.py\n+++ b/m.py\n@@ @@\n def f12():\n-    return 12\n+    return -12\n")
    assert not out.error, out.output
    assert "def f12():\n    return -12\n" in read(ws, "m.py")


def test_trailing_whitespace_and_indentation_drift(ws) -> None:
    out = APPLY(ws, patch="--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n def f3():  \n-    return 3\n+    return 3.5\n")
    assert not out.error and "ignoring trailing whitespace" in out.output
    shifted = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n     def f4():\n-        return 4\n+        return 4.5\n"
    out = APPLY(ws, patch=shifted)
    assert not out.error, out.output
    assert "def f4():\n    return 4.5\n" in read(ws, "m.py")
    inconsistent = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n def f5():\n-  return 5\n+  return 5.5\n"
    out = APPLY(ws, patch=inconsistent)
    assert out.error and "not consistent" in out.output


def test_wrong_edge_context_is_ignored_only_when_unambiguous(ws) -> None:
    wrong_context = "--- a/m.py\n+++ b/m.py\n@@ -30,4 +30,4 @@\n def f7():\n-    return 7\n+    return 70\n \n wrong\n"
    out = APPLY(ws, patch=wrong_context)
    assert not out.error, out.output
    assert "ignored 1 context line(s)" in out.output
    assert "def f7():\n    return 70\n" in read(ws, "m.py")
    # Without its context, "return 8" alone could be anywhere it occurs: refuse rather than guess.
    lonely = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n def f9():\n-    return 8\n+    return 80\n"
    assert APPLY(ws, patch=lonely).error


def test_missing_newline_at_end_of_file(open_ws) -> None:
    ws = open_ws({"n.txt": "a\nb"})
    patch = "--- a/n.txt\n+++ b/n.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
    out = APPLY(ws, patch=patch)
    assert not out.error, out.output
    assert read(ws, "n.txt") == "a\nc\n"


def test_syntax_error_in_any_file_writes_nothing(ws) -> None:
    patch = "--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n--- a/m.py\n+++ b/m.py\n" + hunk(1, "f0", "0", "(0")
    out = APPLY(ws, patch=patch)
    assert out.error and "syntax error in m.py" in out.output
    assert ws.diff() == ""


def test_rename_with_changes(ws) -> None:
    patch = ("diff --git a/b.py b/c.py\nsimilarity index 50%\nrename from b.py\nrename to c.py\n"
             "--- a/b.py\n+++ b/c.py\n@@ -1 +1 @@\n-x = 1\n+x = 3\n")
    out = APPLY(ws, patch=patch)
    assert not out.error, out.output
    assert out.output.startswith("Renamed b.py to c.py")
    assert read(ws, "c.py") == "x = 3\n" and not Path(ws.root, "b.py").exists()


def test_bad_input_is_explained(ws) -> None:
    assert "holds no file changes" in APPLY(ws, patch="just some words").output
    assert "could not be parsed" in APPLY(ws, patch="+++ b/c.py\n@@ -1 +1 @@\n-a\n+b\n").output
    assert "no @@ hunks" in APPLY(ws, patch="--- a/b.py\n+++ b/b.py\n").output
    assert "already exists" in APPLY(ws, patch="--- /dev/null\n+++ b/b.py\n@@ -0,0 +1 @@\n+y\n").output
    assert "does not exist" in APPLY(ws, patch="--- a/zz.py\n+++ b/zz.py\n@@ -1 +1 @@\n-a\n+b\n").output
    assert ws.diff() == ""


def test_crlf_files_stay_crlf(ws) -> None:
    Path(ws.root, "w.txt").write_bytes(b"one\r\ntwo\r\n")
    out = APPLY(ws, patch="--- a/w.txt\n+++ b/w.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+three\n")
    assert not out.error, out.output
    assert Path(ws.root, "w.txt").read_bytes() == b"one\r\nthree\r\n"


def test_applies_like_git_apply_for_a_clean_patch(ws, tmp_path) -> None:
    Path(ws.root, "m.py").write_text(MODULE.replace("return 10\n", "return 10\n    # ten\n"))
    diff = ws.diff()
    ws.reset()
    (tmp_path / "p.diff").write_text(diff)
    assert not APPLY(ws, patch=diff).error
    mine = read(ws, "m.py")
    ws.reset()
    subprocess.run(["git", "apply", str(tmp_path / "p.diff")], cwd=ws.root, check=True)
    assert read(ws, "m.py") == mine


def test_repair_patch_recounts_headers() -> None:
    repaired = repair_patch("--- a/x\n+++ b/x\n@@ -3,9 +3,9 @@ def f():\n a\n-b\n+c\n+d\n")
    assert "@@ -3,2 +3,3 @@ def f():" in repaired


def test_new_side_without_final_newline(open_ws) -> None:
    ws = open_ws({"n.txt": "a\nb\n"})
    patch = "--- a/n.txt\n+++ b/n.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"
    out = APPLY(ws, patch=patch)
    assert not out.error, out.output
    assert read(ws, "n.txt") == "a\nc"


def test_hunks_in_several_places_of_one_file_with_mixed_drift(ws) -> None:
    patch = "--- a/m.py\n+++ b/m.py\n" + hunk(1, "f0", "0", "zero") + hunk(40, "f10", "10", "ten") \
        + hunk(200, "f29", "29", "last")
    out = APPLY(ws, patch=patch)
    assert not out.error, out.output
    body = read(ws, "m.py")
    assert "return zero" in body and "return ten" in body and "return last" in body
    assert "hunk 3" in out.output and "above its stated position" in out.output
