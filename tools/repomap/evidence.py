"""Evidence from what the issue mentions: per file a score and the reasons, per symbol a boost. Paths and modules
resolve to files; deeper stack frames weigh more; identifiers credit their defining files (split among definers,
weighed by use: a bare call means module level, `.name` a method, a name only from another library is that
library's); `Class.attr` resolves through the bases; a call-signature TypeError names the missing frame; error
messages are grepped for."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator

from tools.repomap.filekinds import is_primary
from tools.repomap.graph import MAX_DEFINERS
from tools.repomap.index import RepoIndex
from tools.repomap.languages import language_for
from tools.repomap.mentions import Frame, Mentions
from tools.repomap.resolve import PathResolver
from tools.repomap.tags import Definition

PROSE_FACTOR = 0.5
"""Plain lower-case words that happen to name a definition count this much."""
TITLE_FACTOR = 1.5
"""Identifiers in the issue's title count this much more."""
KIND_MISMATCH = 0.3
"""A definition of the wrong kind for the use (a method for a bare call) counts this much."""
REPORTER_FACTOR = 0.3
"""Names the issue's own code defines count this much (the reporter's test or proposal)."""
FOREIGN_FACTOR = 0.3
"""Names the issue's code takes only from other libraries (`np.array`, `from numpy import array`) count this much."""
SPREAD = 0.5
"""An identifier's credit is divided by (number of files defining it) ** SPREAD."""
QUALIFIED_FACTOR = 1.5
"""`Class.attr` resolved to the defining class counts this much more than a plain identifier."""
FRAME_BASE = 2.0
"""Credit of the outermost stack frame in the repository."""
FRAME_DEPTH = 3.0
"""Extra credit of the innermost frame (frames in between get a share by depth)."""
FRAME_TITLE_FACTOR = 2.0
"""A frame whose function the title names counts this much more."""
FRAME_EXTRA = 0.25
"""Each further frame in a file already credited adds this fraction of its weight."""
PACKAGE_SHARE = 0.5
"""A mentioned package passes this fraction of its credit to the modules its `__init__` imports from."""
_BASES = re.compile(r"\b([A-Za-z_]\w*)\b(?!\s*=)")
OPTION_WEIGHT = 1.5
"""Credit of the file that spells out a mentioned option or setting (split between files that do)."""
MAX_OPTIONS = 4
"""Options looked up per issue (each is one grep)."""
MESSAGE_FILES = 10
"""An error message found in more files than this says nothing about where it is raised."""
MIN_LITERAL = 12
"""Shortest fixed part of an error message worth grepping for."""
MAX_BASE_DEPTH = 8
"""How far up the base classes an attribute is looked for."""
_VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|<[^>]*>|\S*\d\S*|\S*[{}()%\[\]]\S*")
_ALIAS = re.compile(r"[\w.]+(?:\s*=\s*[\w.]+)+")


class Evidence:
    """Accumulates mention scores and reasons per file, and boosts per (file, symbol)."""

    def __init__(self) -> None:
        self.score: dict[str, float] = defaultdict(float)
        self.reasons: dict[str, list[str]] = defaultdict(list)
        self.symbols: dict[tuple[str, str], float] = defaultdict(float)

    def add(self, path: str, weight: float, reason: str) -> None:
        """Credit `path` with `weight`, remembering the reason (a few per file)."""
        self.score[path] += weight
        if reason not in self.reasons[path] and len(self.reasons[path]) < 4:
            self.reasons[path].append(reason)


def collect(index: RepoIndex, m: Mentions, grep=None) -> Evidence:
    """All mention evidence for the index's files."""
    ev = Evidence()
    resolver = PathResolver(index.paths)
    mention_paths(index, m, resolver, ev)
    mention_frames(m, resolver, ev)
    resolved = mention_qualified(index, m, ev)
    mention_identifiers(index, m, ev, resolved, resolver)
    mention_callees(index, m, ev)
    if grep is not None:
        mention_errors(m, grep, ev)
        mention_options(m, grep, ev)
    return ev


def printed_files(m: Mentions, resolver: PathResolver) -> Iterator[tuple[str, list[str], int]]:
    """(path as printed, files, components matched) for the printed paths that name files of the project."""
    for mention in m.paths:
        found, depth = resolver.path(mention)
        if found and len(found) <= 3 and printed_path_fits(mention, depth):
            yield mention, found, depth


def framed_files(m: Mentions, resolver: PathResolver) -> list[tuple[str, Frame]]:
    """(file, frame) for the stack frames in the project, outermost first."""
    in_repo = []
    for frame in m.frames:
        found, depth = resolver.path(frame.path)
        if found and len(found) == 1 and printed_path_fits(frame.path, depth):
            in_repo.append((found[0], frame))
    return in_repo


def named_modules(index: RepoIndex, m: Mentions, resolver: PathResolver) -> Iterator[tuple[str, list[str], int, bool]]:
    """(dotted name, files, parts matched, whether names follow the module) for the modules of the project named."""
    for dotted in m.modules:
        found, depth, rest = resolver.module(dotted)
        if found and len(found) <= 3 and _module_fits(index, resolver, dotted, found, depth, rest):
            yield dotted, found, depth, bool(rest)


def mention_paths(index: RepoIndex, m: Mentions, resolver: PathResolver, ev: Evidence) -> None:
    """Printed paths and dotted modules; a package passes part of its credit to the modules it re-exports."""
    for mention, found, depth in printed_files(m, resolver):
        for path in found:
            ev.add(path, (2.0 + depth) / len(found), f"path {mention} in the issue")
    for dotted, found, depth, has_rest in named_modules(index, m, resolver):
        module = ".".join(dotted.split(".")[:depth])
        for path in found:
            ev.add(path, 0.8 * depth / len(found), f"module {module} in the issue")
            members = package_members(index, path) if not has_rest else {}
            total = sum(members.values())
            for member, n in members.items():
                ev.add(member, PACKAGE_SHARE * 0.8 * depth * n / total / len(found), f"implements {module}")


def printed_path_fits(mention: str, depth: int) -> bool:
    """A printed path is the project's file when two components match, or when it is a bare file name."""
    return depth >= 2 or "/" not in mention.replace("\\", "/")


def _module_fits(index: RepoIndex, resolver: PathResolver, dotted: str, found: list[str], depth: int,
                 rest: list[str]) -> bool:
    """Whether `dotted` names the found module: two parts match, or one part and the next name is defined there
    (`logging.Logger` is the standard library's, not `_pytest/logging.py`), or it is a top-level package."""
    if depth >= 2:
        return True
    if not rest:
        return False
    return project_module(resolver, dotted) or any(rest[0] == d.name for path in found for d in index.tags[path].defs)


def package_members(index: RepoIndex, init: str) -> dict[str, int]:
    """Modules of the package `init` (an `__init__`) that define the names it imports, with how many."""
    if not init.rsplit("/", 1)[-1].startswith("__init__.") or init not in index.tags:
        return {}
    package = init.rsplit("/", 1)[0] + "/" if "/" in init else ""
    members: dict[str, int] = defaultdict(int)
    for name in index.tags[init].refs:
        files = {p for p, _ in index.defines.get(name, ()) if p != init and p.startswith(package)}
        for path in files if len(files) <= 3 else ():
            members[path] += 1
    return dict(members)


def mention_frames(m: Mentions, resolver: PathResolver, ev: Evidence) -> None:
    """Stack frames in the repository, deeper ones weighing more; further frames of one file add a little."""
    in_repo = framed_files(m, resolver)
    best: dict[str, float] = {}
    titled = {name.strip("_").lower() for name in m.title}
    for rank, (path, frame) in enumerate(in_repo):
        weight = FRAME_BASE + FRAME_DEPTH * (rank + 1) / len(in_repo)
        if frame.function and frame.function.strip("_").lower() in titled:
            weight *= FRAME_TITLE_FACTOR
        credit = weight if path not in best else FRAME_EXTRA * min(weight, best[path])
        best[path] = max(best.get(path, 0.0), weight)
        where = f" line {frame.line}" if frame.line else ""
        ev.add(path, credit, f"stack frame {frame.function or ''}{where}".replace("  ", " "))
        if frame.function:
            ev.symbols[(path, frame.function)] += weight


def project_module(resolver: PathResolver, dotted: str) -> bool:
    """Whether `dotted` is a module of this repository: relative, or its first part is a top-level package."""
    if dotted.startswith("."):
        return True
    root = dotted.split(".")[0]
    top = re.compile(rf"((?:src|lib)/)?{re.escape(root)}(?:/__init__)?\.\w+")
    for path in resolver.by_module.get(root, ()):
        match = top.fullmatch(path)
        init = f"{match.group(1)}__init__.py" if match and match.group(1) else None
        if match and not (init and init in resolver.by_suffix.get(init, ())):  # src/ is a folder, not a package
            return True
    return False


def _use_factor(name: str, d: Definition, m: Mentions, module_level: bool) -> float:
    """How well a definition fits the way the issue uses its name (`module_level`: taken from a project module)."""
    top_level = "." not in d.qualname
    if (name in m.calls or module_level) and name not in m.attributes:
        return 1.0 if top_level else KIND_MISMATCH
    if name in m.attributes and name not in m.calls and top_level and d.kind != "constant":
        return KIND_MISMATCH
    return 1.0


def mention_identifiers(
    index: RepoIndex, m: Mentions, ev: Evidence, resolved: set[str], resolver: PathResolver
) -> None:
    """Credit the definers of every mentioned identifier, split between them by fit to the use."""
    is_own = {module: project_module(resolver, module) for modules in m.origins.values() for module in modules}
    for name, emphasis in m.identifiers.items():
        definers = index.defines.get(name)
        if not definers:
            continue
        own = {is_own[module] for module in m.origins.get(name, ())}
        fit: dict[str, float] = {}
        for path, d in definers:
            fit[path] = max(fit.get(path, 0.0), _use_factor(name, d, m, True in own))
        if len(fit) > MAX_DEFINERS:
            continue
        weight = emphasis * (PROSE_FACTOR if name.islower() and "_" not in name else 1.0)
        weight *= TITLE_FACTOR if name in m.title else 1.0
        weight *= REPORTER_FACTOR if name in m.defined or name in resolved else 1.0
        weight *= FOREIGN_FACTOR if own == {False} else 1.0
        weight /= max(1.0, sum(fit.values())) ** SPREAD
        for path, d in definers:
            ev.symbols[(path, d.qualname)] += weight * fit[path]
        for path, share in fit.items():
            ev.add(path, weight * share, f"defines {name}")


def class_bases(d: Definition) -> list[str]:
    """Base-class names from a class signature (`class A(B, mod.C, metaclass=M)` -> B, C), or an alias target."""
    if d.kind == "constant":
        return [d.signature.split("=")[-1].strip().rsplit(".", 1)[-1]] if _ALIAS.fullmatch(d.signature) else []
    rest = d.signature.partition(d.name)[2]
    return [b for b in _BASES.findall(rest) if b not in ("extends", "implements", "public", "object")]


def resolve_attribute(index: RepoIndex, owner: str, attr: str) -> list[tuple[str, str]]:
    """(file, qualified name) of `attr` as seen from class `owner`: its own, else its nearest bases'."""
    level, seen = [owner], {owner}
    for _ in range(MAX_BASE_DEPTH):
        hits, bases = [], []
        for cls in level:
            for path, d in index.defines.get(cls, ())[:5]:
                if d.kind not in ("class", "constant", "type", "interface", "module"):
                    continue
                target = f"{d.qualname}.{attr}"
                if any(x.qualname == target for x in index.tags[path].defs):
                    hits.append((path, target))
                bases.extend(b for b in class_bases(d) if b not in seen)
        if hits:
            return hits
        seen.update(bases)
        level = list(dict.fromkeys(bases))
    return []


def mention_qualified(index: RepoIndex, m: Mentions, ev: Evidence) -> set[str]:
    """Credit the file whose class (or nearest base class) defines `attr` of each `Class.attr`; the attrs found."""
    resolved = set()
    for (owner, attr), emphasis in m.qualified.items():
        hits = resolve_attribute(index, owner, attr)
        files = {p for p, _ in hits}
        for path, qualname in hits:
            ev.symbols[(path, qualname)] += emphasis * QUALIFIED_FACTOR
        for path in files:
            ev.add(path, emphasis * QUALIFIED_FACTOR / math.sqrt(len(files)), f"defines {owner}.{attr}")
        if files:
            resolved.add(attr)
    return resolved


def mention_callees(index: RepoIndex, m: Mentions, ev: Evidence) -> None:
    """The function a call-signature TypeError names counts as the innermost frame: the traceback stops short of it."""
    weight = FRAME_BASE + FRAME_DEPTH
    for callee in m.callees:
        owner, _, attr = callee.rpartition(".")
        hits = resolve_attribute(index, owner.rsplit(".", 1)[-1], attr) if owner else [
            (path, d.qualname) for path, d in index.defines.get(attr, ()) if "." not in d.qualname]
        files = {path for path, _ in hits}
        if not files or len(files) > MAX_DEFINERS:
            continue
        for path, qualname in hits:
            ev.symbols[(path, qualname)] += weight
        for path in files:
            ev.add(path, weight / len(files), f"defines {callee}, which the TypeError names")


def message_literals(message: str) -> list[str]:
    """The fixed parts of an error message (no quoted values, numbers or brackets), longest first."""
    pieces = {p.strip(" ,.:;-") for p in _VALUES.split(message)}
    return sorted((p for p in pieces if len(p) >= MIN_LITERAL), key=len, reverse=True)


def code_hits(paths: list[str]) -> list[str]:
    """The project's own code among grep hits; any code file when none is the project's own."""
    primary = [p for p in paths if is_primary(p)]
    return primary or [p for p in paths if language_for(p)]


def credit_specific_hits(ev: Evidence, found: list[str], weight: float, reason: str) -> None:
    """Share `weight` between grep hits, unless there are too many of them to say anything."""
    for path in found if len(found) <= MESSAGE_FILES else ():
        ev.add(path, weight / math.sqrt(len(found)), reason)


def mention_errors(m: Mentions, grep, ev: Evidence) -> None:
    """Files containing a fixed part of a quoted error message."""
    for exc, message in m.errors[:5]:
        found: list[str] = []
        for literal in message_literals(message)[:2]:
            found = code_hits(grep(literal))
            if 0 < len(found) <= MESSAGE_FILES:
                break
        credit_specific_hits(ev, found, 2.0, f"contains the message of {exc}")


def mention_options(m: Mentions, grep, ev: Evidence) -> None:
    """Code files that spell out a mentioned command-line option or setting (`--collect-only`, `ignore-paths`)."""
    for option in m.options[:MAX_OPTIONS]:
        credit_specific_hits(ev, code_hits(grep(option)), OPTION_WEIGHT, f"spells out {option}")
