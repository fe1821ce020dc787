"""The `find_symbol` tool: where a name is defined and which files use it, from the repo map's index."""

from __future__ import annotations

import shlex

from tools.function_tool import ToolError
from tools.repomap.cache import TagCache, default_cache_dir
from tools.repomap.index import list_files, load_tags
from tools.repomap.sources import WorkspaceSource
from tools.repomap.tags import Definition, FileTags
from workspaces.base import Workspace

GREP_TIMEOUT = 30.0
"""Seconds the search for reference lines may take."""


def _definitions(tags: dict[str, FileTags], name: str) -> list[tuple[str, Definition]]:
    last = name.rsplit(".", 1)[-1]
    found = [(p, d) for p, t in tags.items() for d in t.defs if d.name == last]
    if "." in name:
        found = [(p, d) for p, d in found if d.qualname == name or d.qualname.endswith("." + name)]
    return found


def _reference_lines(ws: Workspace, name: str, files: list[str], limit: int) -> list[str]:
    if not files:
        return []
    paths = " ".join(shlex.quote(f) for f in files)
    cmd = f"git grep --untracked -n -w -F -e {shlex.quote(name)} -- {paths} | head -n {limit}"
    result = ws.exec(cmd, timeout=GREP_TIMEOUT)
    return [line.strip() for line in result.output.splitlines() if line.strip()][:limit]


def find_symbol(
    ws: Workspace, name: str, references: bool = True, *, max_shown: int = 30, cache_dir: str | None = None
) -> str:
    """Find where a function, class, method or type is defined, and which files reference it.

    Args:
        name: The symbol, bare (`subs`) or qualified by its class (`Basic.subs`).
        references: Also list the files and lines that use it.
    """
    name = name.strip()
    if not name.replace(".", "").replace("_", "").isalnum():
        raise ToolError(f"{name!r} is not an identifier; give a bare or dotted name such as Basic.subs.")
    notes: list[str] = []
    source = WorkspaceSource(ws)
    files, fresh = list_files(source, notes)
    tags = load_tags(source, files, fresh, TagCache(cache_dir or default_cache_dir()), notes, workers=1)
    defs = _definitions(tags, name)
    lines = [f"Definitions of {name} ({len(defs)}):" if defs else f"No definition of {name} found."]
    for path, d in defs[:max_shown]:
        lines.append(f"  {path}:{d.line}  {d.kind} {d.qualname}: {d.signature}")
    if len(defs) > max_shown:
        lines.append(f"  ... and {len(defs) - max_shown} more")
    if references:
        bare = name.rsplit(".", 1)[-1]
        users = sorted(((t.refs[bare], p) for p, t in tags.items() if bare in t.refs), reverse=True)
        lines.append(f"Referenced in {len(users)} file(s)" + (":" if users else "."))
        lines.extend(_reference_lines(ws, bare, [p for _, p in users[:15]], max_shown))
        if len(users) > 15:
            lines.append(f"  ... and {len(users) - 15} more files: " + ", ".join(p for _, p in users[15:30]))
    return "\n".join(lines)
