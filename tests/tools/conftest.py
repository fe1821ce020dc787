"""Fixtures for the tool tests: real LocalWorkspaces over small repositories built on the fly."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workspaces.local import LocalWorkspace


@pytest.fixture
def open_ws(make_repo: Callable[..., Path]) -> Iterator[Callable[..., LocalWorkspace]]:
    """Factory: `open_ws({"a.py": "..."})` -> an entered LocalWorkspace over a fresh repository."""
    with contextlib.ExitStack() as stack:
        counter = iter(range(1000))

        def factory(files: dict[str, str]) -> LocalWorkspace:
            return stack.enter_context(LocalWorkspace(make_repo(files, name=f"repo{next(counter)}")))

        yield factory


@pytest.fixture
def calc_ws(calc_repo: Path) -> Iterator[LocalWorkspace]:
    """A LocalWorkspace over the buggy calculator repository."""
    with LocalWorkspace(calc_repo) as ws:
        yield ws
