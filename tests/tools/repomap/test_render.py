"""The map: definitions with signatures for the top files, within the token budget."""

from __future__ import annotations

from tools.repomap.cache import TagCache
from tools.repomap.index import build_index
from tools.repomap.rank import rank
from tools.repomap.render import estimate_tokens, render_map


def make_index(make_repo):
    files = {f"pkg/mod{i}.py": "".join(f"def func_{i}_{j}(arg, other=None):\n    pass\n\n" for j in range(30))
             for i in range(8)}
    files["pkg/core.py"] = "class Engine:\n    def start(self, speed: int) -> None:\n        func_1_1()\n"
    return build_index(make_repo(files), TagCache(None))


def test_map_shows_signatures_of_the_top_file_first(make_repo) -> None:
    index = make_index(make_repo)
    text = render_map(index, rank(index, "Engine.start crashes"), 500)
    assert text.startswith("pkg/core.py:\n")
    assert "class Engine" in text and "def start(self, speed: int) -> None" in text


def test_map_fits_the_budget_and_grows_with_it(make_repo) -> None:
    index = make_index(make_repo)
    ranking = rank(index, "func_1_1 and func_2_2 and func_3_3")
    small, large = render_map(index, ranking, 200), render_map(index, ranking, 4000)
    assert estimate_tokens(small) <= 200 < estimate_tokens(large) <= 4000
    assert large.count(".py:\n") > small.count(".py:\n")


def test_zero_budget_or_empty_ranking_renders_nothing(make_repo) -> None:
    index = make_index(make_repo)
    assert render_map(index, rank(index, "Engine"), 0) == ""
    empty = build_index(make_repo({"README.md": "hello"}, name="empty"), TagCache(None))
    assert render_map(empty, rank(empty, "nothing here"), 1000) == ""
