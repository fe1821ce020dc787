"""What environment images install: requirement files with includes, environment.yml, the resolution date."""

from __future__ import annotations

from swebench.datasets import Instance
from swebench.images import env_recipe, install_command, uv_install
from swebench.mirrors import Mirrors
from swebench.requirements import env_requirements, environment_yml_lines, package_name, resolution_date
from swebench.specs import SpecTable

from .conftest import make_mirror

ENV_YML = """\
name: tests
channels: [conda-forge]
dependencies:
  - python=3.10
  - numpy=1.23=py310h
  - matplotlib-base
  - cdms2
  - pandas>=1.3
  - conda-forge::scipy
  - pip
  - pip:
    - numbagg==0.2
"""


def test_environment_yml_becomes_pip_requirements():
    assert environment_yml_lines(ENV_YML, ("cdms2", "python", "pip")) == [
        "numpy==1.23", "matplotlib", "pandas>=1.3", "scipy", "numbagg==0.2"]


def test_package_names_are_normalised():
    assert package_name("Jinja2==3.0.1") == "jinja2" and package_name("typing_extensions>=4") == "typing-extensions"
    assert package_name("# comment") == ""


def test_requirement_files_with_includes_from_the_mirror(tmp_path):
    mirrors, commit = make_mirror(tmp_path, "pallets+flask", {
        "requirements/dev.txt": "-r tests.txt\n-e .\npre-commit  # hooks\n--index-url x\n",
        "requirements/tests.txt": "pytest==7.0\n# only tests\nblinker\n"})
    instance = Instance("pallets__flask-1", "pallets/flask", commit, "2.0", environment_setup_commit=commit)
    spec = SpecTable.load().spec_for(instance)
    found = Mirrors(mirrors, cache=tmp_path / "cache")
    reqs = env_requirements(spec, instance, found)
    assert reqs.requirements == ("pytest==7.0", "blinker", "pre-commit")
    assert "Werkzeug==2.3.7" in reqs.pinned
    assert reqs.exclude_newer == resolution_date(spec, found.commit_date("pallets/flask", commit))


def test_install_commands_go_through_uv_as_of_the_date_with_pins_exempt():
    table = SpecTable.load()
    flask = table.spec("pallets/flask", "2.0")
    command = install_command(flask, "2021-06-01")
    assert "uv pip install" in command and "--exclude-newer 2021-06-01" in command
    assert "uv pip install --offline" in command
    assert "[ -f pyproject.toml ] || PIP_CONSTRAINT=/opt/env/constraints.txt python -m pip install --no-deps -e ." \
        in command
    assert command.endswith("|| PIP_CONSTRAINT=/opt/env/constraints.txt python -m pip install -e .; }")
    fallback = command[command.index("|| { "):command.rindex("|| PIP_CONSTRAINT")]
    shared_build, develop = fallback.split(" && ")
    assert "uv pip install" in shared_build and "--exclude-newer 2021-06-01" in shared_build
    assert shared_build.endswith("--no-build-isolation -e .")
    assert develop.startswith("PIP_CONSTRAINT=/opt/env/constraints.txt python -m pip install --no-deps "
                              "--no-build-isolation --config-settings editable_mode=compat -e .")
    assert "--exclude-newer-package werkzeug=2100-01-01" in command
    sklearn = table.spec("scikit-learn/scikit-learn", "1.3")
    assert install_command(sklearn, "2023-01-01").endswith(sklearn.install)  # pip-only flags: pip does it all
    assert "--compile-bytecode" in uv_install("2020-01-01", [], "x")


def test_an_environment_with_nothing_to_download_builds_offline():
    spec = SpecTable({"repos": {"a/b": {"defaults": {"python": "3.11", "install": "true", "test_cmd": "t"},
                                        "versions": {"1": {}}}}}).spec("a/b", "1")
    from swebench.requirements import EnvRequirements

    recipe = env_recipe(spec, EnvRequirements((), (), "2024-01-01"))
    assert recipe.network == "none" and recipe.base == "repo-agent/base:bookworm"


def test_resolution_dates_and_dropped_requirements(tmp_path):
    table = SpecTable.load()
    spec = table.spec("pallets/flask", "2.3")
    assert resolution_date(spec, "2023-01-01") == "2023-01-29"
    fixed = SpecTable({"repos": {"a/b": {"defaults": {"python": "3.9", "test_cmd": "t", "exclude_newer": "2020-02-02"},
                                         "versions": {"1": {}}}}}).spec("a/b", "1")
    assert resolution_date(fixed, "2023-01-01") == "2020-02-02"
    mirrors, commit = make_mirror(tmp_path, "pydata+xarray", {"environment.yml": ENV_YML})
    instance = Instance("pydata__xarray-1", "pydata/xarray", commit, "0.12", environment_setup_commit=commit)
    reqs = env_requirements(table.spec_for(instance), instance, Mirrors(mirrors, cache=tmp_path / "c"))
    assert "numpy==1.23" in reqs.requirements and "cdms2" not in " ".join(reqs.requirements)
    assert "numpy==1.23.0" in reqs.pinned  # the official pins come after and win
