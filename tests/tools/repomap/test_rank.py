"""Ranking: mentions, stack frames, error messages, PageRank over references and BM25, fused."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from tools.repomap.cache import TagCache
from tools.repomap.filekinds import is_test_path
from tools.repomap.graph import name_weight, pagerank, reference_graph
from tools.repomap.index import build_index
from tools.repomap.rank import rank
from tools.repomap.sources import HostSource

SHOP = {
    "shop/cart.py": "from shop.pricing import apply_discount\n\nclass Cart:\n    def total(self):\n"
                    "        return apply_discount(self.items)\n",
    "shop/pricing.py": "def apply_discount(items):\n    if not items:\n"
                       "        raise ValueError('cannot discount an empty basket')\n    return sum(items) * 0.9\n",
    "shop/shipping.py": "def shipping_cost(weight):\n    return weight * 2\n",
    "shop/tests/test_pricing.py": "from shop.pricing import apply_discount\n\n"
                                  "def test_discount():\n    assert apply_discount([10]) == 9\n",
    "docs/pricing.md": "Discounts are applied to the basket total.\n",
}


def ranked(repo, issue: str) -> list[str]:
    source = HostSource(repo)
    return [f.path for f in rank(build_index(source, TagCache(None)), issue, grep=source.grep).files]


def test_mentioned_identifier_ranks_its_definer_first(make_repo) -> None:
    order = ranked(make_repo(SHOP), "`apply_discount` gives the wrong total for large baskets")
    assert order[0] == "shop/pricing.py"
    assert order.index("shop/pricing.py") < order.index("shop/tests/test_pricing.py")


def test_error_message_finds_the_raising_file(make_repo) -> None:
    issue = "Checkout crashes:\n\nValueError: cannot discount an empty basket\n"
    assert ranked(make_repo(SHOP), issue)[0] == "shop/pricing.py"


def test_deepest_stack_frame_ranks_first(make_repo) -> None:
    issue = ('Traceback (most recent call last):\n  File "/x/shop/cart.py", line 5, in total\n'
             '  File "/x/shop/shipping.py", line 2, in shipping_cost\nTypeError: bad operand\n')
    order = ranked(make_repo(SHOP), issue)
    assert order[:2] == ["shop/shipping.py", "shop/cart.py"]


def test_reasons_and_symbols_are_reported(make_repo) -> None:
    repo = make_repo(SHOP)
    source = HostSource(repo)
    result = rank(build_index(source, TagCache(None)), "Cart.total() ignores apply_discount", grep=source.grep)
    top = result.files[0]
    assert top.reasons and any("defines" in r for r in top.reasons)
    assert {d.qualname for _, d, _ in result.symbols} >= {"apply_discount", "Cart"}


def test_every_listed_file_says_why(make_repo) -> None:
    repo = make_repo(SHOP)
    source = HostSource(repo)
    files = rank(build_index(source, TagCache(None)), "`apply_discount` fails", grep=source.grep).files
    assert len(files) > 2 and all(f.reasons for f in files)
    weak = [r for f in files[1:] for r in f.reasons if r.startswith(("a few words", "linked to the mentioned"))]
    assert weak, [f.reasons for f in files]


def test_bm25_alone_still_ranks_when_nothing_is_mentioned(make_repo) -> None:
    assert ranked(make_repo(SHOP), "shipping weight cost is doubled")[0] == "shop/shipping.py"


def test_is_test_path() -> None:
    assert is_test_path("pkg/tests/test_x.py") and is_test_path("x_test.go") and is_test_path("a/b.spec.ts")
    assert not is_test_path("pkg/testing_utils_helper.py") and not is_test_path("pkg/contest.py")


def test_pagerank_flows_to_the_referenced_file() -> None:
    paths = ["a.py", "b.py", "c.py"]
    graph = reference_graph(paths, {"shared_helper": {"c.py"}}, {"a.py": {"shared_helper": 4}, "b.py": {}})
    rank_ = pagerank(graph, np.array([1.0, 0.0, 0.0]))
    assert rank_[2] > rank_[1]
    assert abs(rank_.sum() - 1.0) < 1e-6


def test_pagerank_of_an_empty_graph() -> None:
    assert pagerank(sparse.csr_matrix((0, 0)), np.zeros(0)).size == 0


def test_name_weight_prefers_specific_names() -> None:
    assert name_weight("apply_discount", 1) > name_weight("total", 1) > name_weight("_private", 1)
    assert name_weight("x", 1) == 0 and name_weight("common", 100) == 0
