"""Image recipes without building: what the environment and instance layers run, and what their tags hash."""

from __future__ import annotations

import io
import tarfile

import yaml

from swebench.images import (
    CONSTRAINTS,
    ENV_REPOSITORY,
    INSTANCE_REPOSITORY,
    REPO_DIR,
    constraints,
    env_recipe,
    instance_recipe,
)
from swebench.mirrors import Mirrors
from swebench.requirements import EnvRequirements
from swebench.specs import SpecTable

from .conftest import SPEC_YAML

TABLE = SpecTable.load()


def test_environment_layer_installs_requirements_best_effort_and_pins_strictly():
    spec = TABLE.spec("pallets/flask", "2.0")
    reqs = EnvRequirements(("pytest==6.2", "blinker"), spec.pip_packages, "2021-06-01")
    recipe = env_recipe(spec, reqs)
    assert recipe.base == "repo-agent/base:bullseye" and recipe.repository == ENV_REPOSITORY
    assert recipe.files["/opt/env/requirements.txt"] == b"pytest==6.2\nblinker\n"
    assert recipe.files[CONSTRAINTS] == b"setuptools==70.0.0\nwheel<0.45\n"
    steps = "\n".join(recipe.steps)
    assert "uv==0.13.9" in steps and "pip==24.0" in steps
    assert "python3 /opt/env/best_effort.py" in steps and "/opt/env/best_effort.py" in recipe.files
    assert steps.count("--exclude-newer 2021-06-01") >= 3 and "--exclude-newer-package werkzeug=2100-01-01" in steps
    assert recipe.env["PATH"].startswith("/opt/venv/bin:")
    later = env_recipe(spec, EnvRequirements(reqs.requirements, reqs.pinned, "2021-07-01"))
    assert later.key("base") != recipe.key("base")  # the date is part of the tag


def test_setuptools_constraint_defaults_to_the_generation_of_the_official_images():
    assert constraints(TABLE.spec("sympy/sympy", "1.1")) == "setuptools<70\nwheel<0.45\n"
    assert constraints(TABLE.spec("pytest-dev/pytest", "4.4")) == "setuptools==68.0.0\nwheel<0.45\n"


def test_instance_layer_makes_a_one_commit_repository_with_the_tag(calc_mirror):
    mirrors_dir, instance = calc_mirror
    mirrors = Mirrors(mirrors_dir, cache=mirrors_dir / "cache")
    spec = SpecTable(yaml.safe_load(SPEC_YAML)).spec_for(instance)
    recipe = instance_recipe(spec, instance, "repo-agent/swe-env:abc", mirrors, "2024-02-01")
    steps = "\n".join(recipe.steps)
    assert recipe.base == "repo-agent/swe-env:abc" and recipe.repository == INSTANCE_REPOSITORY
    assert recipe.workdir == REPO_DIR
    assert "git init -q && git add -A -f" in steps and "git tag v1.0" in steps
    assert "--amend" in steps and ".git/info/exclude" in steps and "chown -R 1000:1000 /testbed" in steps
    assert instance.base_commit in recipe.key_extra
    with tarfile.open(fileobj=io.BytesIO(recipe.archives["/"]())) as archive:
        assert "testbed/calc.py" in archive.getnames()


def test_compiled_projects_get_their_build_requirements_for_offline_reinstalls(calc_mirror):
    mirrors_dir, instance = calc_mirror
    mirrors = Mirrors(mirrors_dir, cache=mirrors_dir / "cache")
    table = SpecTable(yaml.safe_load(SPEC_YAML.replace('install: "true"', 'install: "true", reinstall: always')))
    recipe = instance_recipe(table.spec_for(instance), instance, "env", mirrors, "2024-02-01")
    assert "/opt/env/build_requires.py" in recipe.files
    assert any("build_requires.py | while read -r r" in step for step in recipe.steps)


def test_the_best_effort_installer_drops_what_fails_to_build_then_goes_one_by_one(tmp_path):
    import subprocess
    import sys

    from swebench.image_scripts import BEST_EFFORT_SCRIPT

    fake = tmp_path / "fake_uv.py"
    fake.write_text(
        "import sys\nargs = sys.argv[1:]\n"
        "if any(a.startswith('cartopy') for a in args): print('error: Failed to build `cartopy==0.19`'); sys.exit(1)\n"
        "if 'conflict' in args and len(args) > 1: print('No solution found'); sys.exit(1)\n"
        "if args == ['conflict']: sys.exit(1)\n"
        "open(sys.argv[0] + '.log', 'a').write(' '.join(args) + '\\n')\n")
    script = tmp_path / "best_effort.py"
    script.write_text(BEST_EFFORT_SCRIPT)
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("numpy==1.23\ncartopy\npandas\n")
    result = subprocess.run([sys.executable, str(script), f"{sys.executable} {fake}", str(reqs)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "SKIPPED cartopy" in result.stdout
    assert (tmp_path / "fake_uv.py.log").read_text() == "numpy==1.23 pandas\n"
    reqs.write_text("numpy\nconflict\n")
    result = subprocess.run([sys.executable, str(script), f"{sys.executable} {fake}", str(reqs)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "SKIPPED conflict" in result.stdout
    assert (tmp_path / "fake_uv.py.log").read_text().splitlines()[-1] == "numpy"
