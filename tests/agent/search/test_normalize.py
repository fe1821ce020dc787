"""Normalised forms: formatting variants are one group, real differences stay apart."""

from __future__ import annotations

from agent.search.normalize import normalised, patch_key

BASE = "def area(w, h):\n    return w * h\n"


def key(files: dict[str, tuple[str | None, str | None]]) -> str:
    return patch_key(files)


def test_python_formatting_comments_parentheses_and_quotes_do_not_matter() -> None:
    tidy = 'def area(w, h):\n    return abs(w) * abs(h)\n\n\nNAME = "area"\n'
    variants = [
        'def area(w,h):\n    # both sides may be negative\n    return (abs(w) * abs(h))\n\nNAME = \'area\'\n',
        'def area(\n    w,\n    h,\n):\n    return abs(\n        w\n    ) * abs(h)  # fixed\n\n\nNAME = "area"\n',
    ]
    for variant in variants:
        assert normalised("geo.py", variant) == normalised("geo.py", tidy)


def test_python_real_differences_stay_apart() -> None:
    forms = {normalised("geo.py", text) for text in (
        "def area(w, h):\n    return abs(w) * abs(h)\n",
        "def area(w, h):\n    return abs(w * h)\n",
        "def area(w, h):\n    return abs(h) * abs(w)\n",
        'def area(w, h):\n    """Area."""\n    return abs(w) * abs(h)\n',  # a docstring is content
    )}
    assert len(forms) == 4


def test_other_languages_use_tree_sitter_tokens_without_comments() -> None:
    one = "function area(w, h) { return Math.abs(w * h); }\n"
    two = "function area(w,h){\n  // no negative areas\n  return Math.abs(w*h);\n}\n"
    other = "function area(w, h) { return Math.abs(w) * h; }\n"
    assert normalised("geo.js", one) == normalised("geo.js", two) != normalised("geo.js", other)
    assert normalised("geo.go", "package geo\n\n// x\nfunc A() int { return 1 }\n") == \
        normalised("geo.go", "package geo\nfunc A() int {\n\treturn 1\n}\n")


def test_unknown_languages_and_broken_python_fall_back_to_text() -> None:
    assert normalised("notes.txt", "a  b\n\n  c\n") == normalised("notes.txt", "a b\nc")
    assert normalised("notes.txt", "a b c") != normalised("notes.txt", "a c b")
    broken = "def f(:\n    pass\n"
    assert normalised("x.py", broken) == normalised("x.py", "def f( :\n        pass")  # tree-sitter tokens
    assert normalised("gone.py", None) == ""


def test_patch_keys_cover_only_files_whose_meaning_changed() -> None:
    fix = "def area(w, h):\n    return abs(w * h)\n"
    same_fix_other_style = "def area(w, h):\n    return abs(w*h)  # fixed\n"
    readme_reformatted = ("Area\n====\n", "Area\n====\n\n")
    assert key({"geo.py": (BASE, fix)}) == key({"geo.py": (BASE, same_fix_other_style), "README": readme_reformatted})
    assert key({"geo.py": (BASE, fix)}) != key({"geo.py": (BASE, fix), "README": ("Area\n", "Area!\n")})
    assert key({"geo.py": (BASE, None)}) != key({"geo.py": (BASE, "")})  # deleting is not emptying
    assert key({"geo.py": (BASE, BASE.replace("w * h", "w*h"))}) == key({})  # formatting only: no change at all
