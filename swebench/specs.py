"""Instance specs (`specs.yaml`, `--specs FILE` overrides): environment, install and test command per repo + version."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from agent.config import yaml_problem
from core.errors import UserError
from swebench.datasets import Instance
from swebench.log_parsers import PARSERS

SUITES = {"3.9": "bullseye", "3.11": "bookworm"}
"""Python versions we can provide -> the Debian suite whose base image has them."""
REINSTALL_MODES = ("never", "always", "build-files")
"""When eval.sh re-installs the project after applying the model patch."""
BUILD_FILE = re.compile(r"(^|/)(setup\.py|setup\.cfg|pyproject\.toml|MANIFEST\.in)$|\.(pyx|pxd|c|cc|cpp|h|hpp|f|f90)$")
"""Files whose change needs a re-build when the spec's `reinstall` is `build-files`."""


class Unsupported(Exception):
    """The instance cannot be run here (no spec for its version, or a Python we cannot provide)."""


@dataclass(frozen=True)
class EnvSpec:
    """Everything needed to build and test one repository version."""

    repo: str
    """`owner/name`."""
    version: str
    """The dataset's version string."""
    python: str
    """The Python we run (3.9 or 3.11)."""
    official_python: str
    """The Python the SWE-bench harness uses."""
    install: str
    """Command that installs the project in the environment (run in the repository)."""
    test_cmd: str
    """Test command; the test files of the instance are appended."""
    log_parser: str
    """Name of the parser in swebench.log_parsers."""
    packages: str = ""
    """`requirements.txt`, `environment.yml`, or space-separated package names installed first."""
    pip_packages: tuple[str, ...] = ()
    """Pinned packages installed after `packages` (they win)."""
    extra_pip: tuple[str, ...] = ()
    """Packages we add on top of the official ones."""
    drop_packages: tuple[str, ...] = ()
    """Names removed from requirements / environment.yml (conda-only)."""
    pre_install: tuple[str, ...] = ()
    """Commands run in the repository before `install`."""
    eval_commands: tuple[str, ...] = ()
    """Commands run before the tests in eval.sh (e.g. locale variables)."""
    reinstall: str = "never"
    """never | always | build-files: when eval.sh re-installs after the model patch."""
    requirements_paths: tuple[str, ...] = ()
    """Where `requirements.txt`-style files are looked up (first found wins)."""
    environment_yml_paths: tuple[str, ...] = ()
    """Where `environment.yml` is looked up (first found wins)."""
    exclude_newer: str = ""
    """Fixed dependency resolution date; empty means the environment commit's date plus some weeks."""
    exclude_newer_weeks: int = 4
    """Weeks after the environment commit that dependencies may be from."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Keys we keep but do not use (e.g. no_use_env)."""

    @property
    def suite(self) -> str:
        """The Debian suite of the base image."""
        return SUITES[self.python]

    def needs_reinstall(self, changed_files: list[str]) -> bool:
        """Whether eval.sh must re-install the project after a patch changing `changed_files`."""
        if self.reinstall == "always":
            return True
        return self.reinstall == "build-files" and any(BUILD_FILE.search(path) for path in changed_files)


_KNOWN = {"python", "run_python", "packages", "pip_packages", "extra_pip", "drop_packages", "pre_install",
          "install", "test_cmd", "eval_commands", "reinstall", "exclude_newer", "log_parser", "no_use_env"}


class SpecTable:
    """The per-repo, per-version table; `spec_for(instance)` resolves one instance."""

    def __init__(self, data: dict[str, Any]):
        self.repos: dict[str, Any] = dict(data.get("repos") or {})
        self.substitutes: dict[str, str] = {str(k): str(v) for k, v in (data.get("python_substitutes") or {}).items()}
        self.weeks = int(data.get("exclude_newer_weeks", 4))

    @classmethod
    def load(cls, extra: list[Path] | None = None) -> SpecTable:
        """The shipped table, with repositories from each `extra` YAML file added or replaced."""
        text = resources.files("swebench").joinpath("specs.yaml").read_text()
        table = cls(yaml.safe_load(text))
        for path in extra or []:
            try:
                other = yaml.safe_load(Path(path).read_text()) or {}
            except OSError as exc:
                raise UserError(f"Cannot read the spec file {path} ({exc.strerror}); give YAML like specs.yaml.") \
                    from exc
            except yaml.YAMLError as exc:
                raise UserError(f"The spec file {path} is not valid YAML{yaml_problem(exc)}; give YAML like "
                                "specs.yaml.") from exc
            if not isinstance(other, dict):
                raise UserError(f"The spec file {path} holds no mapping at the top level; give YAML like specs.yaml.")
            table.repos.update(other.get("repos") or {})
            table.substitutes.update({str(k): str(v) for k, v in (other.get("python_substitutes") or {}).items()})
        return table

    def spec_for(self, instance: Instance, any_python: bool = False) -> EnvSpec:
        """The EnvSpec of `instance`, or Unsupported saying why; `any_python`: the image brings its own (official)."""
        return self.spec(instance.repo, instance.version, any_python)

    def spec(self, repo: str, version: str, any_python: bool = False) -> EnvSpec:
        """The EnvSpec of `repo` at `version`; Unsupported says why there is none."""
        entry = self.repos.get(repo)
        if entry is None:
            raise Unsupported(f"no environment spec for repository {repo}")
        versions = entry.get("versions") or {}
        if version not in versions:
            raise Unsupported(f"no environment spec for {repo} version {version}")
        merged = {**(entry.get("defaults") or {}), **(versions[version] or {})}
        merged = {key: value for key, value in merged.items() if value is not None}
        unknown = set(merged) - _KNOWN
        if unknown:
            raise ValueError(f"spec {repo} {version}: unknown keys {sorted(unknown)}")
        return self._build(repo, version, entry, merged, any_python)

    def _python(self, repo: str, version: str, merged: dict[str, Any], any_python: bool) -> tuple[str, str]:
        """(python we run, official python), or Unsupported."""
        official = str(merged.get("python", ""))
        run = str(merged.get("run_python") or self.substitutes.get(official, official))
        if any_python:
            return official, official
        if run not in SUITES:
            raise Unsupported(f"{repo} {version} needs Python {official}, which is not available here "
                              f"(only {', '.join(SUITES)}; `--images official` uses the published image)")
        return run, official

    def _build(self, repo: str, version: str, entry: dict[str, Any], merged: dict[str, Any],
               any_python: bool) -> EnvSpec:
        python, official = self._python(repo, version, merged, any_python)
        install = str(merged.get("install", "python -m pip install -e ."))
        editable = " -e " in f" {install} " or " develop" in install
        reinstall = str(merged.get("reinstall") or entry.get("reinstall") or ("never" if editable else "always"))
        parser = str(merged.get("log_parser") or entry.get("log_parser") or "pytest")
        if reinstall not in REINSTALL_MODES or parser not in PARSERS:
            raise ValueError(f"spec {repo} {version}: bad reinstall {reinstall!r} or log_parser {parser!r}")
        return EnvSpec(
            repo=repo, version=version, python=python, official_python=official, install=install,
            test_cmd=str(merged["test_cmd"]), log_parser=parser, packages=str(merged.get("packages") or ""),
            pip_packages=tuple(merged.get("pip_packages") or ()),
            extra_pip=tuple(merged.get("extra_pip") or entry.get("extra_pip") or ()),
            drop_packages=tuple(entry.get("drop_packages") or ()) + tuple(merged.get("drop_packages") or ()),
            pre_install=tuple(merged.get("pre_install") or ()), eval_commands=tuple(merged.get("eval_commands") or ()),
            reinstall=reinstall, requirements_paths=tuple(entry.get("requirements_paths") or ()),
            environment_yml_paths=tuple(entry.get("environment_yml_paths") or ()),
            exclude_newer=str(merged.get("exclude_newer") or ""), exclude_newer_weeks=self.weeks,
            extra={"no_use_env": merged.get("no_use_env", False)},
        )
