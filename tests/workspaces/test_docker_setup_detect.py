"""Auto-detected `--setup` on small fixture repositories (read from the commit, not the working tree)."""

from __future__ import annotations

import pytest

from core.errors import UserError
from tests.conftest import git
from workspaces.environment import VENV, detect_setup, setup_plan
from workspaces.settings import DockerWorkspaceConfig

PYPROJECT = """[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "demo"
version = "0.1"

[project.optional-dependencies]
docs = ["sphinx"]
tests = ["pytest", "hypothesis"]
"""

SETUP_PY = """from setuptools import setup
setup(name="old", extras_require={"testing": ["pytest"], "speed": ["ujson"]})
"""

SETUP_CFG = """[metadata]
name = cfg
[options.extras_require]
dev =
    pytest
[flake8]
max-line-length = 100
"""


def test_pyproject_project_gets_a_venv_with_its_test_extra_and_pytest(make_repo):
    plan = detect_setup(make_repo({"pyproject.toml": PYPROJECT, "demo/__init__.py": ""}), "HEAD")
    assert plan.steps[0] == f"python3 -m venv {VENV}"
    assert any(step.endswith("-e '.[tests]'") for step in plan.steps)
    assert plan.steps[-1].endswith("pytest")
    assert plan.path == [f"{VENV}/bin"] and plan.env["VIRTUAL_ENV"] == VENV
    assert plan.ecosystem is None


@pytest.mark.parametrize(("files", "extra"), [({"setup.py": SETUP_PY}, "testing"), ({"setup.cfg": SETUP_CFG,
                                                                                     "setup.py": "import x"}, "dev")])
def test_setup_py_and_setup_cfg_extras_are_found(make_repo, files, extra):
    plan = detect_setup(make_repo(files), "HEAD")
    assert any(step.endswith(f"-e '.[{extra}]'") for step in plan.steps)


def test_requirements_files_are_installed_and_a_tool_only_pyproject_is_not(make_repo):
    repo = make_repo({"requirements.txt": "requests\n", "requirements-dev.txt": "pytest\n",
                      "pyproject.toml": "[tool.black]\nline-length = 100\n", "main.py": ""})
    steps = detect_setup(repo, "HEAD").steps
    assert [s.split()[-1] for s in steps if " -r " in s] == ["requirements-dev.txt", "requirements.txt"]
    assert not any(" -e " in step for step in steps)


def test_other_ecosystems_are_named_and_the_workspace_asks_for_setup(make_repo):
    repo = make_repo({"package.json": "{}", "index.js": ""})
    plan = detect_setup(repo, "HEAD")
    assert plan.steps == [] and plan.ecosystem == "Node.js" and plan.reason == "Node.js project (package.json)"
    with pytest.raises(UserError, match="--setup"):
        setup_plan(DockerWorkspaceConfig(), repo, "HEAD")


def test_given_setup_wins_and_auto_setup_can_be_off(make_repo):
    repo = make_repo({"package.json": "{}"})
    assert setup_plan(DockerWorkspaceConfig(setup=["npm ci"]), repo, "HEAD").steps == ["npm ci"]
    assert setup_plan(DockerWorkspaceConfig(auto_setup=False), repo, "HEAD").steps == []


def test_no_manifest_means_nothing_to_install(make_repo):
    plan = detect_setup(make_repo({"notes.txt": "hi\n", "tool.py": "print(1)\n"}), "HEAD")
    assert plan.steps == [] and plan.ecosystem is None


def test_python_tests_without_packaging_files_get_python_and_pytest(make_repo):
    plan = detect_setup(make_repo({"calc.py": "x = 1\n", "tests/test_calc.py": "def test_x():\n    pass\n"}), "HEAD")
    assert plan.steps == [f"python3 -m venv {VENV}", f"{VENV}/bin/pip install --disable-pip-version-check "
                                                      "--no-input pytest"]
    assert plan.path == [f"{VENV}/bin"]


def test_files_are_read_from_the_commit_not_the_working_tree(make_repo):
    repo = make_repo({"notes.txt": "hi\n"})
    (repo / "pyproject.toml").write_text(PYPROJECT)
    assert detect_setup(repo, "HEAD").steps == []
    git(repo, "add", "pyproject.toml")
    git(repo, "commit", "-qm", "package it")
    assert detect_setup(repo, "HEAD").steps
    assert detect_setup(repo, "HEAD~1").steps == []
