"""Imports go one way: core <- workspaces <- tools <- agent <- integrations (github, swebench, evals) <- cli.

Every module of the product is given the layer of the longest prefix below; a module may import its own layer
and the layers under it, never one above. Imports guarded by `if TYPE_CHECKING:` count too: they are the same
dependency, only deferred.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "core", "evals", "prompts", "swebench", "tools", "workspaces")
"""The top-level packages of the product (bench/ and tests/ sit outside the layers)."""

LAYERS: dict[str, int] = {
    "core": 0, "prompts": 0,
    "workspaces": 1,
    "tools": 2,
    "agent": 3,
    "agent.github": 4, "swebench": 4, "evals": 4,
    "agent.cli": 5, "agent.__main__": 5,
}
"""Module prefix -> layer; the longest matching prefix decides."""

NAMES = ("core", "workspaces", "tools", "agent", "integrations", "cli")
"""Layer numbers as the failure messages name them."""


def layer(module: str) -> int | None:
    """The layer of `module`, None for modules outside the product (the standard library, dependencies)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS:
            return LAYERS[prefix]
    return None


def module_name(path: Path) -> str:
    """`core/types.py` -> `core.types`; a package's `__init__.py` is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.Module, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `tree`, relative ones resolved."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def upward_imports() -> list[str]:
    """Every import of a higher layer, as `file:line: importer (layer) -> imported (layer)`."""
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = module_name(path)
            own = layer(module)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, target in imported(tree, module, path.name == "__init__.py"):
                theirs = layer(target)
                if own is not None and theirs is not None and theirs > own:
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {module} ({NAMES[own]}) -> {target} "
                                    f"({NAMES[theirs]})")
    return problems


def test_every_import_goes_down_the_layers() -> None:
    problems = upward_imports()
    assert not problems, "imports that go up a layer:\n" + "\n".join(problems)


@pytest.mark.parametrize(("module", "expected"), [
    ("core.types", "core"), ("agent.loop", "agent"), ("agent.cli.solve", "cli"),
    ("swebench.infer.runner", "integrations"), ("agent.github.event", "integrations"), ("tools.view", "tools"),
    ("workspaces.docker", "workspaces"), ("agent", "agent"),
])
def test_layers_of_modules(module: str, expected: str) -> None:
    assert NAMES[layer(module)] == expected


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    tree = ast.parse("from agent.loop import AgentLoop\nfrom . import docker\nimport json\n")
    found = imported(tree, "workspaces.local", is_package=False)
    assert found == [(1, "agent.loop.AgentLoop"), (2, "workspaces.docker"), (3, "json")]
    assert [layer(target) for _, target in found] == [LAYERS["agent"], LAYERS["workspaces"], None]
