"""Who may start a run: the person who added the label, by their permission on the repository.

In an `issues: labeled` event the actor is `sender`; the payload's `author_association` belongs
to the issue's author, who may be anyone. So the sender's standing is asked of GitHub:
`GET /repos/{owner}/{repo}/collaborators/{sender}/permission`. Its `role_name` (admin, maintain,
write, triage, read, or a custom role) and `permission` (admin, write, read, none; maintain counts
as write, triage as read, a custom role as its base) are compared with `github.trusted_permissions`
(default admin, maintain, write). That covers the OWNER (admin on their repository), MEMBERs of
the owning organisation with write access (directly, through a team or the base permission) and
COLLABORATORs with write access; read or triage alone is not enough, since a run pushes a branch
and spends money. Bots never start runs (the sender's `type` is `Bot`).
"""

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
