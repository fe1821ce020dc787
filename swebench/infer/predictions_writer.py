"""preds.jsonl in the official format: every write atomically replaces the whole file (temporary file, fsync,
rename), so `kill -9` never leaves a torn line. `read_records` reads any JSONL leniently (bad lines skipped and
reported, a repeated id keeps its last line)."""

from __future__ import annotations

import fcntl
import json
import threading
from pathlib import Path
from typing import Any

from agent.atomic import write_atomically
from core.errors import UserError

KEY = "instance_id"
"""The field that identifies a record."""


def read_records(path: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every well-formed record of `path` by instance id, in first-seen order (a later line of the same id replaces
    the earlier one), and one sentence per skipped line (torn, malformed, without an id); nothing when `path` does
    not exist."""
    records: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return records, problems
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            torn = number == len(lines)  # the text after the last newline: an interrupted append
            problems.append(f"line {number}: {'torn last line' if torn else 'not valid JSON'}, skipped")
            continue
        if not isinstance(record, dict) or not isinstance(record.get(KEY), str):
            problems.append(f"line {number}: no {KEY}, skipped")
            continue
        records[record[KEY]] = record
    return records, problems


class PredictionsWriter:
    """A JSONL file of records keyed by instance id; each `put` atomically replaces the whole file. Thread-safe;
    holds an exclusive lock on `<file>.lock` from open() to close(), so two runners never write one file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        """The JSONL file."""
        self.problems: list[str] = []
        """What the lenient read of the existing file skipped."""
        self._records: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._lock_file: Any = None

    def open(self) -> PredictionsWriter:
        """Take the file's lock and read what it already holds; UserError when another process holds the lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file = (self.path.parent / f"{self.path.name}.lock").open("w")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise UserError(f"{self.path} is being written by another running `agent swebench infer`; wait for it "
                            "to finish or use another --run-id.") from None
        self._records, self.problems = read_records(self.path)
        return self

    def close(self) -> None:
        """Release the lock (closing the lock file releases it)."""
        self._lock_file.close()

    def __enter__(self) -> PredictionsWriter:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def ids(self) -> set[str]:
        """Instance ids that have a record."""
        with self._lock:
            return set(self._records)

    def put(self, record: dict[str, Any]) -> None:
        """Add or replace the record of `record[KEY]`, then replace the file atomically."""
        if not isinstance(record.get(KEY), str):
            raise ValueError(f"a record needs a string {KEY}")
        with self._lock:
            self._records.pop(record[KEY], None)  # a redone instance moves to the end
            self._records[record[KEY]] = record
            write_atomically(self.path, "".join(json.dumps(r) + "\n" for r in self._records.values()), durable=True)
