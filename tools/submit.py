"""The `submit` tool: the model says it is done; the run ends and the patch is taken."""

from __future__ import annotations

from core.errors import Submitted
from workspaces.base import Workspace


def submit(ws: Workspace, summary: str = "") -> str:
    """Finish the task: call this once your change is complete and tested. Your edits are the result.

    Args:
        summary: One or two sentences on what you changed and why.
    """
    raise Submitted(summary)
