"""Test-log parsers: the text between the eval markers -> {test name: status}. pytest names are the first token
after the status word, so parametrized ids with spaces are cut at the first space, as in FAIL_TO_PASS / PASS_TO_PASS."""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.testing.pytest_summary import ERROR, FAILED, PASSED, SKIPPED, STATUSES, parse_pytest, status_line

Parser = Callable[[str], dict[str, str]]

_ANSI = re.compile(r"\[(\d+)m")
_CONTROL = str.maketrans("", "", "".join(chr(code) for code in range(1, 32)))
_OPTION = re.compile(r"(.*?)\[(.*)\]")


def _short_option(name: str) -> str:
    """`test[/abs/path/to/file]` -> `test[/file]` (absolute paths in ids differ between machines)."""
    match = _OPTION.search(name)
    if not match:
        return name
    main, option = match.groups()
    if option.startswith("/") and not option.startswith("//") and "*" not in option:
        option = "/" + option.split("/")[-1]
    return f"{main}[{option}]"


def parse_pytest_options(log: str) -> dict[str, str]:
    """pytest with `-rA`, parametrized ids holding absolute paths shortened to their last component."""
    return {_short_option(name): status for name, status in parse_pytest(log).items()}


def parse_pytest_v2(log: str) -> dict[str, str]:
    """pytest, colour codes stripped; also old pytest's and `console_output_style=classic`'s `name STATUS` lines."""
    results = {}
    for raw in log.split("\n"):
        line = _ANSI.sub("", raw).translate(_CONTROL)
        found = status_line(line)
        if found:
            results[found[1]] = found[0]
        elif line.endswith(STATUSES):
            words = line.split()
            if len(words) >= 2:
                results[words[0]] = words[1]
    return results


def parse_matplotlib(log: str) -> dict[str, str]:
    """pytest, with MouseButton enum members in ids written as their numbers (as the dataset has them)."""
    text = log.replace("MouseButton.LEFT", "1").replace("MouseButton.RIGHT", "3")
    return parse_pytest(text)


def parse_seaborn(log: str) -> dict[str, str]:
    """pytest as seaborn's suite prints it: `-rA` summary lines plus verbose `name PASSED` lines."""
    results = {}
    for line in log.split("\n"):
        words = line.split()
        if len(words) < 2:
            continue
        if line.startswith(FAILED):
            results[words[1]] = FAILED
        elif f" {PASSED} " in line:
            if words[1] == PASSED:
                results[words[0]] = PASSED
        elif line.startswith(PASSED):
            results[words[1]] = PASSED
    return results


_SYMPY_FAILURE = re.compile(r"(_*) (.*)\.py:(.*) (_*)")


def parse_sympy(log: str) -> dict[str, str]:
    """sympy's `bin/test -C --verbose`: `test_name ok|F|E` lines and `____ path.py:test ____` failure headers."""
    results = {}
    for match in _SYMPY_FAILURE.findall(log):
        results[f"{match[1]}.py:{match[2]}"] = FAILED
    for raw in log.split("\n"):
        line = raw.strip()
        if not line.startswith("test_"):
            continue
        name = line.split()[0]
        if line.endswith(" E"):
            results[name] = ERROR
        elif line.endswith(" F"):
            results[name] = FAILED
        elif line.endswith(" ok"):
            results[name] = PASSED
    return results


_DJANGO_PASS_SUFFIXES = (" ... ok", " ... OK", " ...  OK")
_DJANGO_INTERRUPTED = [
    re.compile(r"^(.*?)\s\.\.\.\sTesting\ against\ Django\ installed\ in\ ((?s:.*?))\ silenced\)\.\nok$", re.M),
    re.compile(r"^(.*?)\s\.\.\.\sInternal\ Server\ Error:\ \/(.*)\/\nok$", re.M),
    re.compile(r"^(.*?)\s\.\.\.\sSystem check identified no issues \(0 silenced\)\nok$", re.M),
]
"""A test line whose `ok` was pushed to the next line by a long message printed in between."""


def _django_line(line: str, previous: str | None, results: dict[str, str]) -> None:
    """Record what one stripped line of Django's verbose runner says."""
    if "--version is equivalent to version" in line:
        results["--version is equivalent to version"] = PASSED
    for suffix in _DJANGO_PASS_SUFFIXES:
        if line.endswith(suffix):
            if line.startswith("Applying sites.0002_alter_domain_unique...test_no_migrations"):
                line = line.split("...", 1)[-1].strip()  # migration output printed on the test's line
            results[line.rsplit(suffix, 1)[0]] = PASSED
            break
    if " ... skipped" in line:
        results[line.split(" ... skipped")[0]] = SKIPPED
    if line.endswith(" ... FAIL"):
        results[line.split(" ... FAIL")[0]] = FAILED
    if line.startswith("FAIL:") and len(line.split()) > 1:
        results[line.split()[1].strip()] = FAILED
    if line.endswith(" ... ERROR"):
        results[line.split(" ... ERROR")[0]] = ERROR
    if line.startswith("ERROR:") and len(line.split()) > 1:
        results[line.split()[1].strip()] = ERROR
    if line.startswith("ok") and previous is not None:
        results[previous] = PASSED  # output between `...` and `ok`


def parse_django(log: str) -> dict[str, str]:
    """Django's `runtests.py --verbosity 2`: `test_x (module.Class) ... ok|FAIL|ERROR|skipped`."""
    results: dict[str, str] = {}
    previous = None
    for raw in log.split("\n"):
        line = raw.strip()
        if " ... " in line:
            previous = line.split(" ... ")[0]
        _django_line(line, previous, results)
    for pattern in _DJANGO_INTERRUPTED:
        for match in pattern.finditer(log):
            results[match.group(1)] = PASSED
    return results


PARSERS: dict[str, Parser] = {
    "pytest": parse_pytest, "pytest_options": parse_pytest_options, "pytest_v2": parse_pytest_v2,
    "matplotlib": parse_matplotlib, "seaborn": parse_seaborn, "sympy": parse_sympy, "django": parse_django,
}
"""Parser name (the spec table's `log_parser`) -> parser."""


def get_parser(name: str) -> Parser:
    """The parser called `name`; ValueError naming the known ones otherwise."""
    try:
        return PARSERS[name]
    except KeyError:
        raise ValueError(f"unknown log parser {name!r}; known: {', '.join(sorted(PARSERS))}") from None
