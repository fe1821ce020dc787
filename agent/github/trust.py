"""Who may start a run: the label's `sender` (not the issue's author), by their repository permission against
`github.trusted_permissions`; bots never do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agent.github.client import GitHubClient, RepoRef


@dataclass
class TrustDecision:
    """Whether the sender may start a run, and why."""

    trusted: bool
    """True when the run may go ahead."""
    login: str
    """The sender."""
    permission: str
    """Their role on the repository as GitHub reported it."""
    reason: str
    """One sentence for the log."""


def check_sender(client: GitHubClient, repo: RepoRef, sender: Mapping[str, Any] | None,
                 allowed: Sequence[str]) -> TrustDecision:
    """Ask GitHub for the sender's permission on `repo` and compare it with `allowed`."""
    login = str((sender or {}).get("login") or "")
    if not login:
        return TrustDecision(False, "", "none", "the event names no sender")
    if (sender or {}).get("type") == "Bot" or login.endswith("[bot]"):
        return TrustDecision(False, login, "bot", f"@{login} is a bot, and bots cannot start runs")
    found = client.permission(repo, login)
    role, permission = str(found.get("role_name") or ""), str(found.get("permission") or "none")
    shown = role or permission
    wanted = {a.lower() for a in allowed}
    if role.lower() in wanted or permission.lower() in wanted:
        return TrustDecision(True, login, shown, f"@{login} has {shown} access to {repo.full_name}")
    needed = ", ".join(allowed)
    return TrustDecision(False, login, shown,
                         f"@{login} has {shown} access to {repo.full_name}; starting a run needs one of: {needed}")
