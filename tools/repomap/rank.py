"""Rank files and symbols for an issue: direct mentions, personalised PageRank and BM25, fused."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from tools.repomap.graph import MAX_DEFINERS, pagerank
from tools.repomap.index import RepoIndex
from tools.repomap.languages import language_for
from tools.repomap.mentions import Mentions, clean_issue, extract_mentions
from tools.repomap.resolve import PathResolver
from tools.repomap.tags import Definition
from tools.repomap.tokens import WORD, query_terms, split_identifier

WEIGHTS = {"mention": 0.6, "bm25": 1.0, "chunk": 0.5, "pagerank": 0.1}
"""How much each normalised signal counts in the fused score."""
PROSE_FACTOR = 0.5
"""Plain lower-case words that happen to name a definition count this much."""
QUERY_TERM_CAP = 3
CHUNK_SYMBOLS = 40
"""Functions whose bodies match the issue best become symbol candidates."""
CHUNK_SYMBOL_WEIGHT = 1.0
"""How much a function's body matching the issue counts towards it being a key symbol."""
"""A term repeated in the issue counts up to this many times in the BM25 query."""
TITLE_REPEAT = 3
"""The issue's first line (its title) counts this many times in the BM25 query."""
TEST_FACTOR = 0.35
"""Test files are rarely where a fix goes; they are listed separately as related tests."""
TEXT_FACTOR = 0.3
"""Non-code files (docs, config) rank below code."""
AUX_FACTOR = 0.5
"""Documentation, examples, benchmarks, scripts and vendored code rank below the project's own code."""
_AUX = re.compile(r"(^|/)(docs?|examples?|benchmarks?|asv_bench|scripts?|ci|vendor|_vendor|third_party|extern)/")
_TEST = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*$|_tests?\.\w+$|(^|/)conftest\.py$|\.(spec|test)\.\w+$")


def is_test_path(path: str) -> bool:
    """Whether a path looks like a test file."""
    return bool(_TEST.search(path))


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


class _Evidence:
    """Accumulates mention scores and reasons per file."""

    def __init__(self) -> None:
        self.score: dict[str, float] = defaultdict(float)
        self.reasons: dict[str, list[str]] = defaultdict(list)
        self.symbols: dict[tuple[str, str], float] = defaultdict(float)

    def add(self, path: str, weight: float, reason: str) -> None:
        """Credit `path` with `weight`, remembering the reason (a few per file)."""
        self.score[path] += weight
        if reason not in self.reasons[path] and len(self.reasons[path]) < 4:
            self.reasons[path].append(reason)


def _mention_paths(m: Mentions, resolver: PathResolver, ev: _Evidence) -> None:
    for mention in m.paths:
        found, depth = resolver.path(mention)
        if found and len(found) <= 3:
            for path in found:
                ev.add(path, (1.0 + depth) / len(found), f"path {mention} in the issue")
    for dotted in m.modules:
        found, depth, rest = resolver.module(dotted)
        if found and len(found) <= 3 and (depth >= 2 or rest):
            for path in found:
                ev.add(path, 0.8 * depth / len(found), f"module {'.'.join(dotted.split('.')[:depth])} in the issue")


def _mention_frames(m: Mentions, resolver: PathResolver, ev: _Evidence) -> None:
    in_repo = []
    for frame in m.frames:
        found, depth = resolver.path(frame.path)
        if found and len(found) == 1 and (depth >= 2 or "/" not in frame.path):
            in_repo.append((found[0], frame))
    for rank, (path, frame) in enumerate(in_repo):
        weight = 1.0 + 2.0 * (rank + 1) / len(in_repo)
        ev.add(path, weight, f"stack frame {frame.function or ''} line {frame.line}".replace("  ", " "))
        if frame.function:
            ev.symbols[(path, frame.function)] += weight


def _mention_identifiers(index: RepoIndex, m: Mentions, ev: _Evidence) -> None:
    for name, emphasis in m.identifiers.items():
        definers = index.defines.get(name)
        if not definers:
            continue
        files = {p for p, _ in definers}
        if len(files) > MAX_DEFINERS:
            continue
        weight = emphasis / math.sqrt(len(files)) * (PROSE_FACTOR if name.islower() and "_" not in name else 1.0)
        for path, d in definers:
            ev.symbols[(path, d.qualname)] += weight
        for path in files:
            ev.add(path, weight, f"defines {name}")


def _mention_errors(m: Mentions, grep, ev: _Evidence) -> None:
    if grep is None:
        return
    for exc, message in m.errors[:5]:
        pieces = [p.strip() for p in re.split(r"'[^']*'|\"[^\"]*\"|<[^>]*>|\b\d+\b|[{}()%]", message)]
        literal = max(pieces, key=len, default="")
        if len(literal) < 12:
            continue
        found = [p for p in grep(literal) if language_for(p)]
        for path in found[:10]:
            ev.add(path, 2.0 / math.sqrt(len(found)), f"contains the message of {exc}")


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
    if index.chunks is None or not index.chunks.size:
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
    ev = _Evidence()
    _mention_paths(mentions, PathResolver(paths), ev)
    _mention_frames(mentions, PathResolver(paths), ev)
    _mention_identifiers(index, mentions, ev)
    _mention_errors(mentions, grep, ev)
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
    pr = _normalise(pagerank(index.graph, personal)) if index.graph is not None else np.zeros(len(paths))
    fused = WEIGHTS["mention"] * _normalise(mention) + WEIGHTS["bm25"] * bm25 + WEIGHTS["pagerank"] * pr
    fused += WEIGHTS["chunk"] * chunk
    factors = np.array([_factor(p) for p in paths])
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
        files.append(ScoredFile(path, round(float(fused[i]), 4), reasons))
    return Ranking(files, _symbols(index, files, ev), mentions)


def _factor(path: str) -> float:
    factor = TEST_FACTOR if is_test_path(path) else 1.0
    factor *= AUX_FACTOR if _AUX.search(path) else 1.0
    return factor * (1.0 if language_for(path) else TEXT_FACTOR)


def _symbols(index: RepoIndex, files: list[ScoredFile], ev: _Evidence) -> list[tuple[str, Definition, float]]:
    file_score = {f.path: f.score for f in files[:30]}
    scored = []
    for path, fscore in file_score.items():
        for d in index.tags[path].defs:
            boost = ev.symbols.get((path, d.qualname), 0.0) + ev.symbols.get((path, d.name), 0.0)
            if boost:
                scored.append((path, d, fscore * (1.0 + boost)))
    scored.sort(key=lambda item: -item[2])
    return scored
