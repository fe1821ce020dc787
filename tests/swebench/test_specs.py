"""The spec table: per repo and version, our Python choice, unsupported versions, extra spec files."""

from __future__ import annotations

import pytest

from core.errors import UserError
from swebench.datasets import load_dataset
from swebench.specs import SpecTable, Unsupported


def test_shipped_specs_follow_the_official_ones_with_our_python_choices():
    table = SpecTable.load()
    flask = table.spec("pallets/flask", "2.0")
    assert (flask.python, flask.suite, flask.test_cmd, flask.log_parser) == ("3.9", "bullseye", "pytest -rA", "pytest")
    assert "Werkzeug==2.3.7" in flask.pip_packages
    pytest8 = table.spec("pytest-dev/pytest", "8.0")
    assert (pytest8.python, pytest8.official_python) == ("3.11", "3.9")
    xarray = table.spec("pydata/xarray", "0.12")
    assert (xarray.python, xarray.official_python) == ("3.9", "3.10")
    assert "cdms2" in xarray.drop_packages
    assert table.spec("sphinx-doc/sphinx", "3.5").extra_pip == ("roman",)
    sympy = table.spec("sympy/sympy", "1.1")
    assert sympy.log_parser == "sympy" and sympy.test_cmd.endswith("bin/test -C --verbose")


def test_reinstall_modes():
    table = SpecTable.load()
    assert table.spec("psf/requests", "2.3").reinstall == "always"  # `pip install .` is not editable
    assert table.spec("pallets/flask", "2.3").reinstall == "never"
    astropy = table.spec("astropy/astropy", "5.1")
    assert astropy.needs_reinstall(["astropy/wcs/src/wcslib.c"]) and not astropy.needs_reinstall(["astropy/a.py"])


def test_pythons_we_cannot_provide_are_unsupported():
    table = SpecTable.load()
    with pytest.raises(Unsupported, match="Python 3.6"):
        table.spec("django/django", "3.0")
    with pytest.raises(Unsupported, match="no environment spec for repository"):
        table.spec("nobody/nothing", "1.0")
    with pytest.raises(Unsupported, match="version 0.0"):
        table.spec("pallets/flask", "0.0")


def test_every_lite_instance_is_either_specified_or_unsupported_with_a_reason():
    table = SpecTable.load()
    supported = 0
    for instance in load_dataset("lite") + load_dataset("lite-dev"):
        try:
            spec = table.spec_for(instance)
        except Unsupported as exc:
            assert str(exc)
            continue
        supported += 1
        assert spec.python in ("3.9", "3.11") and spec.test_cmd
    assert supported > 200


def test_extra_spec_files_add_repositories(tmp_path):
    extra = tmp_path / "more.yaml"
    extra.write_text('repos:\n  me/tool:\n    log_parser: pytest\n    defaults: {python: "3.12", test_cmd: pytest}\n'
                     '    versions:\n      "1.0": {}\n      "2.0": {run_python: "3.11"}\n'
                     'python_substitutes: {"3.12": "3.11"}\n')
    table = SpecTable.load([extra])
    assert table.spec("me/tool", "1.0").python == "3.11"
    assert table.spec("pallets/flask", "2.3").python == "3.11"
    (tmp_path / "bad.yaml").write_text("repos: [")
    with pytest.raises(UserError, match=r"bad.yaml is not valid YAML at line 1, column 9: expected the node"):
        SpecTable.load([tmp_path / "bad.yaml"])
    (tmp_path / "list.yaml").write_text("- me/tool\n")
    with pytest.raises(UserError, match="list.yaml holds no mapping"):
        SpecTable.load([tmp_path / "list.yaml"])
    with pytest.raises(UserError, match=r"missing.yaml \(No such file or directory\)"):
        SpecTable.load([tmp_path / "missing.yaml"])


def test_every_entry_of_the_shipped_table_resolves_or_is_unsupported_with_a_reason():
    table = SpecTable.load()
    seen = 0
    for repo, entry in table.repos.items():
        for version in entry["versions"]:
            try:
                spec = table.spec(repo, version)
            except Unsupported as exc:
                assert "not available here" in str(exc)
                continue
            seen += 1
            assert spec.suite in ("bookworm", "bullseye") and spec.install and spec.test_cmd
            assert spec.reinstall in ("never", "always", "build-files")
            if spec.packages == "requirements.txt":
                assert spec.requirements_paths, (repo, version)
            if spec.packages == "environment.yml":
                assert spec.environment_yml_paths, (repo, version)
    assert seen > 200


def test_bad_entries_are_rejected_loudly():
    bad_key = SpecTable({"repos": {"a/b": {"defaults": {"python": "3.9", "test_cmd": "t", "colour": "red"},
                                           "versions": {"1": {}}}}})
    with pytest.raises(ValueError, match="colour"):
        bad_key.spec("a/b", "1")
    bad_parser = SpecTable({"repos": {"a/b": {"log_parser": "nose", "defaults": {"python": "3.9", "test_cmd": "t"},
                                              "versions": {"1": {}}}}})
    with pytest.raises(ValueError, match="nose"):
        bad_parser.spec("a/b", "1")


def test_a_version_can_remove_a_default_with_null():
    table = SpecTable({"repos": {"a/b": {"defaults": {"python": "3.9", "test_cmd": "t", "pre_install": ["x"]},
                                         "versions": {"1": {"pre_install": None}, "2": {}}}}})
    assert table.spec("a/b", "1").pre_install == () and table.spec("a/b", "2").pre_install == ("x",)
