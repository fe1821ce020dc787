"""`search` over real workspaces, with ripgrep and with the grep fallback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tools.function_tool import FunctionTool
from tools.search import search
from workspaces.local import LocalWorkspace

needs_rg = pytest.mark.skipif(shutil.which("rg") is None,
                              reason="ripgrep (rg) is not installed here (`apt-get install ripgrep`)")
"""On the tests of the ripgrep engine; the grep engine's tests run without it."""

FILES = {
    "src/calc.py": "def add(a, b):\n    return a - b\n\n\ndef add_all(xs):\n    return sum(xs)\n",
    "src/util.js": "function add(a, b) { return a + b; }\n// TODO(add): more\n",
    "docs/guide.md": "Call add(1, 2) to ADD numbers.\n",
    "notes.txt": "price is $5.00 (approx.)\n",
    "long.txt": "x" * 500 + " needle " + "y" * 500 + "\n",
    ".gitignore": "build/\n",
}


@pytest.fixture
def ws(open_ws):
    workspace = open_ws(FILES)
    os.makedirs(os.path.join(workspace.root, "build"))
    Path(workspace.root, "build", "gen.py").write_text("def add(): pass\n")
    return workspace


def run(ws, engine: str, **args) -> str:
    tool = FunctionTool(search, settings={"engine": engine, "max_results": args.pop("cap", 50)})
    observation = tool(ws, **args)
    assert not observation.error, observation.output
    return observation.output


ENGINES = pytest.mark.parametrize("engine", [pytest.param("rg", marks=needs_rg), "grep"])


@ENGINES
def test_regex_lists_path_line_and_text(ws, engine: str) -> None:
    out = run(ws, engine, pattern=r"def add\w*\(", path="src")
    assert out.splitlines() == ["src/calc.py:1: def add(a, b):", "src/calc.py:5: def add_all(xs):"]


@ENGINES
def test_literal_search_treats_metacharacters_as_text(ws, engine: str) -> None:
    assert run(ws, engine, pattern="$5.00 (approx.)", literal=True) == "notes.txt:1: price is $5.00 (approx.)"


@ENGINES
def test_glob_and_ignore_case(ws, engine: str) -> None:
    assert run(ws, engine, pattern="add", glob="*.md") == "docs/guide.md:1: Call add(1, 2) to ADD numbers."
    out = run(ws, engine, pattern="ADD", ignore_case=True, glob="*.md")
    assert out == "docs/guide.md:1: Call add(1, 2) to ADD numbers."


@ENGINES
def test_cap_counts_the_rest_accurately(ws, engine: str) -> None:
    out = run(ws, engine, pattern="add", cap=2, glob="*.py", path="src")
    assert out.splitlines() == ["src/calc.py:1: def add(a, b):", "src/calc.py:5: def add_all(xs):"]
    out = run(ws, engine, pattern="add", cap=1, path="src")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("... 3 more matches in 2 files")


@ENGINES
def test_many_matches_are_counted_without_listing_them(open_ws, engine: str) -> None:
    files = {f"pkg/m{i:02}.py": "hit = 1\n" * 40 for i in range(25)}
    ws = open_ws(files)
    lines = run(ws, engine, pattern="hit", cap=5).splitlines()
    assert len(lines) == 6
    assert lines[-1].startswith("... 995 more matches in 25 files")


@ENGINES
def test_long_lines_are_cut(ws, engine: str) -> None:
    out = run(ws, engine, pattern="needle")
    assert out.startswith("long.txt:1: xxx")
    assert out.endswith("... [line cut]")
    assert len(out) < 300


@ENGINES
def test_no_match_is_a_plain_answer(ws, engine: str) -> None:
    assert run(ws, engine, pattern="zebra") == "No matches for pattern 'zebra' in the repository."


@ENGINES
def test_bad_regex_is_an_error_observation(ws, engine: str) -> None:
    tool = FunctionTool(search, settings={"engine": engine})
    observation = tool(ws, pattern="add(")
    assert observation.error
    assert "The search failed" in observation.output and "literal=true" in observation.output


@ENGINES
def test_git_directory_is_never_searched(ws, engine: str) -> None:
    # The commit message "initial" lives only in .git.
    assert run(ws, engine, pattern="initial").startswith("No matches")
    assert run(ws, engine, pattern="repositoryformatversion").startswith("No matches")


@needs_rg
def test_ripgrep_skips_gitignored_files(ws) -> None:
    assert "build/gen.py" not in run(ws, "rg", pattern="def add")


@needs_rg
def test_missing_path_is_an_error(ws) -> None:
    observation = FunctionTool(search, settings={"engine": "rg"})(ws, pattern="x", path="nowhere")
    assert observation.error and "nowhere" in observation.output


def test_empty_or_multiline_pattern_is_refused(ws) -> None:
    tool = FunctionTool(search)
    assert tool(ws, pattern="").error
    assert tool(ws, pattern="a\nb").error


class CountingWorkspace(LocalWorkspace):
    """A LocalWorkspace that counts the commands it runs and can hide programs from PATH."""

    def __init__(self, *args, hide_rg_in: Path | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands: list[str] = []
        self.bin = hide_rg_in

    def exec(self, cmd: str, **kwargs):
        self.commands.append(cmd)
        if self.bin is not None:
            cmd = f"PATH={self.bin}; {cmd}"
        return super().exec(cmd, **kwargs)


@needs_rg
def test_ripgrep_is_used_where_installed_without_a_separate_probe(ws) -> None:
    out = FunctionTool(search)(ws, pattern="def add").output
    assert "build/gen.py" not in out and "src/calc.py:1: def add(a, b):" in out


def test_grep_fallback_when_ripgrep_is_absent(calc_repo, tmp_path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for program in ("grep", "awk", "bash"):
        os.symlink(shutil.which(program), bindir / program)
    with CountingWorkspace(calc_repo, hide_rg_in=bindir) as ws:
        out = FunctionTool(search)(ws, pattern="def (add|mul)").output
        assert out.splitlines() == ["calc.py:1: def add(a, b):", "calc.py:6: def mul(a, b):"]
        assert len(ws.commands) == 1 and "else grep " in ws.commands[0]


@ENGINES
def test_a_single_file_can_be_searched(ws, engine: str) -> None:
    assert run(ws, engine, pattern="return", path="src/calc.py").splitlines() == [
        "src/calc.py:2: return a - b", "src/calc.py:6: return sum(xs)"]


def test_grep_fallback_uses_the_file_name_part_of_a_glob(ws) -> None:
    assert run(ws, "grep", pattern="add", glob="src/*.js").splitlines() == [
        "src/util.js:1: function add(a, b) { return a + b; }", "src/util.js:2: // TODO(add): more"]
