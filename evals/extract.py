"""The code in a chat reply, the way the reference harnesses take it (EvalPlus' sanitizer, simplified).

The fenced blocks of the reply (```python or bare ```) are read; the first that defines the entry point is the
completion, else the longest block, else the whole reply when it parses as Python, else the reply as it is (its
test then fails on its own). The completion is the whole script, imports included: appended to a HumanEval prompt it
redefines the function, which is how chat models are scored by EvalPlus and bigcode's harness.
"""

from __future__ import annotations

import ast
import re

FENCE = re.compile(r"```[ \t]*(?:python|py|python3)?[ \t]*\n(.*?)(?:```|\Z)", re.S | re.I)
"""A fenced block (an unclosed last one runs to the end of the reply: a reply cut at its token limit)."""


def extract_code(reply: str, entry_point: str = "") -> str:
    """The completion a chat reply gives (see the module docstring)."""
    blocks = [block for block in FENCE.findall(reply or "") if block.strip()]
    if entry_point:
        defines = re.compile(rf"^\s*(?:async\s+)?def\s+{re.escape(entry_point)}\s*\(", re.M)
        for block in blocks:
            if defines.search(block):
                return block
    if blocks:
        return max(blocks, key=len)
    try:
        ast.parse(reply or "")
        return reply
    except SyntaxError:
        return reply or ""
