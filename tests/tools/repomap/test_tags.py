"""Tag extraction: definitions (with qualified names and signatures) and references for every shipped grammar."""

from __future__ import annotations

import pytest

from tools.repomap.languages import LANGUAGES, language_for, parser_and_query
from tools.repomap.tags import extract

SAMPLES = {
    "python": ("class Shape(Base):\n    def area(self, scale: int = 1) -> float:\n        return compute(self)\n",
               {"Shape", "area"}, "compute"),
    "javascript": ("class Shape extends Base {\n  area(scale) { return compute(this); }\n}\n"
                   "function helper(a, b) { return new Shape(); }\nconst arrow = (x) => x;\n",
                   {"Shape", "area", "helper", "arrow"}, "compute"),
    "typescript": ("interface Sized { size: number }\ntype Alias = string;\nenum Color { Red }\n"
                   "class Shape implements Sized {\n  area(scale: number): number { return compute(scale); }\n}\n"
                   "function helper(): void {}\n", {"Sized", "Alias", "Color", "Shape", "area", "helper"}, "compute"),
    "tsx": ("function App(props: Props) {\n  return <Widget value={compute(props)} />;\n}\n", {"App"}, "compute"),
    "go": ("package main\n\ntype Shape struct{ w int }\n\nfunc (s *Shape) Area() int { return compute(s.w) }\n\n"
           "func Helper() {}\n", {"Shape", "Area", "Helper"}, "compute"),
    "rust": ("struct Shape { w: i32 }\ntrait Sized2 { fn size(&self) -> i32; }\n"
             "impl Shape {\n    fn area(&self) -> i32 { compute(self.w) }\n}\nfn helper() {}\n",
             {"Shape", "Sized2", "size", "area", "helper"}, "compute"),
    "java": ("class Shape extends Base {\n  Shape() {}\n  int area(int scale) { return compute(scale); }\n}\n"
             "interface Sized { int size(); }\n", {"Shape", "area", "Sized", "size"}, "compute"),
    "c": ("struct point { int x; };\ntypedef int length;\nstatic int *make(int n) { return compute(n); }\n"
          "int area(int w, int h) { return w * h; }\n#define SQUARE(x) ((x) * (x))\n",
          {"point", "length", "make", "area", "SQUARE"}, "compute"),
    "cpp": ("namespace geo {\nclass Shape {\n public:\n  int area() const;\n};\n}\n"
            "int geo::Shape::area() const { return compute(1); }\n", {"geo", "Shape", "area"}, "compute"),
    "ruby": ("module Geo\n  class Shape < Base\n    def area(scale)\n      compute(scale)\n    end\n"
             "    def self.build; end\n  end\nend\n", {"Geo", "Shape", "area", "build"}, "compute"),
}


def test_every_language_has_a_sample_and_a_query_that_compiles() -> None:
    assert set(SAMPLES) == set(LANGUAGES)
    for language in LANGUAGES:
        parser, query = parser_and_query(language)
        assert parser is not None and query.pattern_count > 0


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_definitions_and_references(language: str) -> None:
    text, names, reference = SAMPLES[language]
    tags = extract(language, text)
    assert names <= {d.name for d in tags.defs}
    assert tags.refs.get(reference, 0) >= 1
    assert tags.note is None


def test_python_qualified_names_kinds_and_signatures() -> None:
    tags = extract("python", SAMPLES["python"][0] + "\nLIMIT = 10\n")
    by_name = {d.name: d for d in tags.defs}
    assert by_name["area"].qualname == "Shape.area"
    assert by_name["area"].kind == "method"
    assert by_name["area"].signature == "def area(self, scale: int = 1) -> float"
    assert (by_name["Shape"].line, by_name["Shape"].end_line) == (1, 3)
    assert by_name["LIMIT"].kind == "constant"


def test_multiline_signature_is_collapsed() -> None:
    tags = extract("python", "def f(\n    a,\n    b,\n):\n    return a\n")
    assert tags.defs[0].signature == "def f( a, b, )"


def test_comments_before_the_body_stay_out_of_the_signature() -> None:
    tags = extract("python", "class A:\n    def __init__(self):\n\n        # the headers\n        #: sent each time\n"
                             "        self.headers = {}\n")
    assert tags.defs[1].signature == "def __init__(self)"
    tags = extract("c", "int f(int a)\n/* why */\n{\n    return a;\n}\n")
    assert tags.defs[0].signature == "int f(int a)"


def test_syntax_errors_keep_what_parses_and_say_so() -> None:
    tags = extract("python", "def good():\n    pass\n\ndef broken(:\n")
    assert "good" in {d.name for d in tags.defs}
    assert tags.note and "syntax errors" in tags.note


def test_text_files_get_terms_only() -> None:
    tags = extract(None, "The HTTPAdapter retries requests")
    assert tags.defs == () and tags.refs == {}
    assert {"httpadapter", "http", "adapter", "retries"} <= set(tags.terms)


def test_language_for_extensions() -> None:
    assert language_for("a/b.PY") == "python"
    assert language_for("x.tsx") == "tsx"
    assert language_for("x.hpp") == "cpp"
    assert language_for("Makefile") is None
