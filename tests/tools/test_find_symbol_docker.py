"""find_symbol inside a real Docker workspace: the index is built through exec and read_file only."""

from __future__ import annotations

from pathlib import Path

from agent.config import load_config
from tests.workspaces.docker_support import (
    base_image,  # noqa: F401 - fixture
    docker_client,  # noqa: F401 - fixture
    git_repo,
    plain_config,
    requires_docker,
)
from tools.registry import make_tool
from workspaces.docker import DockerWorkspace

pytestmark = requires_docker

FILES = {
    "shop/pricing.py": "def apply_discount(items):\n    return items\n",
    "shop/cart.py": "from shop.pricing import apply_discount\n\n\ndef total(items):\n"
                    "    return apply_discount(items)\n",
}


def test_find_symbol_in_a_container_sees_tracked_and_new_files(tmp_path: Path, base_image) -> None:  # noqa: F811
    source = git_repo(tmp_path / "shop", FILES)
    find = make_tool("find_symbol", load_config([f"planner.cache_dir={tmp_path / 'cache'}"]))
    with DockerWorkspace(plain_config(), source, "HEAD") as ws:
        out = find(ws, name="apply_discount").output
        assert "shop/pricing.py:1  function apply_discount" in out
        assert "shop/cart.py:5:    return apply_discount(items)" in out
        ws.write_file("shop/shipping.py", "def shipping(weight):\n    return apply_discount([weight])\n")
        out = find(ws, name="apply_discount").output
        assert "Referenced in 2 file(s):" in out and "shop/shipping.py:2:" in out
