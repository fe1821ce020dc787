"""What an issue mentions: file paths, dotted modules, identifiers, stack-trace frames, error messages, and how
names are used, which says which definition is meant: `latex(x)` a module-level one, `.doit()` a method,
`Point.vel` (or `q.vel` after `q = Point(...)`) that class's; title names are the subject; names the issue's own
code defines are the reporter's, not the project's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.repomap.tokens import STOPWORDS

_SUFFIXES = "py|pyi|pyx|js|jsx|mjs|ts|tsx|go|rs|java|c|h|cc|cpp|hpp|rb"
_PATH = re.compile(rf"(?<![\w.-])((?:~|[A-Za-z]:)?/?(?:[\w.-]+/)*[\w.-]+\.(?:{_SUFFIXES}))\b")
_URL = re.compile(r"\bhttps?://\S+")
_FRAME_PY = re.compile(r'File "([^"]+)", line (\d+)(?:, in ([\w<>.]+))?')
_FRAME_IPYTHON = re.compile(rf"^(\S+\.(?:{_SUFFIXES})) in ([\w<>]+)\(", re.M)
_FRAME_LINE = re.compile(  # a frame's header and the project source line printed under it
    rf'File "[^"]+", line \d+.*(?:\n(?![ \t]*File )[ \t]+\S.*)?$|^\S+\.(?:{_SUFFIXES})(?::\d+:? | )in [\w<>.]+.*$'
    r"|^\s*(?:-+>\s*)?\d+\s.*$",
    re.M,
)
_FRAME_COLON = re.compile(r"([\w./\\-]+\.\w+):(\d+)(?::\d+)?:? (?:in )?([\w<>.]+)?")
_DOTTED = re.compile(r"\b([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\b")
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_IDENT_BEFORE_DOT = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)\.\Z")
_CODE = re.compile(r"```.*?```|`[^`\n]+`|^(?:>>>|\.\.\.|In \[\d+\]:) [^\n]*$", re.S | re.M)  # prompts: one line
_DEFINED = re.compile(r"^\s*(?:>>> |\.\.\. )?\s*(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)", re.M)
_ASSIGNED = re.compile(r"\b([A-Za-z_]\w*)\s*=\s*(?:[A-Za-z_]\w*\.)*([A-Z]\w*)\(")
_OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w]*(?:-[\w]+)*|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w-])")
_NOISE = re.compile(
    r"<!--.*?-->"  # template comments
    r"|^\s*[-*] \[[ xX]\].*$"  # checklists
    r"|^\s*[A-Za-z][\w.\[\]-]*\s+v?\d+(?:\.[\w+!-]+)+(?:\s+\S+)?\s*$",  # `pip list` / `conda list` rows
    re.S | re.M,
)
_IMPORT = re.compile(r"^[ \t]*(?:>>> |\.\.\. )?import[ \t]+([\w.]+)(?:[ \t]+as[ \t]+(\w+))?", re.M)
_FROM_IMPORT = re.compile(r"^[ \t]*(?:>>> |\.\.\. )?from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w \t,]+)", re.M)
_CALLEE = re.compile(  # Python's call-signature TypeErrors name the callee, the frame a traceback does not print
    r"\b([A-Za-z_][\w.]*)\(\) (?:got an unexpected keyword|got multiple values|takes |missing \d+ required)"
)
_ERROR = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception|Warning|Exit)):\s*(.+?)\s*$", re.M)
CODE_EMPHASIS = 2.0
"""Identifiers inside code (backticks, fenced blocks, interpreter prompts) weigh this much more than prose."""


@dataclass
class Frame:
    """One stack-trace frame."""

    path: str
    """The path as printed (may be absolute, from site-packages, Windows-style)."""
    line: int
    """Line number (0 when the trace does not print one)."""
    function: str | None
    """Function name, when printed."""


@dataclass
class Mentions:
    """Everything the issue names that can be looked up in the repository."""

    paths: list[str] = field(default_factory=list)
    """File paths as written."""
    modules: list[str] = field(default_factory=list)
    """Dotted names (`pkg.mod.Class`)."""
    identifiers: dict[str, float] = field(default_factory=dict)
    """Identifier -> emphasis (code spans and call syntax weigh more than prose)."""
    frames: list[Frame] = field(default_factory=list)
    """Stack-trace frames, outermost first."""
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(exception class, message) pairs."""
    calls: set[str] = field(default_factory=set)
    """Names called without a receiver (`latex(x)`): module-level functions and classes."""
    attributes: set[str] = field(default_factory=set)
    """Names used after a dot (`x.doit()`, `M.is_upper`): methods and attributes."""
    qualified: dict[tuple[str, str], float] = field(default_factory=dict)
    """(class, attribute) -> emphasis, from `Class.attr` and from `v.attr` after `v = Class(...)`."""
    title: set[str] = field(default_factory=set)
    """Identifiers in the issue's first line."""
    defined: set[str] = field(default_factory=set)
    """Names the issue's own code defines (`def`, `class`): the reporter's code, not the project's."""
    options: list[str] = field(default_factory=list)
    """Command-line options and kebab-case settings (`--collect-only`, `ignore-paths`), as written."""
    origins: dict[str, set[str]] = field(default_factory=dict)
    """Name -> modules the issue's code takes it from (`sp.cse` after `import sympy as sp`, `from a.b import c`)."""
    callees: list[str] = field(default_factory=list)
    """Functions that a call-signature TypeError names (`RST.__init__() got an unexpected keyword argument`)."""


def _looks_like_code(word: str) -> bool:
    return "_" in word.strip("_") or any(c.isupper() for c in word[1:]) or word.isupper() and len(word) > 2


def _module_aliases(issue: str, m: Mentions) -> dict[str, str]:
    """Names that stand for modules in the issue's code (`sp` -> sympy); from-imported names go to `m.origins`."""
    aliases = {}
    for module, alias in _IMPORT.findall(issue):
        aliases[alias or module.split(".")[0]] = module if alias else module.split(".")[0]
    for module, names in _FROM_IMPORT.findall(issue):
        for item in names.split(","):
            name, _, alias = item.strip().partition(" as ")
            name, alias = name.strip(), alias.strip() or name.strip()
            if name.isidentifier():
                m.origins.setdefault(name, set()).add(module)
                if alias.islower():  # `from astropy import units as u`: lower case names may be modules
                    aliases[alias] = f"{module}.{name}"
    return aliases


def _module_of(owner: str, aliases: dict[str, str]) -> str | None:
    """The module a dotted owner stands for (`np.linalg` -> numpy.linalg), if it starts with a module alias and
    goes on through lower-case names only (`sp.Matrix` is a class, not a module)."""
    root, _, rest = owner.partition(".")
    if root not in aliases or rest and not all(part.islower() for part in rest.split(".")):
        return None
    return f"{aliases[root]}.{rest}" if rest else aliases[root]


def _identifiers(issue: str, code: str, m: Mentions) -> None:
    aliases = _module_aliases(code, m)
    for text, emphasis in ((issue, 1.0), (code, CODE_EMPHASIS)):
        for match in _IDENT.finditer(text):
            word = match.group(0)
            if len(word) < 3 or word.lower() in STOPWORDS:
                continue
            weight = emphasis * (1.5 if _looks_like_code(word) else 1.0)
            before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 3]
            if after.startswith("("):
                weight *= 1.5
            owner = _IDENT_BEFORE_DOT.search(text, max(0, match.start() - 80), match.start()) if before == "." else None
            module = _module_of(owner.group(1), aliases) if owner else None
            if module:
                m.origins.setdefault(word, set()).add(module)
            elif before == ".":
                m.attributes.add(word)
            elif after.startswith("(") and emphasis > 1 or after.startswith("()"):
                m.calls.add(word)
            m.identifiers[word] = max(m.identifiers.get(word, 0.0), weight)
    m.defined.update(_DEFINED.findall(issue))
    title = issue.strip().partition("\n")[0]
    m.title.update(w for w in _IDENT.findall(title) if w in m.identifiers)


def _qualified(issue: str, dotted_names: list[str], m: Mentions) -> None:
    """`Class.attr` pairs, with variables assigned from a constructor call standing for their class."""
    types = {var: cls for var, cls in _ASSIGNED.findall(issue) if var != cls}
    for dotted in dotted_names:
        parts = dotted.split(".")
        for owner, attr in zip(parts, parts[1:], strict=False):
            cls = types.get(owner, owner)
            if cls[:1].isupper() and not cls.isupper() and attr in m.identifiers and (cls, attr) not in m.qualified:
                m.qualified[(cls, attr)] = max(m.identifiers.get(attr, 1.0), m.identifiers.get(cls, 1.0))


def _options(code: str) -> list[str]:
    """Options and settings written in code: `--flag`, `-x`, `some-setting` (long enough to be specific)."""
    found = [o for o in _OPTION.findall(code) if len(o.strip("-")) >= 4 and not any(c.isdigit() for c in o)]
    return sorted(dict.fromkeys(found), key=lambda o: not o.startswith("-"))


def _errors(issue: str) -> list[tuple[str, str]]:
    found = ((match.group(1), match.group(2).strip().strip("'\"")) for match in _ERROR.finditer(issue))
    return [(exc, message) for exc, message in found if message]


def _frames(issue: str) -> list[Frame]:
    frames = [Frame(f.group(1), int(f.group(2)), f.group(3)) for f in _FRAME_PY.finditer(issue)]
    frames += [Frame(f.group(1), 0, f.group(2)) for f in _FRAME_IPYTHON.finditer(issue)]
    if not frames:
        frames = [Frame(f.group(1), int(f.group(2)), f.group(3)) for f in _FRAME_COLON.finditer(issue)]
    return frames


def clean_issue(issue: str) -> str:
    """The issue without template comments, checklists and package-version listings."""
    return _NOISE.sub("", issue)


def extract_mentions(issue: str) -> Mentions:
    """Parse the issue text for things to look up."""
    issue = clean_issue(issue)
    frames = _frames(issue)
    printed = {f.path.replace("\\", "/") for f in frames}
    paths = [p for p in dict.fromkeys(p.group(1) for p in _PATH.finditer(issue.replace("\\", "/"))) if p not in printed]
    dotted = list(dict.fromkeys(_DOTTED.findall(issue)))
    m = Mentions(paths, [d for d in dotted if not _PATH.fullmatch(d)], {}, frames, _errors(issue))
    plain = _URL.sub(" ", _PATH.sub(" ", _FRAME_LINE.sub(" ", issue).replace("\\", "/")))
    code = "\n".join(c.group(0) for c in _CODE.finditer(plain))
    _identifiers(plain, code, m)
    _qualified(issue, dotted, m)
    m.options = _options(code)
    m.callees = list(dict.fromkeys(_CALLEE.findall(issue)))
    return m
