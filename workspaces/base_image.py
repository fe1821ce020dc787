"""The base image: a Debian root file system made with debootstrap (as root, from a Debian mirror, no registry),
with git, Python, build tools and a non-root user `agent`; reused unless a rebuild is forced."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from core.errors import UserError
from workspaces import gc
from workspaces.images import BASE_REPOSITORY, BuiltImage, cache_dir, find_image

PACKAGES = ["git", "python3", "python3-venv", "python3-pip", "python3-dev", "build-essential", "locales",
            "ca-certificates", "patch", "procps", "less"]
"""Packages every base image gets."""
SUITE_EXTRAS = {"bookworm": ["ripgrep"], "bullseye": ["ripgrep"], "trixie": ["ripgrep"]}
"""Packages added where the suite has them."""
DEFAULT_MIRROR = "http://deb.debian.org/debian"
"""Debian mirror debootstrap downloads from."""
AGENT_UID = 1000
"""uid and gid of the `agent` user in the base image."""

CHROOT_SCRIPT = f"""set -e
groupadd -g {AGENT_UID} agent
useradd -m -u {AGENT_UID} -g {AGENT_UID} -s /bin/bash agent
mkdir -p /workspace && chown agent:agent /workspace
sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen && locale-gen >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log
"""
"""Run inside the new root file system before it is imported."""


def base_image_name(suite: str) -> str:
    """The tag of the base image for a Debian suite."""
    return f"{BASE_REPOSITORY}:{suite}"


def image_changes(suite: str) -> list[str]:
    """Dockerfile-style instructions applied at import: environment, labels, default command."""
    return [
        "ENV LANG=C.UTF-8",
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        f"LABEL {gc.LABEL}=1 {gc.KIND}=base repo-agent.suite={suite}",
        "WORKDIR /workspace",
        'CMD ["bash"]',
    ]


def host_problem() -> str:
    """Why this host cannot build a base image ("" when it can): debootstrap must be installed and run as root."""
    if shutil.which("debootstrap") is None:
        return "debootstrap is not installed: run `sudo apt-get install debootstrap` and try again"
    if os.geteuid() != 0:
        return "debootstrap needs root: run `agent images build-base` as root (sudo)"
    return ""


def _run(cmd: list[str], log: Any, what: str, log_path: Path) -> None:
    """Run a host command with its output appended to the log; a UserError naming the log if it fails."""
    log.write(f"$ {' '.join(cmd)}\n".encode())
    log.flush()
    result = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise UserError(f"{what} failed (exit {result.returncode}); see {log_path}.")


def build_base(client: Any, suite: str = "bookworm", *, mirror: str = DEFAULT_MIRROR, force: bool = False,
               log_dir: Path | None = None) -> BuiltImage:
    """Build `repo-agent/base:SUITE` with debootstrap and import it, unless it exists (and `force` is off)."""
    started = time.monotonic()
    name = base_image_name(suite)
    if not force and find_image(client, name) is not None:
        return BuiltImage(name, True, None, time.monotonic() - started)
    if problem := host_problem():
        raise UserError(problem[0].upper() + problem[1:] + ".")
    log_path = (log_dir or cache_dir() / "logs") / f"base-{suite}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    packages = ",".join(PACKAGES + SUITE_EXTRAS.get(suite, []))
    with tempfile.TemporaryDirectory(prefix="repo-agent-base-", dir="/var/tmp") as tmp, log_path.open("wb") as log:
        rootfs, archive = Path(tmp) / "rootfs", Path(tmp) / "rootfs.tar"
        _run(["debootstrap", "--variant=minbase", f"--include={packages}", suite, str(rootfs), mirror],
             log, "debootstrap", log_path)
        _run(["chroot", str(rootfs), "bash", "-c", CHROOT_SCRIPT], log, "Configuring the root file system", log_path)
        _run(["tar", "--numeric-owner", "--xattrs", "-C", str(rootfs), "-cf", str(archive), "."],
             log, "Packing the root file system", log_path)
        repository, tag = name.split(":")
        client.api.import_image_from_file(str(archive), repository=repository, tag=tag, changes=image_changes(suite))
    client.images.get(name)
    return BuiltImage(name, False, log_path, time.monotonic() - started)
