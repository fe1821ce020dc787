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
from tools.repomap.rank import rank
from tools.repomap.render import render_map
from tools.repomap.sources import FileSource, HostSource
from tools.repomap.testcmd import detect_test_command, related_tests

log = logging.getLogger(__name__)

MAX_SYMBOLS = 20
"""Key symbols kept in the plan."""


def summarise_notes(notes: list[str], examples: int = 3) -> list[str]:
    """Group per-file notes by reason: `4 files skipped: binary (a.png, b.png, c.png, ...)`."""
    grouped: dict[str, list[str]] = defaultdict(list)  # reason -> paths; "" -> notes about no one file
    for note in notes:
        path, sep, reason = note.partition(": ")
        grouped[reason if sep else ""].append(path)
    lines = grouped.pop("", [])
    for reason, paths in grouped.items():
        shown = ", ".join(paths[:examples]) + (", ..." if len(paths) > examples else "")
        lines.append(f"{len(paths)} file{'s' if len(paths) != 1 else ''} {reason} ({shown})")
    return lines


class RepoMapPlanner:
    """Plans with the repo map: mentions, personalised PageRank and BM25 fused (see tools/repomap)."""

    def __init__(self, config: PlannerConfig):
        self.config = config

    def index(self, source: FileSource | Path) -> RepoIndex:
        """The index of a repository (from the disk cache when the content is known and caching is on)."""
        directory = (self.config.cache_dir or default_cache_dir()) if self.config.cache else None
        return build_index(source, TagCache(directory))

    def plan(self, issue: str, source: FileSource | Path) -> Plan:
        """Rank files and symbols for the issue; any failure becomes a note, never an exception."""
        started = time.monotonic()
        source = HostSource(source) if isinstance(source, Path) else source
        try:
            index = self.index(source)
            ranking = rank(index, issue, grep=source.grep)
        except Exception as exc:  # planning is advice: a broken repository must not stop the run
            log.warning("repo map failed", exc_info=True)
            return Plan(notes=[f"repo map unavailable: {type(exc).__name__}: {exc}"])
        sources = [f.path for f in ranking.files if not is_test_path(f.path)][:5]
        plan = Plan(
            files=[RankedFile(path=f.path, score=f.score, reasons=f.reasons)
                   for f in ranking.files[:self.config.max_files]],
            symbols=[f"{d.qualname} ({path}:{d.line})" for path, d, _ in ranking.symbols[:MAX_SYMBOLS]],
            test_command=detect_test_command(source),
            test_files=related_tests(index, sources),
            repo_map=render_map(index, ranking, self.config.map_tokens),
            notes=summarise_notes(index.notes),
        )
        plan.notes.append(f"indexed {len(index.paths)} files in {time.monotonic() - started:.1f}s")
        return plan
