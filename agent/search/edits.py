"""The repair edit format: the model gives the shown regions back fixed (fenced blocks, matched by `### path` header
or resemblance; a block like no region is ignored), or writes SEARCH/REPLACE blocks. In Python a rewrite holding only
whole definitions replaces just those, by name, so returning one fixed function does not delete the rest."""

from __future__ import annotations

import ast
import difflib
import re
import textwrap
from dataclasses import dataclass

from agent.search.localize import Region
from tools.fuzzy import common_indent, find_block

_FENCE = re.compile(r"```[\w+.-]*[ \t]*\n(.*?)```", re.S)


def code_blocks(reply: str) -> list[str]:
    """The contents of the fenced code blocks in a reply, in order."""
    return _FENCE.findall(reply)
_SEARCH_REPLACE = re.compile(r"<<<<<<< ?SEARCH[ \t]*\n(.*?)\n?=======[ \t]*\n(.*?)\n?>>>>>>> ?REPLACE", re.S)
_HEADER = re.compile(r"###\s*`?([\w./-]+)`?(?:\s*\(lines?\s*(\d+)\s*-\s*(\d+)\))?")
RESEMBLANCE = 0.3
"""How alike (difflib ratio) a header-less block and a region must be for the block to count as its rewrite."""


class NoChange(ValueError):
    """The answer is well formed but changes nothing (the code given back is the code shown)."""


@dataclass
class Edit:
    """One change the model asked for."""

    path: str
    """File path relative to the repository root."""
    new: str
    """Replacement text: the region's new code, or a SEARCH/REPLACE block's replacement."""
    region: Region | None = None
    """The region rewritten (None for a SEARCH/REPLACE edit)."""
    old: str | None = None
    """A SEARCH/REPLACE edit's search text."""


def show(regions: list[Region]) -> str:
    """The regions as the model sees them: a header line, then the code in a fence."""
    parts = []
    for region in regions:
        language = "python" if region.path.endswith(".py") else ""
        header = f"### {region.path} (lines {region.start}-{region.end})"
        parts.append(f"{header}\n```{language}\n{region.text.rstrip()}\n```")
    return "\n\n".join(parts)


def show_numbered(regions: list[Region]) -> str:
    """The regions with each line numbered as in its file (`  12 | code`), for one-line answers."""
    parts = []
    for region in regions:
        width = len(str(region.end))
        lines = [f"{number:>{width}} | {line}" for number, line in
                 enumerate(region.text.rstrip("\n").split("\n"), region.start)]
        parts.append(f"### {region.path}\n```\n" + "\n".join(lines) + "\n```")
    return "\n\n".join(parts)


_LINE_ANSWER = re.compile(r"^[ \t`*]*(?:(\S+?\.\w+):?\s+)?LINE\s+(\d+)\s*:[ \t]?(.*?)`*$", re.M)


def named_lines(reply: str, regions: list[Region]) -> list[tuple[Region, int, str]]:
    """The `LINE n: code` answers as (region, line number, code), the first per line; a number off by a line or two
    is read as the nearby line the code resembles far better."""
    found: dict[tuple[str, int], tuple[Region, int, str]] = {}
    for match in _LINE_ANSWER.finditer(reply):
        path, number, code = match.group(1), int(match.group(2)), match.group(3).strip().strip("`")
        region = next((r for r in regions if r.start <= number <= r.end and (path is None or r.path.endswith(path))),
                      None)
        if region is None:
            continue
        number = _meant(region, number, code)
        found.setdefault((region.path, number), (region, number, code))
    return list(found.values())


def _meant(region: Region, number: int, code: str) -> int:
    lines = region.text.split("\n")

    def likeness(n: int) -> float:
        return difflib.SequenceMatcher(None, code.strip(), lines[n - region.start].strip(), autojunk=False).ratio()

    nearby = [n for n in range(number - 2, number + 3) if region.start <= n < region.start + len(lines)]
    best = max(nearby, key=lambda n: (likeness(n), -abs(n - number)))
    return best if likeness(best) >= 0.75 and likeness(number) < 0.5 else number


def parse_line_edits(reply: str, regions: list[Region]) -> list[Edit]:
    """`LINE n: code` answers as one-line edits; ValueError when there is none, NoChange when all repeat their line."""
    edits: list[Edit] = []
    same = False
    for region, number, code in named_lines(reply, regions):
        old = region.text.split("\n")[number - region.start]
        if code.strip() == old.strip():
            same = True
            continue
        indent = old[:len(old) - len(old.lstrip())]
        line = Region(region.path, number, number, old + "\n", region.reason)
        edits.append(Edit(region.path, indent + code.strip() + "\n", line))
    if edits:
        return edits
    if same:
        raise NoChange("the line you gave is the line as it is: name the line that causes the failure and fix it")
    raise ValueError("the answer is not of the form `LINE <number>: <the corrected line>` for a line shown")


def _header_region(header: str, regions: list[Region]) -> Region | None:
    matches = list(_HEADER.finditer(header))
    if not matches:
        return None
    path, first, _ = matches[-1].groups()
    same_file = [r for r in regions if r.path == path or r.path.endswith("/" + path)]
    if first:
        same_file = [r for r in same_file if r.start == int(first)] or same_file
    return same_file[0] if len(same_file) == 1 else None


def _resembling(code: str, regions: list[Region]) -> Region | None:
    """The region the block rewrites: the most alike, or else the one Python region defining a name it defines (a
    stub's functions written out resemble the stub little)."""
    scored = [(difflib.SequenceMatcher(None, code, r.text, autojunk=False).ratio(), r) for r in regions]
    ratio, best = max(scored, key=lambda item: item[0], default=(0.0, None))
    if ratio >= RESEMBLANCE:
        return best
    names = {_name(node) for node in _body(code) or []} - {None}
    defining = [r for r in regions if r.path.endswith(".py") and names & {_name(n) for n in _body(r.text) or []}]
    return defining[0] if len(defining) == 1 else None


def _search_replace(reply: str, regions: list[Region]) -> list[Edit]:
    edits, files = [], list(dict.fromkeys(r.path for r in regions))
    last_end = 0
    for match in _SEARCH_REPLACE.finditer(reply):
        region = _header_region(reply[last_end:match.start()], regions)
        path = region.path if region else (files[0] if len(files) == 1 else None)
        if path is None:
            path = next((r.path for r in regions if match.group(1).strip() and match.group(1).strip() in r.text), None)
        if path:
            edits.append(Edit(path, match.group(2), old=match.group(1)))
        last_end = match.end()
    return edits


def parse_edits(reply: str, regions: list[Region]) -> list[Edit]:
    """The edits in a reply; ValueError saying what is wrong when it holds none that change anything."""
    edits = _search_replace(reply, regions)
    if edits:
        return edits
    chosen: dict[int, Edit] = {}
    last_end = 0
    blocks = list(_FENCE.finditer(reply))
    if not blocks and regions:
        raise ValueError("the reply has no code block: give back the corrected code in a ``` fenced block")
    for match in blocks:
        code = match.group(1)
        region = _header_region(reply[last_end:match.start()], regions) or _resembling(code, regions)
        last_end = match.end()
        if region is None or same_code(code, region.text):
            continue
        chosen[id(region)] = Edit(region.path, code, region)  # a later block for a region replaces an earlier one
    if not chosen:
        if any(same_code(m.group(1), r.text) for m in blocks for r in regions):
            raise NoChange("the code you gave back is the same as the code shown: change the code that causes the "
                           "failure")
        raise ValueError("the reply's code matches none of the code shown: give back the corrected code of the "
                         "part you change")
    return list(chosen.values())


def same_code(a: str, b: str) -> bool:
    """The two texts hold the same lines (trailing spaces and blank ends aside)."""
    return [line.rstrip() for line in a.strip().splitlines()] == [line.rstrip() for line in b.strip().splitlines()]


def reindent(code: str, indent: str) -> str:
    """`code` moved to start at `indent` (its own common indentation removed first)."""
    lines = textwrap.dedent(code.rstrip("\n")).splitlines()
    return "".join((indent + line if line.strip() else "") + "\n" for line in lines)


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _body(code: str) -> list[ast.stmt] | None:
    try:
        return ast.parse(textwrap.dedent(code)).body
    except (SyntaxError, ValueError):
        return None


def _span(node: ast.stmt) -> tuple[int, int]:
    """0-based first line (decorators included) and end line of a statement."""
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1, node.end_lineno or 0


def _name(node: ast.stmt) -> str | None:
    """What a top-level statement defines: a function or class name, or the one name an assignment binds."""
    if isinstance(node, _DEFS):
        return node.name
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None


def rewrite_region(region: Region, code: str) -> tuple[str, list[str]]:
    """The region's new text for the model's `code`, and import lines it needs that the region lacks. Python code
    defining names the region defines replaces just those (new helpers go before the first; usage examples are
    dropped); otherwise the code replaces the whole region."""
    indent = common_indent(region.text.splitlines())
    old_body = _body(region.text) if region.path.endswith(".py") else None
    new_body = _body(code) if old_body is not None else None
    if old_body and new_body:
        old_defs = {name: node for node in old_body if (name := _name(node))}
        matching = [n for n in new_body if _name(n) in old_defs]
        if matching and (len(old_body) > len(matching) or len(new_body) > len(matching)):
            helpers = [n for n in new_body if isinstance(n, _DEFS) and n.name not in old_defs]
            imports = [n for n in new_body if isinstance(n, ast.Import | ast.ImportFrom)]
            new_lines = textwrap.dedent(code).splitlines(keepends=True)
            lines = textwrap.dedent(region.text).splitlines(keepends=True)

            def text_of(node: ast.stmt) -> str:
                first, last = _span(node)
                return "".join(new_lines[first:last])

            for node in sorted(matching, key=lambda n: -old_defs[_name(n)].lineno):
                target = old_defs[_name(node)]
                first, last = _span(target)
                extra = "".join(text_of(h) + "\n" for h in helpers) if node is matching[0] else ""
                lines[first:last] = reindent(extra + text_of(node), " " * target.col_offset).splitlines(keepends=True)
            return reindent("".join(lines), indent), [text_of(n).strip() for n in imports]
    return reindent(code, indent), []


def apply_edits(files: dict[str, str], edits: list[Edit]) -> dict[str, str]:
    """The new text of every file the edits change; ValueError naming the first edit that cannot be placed."""
    changed = dict(files)
    rewrites = sorted((e for e in edits if e.region is not None), key=lambda e: -e.region.start)
    for edit in rewrites:
        region = edit.region
        lines = changed[edit.path].splitlines(keepends=True)
        text, imports = rewrite_region(region, edit.new)
        lines[region.start - 1:region.end] = text.splitlines(keepends=True)
        changed[edit.path] = add_imports("".join(lines), imports)
    for edit in (e for e in edits if e.region is None):
        changed[edit.path] = _replace(changed.get(edit.path, ""), edit)
    return {path: text for path, text in changed.items() if text != files.get(path)}


def add_imports(text: str, imports: list[str]) -> str:
    """`text` with the import lines it lacks added after its last top-level import (or at the top)."""
    missing = [line for line in imports if line and line not in text]
    if not missing:
        return text
    lines = text.splitlines(keepends=True)
    body = _body(text) or []
    last = max((n.end_lineno or 0 for n in body if isinstance(n, ast.Import | ast.ImportFrom)), default=0)
    if not last and body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                                          ast.Constant):
        last = body[0].end_lineno or 0  # after the module docstring
    return "".join(lines[:last] + [line + "\n" for line in missing] + lines[last:])


def _replace(text: str, edit: Edit) -> str:
    lines = text.splitlines()
    block = (edit.old or "").splitlines()
    found = find_block(lines, block)
    if len(found) != 1:
        where = "is not in" if not found else f"occurs {len(found)} times in"
        raise ValueError(f"the SEARCH text of an edit {where} {edit.path}")
    match = found[0]
    new_lines = match.adapt(edit.new.splitlines())
    result = lines[:match.start] + new_lines + lines[match.end:]
    return "\n".join(result) + ("\n" if text.endswith("\n") else "")
