"""Which image a Docker workspace starts from: with setup steps, an environment image with the clone baked in
(tagged by a hash of base image, steps and commit); without, the base image, with the clone copied in later."""

from __future__ import annotations

import posixpath
import shlex
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from core.errors import UserError, WorkspaceError
from core.git import GitError, git_output
from workspaces.images import DEFAULT_BASE, BuiltImage, ImageRecipe, build_image, ensure_image
from workspaces.settings import DockerWorkspaceConfig
from workspaces.setup_detect import SetupPlan, detect_setup

ENSURE_GIT = ("command -v git >/dev/null || { if command -v apt-get >/dev/null; then apt-get update -qq && "
              "apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null; "
              "elif command -v apk >/dev/null; then apk add --no-cache git bash; fi; }")
"""First setup step: images without git (e.g. python:3.12-slim) get it, since diffs are taken with git."""
IGNORE_SETUP_OUTPUT = ('info="$(git rev-parse --absolute-git-dir)/info" && mkdir -p "$info" && '
                       'git ls-files --others --exclude-standard --directory | sed "s|^|/|" >> "$info/exclude"')
"""Last setup step: files the setup left (egg-info, build/) become ignored: out of the diff, kept by `reset()`."""


@dataclass
class PreparedImage:
    """The image a workspace container runs."""

    image: str
    """Image id or name."""
    repo_inside: bool
    """True when the image holds the repository at the workspace root already."""
    built: BuiltImage | None = None
    """The environment image build (or cache hit), when setup steps were used."""
    setup_reason: str = ""
    """Where the setup steps came from."""


def resolve_commit(source_dir: Path, commit: str) -> str:
    """The full id of `commit` in the repository at `source_dir`; a UserError when there is none."""
    try:
        return git_output("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}", cwd=source_dir)
    except (GitError, NotADirectoryError, FileNotFoundError):
        raise UserError(f"{source_dir} is not a git repository with commit {commit!r}; give a repository and "
                        "commit.") from None


def repo_archive(source_dir: Path, commit: str, name: str, uid: int = 0, gid: int = 0) -> IO[bytes]:
    """A tar (an open temporary file) of a repository holding `commit` of `source_dir` alone, checked out, under
    `name/`: a shallow fetch of that one commit, so the history is never copied (the commit keeps its id)."""
    with tempfile.TemporaryDirectory(prefix="repo-agent-seed-") as tmp:
        clone = Path(tmp) / "repo"
        try:
            git_output("init", "--quiet", str(clone))
            git_output("fetch", "--quiet", "--depth", "1", "--no-tags", Path(source_dir).resolve().as_uri(), commit,
                       cwd=clone)
            git_output("checkout", "--quiet", "--detach", "FETCH_HEAD", cwd=clone)
        except GitError as exc:
            raise WorkspaceError(f"Copying commit {commit} of {source_dir} failed: {exc.stderr}") from None

        def owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.uid, info.gid, info.uname, info.gname = uid, gid, "", ""
            return info

        archive = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
        with tarfile.open(fileobj=archive, mode="w") as tar:
            tar.add(clone, arcname=name, filter=owned)
        archive.seek(0)
        return archive


def setup_plan(config: DockerWorkspaceConfig, source_dir: Path, commit: str) -> SetupPlan:
    """The configured setup steps, else auto-detected ones (Python only; another ecosystem asks for --setup)."""
    if config.setup:
        return SetupPlan(steps=list(config.setup), reason="given")
    if not config.auto_setup:
        return SetupPlan(reason="none (auto-setup off)")
    plan = detect_setup(source_dir, commit)
    if plan.ecosystem:
        raise UserError(f"This looks like a {plan.reason}; automatic setup covers only Python projects: pass "
                        "--setup 'COMMANDS' to install it (or --setup ':' to run without installing anything).")
    plan.reason = "auto-detected: " + plan.reason
    return plan


def prepare_image(client: Any, config: DockerWorkspaceConfig, source_dir: Path | None, commit: str, root: str,
                  run_id: str = "", log_dir: Path | None = None) -> PreparedImage:
    """The image for a workspace: the base as is, or an environment image with the repository and setup baked in."""
    base_name = config.image or DEFAULT_BASE
    base = ensure_image(client, base_name)
    if source_dir is None:
        return PreparedImage(base.id, True, setup_reason="the image holds the repository")
    plan = setup_plan(config, source_dir, commit)
    if not plan.steps:
        return PreparedImage(base.id, False, setup_reason=plan.reason)
    env = dict(plan.env)
    if plan.path:
        base_env = dict(item.split("=", 1) for item in (base.attrs.get("Config") or {}).get("Env") or []
                        if "=" in item)
        env["PATH"] = ":".join([*plan.path, base_env.get("PATH", "/usr/local/bin:/usr/bin:/bin")])
    steps = [ENSURE_GIT, *plan.steps, f"cd {shlex.quote(root)} && {IGNORE_SETUP_OUTPUT}"]
    if config.user:
        steps.append(f"if id -u {config.user} >/dev/null 2>&1; then chown -R {config.user}: "
                     f"{posixpath.dirname(root)}; fi")
    recipe = ImageRecipe(
        base=base_name, steps=steps, env=env, workdir=root, network=config.build_network,
        key_extra=f"repository at {commit} in {root}",
        archives={posixpath.dirname(root): lambda: repo_archive(source_dir, commit, posixpath.basename(root))},
    )
    built = build_image(client, recipe, log_dir, run_id)
    return PreparedImage(built.name, True, built, plan.reason)
