"""find_symbol against a real LocalWorkspace: definitions, references, edits picked up, bad names refused."""

from __future__ import annotations

from pathlib import Path

from agent.config import load_config
from tools.registry import make_tool

FILES = {
    "shop/pricing.py": "class Discount:\n    def apply(self, items):\n        return items\n\n"
                       "def apply_discount(items):\n    return Discount().apply(items)\n",
    "shop/cart.py": "from shop.pricing import apply_discount\n\n\ndef total(items):\n"
                    "    return apply_discount(items)\n",
}


def tool(tmp_path: Path):
    return make_tool("find_symbol", load_config([f"planner.cache_dir={tmp_path / 'cache'}"]))


def test_definition_and_references(open_ws, tmp_path: Path) -> None:
    ws = open_ws(FILES)
    obs = tool(tmp_path)(ws, name="apply_discount")
    assert not obs.error
    assert "shop/pricing.py:5  function apply_discount: def apply_discount(items)" in obs.output
    assert "Referenced in 1 file(s):" in obs.output
    assert "shop/cart.py:5:    return apply_discount(items)" in obs.output


def test_qualified_method_name(open_ws, tmp_path: Path) -> None:
    obs = tool(tmp_path)(open_ws(FILES), name="Discount.apply", references=False)
    assert "shop/pricing.py:2  method Discount.apply" in obs.output
    assert "Referenced" not in obs.output


def test_edits_in_the_workspace_are_seen(open_ws, tmp_path: Path) -> None:
    ws = open_ws(FILES)
    find = tool(tmp_path)
    assert "No definition of shipping" in find(ws, name="shipping").output
    ws.write_file("shop/shipping.py", "def shipping(weight):\n    return apply_discount([weight])\n")
    assert "shop/shipping.py:1  function shipping" in find(ws, name="shipping").output
    assert "shop/shipping.py:2:    return apply_discount([weight])" in find(ws, name="apply_discount").output


def test_not_an_identifier_is_an_error_observation(open_ws, tmp_path: Path) -> None:
    obs = tool(tmp_path)(open_ws(FILES), name="rm -rf /")
    assert obs.error and "not an identifier" in obs.output


def test_spec_comes_from_the_signature(tmp_path: Path) -> None:
    spec = tool(tmp_path).spec
    assert spec.name == "find_symbol"
    assert spec.parameters["required"] == ["name"]
    assert set(spec.parameters["properties"]) == {"name", "references"}
