"""SWE-bench images: base (Debian suite) -> environment (/opt/venv) -> instance (/testbed); see README.md, "Images"."""

from __future__ import annotations

import json
import re
import shlex
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import UserError
from swebench.datasets import Instance
from swebench.image_scripts import BEST_EFFORT_PATH, BEST_EFFORT_SCRIPT, BUILD_REQUIRES_PATH, BUILD_REQUIRES_SCRIPT
from swebench.mirrors import Mirrors
from swebench.official import OfficialImages, OfficialNaming, check_source
from swebench.requirements import EnvRequirements, env_requirements, package_name
from swebench.specs import EnvSpec, SpecTable
from workspaces.base_image import base_image_name
from workspaces.images import BuiltImage, ImageBuildError, ImageRecipe, build_image, cache_dir, connect

REPO_DIR = "/testbed"
"""Where the repository lives in instance images."""
VENV = "/opt/venv"
"""The environment's virtualenv (first on PATH in the images)."""
UV = "/opt/uv/bin/uv"
"""uv, installed next to (not inside) the environment."""
UV_VERSION = "0.13.9"
PIP_VERSION = "24.0"
"""pip inside every environment (pip >= 25 editable installs break pylint 2.14/2.15 plugin discovery)."""
PINS_ERA = "2025-06-01"
"""Resolution date for pinned packages' dependencies the environment's date cannot satisfy (pins: 2023-2024)."""
UNPINNED_DATE = "2100-01-01"
"""--exclude-newer-package date that lifts the date limit for explicitly pinned packages."""
ENV_REPOSITORY = "repo-agent/swe-env"
INSTANCE_REPOSITORY = "repo-agent/swe-instance"
IMAGE_ENV = {"PATH": f"{VENV}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "VIRTUAL_ENV": VENV, "LANG": "C.UTF-8", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
"""Environment variables baked into SWE-bench images."""
UV_FLAGS = {"-e", "--editable", "-v", "--verbose", "--no-build-isolation"}
"""pip install flags uv understands the same way; installs with other flags keep using pip."""
GIT_ID = "-c user.name=repo-agent -c user.email=repo-agent@localhost"
VENV_BRIDGE = "/usr/lib/python3/dist-packages/zz_repo_agent_venv.pth"
"""Where the system Python picks up `venv_bridge`."""
CONSTRAINTS = "/opt/env/constraints.txt"
"""Constraints for every install into the environment and for build environments."""
WHEEL = "wheel<0.45"
"""wheel, likewise (exempt from the date, held to the official images' generation)."""
COMPAT_EDITABLE = "--config-settings editable_mode=compat"
"""pip flag for a setuptools (>= 64) editable install that is a plain sys.path entry, like `setup.py develop`."""
SETUPTOOLS = "setuptools<70"
"""setuptools unless the spec pins one: the generation the official images had (Python 3.9-3.11, pkg_resources)."""


def uv_install(date: str, pinned: tuple[str, ...] | list[str], args: str) -> str:
    """A `uv pip install` into the environment as of `date`; `pinned` (name==x), setuptools and wheel are exempt from
    the date (the last two held by the constraints file: old ones do not run on the Python in use)."""
    exempt = sorted({package_name(p) for p in pinned if "==" in p and package_name(p)} | {"setuptools", "wheel"})
    flags = " ".join(f"--exclude-newer-package {shlex.quote(name + '=' + UNPINNED_DATE)}" for name in exempt)
    # --compile-bytecode as pip does: importing uncompiled old code under `-W error` turns its warnings into errors
    command = (f"{UV} pip install --python {VENV}/bin/python --compile-bytecode --exclude-newer {date} {flags} "
               f"-c {CONSTRAINTS} --build-constraint {CONSTRAINTS} {args}")
    return command.replace("  ", " ")


def venv_bridge(python: str) -> str:
    """A .pth line for the system Python adding the environment's site-packages (ahead of Debian's): tox-current-env
    (sphinx) runs tests through a symlink to the venv's interpreter elsewhere, which starts as the system Python."""
    site = f"{VENV}/lib/python{python}/site-packages"
    return (f"import site, sys; k = len(sys.path); site.addsitedir({site!r}); new = sys.path[k:]; del sys.path[k:]; "
            "i = next((j for j, p in enumerate(sys.path) if p.endswith('-packages')), len(sys.path)); "
            "sys.path[i:i] = new\n")


def constraints(spec: EnvSpec) -> str:
    """The constraints file: the spec's setuptools pin, else the setuptools the official images had."""
    pins = [p for p in spec.pip_packages if package_name(p) == "setuptools" and "==" in p]
    return (pins[0] if pins else SETUPTOOLS) + f"\n{WHEEL}\n"


def install_command(spec: EnvSpec, date: str) -> str:
    """The spec's install command; `python -m pip install ARGS` goes through uv as of `date` (offline first).

    Without pyproject.toml pip then re-installs the project (`--no-deps`: `setup.py develop`, a plain sys.path entry
    as in the official images; PEP 660 import hooks break pylint's plugin discovery). If uv fails (the project pins a
    build setuptools without PEP 660), uv retries without build isolation and pip re-installs the project as a compat
    editable. Last resort: the spec's pip command alone (dependencies then without the date)."""
    match = re.match(r"^python -m pip install (.*)$", spec.install.strip())
    if not match:
        return spec.install
    args = match.group(1)
    pip = f"PIP_CONSTRAINT={CONSTRAINTS} {spec.install}"
    if not all(not word.startswith("-") or word in UV_FLAGS for word in shlex.split(args)):
        return pip
    pinned = spec.pip_packages + spec.extra_pip
    uv = uv_install(date, pinned, args)
    offline = uv.replace(" pip install ", " pip install --offline ", 1)
    legacy = f"[ -f pyproject.toml ] || {pip.replace(' install ', ' install --no-deps ', 1)}"
    shared_build = uv_install(date, pinned, f"--no-build-isolation {args}")
    develop = pip.replace(" install ", f" install --no-deps --no-build-isolation {COMPAT_EDITABLE} ", 1)
    return f"{{ {{ {{ {offline} || {uv}; }} && {{ {legacy}; }}; }} || {{ {shared_build} && {develop}; }} || {pip}; }}"


def env_recipe(spec: EnvSpec, reqs: EnvRequirements) -> ImageRecipe:
    """The environment layer: virtualenv, pip 24.0, requirements (best effort), pinned packages (must work)."""
    files: dict[str, bytes] = {CONSTRAINTS: constraints(spec).encode(), VENV_BRIDGE: venv_bridge(spec.python).encode()}
    if not (reqs.requirements or reqs.pinned or spec.install.startswith("python -m pip")):
        # nothing to download: a plain venv, built offline
        return ImageRecipe(base=base_image_name(spec.suite), steps=[f"python3 -m venv {VENV}"], env=dict(IMAGE_ENV),
                           files=files, key_extra=json.dumps({"repo": spec.repo, "version": spec.version}),
                           repository=ENV_REPOSITORY, network="none")
    steps = [
        f"mkdir -p /opt/env && python3 -m venv /opt/uv && /opt/uv/bin/pip install -q uv=={UV_VERSION}",
        f"{UV} venv --python /usr/bin/python3 {VENV}",
        uv_install(reqs.exclude_newer, [f"pip=={PIP_VERSION}"], f"pip=={PIP_VERSION} setuptools wheel"),
    ]
    if reqs.requirements:
        files["/opt/env/requirements.txt"] = ("\n".join(reqs.requirements) + "\n").encode()
        files[BEST_EFFORT_PATH] = BEST_EFFORT_SCRIPT.encode()
        command = shlex.quote(uv_install(reqs.exclude_newer, reqs.pinned, ""))
        steps.append(f"python3 {BEST_EFFORT_PATH} {command} /opt/env/requirements.txt")
    if reqs.pinned:
        # pins are often years newer than the date, so are their dependencies: else resolve them as of the pins' era
        pins = " ".join(shlex.quote(p) for p in reqs.pinned)
        steps.append(f"{uv_install(reqs.exclude_newer, reqs.pinned, pins)} || "
                     f"{uv_install(PINS_ERA, reqs.pinned, pins)}")
    steps.append(f"{UV} pip freeze --python {VENV}/bin/python | tee /opt/env/freeze.txt")
    key = {"repo": spec.repo, "version": spec.version, "python": spec.python, "date": reqs.exclude_newer}
    return ImageRecipe(base=base_image_name(spec.suite), steps=steps, files=files, env=dict(IMAGE_ENV),
                       key_extra=json.dumps(key, sort_keys=True), repository=ENV_REPOSITORY)


def instance_recipe(spec: EnvSpec, instance: Instance, env_image: str, mirrors: Mirrors, date: str) -> ImageRecipe:
    """The instance layer: the repository at base_commit as a fresh one-commit repo (+ tag), installed."""
    tag = mirrors.nearest_tag(instance.repo, instance.base_commit)
    setup = [f"cd {REPO_DIR}", *spec.pre_install, install_command(spec, date)]
    files = {}
    if spec.reinstall != "never":
        # eval.sh re-installs offline without build isolation: the build requirements must be in the venv
        files[BUILD_REQUIRES_PATH] = BUILD_REQUIRES_SCRIPT.encode()
        one = uv_install(date, spec.pip_packages, '-c /opt/env/freeze.txt "$r"')
        setup.append(f"python {BUILD_REQUIRES_PATH} | while read -r r; do {one} || echo \"SKIPPED $r\"; done")
    steps = [
        f"cd {REPO_DIR} && git init -q && git add -A -f && git {GIT_ID} commit -q --no-verify -m base",
        *([f"cd {REPO_DIR} && git tag {shlex.quote(tag)}"] if tag else []),
        " && ".join(setup),
        # setup edits to tracked files (a sed on tox.ini) join the one commit: `git diff` shows only a patch's changes
        f"cd {REPO_DIR} && if ! git diff --quiet; then git {GIT_ID} commit -q -a --amend --no-edit --no-verify"
        + (f" && git tag -f {shlex.quote(tag)} >/dev/null; fi" if tag else "; fi"),
        # files the setup left behind (egg-info, build/) are ignored: out of diffs, safe from `git clean`
        f"cd {REPO_DIR} && git ls-files --others --exclude-standard --directory | sed 's|^|/|' >> .git/info/exclude",
        f"git config --system --add safe.directory '*' && chown -R 1000:1000 {REPO_DIR}",
    ]
    key = {"instance": instance.instance_id, "repo": instance.repo, "commit": instance.base_commit, "tag": tag}

    def archive() -> bytes:
        """The repository at base_commit under testbed/ (made only when the image is built)."""
        return mirrors.archive(instance.repo, instance.base_commit, prefix=REPO_DIR.strip("/") + "/")

    return ImageRecipe(base=env_image, steps=steps, files=files, archives={"/": archive}, env=dict(IMAGE_ENV),
                       workdir=REPO_DIR,
                       key_extra=json.dumps(key, sort_keys=True), repository=INSTANCE_REPOSITORY)


@dataclass(frozen=True)
class ImageSource:
    """Where a run's instance images come from; picklable, so each worker process makes its own builder."""

    mirrors: str | None = None
    """Directory of bare mirrors (None: $REPO_AGENT_MIRRORS, else clone into the cache)."""
    specs: tuple[str, ...] = ()
    """Extra spec YAML files for the spec table."""
    images: str = "build"
    """`--images`: build, official or auto (see ImageBuilder)."""
    namespace: str = OfficialNaming.namespace
    """`--image-namespace`: where official images are (a mirror's registry/namespace)."""

    def __post_init__(self) -> None:
        check_source(self.images)

    def builder(self) -> ImageBuilder:
        """An ImageBuilder on the local Docker engine (a UserError when none is reachable)."""
        mirrors, specs = Mirrors(self.mirrors), SpecTable.load([Path(s) for s in self.specs])
        try:
            client = connect()
        except UserError as exc:
            raise UserError("No Docker engine is reachable, and SWE-bench evaluation runs in containers: start it "
                            "(`sudo dockerd &` or `sudo systemctl start docker`) and try again.") from exc
        return ImageBuilder(client, mirrors, specs, source=self.images, naming=OfficialNaming(self.namespace))


@dataclass
class InstanceImages:
    """The images of one instance, the spec its tests run by, and how long getting them took."""

    env: BuiltImage | None
    """The environment image (built or cached); None for an official image, which is both in one."""
    instance: BuiltImage
    """The instance image: built or cached, or the official one (present or pulled)."""
    spec: EnvSpec
    """The instance's spec (for an official image, whatever its Python)."""
    official: bool = False
    """True when `instance` is SWE-bench's published image (tests run in its conda environment `testbed`)."""
    note: str = ""
    """Which source was taken and why (for logs)."""

    @property
    def seconds(self) -> float:
        """Time spent on both."""
        return (self.env.seconds if self.env else 0.0) + self.instance.seconds


class ImageBuilder:
    """Builds (or finds) environment and instance images; parallel callers share one build per image."""

    def __init__(self, client: Any, mirrors: Mirrors, specs: SpecTable, log_dir: Path | None = None, *,
                 source: str = "build", naming: OfficialNaming | None = None,
                 log: Callable[[str], None] = lambda line: print(line, file=sys.stderr)):
        """`source`: one of IMAGE_SOURCES; `naming`: where official images are; `log`: one line per fallback."""
        self.client = client
        self.mirrors = mirrors
        self.specs = specs
        self.log_dir = log_dir or cache_dir() / "logs" / "swebench"
        self.source = check_source(source)
        self.official = OfficialImages(client, naming or OfficialNaming(), log)
        self.log = log
        self._locks: dict[str, threading.Lock] = {}

    def _build(self, recipe: ImageRecipe, what: str) -> BuiltImage:
        with self._locks.setdefault(what, threading.Lock()):  # one lock per image: dict.setdefault is atomic
            return build_image(self.client, recipe, self.log_dir)

    def images(self, instance: Instance) -> InstanceImages:
        """The images `instance` runs in, by `source` (Unsupported, MirrorError, ImageBuildError may raise)."""
        note = ""
        if self.source != "build":
            image, note = self.official.find(instance.instance_id)
            if image is not None:
                return InstanceImages(None, image, self.specs.spec_for(instance, any_python=True), True, note)
            if self.source == "official":
                raise ImageBuildError(f"{note}; nothing is built with --images official")
            note = f"{note}; building our own (--images auto)"
            self.log(f"{instance.instance_id}: {note}")
        spec = self.specs.spec_for(instance)
        self.mirrors.require(instance.repo, instance.base_commit, instance.environment_setup_commit)
        reqs = env_requirements(spec, instance, self.mirrors)
        env = self._build(env_recipe(spec, reqs), f"env {spec.repo} {spec.version}")
        built = self._build(instance_recipe(spec, instance, env.name, self.mirrors, reqs.exclude_newer),
                            f"instance {instance.instance_id}")
        # also tagged by instance id (`repo-agent/swe-instance:<id>`), for people and inference
        self.client.images.get(built.name).tag(INSTANCE_REPOSITORY, instance.instance_id.lower())
        return InstanceImages(env, built, spec, note=note)
