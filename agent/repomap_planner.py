"""RepoMapPlanner: issue + repository -> ranked files with reasons, symbols, test command, repo map."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from pathlib import Path

from agent.config import PlannerConfig
from agent.planner import Plan, RankedFile
from tools.repomap.cache import TagCache, default_cache_dir
from tools.repomap.filekinds import is_test_path
from tools.repomap.index import RepoIndex, build_index
from tools.repomap.rank import Ranking, rank
from tools.repomap.render import render_map
from tools.repomap.sources import FileSource, HostSource
from tools.repomap.testcmd import detect_test_command, related_tests

log = logging.getLogger(__name__)

MAX_SYMBOLS = 20
"""Key symbols kept in the plan."""


def summarise_notes(notes: list[str], examples: int = 3) -> list[str]:
    """Group per-file notes by reason: `4 files skipped: binary (a.png, b.png, c.png, ...)`."""
    grouped: dict[str, list[str]] = defaultdict(list)
    general = []
    for note in notes:
        path, sep, reason = note.partition(": ")
        if sep:
            grouped[reason].append(path)
        else:
            general.append(note)
    lines = []
    for reason, paths in grouped.items():
        shown = ", ".join(paths[:examples]) + (", ..." if len(paths) > examples else "")
        lines.append(f"{len(paths)} file{'s' if len(paths) != 1 else ''} {reason} ({shown})")
    return general + lines


class RepoMapPlanner:
    """Plans with the repo map: mentions, personalised PageRank and BM25 fused (see tools/repomap)."""

    def __init__(self, config: PlannerConfig | None = None):
        self.config = config or PlannerConfig(type="repomap")

    def cache(self) -> TagCache:
        """The configured disk cache (a disabled one when caching is off)."""
        if not self.config.cache:
            return TagCache(None)
        return TagCache(self.config.cache_dir or default_cache_dir())

    def index(self, source: FileSource | Path) -> RepoIndex:
        """The index of a repository (from the cache when the content is known)."""
        return build_index(source, self.cache())

    def plan(self, issue: str, source: FileSource | Path) -> Plan:
        """Rank files and symbols for the issue; any failure becomes a note, never an exception."""
        started = time.monotonic()
        source = HostSource(source) if isinstance(source, Path) else source
        try:
            index = build_index(source, self.cache())
            ranking = rank(index, issue, grep=source.grep)
        except Exception as exc:  # planning is advice: a broken repository must not stop the run
            log.warning("repo map failed", exc_info=True)
            return Plan(notes=[f"repo map unavailable: {type(exc).__name__}: {exc}"])
        plan = self.plan_from(index, ranking, source)
        plan.notes.append(f"indexed {len(index.paths)} files in {time.monotonic() - started:.1f}s")
        return plan

    def plan_from(self, index: RepoIndex, ranking: Ranking, source: FileSource) -> Plan:
        """Turn a ranking into a Plan."""
        files = [RankedFile(path=f.path, score=f.score, reasons=f.reasons) for f in ranking.files]
        files = files[: self.config.max_files]
        symbols = [f"{d.qualname} ({path}:{d.line})" for path, d, _ in ranking.symbols[:MAX_SYMBOLS]]
        sources = [f.path for f in ranking.files if not is_test_path(f.path)][:5]
        return Plan(
            files=files,
            symbols=symbols,
            test_command=detect_test_command(source),
            test_files=related_tests(index, sources),
            repo_map=render_map(index, ranking, self.config.map_tokens),
            notes=summarise_notes(index.notes),
        )
