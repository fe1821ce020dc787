"""Labels on everything repo-agent makes in Docker, and removing what dead runs left behind: a container whose
owner process (OWNER) on this host is gone is a leftover that `agent gc` removes."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABEL = "repo-agent"
"""Present (value `1`) on every container and image repo-agent creates."""
KIND = "repo-agent.kind"
"""What the object is: `workspace` or `build` (containers), `base` or `env` (images)."""
RUN_ID = "repo-agent.run-id"
"""The run a container belongs to."""
OWNER = "repo-agent.owner"
"""`host:pid:start-ticks` of the process that created a container, to tell live runs from dead ones."""
CACHE_KEY = "repo-agent.key"
"""On derived images: the content hash their tag is made of."""


def _process_start(pid: int) -> str:
    """The start time of process `pid` in clock ticks since boot ("" when unknown), to detect pid reuse."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def owner_id() -> str:
    """The owner label value for this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def owner_alive(owner: str) -> bool | None:
    """True/False whether the owning process still runs; None when it lives on another host (can't tell)."""
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname():
        return None
    if not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return _process_start(int(pid_text)) == start


def container_labels(kind: str, run_id: str) -> dict[str, str]:
    """Labels for a new container of `kind` in run `run_id`, owned by this process."""
    return {LABEL: "1", KIND: kind, RUN_ID: run_id, OWNER: owner_id()}


@dataclass
class Leftover:
    """A container or image repo-agent made, as `agent images list` / `agent gc` show it."""

    kind: str
    """`workspace`/`build` for containers, `base`/`env` for images."""
    name: str
    """Container name or image tag."""
    id: str
    """Short Docker id."""
    status: str
    """Container state, or image size."""
    run_id: str = ""
    """The run a container belongs to."""
    alive: bool | None = None
    """Whether the owning run is alive (None: on another host, or an image)."""


def list_containers(client: Any) -> list[Leftover]:
    """Every repo-agent container, running or not, with whether its owner is alive."""
    containers = client.containers.list(all=True, filters={"label": LABEL})  # labelled: `labels` is a dict
    return [Leftover(kind=c.labels.get(KIND, "?"), name=c.name, id=c.short_id, status=c.status,
                     run_id=c.labels.get(RUN_ID, ""), alive=owner_alive(c.labels.get(OWNER, ""))) for c in containers]


def list_images(client: Any) -> list[Leftover]:
    """Every repo-agent image (base and derived), once per tag, with its size."""
    return [Leftover(kind=image.labels.get(KIND, "?"), name=tag, id=image.short_id,
                     status=f"{image.attrs.get('Size', 0) / 1e6:.0f} MB")
            for image in client.images.list(filters={"label": LABEL}) for tag in image.tags or ["<none>"]]


def collect(client: Any, *, everything: bool = False, images: bool = False, base: bool = False) -> list[Leftover]:
    """Remove containers of dead runs (all repo-agent containers with `everything`), derived images with
    `images`, base images too with `base`; returns what was removed."""
    removed = []
    for item in list_containers(client):
        if everything or item.alive is False:
            client.api.remove_container(item.id, force=True, v=True)
            removed.append(item)
    if images or base:
        for item in list_images(client):
            if item.kind == "env" or (base and item.kind == "base"):
                client.images.remove(item.name if item.name != "<none>" else item.id, force=True)
                removed.append(item)
    return removed
