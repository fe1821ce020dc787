"""BM25 over file text and paths, with bm25s."""

from __future__ import annotations

import logging

import numpy as np

from tools.repomap.tokens import path_terms

TERM_CAP = 20
"""Occurrences of one term in one file beyond this add nothing (BM25 saturates long before)."""
PATH_WEIGHT = 4
"""How many times a file's path terms count, so that `models.py` matches `models`."""


class TextIndex:
    """A BM25 index whose documents are files: their identifiers and words, plus their path."""

    def __init__(self, paths: list[str], term_counts: list[dict[str, int]]):
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        corpus = []
        for path, counts in zip(paths, term_counts, strict=True):
            doc = [t for t, n in counts.items() for _ in range(min(n, TERM_CAP))]
            doc.extend(path_terms(path) * PATH_WEIGHT)
            corpus.append(doc or ["<empty>"])
        self.size = len(paths)
        self.retriever = bm25s.BM25()
        if corpus:
            self.retriever.index(corpus, show_progress=False)

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every document for the query terms (unknown terms are ignored)."""
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        vocab = self.retriever.vocab_dict
        known = [t for t in terms if t in vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)
