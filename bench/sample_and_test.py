"""The simplest sample-and-test loop, as a third system beside repo-agent and mini-swe-agent.

One prompt holds the buggy program (the file the issue names) and the failing test output the issue pastes; the
model writes the whole corrected file, `samples` times at `temperature`; each answer is written into a clone and
the program's tests run; the first answer that passes them is kept (the tests pick), else the clone stays as it
was. No localization, no tools, no feedback: it measures what plain sampling plus tests gets from the model, so
that repo-agent's search can be held to fix everything this does.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from bench.quixbugs import Task, clip
from bench.scoring import run_tests
from bench.systems import QUIET_LITELLM, Outcome, Settings, clone, working_diff

SYSTEM = "You are an expert Python programmer. You fix bugs by rewriting the whole file."
PROMPT = """The program `{path}` fails its tests.

```python
{code}
```

Running `python -m pytest {test_path}` fails:

```
{output}
```

Write the whole corrected `{path}` in one ```python block."""

_BLOCK = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.S)


def whole_file(reply: str) -> str | None:
    """The longest fenced code block of `reply` (the rewritten file), None when there is none."""
    blocks = _BLOCK.findall(reply or "")
    return max(blocks, key=len) if blocks else None


class SampleAndTest:
    """Whole-file samples of the named program, tested; the first that passes is the answer."""

    name = "sample-and-test"

    def __init__(self, samples: int = 5, temperature: float = 0.8, max_tokens: int = 1024):
        self.samples = samples
        self.temperature = temperature
        self.max_tokens = max_tokens
        """Output tokens per sample when the bench sets none: a QuixBugs program is a few hundred tokens, and an
        unbounded reply from a small model can run until the wall limit."""

    def messages(self, task: Task, code: str) -> list[dict]:
        """The one prompt: the buggy file and the failing test output."""
        path = f"python_programs/{task.name}.py"
        output = clip(task.buggy_run.output, task.repo)
        return [{"role": "system", "content": SYSTEM},
                {"role": "user", "content": PROMPT.format(path=path, code=code, test_path=task.test_path,
                                                          output=output)}]

    def run(self, task: Task, run_dir: Path, s: Settings) -> Outcome:
        """Sample, write, test, keep the first answer that passes; stop at the wall limit."""
        os.environ.update(QUIET_LITELLM)
        import litellm  # imported here: a second or two, paid only by runs of this system

        started = time.monotonic()
        repo = clone(task, run_dir / "repo")
        target = repo / "python_programs" / f"{task.name}.py"
        original = target.read_text(encoding="utf-8")
        outcome = Outcome(exit_status="NoPassingSample")
        messages = self.messages(task, original)
        with (run_dir / "samples.log").open("w", encoding="utf-8") as log:
            for k in range(self.samples):
                remaining = s.wall_time - (time.monotonic() - started)
                if remaining <= 5:
                    outcome.exit_status = "TimeLimitExceeded"
                    break
                try:
                    reply = litellm.completion(model=s.model, messages=messages,
                                               api_base=s.api_base, api_key="none" if s.api_base else None,
                                               temperature=self.temperature, max_tokens=s.max_tokens or self.max_tokens,
                                               seed=k, timeout=remaining)
                    text = reply.choices[0].message.content or ""
                except Exception as exc:  # a timed-out or failed call ends the sampling; what passed so far is kept
                    outcome.error = f"{type(exc).__name__}: {str(exc)[:200]}"
                    break
                outcome.steps += 1
                outcome.replies += 1
                code = whole_file(text)
                log.write(f"--- sample {k}\n{text}\n")
                if code is None:
                    outcome.format_errors += 1
                    continue
                target.write_text(code, encoding="utf-8")
                run = run_tests(repo, task.test_path)
                log.write(f"--- tests: {run.summary}\n")
                if run.passed:
                    outcome.exit_status = f"Passed(sample {k})"
                    break
                target.write_text(original, encoding="utf-8")
        outcome.diff = working_diff(repo, task.commit)
        outcome.wall_seconds = time.monotonic() - started
        return outcome
