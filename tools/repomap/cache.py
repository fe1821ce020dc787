"""A disk cache keyed by content (one SQLite file of pickles): per-file tags by blob id, built indexes by snapshot;
one that cannot be opened or written degrades to no cache, never to an error."""

from __future__ import annotations

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
    """Content-keyed storage of per-file tags and of whole indexes; `None` directory disables it."""

    def __init__(self, directory: Path | None):
        self.db: sqlite3.Connection | None = None
        if directory is None:
            return
        try:
            Path(directory).mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(Path(directory) / f"tags-v{CACHE_VERSION}.sqlite", timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS tags (key TEXT PRIMARY KEY, value BLOB)")
            self.db.execute("CREATE TABLE IF NOT EXISTS snapshots (key TEXT PRIMARY KEY, value BLOB)")
        except (OSError, sqlite3.Error):
            self.db = None

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Cached tags for those keys that have them."""
        found: dict[str, Any] = {}
        if self.db is None:
            return found
        keys = list(keys)
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT key, value FROM tags WHERE key IN ({marks})", chunk)
            found.update((key, pickle.loads(value)) for key, value in rows)
        return found

    def put_many(self, items: dict[str, Any]) -> None:
        """Store tags under their keys."""
        self._write("tags", [(k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in items.items()])

    def get_snapshot(self, key: str) -> Any | None:
        """A whole index stored under `key`, or None."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM snapshots WHERE key = ?", (key,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.UnpicklingError, AttributeError, ImportError, EOFError):
            return None  # unreadable entries are rebuilt, not errors

    def put_snapshot(self, key: str, value: Any) -> None:
        """Store a whole index under `key`."""
        self._write("snapshots", [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))])

    def _write(self, table: str, rows: list[tuple[str, bytes]]) -> None:
        if self.db is None or not rows:
            return
        try:
            with self.db:
                self.db.executemany(f"INSERT OR REPLACE INTO {table} (key, value) VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass
