"""BM25 over file text and paths, with bm25s."""

from __future__ import annotations

import logging

import numpy as np

from tools.repomap.tokens import path_terms

TERM_CAP = 8
"""Occurrences of one term in one file beyond this add nothing (BM25 saturates long before)."""
PATH_WEIGHT = 4
"""How many times a file's path terms count, so that `models.py` matches `models`."""


class TextIndex:
    """A BM25 index whose documents are files (or function bodies): identifiers and words, plus the name."""

    def __init__(self, paths: list[str], term_counts: list[dict[str, int]], name_weight: int = PATH_WEIGHT):
        """`paths` name the documents; the terms of a name count `name_weight` times in its document."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        vocab: dict[str, int] = {}
        corpus: list[list[int]] = []
        for path, counts in zip(paths, term_counts, strict=True):
            doc: list[int] = []
            for term, n in counts.items():
                doc.extend([vocab.setdefault(term, len(vocab))] * min(n, TERM_CAP))
            for term in path_terms(path) if name_weight else ():
                doc.extend([vocab.setdefault(term, len(vocab))] * name_weight)
            corpus.append(doc or [vocab.setdefault("<empty>", len(vocab))])
        self.size = len(paths)
        self.retriever = bm25s.BM25()
        if corpus:
            self.retriever.index((corpus, vocab), show_progress=False)

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every document for the query terms (unknown terms are ignored)."""
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        vocab = self.retriever.vocab_dict
        known = [t for t in terms if t in vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)
