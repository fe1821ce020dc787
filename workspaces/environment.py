"""Which image a Docker workspace starts from: with setup steps, an environment image with the clone baked in
(tagged by a hash of base image, steps and commit); without, the base image, with the clone copied in later.

Without `--setup` the steps are guessed from files read at the commit: Python projects get a virtualenv outside the
repository with their requirements, the project and pytest; Python code without packaging files gets one with pytest
if it has tests; other ecosystems are named, to ask for `--setup`."""

from __future__ import annotations

import contextlib
import posixpath
import re
import shlex
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from core.errors import UserError, WorkspaceError
from core.git import GitError, git_output, run_git
from workspaces.images import DEFAULT_BASE, BuiltImage, ImageRecipe, build_image, ensure_image
from workspaces.settings import DockerWorkspaceConfig

ENSURE_GIT = ("command -v git >/dev/null || { if command -v apt-get >/dev/null; then apt-get update -qq && "
              "apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null; "
              "elif command -v apk >/dev/null; then apk add --no-cache git bash; fi; }")
"""First setup step: images without git (e.g. python:3.12-slim) get it, since diffs are taken with git."""
IGNORE_SETUP_OUTPUT = ('info="$(git rev-parse --absolute-git-dir)/info" && mkdir -p "$info" && '
                       'git ls-files --others --exclude-standard --directory | sed "s|^|/|" >> "$info/exclude"')
"""Last setup step: files the setup left (egg-info, build/) become ignored: out of the diff, kept by `reset()`."""
VENV = "/workspace/.venv"
"""Where the auto-detected virtualenv lives in the container (outside the repository, so not in diffs)."""
TEST_EXTRAS = ("test", "tests", "testing", "dev")
"""Optional-dependency groups installed with the project when present (the first found)."""
OTHER_ECOSYSTEMS = {
    "package.json": "Node.js", "go.mod": "Go", "Cargo.toml": "Rust", "pom.xml": "Java (Maven)",
    "build.gradle": "Java (Gradle)", "build.gradle.kts": "Kotlin (Gradle)", "Gemfile": "Ruby",
    "composer.json": "PHP", "mix.exs": "Elixir", "CMakeLists.txt": "C/C++ (CMake)",
}
"""Manifest file -> ecosystem that auto-setup does not cover."""


@dataclass
class SetupPlan:
    """What to bake into the environment image, and why."""

    steps: list[str] = field(default_factory=list)
    """Shell commands, run as root in the repository root."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment baked into the image."""
    path: list[str] = field(default_factory=list)
    """Directories put in front of the image's PATH (the virtualenv's bin)."""
    ecosystem: str | None = None
    """Name of a non-Python ecosystem found instead (the caller asks for `--setup`)."""
    reason: str = ""
    """With `ecosystem`: what was found, e.g. `Node.js project (package.json)`."""


def read_at_commit(source_dir: Path, commit: str, path: str) -> str:
    """Text of `path` at `commit` ("" when missing)."""
    result = run_git("show", f"{commit}:{path}", cwd=source_dir)
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else ""


def test_extra(pyproject: str, setup_py: str, setup_cfg: str) -> str | None:
    """The first test-ish extra declared in pyproject.toml, setup.py (extras_require) or setup.cfg."""
    declared: set[str] = set()
    with contextlib.suppress(tomllib.TOMLDecodeError):
        declared |= set(tomllib.loads(pyproject).get("project", {}).get("optional-dependencies", {}))
    declared |= set(re.findall(r"""['"]([\w.-]+)['"]\s*:""", setup_py.partition("extras_require")[2]))
    extras_section = setup_cfg.partition("[options.extras_require]")[2].split("\n[", 1)[0]
    declared |= set(re.findall(r"^([\w.-]+)\s*=", extras_section, re.M))
    return next((extra for extra in TEST_EXTRAS if extra in declared), None)


def python_plan(source_dir: Path, commit: str, names: list[str]) -> SetupPlan:
    """Virtualenv, requirements files, the project itself (with its test extra) and pytest."""
    pip = f"{VENV}/bin/pip install --disable-pip-version-check --no-input"
    steps = [f"python3 -m venv {VENV}"]
    requirements = sorted(name for name in names if re.fullmatch(r"requirements.*\.txt", name))
    steps += [f"{pip} -r {shlex.quote(name)}" for name in requirements]
    installable = any(name in names for name in ("pyproject.toml", "setup.py", "setup.cfg"))
    pyproject = read_at_commit(source_dir, commit, "pyproject.toml") if "pyproject.toml" in names else ""
    if "pyproject.toml" in names and "setup.py" not in names and "[build-system]" not in pyproject \
            and "[project]" not in pyproject:
        installable = False  # a pyproject.toml that only configures tools
    extra = None
    if installable:
        extra = test_extra(pyproject, read_at_commit(source_dir, commit, "setup.py"),
                           read_at_commit(source_dir, commit, "setup.cfg"))
        steps.append(f"{pip} -e " + shlex.quote(f".[{extra}]" if extra else "."))
    steps.append(f"{pip} pytest")
    return SetupPlan(steps=steps, env={"VIRTUAL_ENV": VENV}, path=[f"{VENV}/bin"])


def detect_setup(source_dir: Path, commit: str) -> SetupPlan:
    """The setup plan for the repository at `commit`: Python gets one; another ecosystem is named; else nothing."""
    files = git_output("ls-tree", "-r", "--name-only", commit, cwd=source_dir).splitlines()
    names = [name for name in files if "/" not in name]  # the files at the top of the tree
    python_markers = {"pyproject.toml", "setup.py", "setup.cfg"}
    if python_markers & set(names) or any(re.fullmatch(r"requirements.*\.txt", name) for name in names):
        return python_plan(source_dir, commit, names)
    for manifest, ecosystem in OTHER_ECOSYSTEMS.items():
        if manifest in names:
            return SetupPlan(ecosystem=ecosystem, reason=f"{ecosystem} project ({manifest})")
    if any(re.search(r"(^|/)test_[^/]*\.py$|_test\.py$", name) for name in files):  # Python test files
        return python_plan(source_dir, commit, names)  # no packaging files: a virtualenv with pytest only
    return SetupPlan()  # no known project manifest: nothing to install


@dataclass
class PreparedImage:
    """The image a workspace container runs."""

    image: str
    """Image id or name."""
    repo_inside: bool
    """True when the image holds the repository at the workspace root already."""
    built: BuiltImage | None = None
    """The environment image build (or cache hit), when setup steps were used."""


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
        return SetupPlan(steps=list(config.setup))
    if not config.auto_setup:
        return SetupPlan()
    plan = detect_setup(source_dir, commit)
    if plan.ecosystem:
        raise UserError(f"This looks like a {plan.reason}; automatic setup covers only Python projects: pass "
                        "--setup 'COMMANDS' to install it (or --setup ':' to run without installing anything).")
    return plan


def prepare_image(client: Any, config: DockerWorkspaceConfig, source_dir: Path | None, commit: str, root: str,
                  run_id: str = "", log_dir: Path | None = None) -> PreparedImage:
    """The image for a workspace: the base as is, or an environment image with the repository and setup baked in."""
    base_name = config.image or DEFAULT_BASE
    base = ensure_image(client, base_name)
    if source_dir is None:
        return PreparedImage(base.id, True)  # the image holds the repository
    plan = setup_plan(config, source_dir, commit)
    if not plan.steps:
        return PreparedImage(base.id, False)
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
    return PreparedImage(built.name, True, built)
