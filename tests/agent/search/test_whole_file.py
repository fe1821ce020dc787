"""The whole-file candidate source: which file, the prompt, and how an answer becomes the file's new text."""

from __future__ import annotations

import pytest

from agent.search.edits import NoChange, apply_edits
from agent.search.localize import Region
from agent.search.whole_file import file_prompt, file_region, parse_file

STUBS = 'import math\n\n\ndef area(r):\n    """Area of a circle."""\n    pass\n\n\ndef keep():\n    return 1\n'


def test_the_source_rewrites_the_first_shown_file_whole_when_it_is_short_enough() -> None:
    originals = {"a.py": "x = 1\n" * 10, "b.py": "y = 2\n"}
    shown = [Region("a.py", 3, 4, "x = 1\nx = 1\n", "named"), Region("b.py", 1, 1, "y = 2\n", "named")]
    region = file_region(shown, originals, max_lines=10)
    assert (region.path, region.start, region.end, region.text) == ("a.py", 1, 10, originals["a.py"])
    assert file_region(shown, originals, max_lines=9) is None
    assert file_region(shown, originals, max_lines=0) is None and file_region([], originals, 10) is None


def test_the_prompt_shows_the_failing_output_or_else_the_issue() -> None:
    region = Region("calc.py", 1, 2, "def add(a, b):\n    return a - b\n", "the whole file")
    failing = file_prompt(region, "add is wrong", "assert -1 == 5")
    assert "`calc.py` fails its tests" in failing and "assert -1 == 5" in failing and "add is wrong" not in failing
    assert "```python\ndef add(a, b):\n    return a - b\n```" in failing
    spec = file_prompt(region, "add is wrong", "")
    assert "<issue>\nadd is wrong\n</issue>" in spec and "fails its tests" not in spec


def test_the_longest_block_becomes_the_file() -> None:
    region = Region("calc.py", 1, 2, "def add(a, b):\n    return a - b\n", "the whole file")
    reply = "Usage:\n```python\nadd(1, 2)\n```\nFixed:\n```python\ndef add(a, b):\n    return a + b\n```"
    changed = apply_edits({"calc.py": region.text}, parse_file(reply, region))
    assert changed == {"calc.py": "def add(a, b):\n    return a + b\n"}


def test_whole_functions_written_for_stubs_replace_only_those_functions() -> None:
    region = Region("shapes.py", 1, 10, STUBS, "the whole file")
    reply = "```python\ndef area(r):\n    return math.pi * r ** 2\n```"
    changed = apply_edits({"shapes.py": STUBS}, parse_file(reply, region))
    text = changed["shapes.py"]
    assert "return math.pi * r ** 2" in text and "pass" not in text
    assert text.startswith("import math\n") and "def keep():\n    return 1\n" in text


def test_an_answer_without_code_or_without_change_is_turned_down() -> None:
    region = Region("calc.py", 1, 2, "def add(a, b):\n    return a - b\n", "the whole file")
    with pytest.raises(ValueError, match="no code block"):
        parse_file("The bug is the minus sign.", region)
    with pytest.raises(NoChange):
        parse_file("```python\ndef add(a, b):\n    return a - b   \n```", region)
