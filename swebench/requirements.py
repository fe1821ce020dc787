"""The packages an environment image installs (from `packages`: requirement files following `-r`, a conda
environment.yml converted to pip, or a list of names), and the date they are resolved as of."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass

import yaml

from swebench.datasets import Instance
from swebench.mirrors import Mirrors
from swebench.specs import EnvSpec

CONDA_TO_PIP = {"matplotlib-base": "matplotlib", "pytables": "tables", "msgpack-python": "msgpack", "pytorch": "torch",
                "python-graphviz": "graphviz", "hypothesis-core": "hypothesis"}
"""conda package names whose pip names differ."""
SKIPPED_LINES = ("-e .", "#", ".[test", "-e.", "--", "-c ", "-i ", "-f ")
"""Requirement lines that are not dependencies (the project itself, comments, pip options)."""
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class EnvRequirements:
    """What the environment image installs."""

    requirements: tuple[str, ...]
    """Dependencies from `packages` (installed first, best effort line by line if the whole set fails)."""
    pinned: tuple[str, ...]
    """`pip_packages` + `extra_pip` (installed after, must succeed; exempt from the date limit when pinned)."""
    exclude_newer: str
    """YYYY-MM-DD: nothing newer is installed (except pinned packages)."""


def package_name(requirement: str) -> str:
    """The normalised distribution name of a requirement line ('' when there is none)."""
    match = _NAME.match(requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else ""


def resolution_date(spec: EnvSpec, commit_date: str) -> str:
    """The spec's fixed date, else the environment commit's date plus `exclude_newer_weeks`."""
    if spec.exclude_newer:
        return spec.exclude_newer
    day = dt.date.fromisoformat(commit_date) + dt.timedelta(weeks=spec.exclude_newer_weeks)
    return day.isoformat()


def requirements_file_lines(mirrors: Mirrors, repo: str, commit: str, paths: tuple[str, ...],
                            depth: int = 1) -> list[str]:
    """Lines of the first requirement file found among `paths`, `-r` includes inlined (`depth` levels deep)."""
    for path in paths:
        text = mirrors.read(repo, commit, path)
        if text is None:
            continue
        lines: list[str] = []
        for raw in text.splitlines():
            line = raw.split(" #")[0].strip()
            if line.startswith("-r") and depth:
                included = posixpath.normpath(posixpath.join(posixpath.dirname(path), line[2:].strip()))
                lines += requirements_file_lines(mirrors, repo, commit, (included,), depth - 1)
            elif line and not line.startswith((*SKIPPED_LINES, "-r")):
                lines.append(line)
        return lines
    return []


def environment_yml_lines(text: str, drop: tuple[str, ...]) -> list[str]:
    """pip requirements for a conda environment.yml: conda names mapped, pins translated, `drop` removed."""
    data = yaml.safe_load(text) or {}
    dropped = {package_name(name) for name in drop}
    lines = []
    for item in data.get("dependencies") or []:
        if isinstance(item, dict):
            lines += [str(line) for line in item.get("pip") or []]
            continue
        spec = str(item).split("::")[-1].strip()
        name = package_name(spec)
        rest = spec[len(_NAME.match(spec).group(1)):].strip() if _NAME.match(spec) else ""
        name = CONDA_TO_PIP.get(name, name)
        if not name or name in dropped:
            continue
        if rest.startswith("=") and not rest.startswith("=="):
            rest = "==" + rest[1:].split("=")[0]  # conda `=1.2` / `=1.2=build` -> pip `==1.2`
        lines.append(name + rest.replace(" ", ""))
    return lines


def env_requirements(spec: EnvSpec, instance: Instance, mirrors: Mirrors) -> EnvRequirements:
    """The packages and the resolution date of the environment for `instance`."""
    commit = instance.environment_setup_commit or instance.base_commit
    if spec.packages == "requirements.txt":
        lines = requirements_file_lines(mirrors, spec.repo, commit, spec.requirements_paths)
    elif spec.packages == "environment.yml":
        text = next((t for p in spec.environment_yml_paths if (t := mirrors.read(spec.repo, commit, p))), "")
        lines = environment_yml_lines(text, spec.drop_packages)
    else:
        lines = spec.packages.split()
    dropped = {package_name(name) for name in spec.drop_packages}
    lines = [line for line in lines if package_name(line) not in dropped]
    date = resolution_date(spec, mirrors.commit_date(spec.repo, commit))
    return EnvRequirements(tuple(lines), tuple(spec.pip_packages) + tuple(spec.extra_pip), date)
