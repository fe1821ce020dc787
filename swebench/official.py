"""SWE-bench's published instance images: names, finding or pulling one, the thin inference layer (README.md)."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.errors import UserError
from workspaces.environment import IGNORE_SETUP_OUTPUT
from workspaces.images import BuiltImage, ImageRecipe, build_image

IMAGE_SOURCES = ("build", "official", "auto")
"""`--images`: build (our layers, Python 3.9/3.11), official (published, pulled when absent), auto (official if any)."""
ACTIVATE = ("source /opt/miniconda3/bin/activate", "conda activate testbed")
"""How the official evaluation scripts turn on the instance's environment."""
TESTBED_PATH = ("/opt/miniconda3/envs/testbed/bin:/opt/miniconda3/condabin:/opt/miniconda3/bin:"
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
"""PATH with the `testbed` environment active (what inference's layer bakes in)."""


def check_source(source: str) -> str:
    """`source` when it is one of IMAGE_SOURCES; else a UserError in one line."""
    if source not in IMAGE_SOURCES:
        raise UserError(f"--images {source} is not known: use one of {', '.join(IMAGE_SOURCES)}.")
    return source


LAYER_REPOSITORY = "repo-agent/swe-official"
"""Repository of the thin inference layers over official images; the tag is a content hash."""


@dataclass(frozen=True)
class OfficialNaming:
    """Where the published instance images are: `<namespace>/sweb.eval.<arch>.<id>:<tag>`."""

    namespace: str = "swebench"
    """Docker Hub namespace or registry/namespace of a mirror (empty: no namespace, no `_1776_`)."""
    arch: str = field(default_factory=lambda: machine_arch())
    """Architecture part of the name: this machine's (`x86_64`, or `arm64` where the official harness builds them)."""
    tag: str = "latest"
    """Image tag."""

    def image(self, instance_id: str) -> str:
        """The image name of `instance_id`, as the official harness writes it."""
        key = f"sweb.eval.{self.arch}.{instance_id.lower()}:{self.tag}"
        return f"{self.namespace}/{key}".replace("__", "_1776_") if self.namespace else key


def machine_arch(machine: str | None = None) -> str:
    """The official harness's name for this machine's architecture."""
    return "arm64" if (machine or platform.machine()).lower() in ("arm64", "aarch64") else "x86_64"


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "explanation", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


class OfficialImages:
    """Finds official images locally or pulls them (with progress); a registry that failed once is not asked again."""

    def __init__(self, client: Any, naming: OfficialNaming, log: Callable[[str], None] = print):
        self.client = client
        self.naming = naming
        self.log = log
        self._unreachable: str | None = None

    def find(self, instance_id: str) -> tuple[BuiltImage | None, str]:
        """(the image, how it was found) or (None, why not): local first, then a pull."""
        import docker

        name, started = self.naming.image(instance_id), time.monotonic()
        try:
            self.client.images.get(name)
            return BuiltImage(name, True, None, time.monotonic() - started), f"official image {name} is present"
        except docker.errors.ImageNotFound:
            pass
        if self._unreachable:
            return None, f"official image {name} is not present and {self._unreachable}"
        try:
            self._pull(name)
        except Exception as exc:  # docker.errors.APIError, requests' connection errors, a stream that breaks
            why = f"pulling it failed ({_short(exc)})"
            if "not found" not in why.lower() and "manifest unknown" not in why.lower():
                self._unreachable = f"the registry was unreachable earlier ({_short(exc)})"
            return None, f"official image {name} is not present and {why}"
        return BuiltImage(name, False, None, time.monotonic() - started), f"official image {name} pulled"

    def _pull(self, name: str) -> None:
        """Pull `name`, logging progress every few seconds (layers done, megabytes)."""
        repository, _, tag = name.rpartition(":")
        layers: dict[str, tuple[int, int]] = {}
        last = time.monotonic()
        for event in self.client.api.pull(repository, tag=tag, stream=True, decode=True):
            if "error" in event:
                raise RuntimeError(event["error"])
            detail = event.get("progressDetail") or {}
            if event.get("id") and detail.get("total"):
                layers[event["id"]] = (detail.get("current", 0), detail["total"])
            if time.monotonic() - last > 5 and layers:
                done = sum(current for current, _ in layers.values()) >> 20
                total = sum(size for _, size in layers.values()) >> 20
                self.log(f"pulling {name}: {done}/{total} MB in {len(layers)} layers")
                last = time.monotonic()
        self.client.images.get(name)  # a stream that ended without the image is a failure


def inference_layer(client: Any, official: str, log_dir: Any = None) -> BuiltImage:
    """The official image with the `testbed` environment on PATH and its untracked install output ignored (cached)."""
    recipe = ImageRecipe(base=official, steps=[f"cd /testbed && {IGNORE_SETUP_OUTPUT}",
                                               "git config --system --add safe.directory '*'"],
                         env={"PATH": TESTBED_PATH}, workdir="/testbed", network="none",
                         key_extra=f"inference layer over {official}", repository=LAYER_REPOSITORY)
    return build_image(client, recipe, log_dir)
