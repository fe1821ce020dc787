"""The whole-file candidate source (a small model often writes the fix when asked for the whole file): the longest
code block becomes the file; if it holds only some definitions, just those are replaced (edits.py)."""

from __future__ import annotations

from agent.search.edits import Edit, NoChange, code_blocks, same_code
from agent.search.localize import Region
from prompts import render

SYSTEM = "You are an expert programmer. You fix bugs by rewriting the whole file."
"""The source's system message: a different framing from the region rewrites' is the point of the source."""


def file_region(regions: list[Region], originals: dict[str, str], max_lines: int) -> Region | None:
    """The file the source rewrites: the first shown region's file, whole, when it has at most `max_lines` lines."""
    if not regions or not max_lines:
        return None
    path = regions[0].path
    text = originals.get(path, "")
    lines = text.count("\n") + (not text.endswith("\n"))
    return Region(path, 1, lines, text, "the whole file") if text and lines <= max_lines else None


def file_prompt(region: Region, issue: str, report: str) -> str:
    """The source's prompt: the file, the failing output (else the issue), the request for the whole file."""
    language = "python" if region.path.endswith(".py") else ""
    return render("repair_file.j2", path=region.path, code=region.text.rstrip(), language=language, report=report,
                  issue=issue).strip()


def parse_file(reply: str, region: Region) -> list[Edit]:
    """The reply's longest code block as the file's new text; ValueError if none, NoChange if it is unchanged."""
    blocks = code_blocks(reply)
    if not blocks:
        raise ValueError(f"the reply has no code block: write the whole corrected `{region.path}` in a ``` fenced "
                         "block")
    code = max(blocks, key=len)
    if same_code(code, region.text):
        raise NoChange("the file you gave back is the file as it is: change the code that causes the failure")
    return [Edit(region.path, code, region)]
