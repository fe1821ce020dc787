"""Evidence from mentions: how the way an issue uses a name decides which definition it means."""

from __future__ import annotations

from tools.repomap.cache import TagCache
from tools.repomap.evidence import collect, project_module
from tools.repomap.index import build_index
from tools.repomap.mentions import extract_mentions
from tools.repomap.resolve import PathResolver
from tools.repomap.sources import HostSource

LIB = {
    "lib/__init__.py": "from lib.simplify import reduce\n",
    "lib/simplify.py": "def reduce(expr):\n    return expr\n",
    "lib/codegen.py": "class Block:\n    def reduce(self):\n        return self\n",
    "lib/arrays.py": "def array(values):\n    return list(values)\n",
    "lib/table.py": "class Writer:\n    def __init__(self, delimiter=None):\n        self.delimiter = delimiter\n\n\n"
                    "class RST(Writer):\n    pass\n",
    "lib/ui.py": "from lib.table import RST\n\n\ndef write(table, **kwargs):\n    return RST(**kwargs)\n",
}


def evidence(repo, issue: str):
    source = HostSource(repo)
    return collect(build_index(source, TagCache(None)), extract_mentions(issue), source.grep)


def test_a_name_taken_from_a_project_module_means_the_module_level_definition(make_repo) -> None:
    ev = evidence(make_repo(LIB), "Wrong result\n\n```\nimport lib as L\nL.reduce(x)\n```\n")
    assert ev.score["lib/simplify.py"] > 2 * ev.score["lib/codegen.py"] > 0


def test_a_name_taken_from_another_library_counts_little(make_repo) -> None:
    repo = make_repo(LIB)
    foreign = evidence(repo, "Slow\n\n```\nimport numpy as np\nnp.array(x)\n```\n").score["lib/arrays.py"]
    own = evidence(repo, "Slow\n\n```\nfrom lib.arrays import array\narray(x)\n```\n").score["lib/arrays.py"]
    bare = evidence(repo, "Slow\n\n```\narray(x)\n```\n").score["lib/arrays.py"]
    assert 0 < foreign < bare / 2 <= own / 2


def test_the_callee_of_a_signature_type_error_counts_like_the_innermost_frame(make_repo) -> None:
    issue = ('Traceback (most recent call last):\n  File "/site-packages/lib/ui.py", line 5, in write\n'
             "TypeError: RST.__init__() got an unexpected keyword argument 'header_rows'\n")
    ev = evidence(make_repo(LIB), issue)
    assert ev.score["lib/table.py"] > ev.score["lib/ui.py"]
    assert ev.symbols[("lib/table.py", "Writer.__init__")] > 0  # found through RST's base class
    assert any("TypeError" in reason for reason in ev.reasons["lib/table.py"])


def test_project_module() -> None:
    resolver = PathResolver(["src/pkg/__init__.py", "src/pkg/logging.py", "tool.py"])
    assert project_module(resolver, "pkg.sub") and project_module(resolver, "tool") and project_module(resolver, ".sub")
    assert not project_module(resolver, "logging") and not project_module(resolver, "numpy")
    package_named_lib = PathResolver(["lib/__init__.py", "lib/logging.py"])
    assert project_module(package_named_lib, "lib.x") and not project_module(package_named_lib, "logging")


def test_a_printed_path_counts_when_more_than_its_file_name_matches_or_it_is_only_a_file_name(make_repo) -> None:
    repo = make_repo({**LIB, "lib/logging.py": "def capture():\n    pass\n"})
    assert evidence(repo, "See /home/me/myproject/app/logging.py").score.get("lib/logging.py", 0) == 0
    assert evidence(repo, "See /site-packages/lib/logging.py").score["lib/logging.py"] > 0
    assert evidence(repo, "See logging.py").score["lib/logging.py"] > 0


def test_a_dotted_name_matching_a_module_by_its_last_part_needs_the_next_name_defined_there(make_repo) -> None:
    repo = make_repo({**LIB, "lib/logging.py": "def capture():\n    pass\n"})
    assert evidence(repo, "Calling `logging.Logger.store` fails").score.get("lib/logging.py", 0) == 0
    assert evidence(repo, "Calling `logging.capture` fails").score["lib/logging.py"] > 0
    assert evidence(repo, "Calling `lib.logging` fails").score["lib/logging.py"] > 0
