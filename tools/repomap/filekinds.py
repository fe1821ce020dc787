"""What kind of file a path is: test, auxiliary (docs, examples, vendored code), code or text; fixes rarely go into
the first two, so they rank lower and do not count towards a grep hit's specificity."""

from __future__ import annotations

import re

from tools.repomap.languages import language_for

TEST_FACTOR = 0.35
"""Test files are rarely where a fix goes; they are listed separately as related tests."""
TEXT_FACTOR = 0.3
"""Non-code files (docs, config) rank below code."""
AUX_FACTOR = 0.5
"""Documentation, examples, benchmarks, scripts and vendored code rank below the project's own code."""
_AUX = re.compile(r"(^|/)(docs?|examples?|benchmarks?|asv_bench|scripts?|ci|vendor|_vendor|third_party|extern)/")
_TEST = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*$|_tests?\.\w+$|(^|/)conftest\.py$|\.(spec|test)\.\w+$")


def is_test_path(path: str) -> bool:
    """Whether a path looks like a test file."""
    return bool(_TEST.search(path))


def is_auxiliary(path: str) -> bool:
    """Whether a path is documentation, an example, a benchmark, a script or vendored code."""
    return bool(_AUX.search(path))


def is_primary(path: str) -> bool:
    """Whether a path is the project's own code (a parsed language, not a test, not auxiliary)."""
    return language_for(path) is not None and not is_test_path(path) and not is_auxiliary(path)


def file_factor(path: str) -> float:
    """How much a file's fused score counts: 1 for the project's code, less for tests, docs, text."""
    factor = TEST_FACTOR if is_test_path(path) else 1.0
    factor *= AUX_FACTOR if is_auxiliary(path) else 1.0
    return factor * (1.0 if language_for(path) else TEXT_FACTOR)
