"""tree-sitter syntax checks: by extension, introduced errors only, readable reports."""

from __future__ import annotations

import pytest

from tools.syntax import format_problems, introduced_errors, languages_for, syntax_problems

CASES = [
    ("a.py", "def f(x):\n    return x\n", "def f(x):\n    return (x\n"),
    ("a.js", "function f(x) { return x; }\n", "function f(x) { return x; \n"),
    ("a.jsx", "const a = <div>hi</div>;\n", "const a = <div>hi</div;\n"),
    ("a.ts", "let x: number = 1;\n", "let x: number = ;\n"),
    ("a.tsx", "const a = <A b={1} />;\n", "const a = <A b={1} ;\n"),
    ("a.go", "package main\nfunc main() {}\n", "package main\nfunc main() {\n"),
    ("a.rs", "fn main() { let x = 1; }\n", "fn main() { let x = ; }\n"),
    ("A.java", "class A { void f() {} }\n", "class A { void f() { }\n"),
    ("a.c", "int main(void) { return 0; }\n", "int main(void) { return 0 }\n"),
    ("a.cpp", "class A { public: int x; };\n", "class A { public: int x; \n"),
    ("a.rb", "def f\n  1\nend\n", "def f\n  1\n"),
    ("a.json", '{"a": [1, 2]}\n', '{"a": [1, 2}\n'),
    ("a.yaml", "a:\n  - 1\n", "a: [1, 2\n"),
    ("a.toml", "a = 1\n[b]\nc = 'x'\n", "a = \n"),
]


@pytest.mark.parametrize("path,good,bad", CASES)
def test_common_languages_good_and_bad(path: str, good: str, bad: str) -> None:
    assert languages_for(path)
    assert syntax_problems(path, good) == []
    assert syntax_problems(path, bad)


def test_unknown_extensions_pass() -> None:
    assert languages_for("notes.txt") == ()
    assert syntax_problems("notes.txt", "(((( not code") == []
    assert syntax_problems("Makefile", "\tweird ::: stuff") == []


def test_c_header_may_hold_cpp() -> None:
    assert syntax_problems("a.h", "class A { public: int x; };\n") == []
    assert syntax_problems("a.h", "int f(int x);\n") == []


def test_problem_has_line_column_and_snippet() -> None:
    [problem, *_] = syntax_problems("a.py", "x = 1\ny = [1,\n    2\nz = 3\n")
    assert problem.line >= 2
    assert problem.column >= 1
    assert problem.snippet


def test_introduced_errors_only_counts_new_problems() -> None:
    broken = "def f(:\n    pass\n\n\ndef g():\n    return 1\n"
    edited_elsewhere = broken.replace("return 1", "return 2")
    assert syntax_problems("a.py", broken)
    assert introduced_errors("a.py", broken, edited_elsewhere) == []
    good = "def g():\n    return 1\n"
    assert introduced_errors("a.py", good, good.replace("return 1", "return (1")) != []
    assert introduced_errors("a.py", good, good.replace("1", "2")) == []


def test_format_problems_points_at_the_column() -> None:
    problems = syntax_problems("m.py", "def f():\n    return 1 +\n")
    text = format_problems("m.py", problems)
    first = problems[0]
    assert text.startswith(f"m.py:{first.line}:{first.column}: ")
    caret_line = text.splitlines()[2]
    assert caret_line.endswith("^")


def test_format_problems_limits_output() -> None:
    problems = syntax_problems("a.json", "{,}\n[,]\n{:}\n[}\n")
    assert len(problems) == 4
    text = format_problems("a.json", problems, limit=1)
    assert text.count("a.json:") == 1 and text.endswith("... and 3 more")
    assert format_problems("a.json", []) == ""


def test_incremental_reparse_matches_a_fresh_parse() -> None:
    from tools import syntax

    text = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(200))
    edits = [
        text.replace("return x + 7\n", "return (x + 7\n"),
        text.replace("def f150(x):", "def f150(x:"),
        text.replace("return x + 3\n", "return x + 3\n    y = [\n"),
        text,
        text[:500] + text[900:],
        "\n\n" + text,
    ]
    for version in edits:
        incremental = syntax_problems("inc.py", version)
        syntax._trees.clear()
        assert incremental == syntax_problems("inc.py", version)
