"""Model-given paths: normalised relative to the repository root, refused when they leave it (lexically; outward
symlinks too when the root is on this machine; in a container, the container is the boundary)."""

from __future__ import annotations

import os
import posixpath

from tools.function_tool import ToolError
from workspaces.base import Workspace


class PathRefused(ToolError):
    """A path outside the repository; the message names it."""


def resolve_path(ws: Workspace, path: str) -> str:
    """`path` relative to `ws.root` in normal form ("." for the root); PathRefused when it leaves the repository."""
    root = posixpath.normpath(ws.root)
    given = (path or ".").strip() or "."
    full = posixpath.normpath(given if posixpath.isabs(given) else posixpath.join(root, given))
    if full != root and not full.startswith(root.rstrip("/") + "/"):
        raise PathRefused(
            f"Path {given!r} is outside the repository; use a path relative to the repository root ({root}).",
            data={"path": given, "refused": True},
        )
    relative = posixpath.relpath(full, root)
    _refuse_symlink_out(root, relative, given)
    return relative


def _refuse_symlink_out(root: str, relative: str, given: str) -> None:
    if not os.path.isdir(root):
        return  # the root is not on this machine (a container): nothing to resolve here
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root, relative))
    if real != real_root and not real.startswith(real_root.rstrip("/") + os.sep):
        raise PathRefused(
            f"Path {given!r} leads outside the repository through a symbolic link (to {real}); refused.",
            data={"path": given, "refused": True},
        )

