"""Match what an issue names (paths as printed, dotted modules) to files of the repository."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from pathlib import PurePosixPath


class PathResolver:
    """Suffix lookup of repository files: `site-packages/requests/models.py` -> `requests/models.py`."""

    def __init__(self, paths: list[str]):
        self.by_suffix: dict[str, list[str]] = defaultdict(list)
        self.by_module: dict[str, list[str]] = defaultdict(list)
        for path in paths:
            parts = [p for p in path.split("/") if p]
            for k in range(1, len(parts) + 1):
                self.by_suffix["/".join(parts[-k:])].append(path)
            mod_parts = parts[:-1] + [posixpath.splitext(parts[-1])[0]] if parts else []
            if mod_parts and mod_parts[-1] == "__init__":
                mod_parts.pop()
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
