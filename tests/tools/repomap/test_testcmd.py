"""Test command detection per ecosystem, and test files related to candidate sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.repomap.cache import TagCache
from tools.repomap.index import build_index
from tools.repomap.testcmd import detect_test_command, related_tests

CASES = [
    ({"go.mod": "module x\n"}, "go test ./..."),
    ({"Cargo.toml": "[package]\n"}, "cargo test"),
    ({"package.json": '{"scripts": {"test": "jest"}}'}, "npm test"),
    ({"pom.xml": "<project/>"}, "mvn test"),
    ({"build.gradle": "", "gradlew": ""}, "./gradlew test"),
    ({"Gemfile": "", "spec/a_spec.rb": ""}, "bundle exec rspec"),
    ({"pyproject.toml": "[tool.pytest.ini_options]\n"}, "python -m pytest -q"),
    ({"setup.cfg": "[tool:pytest]\n"}, "python -m pytest -q"),
    ({"tox.ini": "[tox]\nenvlist = py3\n"}, "tox"),
    ({"tests/runtests.py": "", "tests/test_a.py": ""}, "python tests/runtests.py"),
    ({"pkg/tests/test_a.py": "import unittest\n\n\nclass T(unittest.TestCase):\n    pass\n"},
     "python -m unittest discover"),
    ({"test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"}, "python -m pytest -q"),
    ({"tests/test_a.py": "import pytest\nimport unittest\n\n\nclass T(unittest.TestCase):\n    pass\n"},
     "python -m pytest -q"),
    ({"tox.ini": "[testenv]\ncommands = pytest {posargs}\n", "t/test_a.py": ""}, "python -m pytest -q"),
    ({"noxfile.py": "session.run('pytest')\n"}, "python -m pytest -q"),
    ({"CMakeLists.txt": ""}, "ctest --test-dir build"),
    ({"Makefile": "all:\n\ntest:\n\tcheck\n"}, "make test"),
    ({"README.md": "nothing"}, None),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_detect_test_command(tmp_path: Path, files: dict[str, str], expected: str | None) -> None:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert detect_test_command(tmp_path) == expected


def test_related_tests_by_name_then_by_references(make_repo) -> None:
    root = make_repo({
        "pkg/pricing.py": "def apply_discount(items):\n    return items\n",
        "pkg/tests/test_pricing.py": "def test_it():\n    pass\n",
        "pkg/tests/test_checkout.py": "from pkg.pricing import apply_discount\n\ndef test_c():\n"
                                      "    apply_discount([])\n",
        "pkg/tests/test_other.py": "def test_o():\n    pass\n",
        "pkg/tests/__init__.py": "",
    })
    index = build_index(root, TagCache(None))
    assert related_tests(index, ["pkg/pricing.py"]) == ["pkg/tests/test_pricing.py", "pkg/tests/test_checkout.py"]
