"""A repository on this machine that holds an instance image's commit, so host-side steps can read it.

An instance image holds /testbed as a fresh one-commit repository, so its commit (the workspace's base
commit, against which every diff is taken) is in no mirror. The patch gate, the planner's checkout and the
sampling judge read the base commit on this machine; this module rebuilds that exact commit in a bare
repository that borrows the mirror's objects (git alternates): the image's file list (`git ls-tree`) is
written into an index, blobs the mirror lacks (files the environment setup edited) are copied out of the
image, `git write-tree` recreates the tree, and the image's raw commit object is stored as is, so its hash
is the image's. Results are cached per image id under the cache directory.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.git import GitError, git_bytes, git_output
from swebench.images import REPO_DIR

PROBE = f"""set -e -o pipefail
cd {REPO_DIR}
{{ git rev-parse HEAD; git cat-file commit HEAD | base64 -w0; echo; git ls-tree -r -z --full-tree HEAD; }} | base64"""
"""Prints, base64-encoded, the HEAD hash, the raw commit (base64) and the NUL-separated file list of the image's
repository. Everything goes out as short base64 lines: container logs split and cut very long lines."""
BLOBS = f"""set -e -o pipefail
cd {REPO_DIR} && for h in "$@"; do git cat-file blob "$h" | base64; echo .; done"""
"""Prints each named blob of the image's repository in base64, each followed by a line `.`."""


class HostRepoError(Exception):
    """The image's commit could not be rebuilt on this machine (an infrastructure failure)."""


@dataclass(frozen=True)
class HostRepo:
    """A bare repository on this machine holding an instance image's base commit."""

    path: Path
    """The bare repository."""
    commit: str
    """The image's HEAD (the workspace's base commit)."""


def host_repo(client: Any, image: str, mirror: Path, cache: Path) -> HostRepo:
    """The HostRepo of `image` (built once per image id under `cache`)."""
    image_id = client.images.get(image).id.split(":")[-1][:16]
    target = cache / f"{image_id}.git"
    commit_file = target / "repo-agent-commit"
    if commit_file.exists():
        return HostRepo(target, commit_file.read_text().strip())
    head, raw_commit, entries = _probe(client, image)
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{image_id}-", dir=cache))
    try:
        git_output("init", "-q", "--bare", str(work))
        (work / "objects" / "info" / "alternates").write_text(f"{(Path(mirror) / 'objects').resolve()}\n")
        missing = _missing_blobs(work, entries)
        if missing:
            _store_blobs(work, _image_blobs(client, image, missing))
        _write_tree(work, entries)
        made = _git(work, "hash-object", "-t", "commit", "-w", "--stdin", data=raw_commit).strip()
        if made != head:
            raise HostRepoError(f"the commit rebuilt from {image} is {made[:12]}, not the image's {head[:12]}")
        _git(work, "update-ref", "refs/heads/base", head)
        (work / "repo-agent-commit").write_text(head + "\n")
        try:
            os.rename(work, target)
        except OSError:  # another worker finished first: its copy is as good
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return HostRepo(target, commit_file.read_text().strip())


def _run(client: Any, image: str, script: str, *args: str) -> bytes:
    """Run `script` with bash in a throw-away container of `image` (no network); its stdout."""
    try:
        return client.containers.run(image, ["bash", "-c", script, "probe", *args], remove=True, network_mode="none",
                                     user="0", stderr=False)
    except Exception as exc:  # docker.errors.ContainerError and friends
        raise HostRepoError(f"reading the repository of {image} failed: {exc}") from exc


def _probe(client: Any, image: str) -> tuple[str, bytes, list[bytes]]:
    """(HEAD, raw commit object, ls-tree entries) of the image's repository."""
    output = base64.b64decode(_run(client, image, PROBE))
    head, encoded, listing = output.split(b"\n", 2)
    entries = [entry for entry in listing.split(b"\0") if entry]
    return head.decode().strip(), base64.b64decode(encoded), entries


def _missing_blobs(repo: Path, entries: list[bytes]) -> list[str]:
    """Blob hashes of `entries` that the repository (with the mirror's objects) lacks."""
    hashes = sorted({entry.split(b"\t", 1)[0].split()[2].decode() for entry in entries
                     if entry.split()[1] == b"blob"})
    answer = _git(repo, "cat-file", "--batch-check", data="\n".join(hashes).encode() + b"\n")
    return [line.split()[0] for line in answer.splitlines() if line.endswith(" missing")]


def _image_blobs(client: Any, image: str, hashes: list[str]) -> list[bytes]:
    """The contents of blobs `hashes`, read from the image."""
    chunks = _run(client, image, BLOBS, *hashes).split(b".\n")
    if len(chunks) != len(hashes) + 1:
        raise HostRepoError(f"reading {len(hashes)} file(s) from {image} returned {len(chunks) - 1}")
    return [base64.b64decode(chunk) for chunk in chunks[:-1]]


def _store_blobs(repo: Path, blobs: list[bytes]) -> None:
    """Write each blob into the repository's objects."""
    for blob in blobs:
        _git(repo, "hash-object", "-w", "--stdin", data=blob)


def _write_tree(repo: Path, entries: list[bytes]) -> str:
    """The tree of `entries` (ls-tree lines, which `--index-info` reads as they are) written into the repository."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git(repo, "update-index", "-z", "--index-info", data=b"".join(entry + b"\0" for entry in entries), env=env)
        return _git(repo, "write-tree", env=env).strip()


def _git(repo: Path, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
    """Run git on `repo`; HostRepoError with git's message when it fails."""
    try:
        return git_bytes(*args, cwd=repo, git_dir=repo, input=data, env=env).decode("utf-8", "replace")
    except GitError as exc:
        raise HostRepoError(f"git {args[0]} failed: {exc.stderr[:300]}") from None
