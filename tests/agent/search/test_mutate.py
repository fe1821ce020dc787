"""Mutants of suspect lines: which edits are made, in what order, and which are left out."""

from __future__ import annotations

from agent.search.edits import named_lines, parse_line_edits
from agent.search.localize import Region
from agent.search.mutate import changed_lines, mutants, statement_lines

KNAPSACK = """def best(capacity, items):
    memo = {}
    for i in range(1, len(items) + 1):
        weight, value = items[i - 1]
        for j in range(1, capacity + 1):
            if weight < j:
                memo[i, j] = max(memo[i - 1, j], value + memo[i - 1, j - weight])
    return memo
"""


def lines_of(path: str, text: str, lines: list[int]) -> list[tuple[int, str, str]]:
    return [(m.line, m.what, m.text.splitlines()[m.line - 1].strip()) for m in mutants(path, text, lines)]


def test_a_comparison_is_flipped_first_then_the_condition_negated() -> None:
    made = lines_of("k.py", KNAPSACK, [6])
    assert made[0] == (6, "'<' -> '<='", "if weight <= j:")
    assert (6, "condition negated", "if not (weight < j):") in made


def test_operands_are_swapped_and_off_by_one_edits_are_tried() -> None:
    made = [line for _, _, line in lines_of("k.py", KNAPSACK, [4, 7])]
    assert "weight, value = items[i]" in made  # `- 1` removed
    assert "value, weight = items[i - 1]" not in made  # a tuple target is no bracket: not swapped
    assert "memo[j, i] = max(memo[i - 1, j], value + memo[i - 1, j - weight])" in made
    assert "memo[i, j] = min(memo[i - 1, j], value + memo[i - 1, j - weight])" in made
    assert "memo[i, j] = max(memo[i - 1, j], value + memo[i - 1, j - weight + 1])" in made


def test_a_sibling_attribute_the_file_uses_replaces_one() -> None:
    text = "def order(node):\n    seen = node.incoming_nodes\n    return [n for n in node.outgoing_nodes if n]\n"
    made = [line for _, _, line in lines_of("t.py", text, [3])]
    assert "return [n for n in node.incoming_nodes if n]" in made


def test_only_variants_that_parse_and_change_the_tree_are_kept() -> None:
    text = "def f(xs):\n    for x in xs:\n        yield x - 1  # 1 < 2\n"
    made = lines_of("f.py", text, [3, 2, 2, 99])
    assert [line for _, _, line in made] == ["yield x + 1  # 1 < 2", "yield x  # 1 < 2", "yield x - 2  # 1 < 2"]
    assert all("1 < 2" in m.text for m in mutants("f.py", text, [3]))  # a comment is no code
    assert not any("for x not in xs" in m.text for m in mutants("f.py", text, [2]))  # does not parse
    assert list(mutants("f.py", "def f(:\n    pass\n", [1])) == []


def test_the_likeliest_kind_of_edit_is_tried_on_every_line_before_the_next_kind() -> None:
    made = lines_of("k.py", KNAPSACK, [7, 6])
    assert made[0][:2] == (7, "'max' -> 'min'") and (6, "'<' -> '<='") in [m[:2] for m in made[:8]]
    assert made.index((6, "'<' -> '<='", "if weight <= j:")) < min(i for i, m in enumerate(made) if "removed" in m[1])


def test_changed_lines_are_the_replaced_deleted_or_neighbouring_ones() -> None:
    original = "a\nb\nc\nd\n"
    assert changed_lines(original, "a\nB\nc\nd\n") == [2]
    assert changed_lines(original, "a\nb\nd\n") == [3]
    assert changed_lines(original, "a\nb\nnew\nc\nd\n") == [2, 3]


def test_a_line_number_off_by_one_is_read_as_the_line_whose_code_it_gives() -> None:
    region = Region("k.py", 1, 8, KNAPSACK, "test")
    assert [(n, code) for _, n, code in named_lines("LINE 5: if weight < j:", [region])] == [(6, "if weight < j:")]
    assert [n for _, n, _ in named_lines("LINE 6: if weight <= j:", [region])] == [6]
    edits = parse_line_edits("LINE 7: if weight <= j:", [region])  # line 7 is nothing like it; line 6 is
    assert edits[0].region.start == 6 and edits[0].new == "            if weight <= j:\n"


COMMON = """def common(a, b):
    if not a or not b:
        return ''
    elif a[0] == b[0]:
        return a[0] + common(a[1:], b)
    return max(common(a, b[1:]), common(a[1:], b), key=len)
"""


def test_a_variable_is_replaced_by_a_form_of_it_the_function_uses_elsewhere() -> None:
    made = lines_of("c.py", COMMON, [5])
    assert (5, "b -> b[1:]", "return a[0] + common(a[1:], b[1:])") in made
    assert (5, "b -> b[0]", "return a[0] + common(a[1:], b[0])") in made
    steps = "def walk(n, xs):\n    for x in xs:\n        yield n * x\n    return n - 1\n"
    assert (3, "n -> n - 1", "yield (n - 1) * x") in lines_of("w.py", steps, [3])  # arithmetic keeps its precedence


def test_a_call_is_replaced_by_a_variable_bound_above_it_the_nearest_first() -> None:
    text = ("def cost(prices, count, table):\n    total = 0\n    price, unit = prices[0]\n"
            "    seen.append(lookup(table))\n    return lookup(table) * count  # é\n")
    made = [(what, line) for _, what, line in lines_of("c.py", text, [5])]
    borrowed = [pair for pair in made if pair[0].startswith("lookup(table) ->")]
    assert borrowed == [("lookup(table) -> price", "return price * count  # é"),
                        ("lookup(table) -> unit", "return unit * count  # é"),
                        ("lookup(table) -> total", "return total * count  # é")]
    assert not [what for _, what, _ in lines_of("c.py", text, [4]) if what.startswith("seen.append")]  # a statement


def test_a_call_holding_every_read_of_a_variable_is_kept() -> None:
    text = ("def reach(node, goal):\n    if node is goal:\n        return True\n"
            "    return any(reach(nxt, goal) for nxt in node.successors)\n")
    made = [what for _, what, _ in lines_of("r.py", text, [4])]
    assert not [what for what in made if what.startswith("reach(nxt, goal) ->")]  # `nxt` would be read nowhere
    assert "goal -> " not in " ".join(made)


def test_a_line_of_a_statement_written_over_several_lines_brings_the_rest_of_it() -> None:
    text = ("def push(heap, item, cost):\n    insert(heap,\n        (min(cost,\n"
            "             cost + 1),\n         item))\n    return heap\n")
    assert statement_lines(text, [5, 6]) == [5, 2, 3, 4, 6]  # named first, then the rest of its statement
    assert statement_lines(text, [1]) == [1]  # a definition is not expanded to its body
    assert statement_lines("def broken(:\n", [1, 1]) == [1]


def test_the_other_part_of_a_slice_the_function_takes_replaces_the_whole() -> None:
    text = "def rest_sorted(xs, k):\n    head = sorted(xs[:k])\n    for x in xs:\n        yield x\n"
    made = lines_of("r.py", text, [3, 2])
    assert (3, "xs -> xs[k:]", "for x in xs[k:]:") in made
    assert not any("xs[:k][" in line for _, _, line in made)  # a slice is not cut again


def test_a_guard_returning_a_value_the_function_returns_is_the_last_kind_tried() -> None:
    text = ("def count(coins, total):\n    if total < 0:\n        return 0\n    if total == 0:\n        return 1\n"
            "    first, *rest = coins\n    return count(coins, total - first) + count(rest, total)\n")
    made = list(mutants("c.py", text, [6]))
    assert [m.what for m in made] == ["`if not coins: return 0` added", "`if not coins: return 1` added"]
    assert "    if not coins:\n        return 0\n    first, *rest = coins\n" in made[0].text
    guarded = {what.split(":")[0] for what in _guards_of(text, 7)}
    assert guarded == {"`if not coins", "`if not total", "`if not first", "`if not rest"}  # not the function `count`
    assert list(_guards_of("def f(xs):\n    ys = list(xs)\n    print(ys)\n", 3)) == []  # returns no value


def _guards_of(text: str, number: int) -> list[str]:
    return [m.what for m in mutants("g.py", text, [number]) if "added" in m.what]
