"""A disk cache keyed by content (one SQLite file of pickles): per-file tags by blob id, built indexes by snapshot;
one that cannot be opened or written degrades to no cache, never to an error."""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CACHE_VERSION = "6"
"""Bumped whenever what is cached changes shape or content; old entries are then simply not found."""


def default_cache_dir() -> Path:
    """`$REPO_AGENT_CACHE/repomap`, else `$XDG_CACHE_HOME/repo-agent/repomap`, else `~/.cache/repo-agent/repomap`."""
    if os.environ.get("REPO_AGENT_CACHE"):
        return Path(os.environ["REPO_AGENT_CACHE"]) / "repomap"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "repo-agent" / "repomap"


class TagCache:
    """Content-keyed storage of per-file tags (by blob id) and of whole indexes (by snapshot key), in one table;
    `None` directory disables it."""

    def __init__(self, directory: Path | None):
        self.db: sqlite3.Connection | None = None
        if directory is None:
            return
        try:
            Path(directory).mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(Path(directory) / f"tags-v{CACHE_VERSION}.sqlite", timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS tags (key TEXT PRIMARY KEY, value BLOB)")
        except (OSError, sqlite3.Error):
            self.db = None

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Cached values for those keys that have them; unreadable entries are left out (rebuilt, not errors)."""
        found: dict[str, Any] = {}
        keys = list(keys) if self.db is not None else []
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            with contextlib.suppress(sqlite3.Error, pickle.UnpicklingError, AttributeError, ImportError, EOFError):
                rows = self.db.execute(f"SELECT key, value FROM tags WHERE key IN ({marks})", chunk)
                found.update((key, pickle.loads(value)) for key, value in rows)
        return found

    def put_many(self, items: dict[str, Any]) -> None:
        """Store values under their keys."""
        if self.db is None or not items:
            return
        rows = [(k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in items.items()]
        with contextlib.suppress(sqlite3.Error), self.db:
            self.db.executemany("INSERT OR REPLACE INTO tags (key, value) VALUES (?, ?)", rows)
