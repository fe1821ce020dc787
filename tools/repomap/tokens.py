"""Code-aware, lower-cased tokenization (BM25, mentions): `HTTPAdapter` -> `httpadapter`, `http`, `adapter`."""

from __future__ import annotations

import functools
import re
from collections import Counter

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

STOPWORDS = frozenset(
    """
    a an and are as at be but by for from has have i if in into is it its me my no not of on or our so
    such that the their then there these they this to was we were when where which while will with you
    your can do does did get got how what would should could been being also just some any all one use
    used using self cls none true false return def class import else elif try except pass raise lambda
    yield
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
"""Words too common in issues and code to carry any signal."""


def stem(word: str) -> str:
    """A light English stemmer for identifier parts: `skipping` -> `skip`, `ignores` -> `ignore`, `paths` -> `path`."""
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base[:-1] if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz" else base
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


@functools.lru_cache(maxsize=500_000)
def split_identifier(word: str) -> tuple[str, ...]:
    """The lower-cased identifier followed by its snake_case / CamelCase parts, stemmed (each part once)."""
    parts = [word.lower()]
    for chunk in word.split("_"):
        for piece in _CAMEL.findall(chunk):
            low = stem(piece.lower())
            if low not in parts:
                parts.append(low)
    return tuple(p for p in parts if len(p) > 1 and p not in STOPWORDS)


def term_counts(text: str) -> Counter[str]:
    """BM25 terms of a text with their counts."""
    raw = Counter(WORD.findall(text))
    counts: Counter[str] = Counter()
    for word, n in raw.items():
        for term in split_identifier(word):
            counts[term] += n
    return counts


def query_terms(text: str) -> list[str]:
    """BM25 query terms of a text, each once, in order of appearance."""
    seen: dict[str, None] = {}
    for word in WORD.findall(text):
        for term in split_identifier(word):
            seen.setdefault(term, None)
    return list(seen)


def path_terms(path: str) -> list[str]:
    """Terms of a file path (directories, stem, extension parts)."""
    return query_terms(re.sub(r"[^A-Za-z0-9_]+", " ", path))
