"""Tokenization: identifiers split on snake_case and CamelCase, light stemming, stopwords."""

from __future__ import annotations

from tools.repomap.tokens import path_terms, query_terms, split_identifier, stem, term_counts


def test_split_identifier_keeps_the_whole_and_its_stemmed_parts() -> None:
    assert split_identifier("parse_expr_list") == ("parse_expr_list", "parse", "expr", "list")
    assert split_identifier("HTTPAdapter") == ("httpadapter", "http", "adapter")
    assert split_identifier("skippingMarkers") == ("skippingmarkers", "skip", "marker")


def test_stem() -> None:
    assert [stem(w) for w in ("skipping", "ignored", "paths", "entries", "class", "status", "run")] == [
        "skip", "ignor", "path", "entry", "class", "status", "run"]


def test_stopwords_and_short_words_are_dropped() -> None:
    assert query_terms("the value is a Value of x") == ["value"]


def test_term_counts_and_path_terms() -> None:
    assert term_counts("foo_bar foo")["foo"] == 2
    assert path_terms("src/_pytest/python_api.py") == ["src", "_pytest", "pytest", "python_api", "python", "api", "py"]
