"""The repair edit format: rewrites matched to regions, definitions merged by name, SEARCH/REPLACE blocks."""

from __future__ import annotations

import pytest

from agent.search.edits import NoChange, apply_edits, parse_edits, parse_line_edits, show, show_numbered
from agent.search.localize import Region

SORT = ('def bucketsort(arr, k):\n    counts = [0] * k\n    for x in arr:\n        counts[x] += 1\n\n'
        '    sorted_arr = []\n    for i, count in enumerate(arr):\n        sorted_arr.extend([i] * count)\n\n'
        '    return sorted_arr\n\n\n"""\nBucket Sort\n"""\n')
FIXED_FUNCTION = SORT.split('\n\n\n"""')[0].replace("enumerate(arr)", "enumerate(counts)")
METHOD_FILE = ("import os\n\n\nclass Pager:\n    def count(self, total, size):\n        return total // size + 1\n\n"
               "    def page(self, n):\n        return n\n")


def whole(path: str, text: str) -> Region:
    return Region(path, 1, text.count("\n"), text, "test")


def test_a_function_rewrite_replaces_only_that_function() -> None:
    region = whole("sort.py", SORT)
    reply = f"Here is the fix:\n```python\n{FIXED_FUNCTION}\n\nprint(bucketsort([3, 1], 4))\n```\nIt uses counts."
    changed = apply_edits({"sort.py": SORT}, parse_edits(reply, [region]))
    assert changed["sort.py"] == SORT.replace("enumerate(arr)", "enumerate(counts)")  # docstring kept, print dropped


def test_a_method_region_is_reindented_and_imports_are_added() -> None:
    region = Region("pager.py", 5, 6, "    def count(self, total, size):\n        return total // size + 1\n", "x")
    reply = ("### pager.py (lines 5-6)\n```python\nimport math\ndef count(self, total, size):\n"
             "    return math.ceil(total / size)\n```")
    changed = apply_edits({"pager.py": METHOD_FILE}, parse_edits(reply, [region]))
    assert changed["pager.py"] == METHOD_FILE.replace("import os\n", "import os\nimport math\n").replace(
        "        return total // size + 1", "        return math.ceil(total / size)")


def test_blocks_find_their_region_by_header_or_resemblance() -> None:
    one = Region("a.py", 1, 2, "def f():\n    return 1\n", "x")
    two = Region("b.py", 1, 2, "def g(items):\n    return sorted(items)[0]\n", "x")
    reply = ("```python\ndef g(items):\n    return sorted(items)[-1]\n```\n"
             "### a.py (lines 1-2)\n```python\ndef f():\n    return 2\n```")
    edits = parse_edits(reply, [one, two])
    assert sorted((e.path, e.new.strip().splitlines()[-1].strip()) for e in edits) == [
        ("a.py", "return 2"), ("b.py", "return sorted(items)[-1]")]


def test_search_replace_blocks_are_accepted() -> None:
    region = whole("sort.py", SORT)
    reply = "```\n<<<<<<< SEARCH\n    for i, count in enumerate(arr):\n=======\n" \
            "    for i, count in enumerate(counts):\n>>>>>>> REPLACE\n```"
    changed = apply_edits({"sort.py": SORT}, parse_edits(reply, [region]))
    assert changed["sort.py"] == SORT.replace("enumerate(arr)", "enumerate(counts)")


@pytest.mark.parametrize(("reply", "problem"), [
    ("The bug is in the loop over arr.", "no code block"),
    (f"```python\n{SORT}```", "same as the code shown"),
    ("```bash\npip install numpy\n```", "matches none of the code shown"),
])
def test_answers_without_a_usable_change_say_why(reply: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_edits(reply, [whole("sort.py", SORT)])


def test_giving_the_code_back_unchanged_is_no_change_not_a_format_error() -> None:
    with pytest.raises(NoChange):
        parse_edits(f"```python\n{SORT}```", [whole("sort.py", SORT)])
    with pytest.raises(ValueError) as info:
        parse_edits("no code at all", [whole("sort.py", SORT)])
    assert not isinstance(info.value, NoChange)


def test_a_search_text_that_is_not_there_is_named() -> None:
    edits = parse_edits("<<<<<<< SEARCH\nnot in the file\n=======\nx\n>>>>>>> REPLACE", [whole("sort.py", SORT)])
    with pytest.raises(ValueError, match="SEARCH text of an edit is not in sort.py"):
        apply_edits({"sort.py": SORT}, edits)


def test_regions_are_shown_with_their_header() -> None:
    assert show([Region("a.py", 3, 4, "x = 1\ny = 2\n", "r")]) == "### a.py (lines 3-4)\n```python\nx = 1\ny = 2\n```"


def test_one_line_answers_become_one_line_edits_at_the_line_s_indentation() -> None:
    region = whole("sort.py", SORT)
    numbered = show_numbered([region])
    assert " 7 |     for i, count in enumerate(arr):" in numbered
    reply = "I think line 7.\nLINE 7: for i, count in enumerate(counts):\nLINE 2: counts = [1]"
    edits = parse_line_edits(reply, [region])
    changed = apply_edits({"sort.py": SORT}, edits[:1])
    assert changed["sort.py"] == SORT.replace("enumerate(arr)", "enumerate(counts)")
    assert [e.region.start for e in edits] == [7, 2]


def test_one_line_answers_that_repeat_the_line_or_miss_the_form_say_so() -> None:
    region = whole("sort.py", SORT)
    with pytest.raises(NoChange):
        parse_line_edits("LINE 10: return sorted_arr", [region])
    with pytest.raises(ValueError, match="not of the form"):
        parse_line_edits("LINE 99: x = 1\nThe loop is wrong.", [region])


def test_a_module_level_name_is_replaced_by_name_and_its_neighbours_kept() -> None:
    text = 'from os import path\n\nFORMAT = "%(filename)s %(message)s"\nDATE_FORMAT = "%H:%M"\n'
    region = Region("log.py", 1, 4, text, "x")
    reply = '```python\nFORMAT = "%(levelname)-8s %(name)s %(message)s"\n```'
    changed = apply_edits({"log.py": text}, parse_edits(reply, [region]))
    assert changed["log.py"] == text.replace('"%(filename)s %(message)s"', '"%(levelname)-8s %(name)s %(message)s"')


def test_a_stub_written_out_whole_is_the_rewrite_of_the_region_defining_it() -> None:
    stub = 'def area(r):\n    """Area of a circle."""\n    pass\n\n\ndef keep():\n    return 1\n'
    region = Region("shapes.py", 1, 7, stub, "named")
    body = "    import math\n" + "    # the area of a circle of radius r, pi times r squared\n" * 8 + \
        "    return math.pi * r ** 2\n"
    reply = "```python\ndef area(r):\n" + body + "```"
    changed = apply_edits({"shapes.py": stub}, parse_edits(reply, [region]))
    assert "return math.pi * r ** 2" in changed["shapes.py"] and "def keep():\n    return 1" in changed["shapes.py"]
    with pytest.raises(ValueError, match="matches none"):
        parse_edits("```python\ndef other(x):\n" + body + "```", [region])
