"""Where to look: regions a repair shows the model, from traceback frames in project code, what failing test files
import, then the planner's ranking; a small file whole, else the function around the evidence, within a budget."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from agent.planner import Plan
from tools.repomap.filekinds import is_test_path
from tools.repomap.languages import language_for
from tools.repomap.resolve import PathResolver
from workspaces.base import Workspace

_DUMPED = re.compile(r'File "([^"]+)", line (\d+) in (\S+)')  # faulthandler: innermost first
_TRACED = (  # Python tracebacks and pytest's short ones: outermost first
    re.compile(r'File "([^"]+)", line (\d+), in (\S+)'),
    re.compile(r"^([\w./\\~-]+\.\w+):(\d+): (?:in (\S+))?", re.M),
)
_SYMBOL = re.compile(r"^(?P<name>[\w.]+) \((?P<path>[^:()]+):(?P<line>\d+)\)$")
PLAN_SYMBOLS = 2
"""Key symbols of the plan worth showing: further down its list they are guesses, and each costs lines."""
KEEP = 0.5
"""Leads whose evidence weighs less than this share of the strongest lead's are not shown."""
WINDOW = 30
"""Lines shown above and below a line of interest outside Python functions."""


@dataclass
class Region:
    """Lines of one file shown to the model (1-based, inclusive)."""

    path: str
    """File path relative to the repository root."""
    start: int
    """First line."""
    end: int
    """Last line."""
    text: str
    """The lines, joined (with their newlines)."""
    reason: str
    """Why it is shown."""

    @property
    def size(self) -> int:
        """Number of lines."""
        return self.end - self.start + 1


@dataclass
class Lead:
    """A file worth showing and the lines or names in it that matter."""

    path: str
    """File path relative to the repository root."""
    lines: list[int]
    """Lines of interest (traceback frames), strongest first."""
    names: list[str]
    """Names of interest (imported by a failing test, key symbols of the plan)."""
    reason: str
    """The strongest evidence, in words."""
    score: float = 0.0
    """Evidence weight: frames count most, then what failing tests import, then the planner's rank."""


def frames(output: str, root: str) -> list[tuple[str, int]]:
    """(path relative to `root`, line) of the frames in `output`, innermost first (a hung test's stack first)."""
    prefix = root.rstrip("/") + "/"

    def rel(match: re.Match) -> tuple[str, int]:
        return match.group(1).replace("\\", "/").removeprefix(prefix), int(match.group(2))

    dumped = [rel(m) for m in _DUMPED.finditer(output)]
    traced = sorted((m.start(), rel(m)) for pattern in _TRACED for m in pattern.finditer(output))
    return list(dict.fromkeys(dumped + [frame for _, frame in reversed(traced)]))


def imported_modules(test_text: str) -> list[tuple[str, list[str]]]:
    """(module, names imported from it) of a Python test file's imports."""
    try:
        tree = ast.parse(test_text)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
    return found


class _Leads:
    """Leads merged per file, in the order first found."""

    def __init__(self, sources: set[str]):
        self.sources = sources
        self.by_path: dict[str, Lead] = {}

    def add(self, path: str, line: int | None, name: str | None, reason: str, weight: float) -> None:
        if path not in self.sources:
            return
        lead = self.by_path.setdefault(path, Lead(path, [], [], reason))
        lead.score += weight
        if line and line not in lead.lines:
            lead.lines.append(line)
        if name and name not in lead.names:
            lead.names.append(name)


def imported_names(resolver: PathResolver, test_text: str) -> list[tuple[str, str | None]]:
    """(module, name or None) a test file takes from modules; `from pkg import mod` of a submodule is the module."""
    found: list[tuple[str, str | None]] = []
    for module, names in imported_modules(test_text):
        for name in names or [None]:
            submodule = f"{module}.{name}" if name else ""
            files, matched, _ = resolver.module(submodule) if submodule else ([], 0, [])
            if len(files) == 1 and matched == len(submodule.split(".")):
                found.append((submodule, None))
            else:
                found.append((module, name))
    return found


def leads(ws: Workspace, plan: Plan | None, failing_output: str, test_files: list[str],
          paths: list[str]) -> list[Lead]:
    """Files to show, strongest evidence first, one lead per file (evidence merged)."""
    found = _Leads({p for p in paths if not is_test_path(p) and language_for(p)})
    for depth, (path, line) in enumerate(frames(failing_output, ws.root)):
        found.add(path, line, None, "in the failing test's traceback", 3.0 / (1 + depth))
    resolver = PathResolver(sorted(found.sources))
    for test in test_files:
        try:
            text = ws.read_file(test)
        except (OSError, ValueError):
            continue
        stem = test.rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_").removesuffix("_test")
        for module, name in imported_names(resolver, text):
            files, matched, _ = resolver.module(module)
            if len(files) == 1 and matched == len(module.split(".")):
                weight = 2.0 if module.rsplit(".", 1)[-1] == stem else 1.0
                found.add(files[0], None, name, f"imported by {test}", weight)
    for rank, (path, name, line) in enumerate(plan_leads(plan)):
        found.add(path, line, name, "ranked by the planner", 1.0 / (2 + rank))
    ranked = sorted(found.by_path.values(), key=lambda lead: -lead.score)
    return [lead for lead in ranked if lead.score >= KEEP * ranked[0].score]


def plan_leads(plan: Plan | None) -> list[tuple[str, str | None, int | None]]:
    """(path, symbol, line) from the plan: its first key symbols (in its top files), then its ranked files."""
    if plan is None:
        return []
    found: list[tuple[str, str | None, int | None]] = []
    ranked = [f.path for f in plan.files]
    for symbol in plan.symbols[:PLAN_SYMBOLS]:
        match = _SYMBOL.match(symbol)
        if match and match["path"] in ranked[:3]:
            found.append((match["path"], match["name"].rsplit(".", 1)[-1], None))
    found.sort(key=lambda item: ranked.index(item[0]))
    return found + [(path, None, None) for path in ranked]


def python_spans(text: str) -> list[tuple[str, int, int, int]]:
    """(name, first line with decorators, last line, depth) of the functions, classes and module-level
    assignments of a Python file; [] when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    spans = []

    def visit(node: ast.AST, depth: int) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                spans.append((child.name, first, child.end_lineno or child.lineno, depth))
                visit(child, depth + 1)
            elif depth == 0 and isinstance(child, ast.Assign | ast.AnnAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        spans.append((target.id, child.lineno, child.end_lineno or child.lineno, depth))

    visit(tree, 0)
    return spans


def spans_for(lead: Lead, text: str, max_region: int) -> list[tuple[int, int]]:
    """Line spans of a file worth showing for `lead`."""
    total = text.count("\n") + (0 if text.endswith("\n") else 1)
    wanted: list[tuple[int, int]] = []
    spans = python_spans(text) if lead.path.endswith(".py") else []
    for line in lead.lines:
        around = [s for s in spans if s[1] <= line <= s[2] and s[3] <= 1 and s[2] - s[1] < max_region]
        best = min(around, key=lambda s: s[2] - s[1]) if around else None
        wanted.append((best[1], best[2]) if best else (max(1, line - WINDOW), min(total, line + WINDOW)))
    for name in lead.names:
        for _, first, last, _depth in (s for s in spans if s[0] == name and s[2] - s[1] < max_region):
            pad = 2 if first == last else 0  # a one-line assignment: show its neighbours too
            wanted.append((max(1, first - pad), min(total, last + pad)))  # a name too long to show is skipped
    return merge(wanted)


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or adjacent spans joined, in file order."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def regions(ws: Workspace, found: list[Lead], *, budget: int, whole_file: int, max_region: int = 80) -> list[Region]:
    """The regions to show for `found` leads, in order, until `budget` lines are spent (one region at least)."""
    shown: list[Region] = []
    used = 0
    for lead in found:
        try:
            text = ws.read_file(lead.path)
        except (OSError, ValueError):
            continue
        lines = text.splitlines(keepends=True)
        spans = [(1, len(lines))] if len(lines) <= whole_file else spans_for(lead, text, max_region)
        for first, last in spans:
            if used and used + (last - first + 1) > budget:
                return shown
            last = min(last, first + budget - 1)
            shown.append(Region(lead.path, first, last, "".join(lines[first - 1:last]), lead.reason))
            used += last - first + 1
    return shown
