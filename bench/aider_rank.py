"""Rank files with Aider's repo map; runs inside the separate Aider venv, driven by localization.py.

Reads one JSON request per line on stdin ({"root", "mentioned_fnames", "mentioned_idents"}) and
writes one JSON line per request: {"files": [...], "seconds": s}, files best first (relative paths).
"""

from __future__ import annotations

import json
import os
import sys
import time

from aider.repomap import RepoMap


class QuietIO:
    """The small part of Aider's InputOutput that RepoMap uses."""

    def read_text(self, filename, silent=False):
        """A file's text, or None when unreadable."""
        try:
            with open(filename, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def tool_output(self, *args, **kwargs):
        """Ignored."""

    tool_warning = tool_error = tool_output


class CharTokens:
    """Stands in for Aider's model: token counts estimated from characters (no tokenizer download)."""

    def token_count(self, text):
        """About four characters a token."""
        return len(text) // 4


def source_files(root):
    """Every file under root except version-control metadata."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found.extend(os.path.join(dirpath, name) for name in filenames)
    return found


def rank(request):
    """Aider's ranked tags reduced to files in order of first appearance."""
    root = request["root"]
    repo_map = RepoMap(map_tokens=1024, root=root, main_model=CharTokens(), io=QuietIO())
    mentioned = {os.path.join(root, p) for p in request["mentioned_fnames"]}
    tags = repo_map.get_ranked_tags([], source_files(root), mentioned, set(request["mentioned_idents"]))
    files = []
    for tag in tags:
        if tag[0] not in files:
            files.append(tag[0])
    return files


def main():
    """Serve requests until stdin closes."""
    for line in sys.stdin:
        started = time.monotonic()
        try:
            files = rank(json.loads(line))
        except Exception as exc:  # report, keep serving
            print(json.dumps({"files": [], "error": repr(exc), "seconds": 0}), flush=True)
            continue
        print(json.dumps({"files": files, "seconds": time.monotonic() - started}), flush=True)


if __name__ == "__main__":
    main()
