"""The reference graph between files (referencing -> defining, weighted by sqrt(uses), split among definers;
private, very short and widely defined names weigh little) and personalised PageRank over it."""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

MAX_DEFINERS = 25
"""Names defined in more files than this are too ambiguous to link anything."""


def name_weight(name: str, definers: int) -> float:
    """How much an edge through `name` counts, before usage counts."""
    if len(name) < 3 or definers > MAX_DEFINERS:
        return 0.0
    weight = 1.0
    if name.startswith("_"):
        weight *= 0.2
    if definers > 5:
        weight *= 0.3
    if "_" in name.strip("_") or any(c.isupper() for c in name[1:]):
        weight *= 2.0  # compound identifiers are specific
    return weight


def reference_graph(
    paths: list[str], defines: dict[str, set[str]], refs: dict[str, dict[str, int]]
) -> sparse.csr_matrix:
    """Row-normalised transition matrix over `paths` (row = from, column = to)."""
    position = {p: i for i, p in enumerate(paths)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for src, names in refs.items():
        i = position.get(src)
        if i is None:
            continue
        for name, count in names.items():
            definers = defines.get(name)
            if not definers:
                continue
            w = name_weight(name, len(definers))
            if not w:
                continue
            share = w * math.sqrt(count) / len(definers)
            for dst in definers:
                j = position[dst]
                if j != i:
                    rows.append(i)
                    cols.append(j)
                    vals.append(share)
    n = len(paths)
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(n, n), dtype=np.float64)
    out = np.asarray(matrix.sum(axis=1)).ravel()
    out[out == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / out) @ matrix)


def pagerank(transition: sparse.csr_matrix, personal: np.ndarray, alpha: float = 0.85, iters: int = 60) -> np.ndarray:
    """Personalised PageRank; `personal` need not be normalised (all-zero means uniform)."""
    n = transition.shape[0]
    if n == 0:
        return np.zeros(0)
    p = np.asarray(personal, dtype=np.float64)
    p = p / p.sum() if p.sum() > 0 else np.full(n, 1.0 / n)
    dangling = np.asarray(transition.sum(axis=1)).ravel() == 0
    rank = p.copy()
    t = transition.T.tocsr()
    for _ in range(iters):
        new = alpha * (t @ rank + rank[dangling].sum() * p) + (1 - alpha) * p
        if np.abs(new - rank).sum() < 1e-9:
            return new
        rank = new
    return rank
