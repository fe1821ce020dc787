"""Localization: traceback frames, what failing tests import, the planner's ranking; regions within a budget."""

from __future__ import annotations

from agent.planner import Plan, RankedFile
from agent.search.localize import frames, leads, python_spans, regions
from workspaces.local import LocalWorkspace

LONG = "".join(f"def helper_{n}(x):\n    return x + {n}\n\n\n" for n in range(60)) + \
    "def target(x):\n    y = x * 2\n    return y - 1\n"
FILES = {
    "pkg/__init__.py": "",
    "pkg/core.py": LONG,
    "pkg/util.py": "def util():\n    return 1\n",
    "tests/test_core.py": "from pkg.core import target\nfrom pkg import util\n\n\ndef test_target():\n"
                          "    assert target(2) == 4\n",
}


def test_frames_innermost_first_relative_to_the_root() -> None:
    output = ('tests/test_core.py:6: in test_target\n    assert target(2) == 4\npkg/core.py:242: in target\n'
              '    return y - 1\n  File "/repo/pkg/util.py", line 2, in util\n')
    assert frames(output, "/repo") == [("pkg/util.py", 2), ("pkg/core.py", 242), ("tests/test_core.py", 6)]


def test_python_spans_cover_functions_classes_and_assignments() -> None:
    spans = python_spans("X = 1\n\n\nclass A:\n    def m(self):\n        return X\n")
    assert [(name, first, last, depth) for name, first, last, depth in spans] == [
        ("X", 1, 1, 0), ("A", 4, 6, 0), ("m", 5, 6, 1)]


def test_the_function_a_failing_test_imports_is_shown_and_weak_leads_are_dropped(make_repo) -> None:
    repo = make_repo({**FILES, "pkg/other.py": "Z = 1\n"})
    plan = Plan(files=[RankedFile(path="pkg/other.py", score=1.0)])
    with LocalWorkspace(repo) as ws:
        paths = ws.exec("git ls-files", timeout=30).output.split()
        found = leads(ws, plan, "tests/test_core.py:6: in test_target\n", ["tests/test_core.py"], paths)
        assert [lead.path for lead in found] == ["pkg/core.py", "pkg/util.py"]  # pkg/__init__.py imports nothing
        assert found[0].names == ["target"] and "imported by tests/test_core.py" in found[0].reason
        shown = regions(ws, found, budget=100, whole_file=50)
        assert [(r.path, r.start, r.end) for r in shown] == [("pkg/core.py", 241, 243), ("pkg/util.py", 1, 2)]
        assert shown[0].text.startswith("def target(x):")
        assert [r.path for r in regions(ws, found, budget=2, whole_file=50)] == ["pkg/core.py"]  # budget spent


def test_a_frame_line_shows_its_function_and_small_files_are_whole(make_repo) -> None:
    repo = make_repo(FILES)
    with LocalWorkspace(repo) as ws:
        paths = ws.exec("git ls-files", timeout=30).output.split()
        found = leads(ws, None, "pkg/core.py:243: in target\npkg/util.py:2: in util\n", [], paths)
        shown = regions(ws, found, budget=100, whole_file=10)
    assert [(r.path, r.start, r.end) for r in shown] == [("pkg/util.py", 1, 2), ("pkg/core.py", 241, 243)]
