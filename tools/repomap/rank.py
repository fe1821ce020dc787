"""Rank files and symbols for an issue: direct mentions, personalised PageRank and BM25, fused."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from tools.repomap.evidence import Evidence, collect
from tools.repomap.filekinds import file_factor
from tools.repomap.graph import pagerank
from tools.repomap.index import RepoIndex
from tools.repomap.mentions import Mentions, clean_issue, extract_mentions
from tools.repomap.tags import Definition
from tools.repomap.tokens import WORD, query_terms, split_identifier

WEIGHTS = {"mention": 0.6, "bm25": 1.0, "chunk": 0.5, "pagerank": 0.1}
"""How much each normalised signal counts in the fused score."""
QUERY_TERM_CAP = 3
"""A term repeated in the issue counts up to this many times in the BM25 query."""
CHUNK_SYMBOLS = 40
"""Functions whose bodies match the issue best become symbol candidates."""
CHUNK_SYMBOL_WEIGHT = 1.0
"""How much a function's body matching the issue counts towards it being a key symbol."""
TITLE_REPEAT = 3
"""The issue's first line (its title) counts this many times in the BM25 query."""
@dataclass
class ScoredFile:
    """One file of the ranking."""

    path: str
    """Path relative to the repository root."""
    score: float
    """Fused score (comparable within one ranking)."""
    reasons: list[str] = field(default_factory=list)
    """Why it ranks where it does."""


@dataclass
class Ranking:
    """Files and symbols for an issue, best first."""

    files: list[ScoredFile]
    """Files, best first."""
    symbols: list[tuple[str, Definition, float]]
    """(path, definition, score), best first."""
    mentions: Mentions
    """What the issue mentioned."""


def issue_query(issue: str) -> list[str]:
    """BM25 query terms: the title counts TITLE_REPEAT times, body terms up to QUERY_TERM_CAP times."""
    text = clean_issue(issue).strip()
    title, _, body = text.partition("\n")
    counts = Counter(term for word in WORD.findall(body) for term in split_identifier(word))
    terms = [t for t, n in counts.items() for _ in range(min(n, QUERY_TERM_CAP))]
    return terms + query_terms(title) * TITLE_REPEAT


def _chunk_scores(index: RepoIndex, query: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """BM25 of every function body, and per file the best of its functions."""
    best = np.zeros(len(index.paths))
    if not index.chunks.size:
        return best, np.zeros(0)
    raw = index.chunks.scores(query)
    np.maximum.at(best, index.chunk_owner, raw)
    return best, raw


def _normalise(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else values


def rank(index: RepoIndex, issue: str, grep=None) -> Ranking:
    """Rank the index's files and symbols for `issue`; `grep(literal) -> paths` finds error messages."""
    paths = index.paths
    mentions = extract_mentions(issue)
    ev = collect(index, mentions, grep)
    position = {p: i for i, p in enumerate(paths)}
    mention = np.zeros(len(paths))
    for path, score in ev.score.items():
        if path in position:
            mention[position[path]] = score
    query = issue_query(issue)
    bm25 = _normalise(index.text.scores(query))
    chunk, chunk_raw = _chunk_scores(index, query)
    chunk = _normalise(chunk)
    top_chunk = float(chunk_raw.max()) if chunk_raw.size else 0.0
    for j in np.argsort(-chunk_raw)[:CHUNK_SYMBOLS] if top_chunk > 0 else ():
        path = paths[index.chunk_owner[j]]
        ev.symbols[(path, index.chunk_names[j])] += CHUNK_SYMBOL_WEIGHT * float(chunk_raw[j]) / top_chunk
        if chunk_raw[j] >= 0.5 * top_chunk:
            ev.add(path, 0.0, f"{index.chunk_names[j]} matches the issue")
    personal = mention + 0.05 * bm25
    pr = _normalise(pagerank(index.graph, personal))
    fused = WEIGHTS["mention"] * _normalise(mention) + WEIGHTS["bm25"] * bm25 + WEIGHTS["pagerank"] * pr
    fused += WEIGHTS["chunk"] * chunk
    factors = np.array([file_factor(p) for p in paths])
    fused = fused * factors
    order = np.argsort(-fused, kind="stable")
    files = []
    for i in order[:200]:
        if fused[i] <= 0:
            break
        path = paths[i]
        reasons = list(ev.reasons.get(path, []))
        if bm25[i] >= 0.5:
            reasons.append(f"text matches the issue (BM25 {bm25[i]:.2f})")
        if pr[i] >= 0.3 and not reasons:
            reasons.append("referenced by the mentioned code")
        if not reasons:
            reasons.append(_weak_reason(float(bm25[i]), float(pr[i])))
        files.append(ScoredFile(path, round(float(fused[i]), 4), reasons))
    return Ranking(files, _symbols(index, files, ev), mentions)


def _weak_reason(bm25: float, pagerank: float) -> str:
    """Why a file with no direct evidence is listed at all: the larger of its two weak signals."""
    if bm25 >= pagerank:
        return f"a few words of the issue (BM25 {bm25:.2f})"
    return f"linked to the mentioned code in the reference graph (PageRank {pagerank:.2f})"


def _symbols(index: RepoIndex, files: list[ScoredFile], ev: Evidence) -> list[tuple[str, Definition, float]]:
    file_score = {f.path: f.score for f in files[:30]}
    scored = []
    for path, fscore in file_score.items():
        for d in index.tags[path].defs:
            boost = ev.symbols.get((path, d.qualname), 0.0) + ev.symbols.get((path, d.name), 0.0)
            if boost:
                scored.append((path, d, fscore * (1.0 + boost)))
    scored.sort(key=lambda item: -item[2])
    return scored
