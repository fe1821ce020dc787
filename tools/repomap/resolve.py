"""Match what an issue names (paths as printed, dotted modules) to files of the repository."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath


class PathResolver:
    """Suffix lookup of repository files: `site-packages/requests/models.py` -> `requests/models.py`."""

    def __init__(self, paths: list[str]):
        self.by_suffix: dict[str, list[str]] = defaultdict(list)
        self.by_module: dict[str, list[str]] = defaultdict(list)
        for path in paths:
            parts = PurePosixPath(path).parts
            for k in range(1, len(parts) + 1):
                self.by_suffix["/".join(parts[-k:])].append(path)
            stem = PurePosixPath(path).with_suffix("")
            mod_parts = stem.parts[:-1] if stem.name == "__init__" else stem.parts
            for k in range(1, len(mod_parts) + 1):
                self.by_module[".".join(mod_parts[-k:])].append(path)

    def path(self, mention: str) -> tuple[list[str], int]:
        """Files matching the longest suffix of `mention`, and how many path components matched."""
        parts = [p for p in PurePosixPath(mention.replace("\\", "/")).parts if p not in ("/", ".", "..")]
        for k in range(len(parts), 0, -1):
            found = self.by_suffix.get("/".join(parts[-k:]))
            if found:
                return found, k
        return [], 0

    def module(self, dotted: str) -> tuple[list[str], int, list[str]]:
        """Files for the longest module prefix of `dotted`, components matched, and the remaining names."""
        parts = dotted.split(".")
        for k in range(len(parts), 0, -1):
            found = self.by_module.get(".".join(parts[:k]))
            if found:
                return found, k, parts[k:]
        return [], 0, parts
