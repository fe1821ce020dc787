"""Every log parser on literal logs in the formats the test runners print."""

from __future__ import annotations

import pytest

from agent.testing.pytest_summary import ERROR, FAILED, PASSED, SKIPPED, XFAIL
from swebench.log_parsers import (
    get_parser,
    parse_django,
    parse_matplotlib,
    parse_pytest,
    parse_pytest_options,
    parse_pytest_v2,
    parse_seaborn,
    parse_sympy,
)

PYTEST_LOG = """\
============================= test session starts ==============================
collected 5 items

tests/test_a.py ..F.s                                                    [100%]

=========================== short test summary info ============================
PASSED tests/test_a.py::test_one
PASSED tests/test_a.py::test_param[a b]
XFAIL tests/test_a.py::test_known - reason: not yet
SKIPPED [1] tests/test_a.py:40: needs network
FAILED tests/test_a.py::test_three - AssertionError: assert 1 == 2
ERROR tests/test_a.py::test_setup
SKIPPED tests/test_a.py::test_skip
=================== 1 failed, 3 passed, 1 skipped in 0.12s ===================
"""


def test_pytest_reads_summary_lines_and_cuts_names_at_the_first_space():
    result = parse_pytest(PYTEST_LOG)
    assert result == {
        "tests/test_a.py::test_one": PASSED,
        "tests/test_a.py::test_param[a": PASSED,
        "tests/test_a.py::test_known": XFAIL,
        "tests/test_a.py::test_three": FAILED,
        "tests/test_a.py::test_setup": ERROR,
        "tests/test_a.py::test_skip": SKIPPED,
    }


def test_pytest_ignores_the_skip_count_summary():
    assert "[1]" not in parse_pytest("SKIPPED [1] tests/x.py:3: why\n")


def test_pytest_options_shortens_absolute_paths_in_parameters():
    log = ("PASSED tests/test_self.py::test_file[/tmp/pytest-of-root/pytest-0/x/a.py]\n"
           "PASSED tests/test_self.py::test_url[//server/share]\n"
           "FAILED tests/test_self.py::test_glob[/a/*.py] - boom\n"
           "PASSED tests/test_self.py::test_plain\n")
    assert parse_pytest_options(log) == {
        "tests/test_self.py::test_file[/a.py]": PASSED,
        "tests/test_self.py::test_url[//server/share]": PASSED,
        "tests/test_self.py::test_glob[/a/*.py]": FAILED,
        "tests/test_self.py::test_plain": PASSED,
    }


def test_pytest_v2_strips_colours_and_reads_verbose_lines():
    log = ("\x1b[32mPASSED\x1b[0m tests/test_build.py::test_html\n"
           "\x1b[31mFAILED\x1b[0m tests/test_build.py::test_text - assert False\n"
           "astropy/io/tests/test_x.py::test_old PASSED\n"
           "astropy/io/tests/test_x.py::test_bad FAILED\n"
           "some unrelated line\n")
    assert parse_pytest_v2(log) == {
        "tests/test_build.py::test_html": PASSED,
        "tests/test_build.py::test_text": FAILED,
        "astropy/io/tests/test_x.py::test_old": PASSED,
        "astropy/io/tests/test_x.py::test_bad": FAILED,
    }


def test_matplotlib_writes_mouse_buttons_as_numbers():
    log = "PASSED lib/matplotlib/tests/test_widgets.py::test_span[MouseButton.LEFT-x]\n"
    assert parse_matplotlib(log) == {"lib/matplotlib/tests/test_widgets.py::test_span[1-x]": PASSED}


def test_seaborn_reads_summary_and_verbose_lines():
    log = ("tests/test_core.py::TestA::test_x PASSED [ 10%]\n"
           "PASSED tests/test_core.py::TestA::test_y\n"
           "FAILED tests/test_core.py::TestA::test_z - ValueError\n"
           "x\n")
    assert parse_seaborn(log) == {
        "tests/test_core.py::TestA::test_x": PASSED,
        "tests/test_core.py::TestA::test_y": PASSED,
        "tests/test_core.py::TestA::test_z": FAILED,
    }


SYMPY_LOG = """\
============================= test process starts ==============================
sympy/core/tests/test_basic.py[3]
test_one ok
test_two F
test_three E
test_four ok

________________________________________________________________________________
_________ sympy/core/tests/test_basic.py:test_two _________
AssertionError
"""


def test_sympy_reads_verbose_results_and_failure_headers():
    assert parse_sympy(SYMPY_LOG) == {"test_one": PASSED, "test_two": FAILED, "test_three": ERROR,
                                      "test_four": PASSED, "sympy/core/tests/test_basic.py:test_two": FAILED}


DJANGO_LOG = """\
test_ok (forms_tests.tests.FormTest) ... ok
test_fail (forms_tests.tests.FormTest) ... FAIL
test_error (forms_tests.tests.FormTest) ... ERROR
test_skip (forms_tests.tests.FormTest) ... skipped 'no db'
test_noisy (forms_tests.tests.FormTest) ... some output
ok
test_long (admin.tests.AdminTest) ... System check identified no issues (0 silenced).
ok
======================================================================
FAIL: test_other (forms_tests.tests.OtherTest)
----------------------------------------------------------------------
"""


def test_django_reads_verbose_runner_lines():
    form = "(forms_tests.tests.FormTest)"
    assert parse_django(DJANGO_LOG) == {
        f"test_ok {form}": PASSED, f"test_fail {form}": FAILED, f"test_error {form}": ERROR,
        f"test_skip {form}": SKIPPED, f"test_noisy {form}": PASSED, "test_long (admin.tests.AdminTest)": PASSED,
        "test_other": FAILED,
    }


def test_django_parser_reads_plain_unittest_output():
    log = "test_add (test_calc.CalcTest.test_add) ... ok\ntest_mul (test_calc.CalcTest.test_mul) ... FAIL\n"
    assert parse_django(log) == {"test_add (test_calc.CalcTest.test_add)": PASSED,
                                 "test_mul (test_calc.CalcTest.test_mul)": FAILED}


def test_get_parser_names_the_known_ones_for_an_unknown_name():
    assert get_parser("sympy") is parse_sympy
    with pytest.raises(ValueError, match="pytest_v2"):
        get_parser("nose")
