"""Files in a container through Docker's archive API (images without the command server); trees go in as tars."""

from __future__ import annotations

import base64
import io
import json
import os
import posixpath
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.errors import WorkspaceError
from core.git import git_bytes
from workspaces.images import tar_bytes

MODE_DIR, MODE_SYMLINK = 1 << 31, 1 << 27
"""Bits of Go's os.FileMode in Docker's path stat."""


@dataclass
class ArchiveFiles:
    """Read and write single files of a container with get_archive / put_archive."""

    api: Any
    """docker.APIClient."""
    container_id: str
    """The container."""
    uid: int = 0
    """Owner of files written."""
    gid: int = 0
    """Group of files written."""
    mkdir: Callable[[str], None] | None = None
    """Creates a directory (with parents) as the workspace user; needed for writes into new directories."""

    def stat(self, path: str) -> dict[str, Any] | None:
        """Docker's stat of a container path (name, size, mode, linkTarget); None when missing."""
        url = self.api._url("/containers/{0}/archive", self.container_id)
        response = self.api.head(url, params={"path": path})
        if response.status_code == 404:
            return None
        self.api._raise_for_status(response)
        return json.loads(base64.b64decode(response.headers["X-Docker-Container-Path-Stat"]))

    def read(self, path: str) -> bytes:
        """The bytes of the file at absolute `path`, following symbolic links."""
        import docker

        target = path
        for _ in range(10):
            try:
                stream, stat = self.api.get_archive(self.container_id, target)
            except docker.errors.NotFound as exc:
                raise FileNotFoundError(path) from exc
            if stat["mode"] & MODE_DIR:
                stream.close()
                raise IsADirectoryError(path)
            data = b"".join(stream)
            if not stat["mode"] & MODE_SYMLINK:
                with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                    member = tar.next()
                    extracted = tar.extractfile(member) if member is not None else None
                    return extracted.read() if extracted else b""
            target = posixpath.normpath(posixpath.join(posixpath.dirname(target), stat.get("linkTarget") or ""))
        raise FileNotFoundError(f"{path} (too many symbolic links)")

    def write(self, path: str, data: bytes) -> None:
        """Write the file at absolute `path` (parents created), keeping the permission bits of a file it replaces."""
        stat = self.stat(path)
        mode = 0o644
        if stat is not None:
            if stat["mode"] & MODE_DIR:
                raise IsADirectoryError(path)
            mode = stat["mode"] & 0o7777 or 0o644
        elif self.stat(posixpath.dirname(path)) is None and self.mkdir is not None:
            self.mkdir(posixpath.dirname(path))
        archive = tar_bytes({posixpath.basename(path): data}, uid=self.uid, gid=self.gid, mode=mode)
        self.put(posixpath.dirname(path), archive)

    def put(self, directory: str, archive: Any) -> None:
        """Unpack a tar (bytes or an open file) into `directory`."""
        import docker

        try:
            self.api.put_archive(self.container_id, directory, archive)
        except docker.errors.NotFound as exc:
            raise FileNotFoundError(directory) from exc
        except docker.errors.APIError as exc:
            raise WorkspaceError(f"Copying into the container failed: {exc.explanation or exc}") from exc

    def diff_on_host(self, root: str, base_commit: str) -> str:
        """The diff of `root` against `base_commit`, taken on this machine from a copy of the tree (new files
        included); works on a stopped container, so a run whose container died keeps its patch."""
        import docker

        try:
            stream, _ = self.api.get_archive(self.container_id, root)
        except docker.errors.NotFound as exc:
            raise WorkspaceError("The workspace container is gone; its changes cannot be read.") from exc
        with tempfile.TemporaryDirectory(prefix="repo-agent-diff-") as tmp:
            with tempfile.TemporaryFile() as archive:
                for chunk in stream:
                    archive.write(chunk)
                archive.seek(0)
                with tarfile.open(fileobj=archive) as tar:
                    tar.extractall(tmp, **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
            tree = os.path.join(tmp, posixpath.basename(root.rstrip("/")))
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "diff-index")}
            safe = ("-c", f"safe.directory={tree}")
            git_bytes(*safe, "add", "-A", cwd=tree, env=env)
            return git_bytes(*safe, "diff", "--cached", "--binary", "--no-color", "--no-ext-diff", "--no-renames",
                             base_commit, cwd=tree, env=env).decode("utf-8", "replace")
