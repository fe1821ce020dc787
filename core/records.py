"""JSON records from text or a file: a JSON array, or JSON Lines (one value a non-blank line); gzip told by name."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any


def parse_records(text: str) -> list[Any]:
    """The values of a JSON array, or of JSON Lines; json.JSONDecodeError (a ValueError) when one is not JSON."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        return json.loads(stripped)
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def read_records(path: Path) -> list[Any]:
    """`parse_records` of a file's text, decompressed when its name ends in .gz (OSError or ValueError when bad)."""
    data = Path(path).read_bytes()
    return parse_records((gzip.decompress(data) if Path(path).name.endswith(".gz") else data).decode("utf-8"))
