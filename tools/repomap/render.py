"""Render the top of a ranking as a token-budgeted map: definitions with their signatures, per file."""

from __future__ import annotations

from tools.repomap.index import RepoIndex
from tools.repomap.rank import Ranking

TOP_FILE_DEFS = 30
"""Definitions shown for the best file at most (the ranked symbols first, then the outline)."""
OTHER_FILE_DEFS = 12
"""Definitions shown for each further file at most, so that the map covers more files."""
MAX_FILES = 60
"""Files considered for the map at most."""


def estimate_tokens(text: str) -> int:
    """A cheap token estimate (about four characters a token for code)."""
    return (len(text) + 3) // 4


def _file_block(index: RepoIndex, path: str, wanted: set[str], cap: int) -> str:
    defs = index.tags[path].defs
    chosen = [d for d in defs if d.qualname in wanted]
    outline = [d for d in defs if d.qualname not in wanted and d.kind not in ("constant", "declaration")]
    outline.sort(key=lambda d: (d.qualname.count("."), d.line))
    chosen = sorted(chosen[:cap] + outline[: max(0, cap - len(chosen))], key=lambda d: d.line)
    lines = [f"{path}:"]
    for d in chosen:
        indent = "  " * d.qualname.count(".")
        lines.append(f"{d.line:>6}│ {indent}{d.signature}")
    if len(chosen) < len(defs):
        lines.append(f"      ⋮ ({len(defs) - len(chosen)} more definitions)")
    return "\n".join(lines)


def render_map(index: RepoIndex, ranking: Ranking, max_tokens: int) -> str:
    """The map of as many top-ranked files as fit in `max_tokens`; the best file's block cut to fit when alone it
    does not."""
    if max_tokens <= 0:
        return ""
    wanted = {d.qualname for _, d, _ in ranking.symbols}
    candidates = [f.path for f in ranking.files[:MAX_FILES] if f.path in index.tags and index.tags[f.path].defs]
    blocks: list[str] = []
    for i, path in enumerate(candidates):
        block = _file_block(index, path, wanted, TOP_FILE_DEFS if i == 0 else OTHER_FILE_DEFS)
        if estimate_tokens("\n\n".join([*blocks, block])) > max_tokens:
            return "\n\n".join(blocks) if blocks else block[: max_tokens * 4].rsplit("\n", 1)[0]
        blocks.append(block)
    return "\n\n".join(blocks)
