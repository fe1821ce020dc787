"""Tests an issue names, resolved to the repository's files."""

from __future__ import annotations

from agent.testing.named import named_tests

PATHS = ["python_testcases/test_bucketsort.py", "tests/test_a.py", "tests/unit/test_b.py", "test_c.py",
         "src/pkg/mod.py", "tests/conftest.py"]


def test_pytest_ids_and_failed_lines_are_found() -> None:
    text = ("FAILED python_testcases/test_bucketsort.py::test_bucketsort[input_data0-expected0] - assert [0] == [1]\n"
            "and tests/unit/test_b.py::TestX::test_y, also /home/me/proj/tests/test_a.py\n")
    named = named_tests(text, PATHS)
    assert named.ids == ["python_testcases/test_bucketsort.py::test_bucketsort[input_data0-expected0]",
                         "tests/unit/test_b.py::TestX::test_y"]
    assert named.files == ["python_testcases/test_bucketsort.py", "tests/unit/test_b.py", "tests/test_a.py"]


def test_sources_conftest_and_missing_files_are_not_tests() -> None:
    named = named_tests("see src/pkg/mod.py, tests/conftest.py and tests/test_gone.py::test_x", PATHS)
    assert named.ids == [] and named.files == []


def test_an_ambiguous_bare_name_is_not_guessed() -> None:
    named = named_tests("test_a.py fails", [*PATHS, "other/test_a.py"])
    assert named.files == []
