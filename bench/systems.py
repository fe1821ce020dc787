"""The systems under comparison, each run as its own CLI in a subprocess on one task with the same limits.

repo-agent: `agent solve` in its local workspace (a clone it makes under the run's TMPDIR, kept), one run
folder per run; optionally `--strategy X`. mini-swe-agent 2.4.6: its `mini` CLI from its own venv with the
text-based config (`mini_textbased.yaml`, model class `litellm_textbased`), yolo, in a clone of the task.
Both get the same model, step limit, wall limit, command timeout, temperature and output-token cap; the wall
limit is also enforced from outside (Ctrl-C to the process group after W + grace, then SIGKILL). Whatever
the run's copy of the repository holds at the end is the diff that gets scored.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.quixbugs import Task

ROOT = Path(__file__).resolve().parents[1]
AGENT = ROOT / ".venv" / "bin" / "agent"
MINI_VENV = Path.home() / ".cache" / "repo-agent" / "mini-venv"
MINI_VERSION = "2.4.6"
QUIET_LITELLM = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}
"""litellm reads its bundled price table instead of fetching one from GitHub (traffic stays on 127.0.0.1)."""


@dataclass
class Settings:
    """What every system gets for a run."""

    model: str
    """litellm model name (`openai/local` for the local server)."""
    api_base: str | None
    """OpenAI-compatible endpoint of the local server; None for a hosted model."""
    steps: int
    """Step limit: model calls per run."""
    wall_time: float
    """Wall limit per run, seconds (the systems' own limit; the bench stops the run at this + `grace`)."""
    command_timeout: int = 60
    """Seconds one agent command may run."""
    temperature: float = 0.0
    """Sampling temperature."""
    max_tokens: int = 4096
    """Output tokens per reply; 0 leaves each system's own default."""
    cost_limit: float = 3.0
    """Dollars per run (0 for the local model in both systems' accounting)."""
    grace: float = 30.0
    """Seconds past the wall limit before the bench interrupts the run itself."""


@dataclass
class Outcome:
    """What one system did on one task (before scoring)."""

    diff: str = ""
    """The final diff of the run's copy of the repository."""
    steps: int = 0
    """Steps (model calls) the system counted."""
    replies: int = 0
    """Model replies received."""
    format_errors: int = 0
    """Replies the system could not turn into an action."""
    exit_status: str = ""
    """How the run ended, in the system's own words (`KilledByBench(...)` when the bench stopped it)."""
    wall_seconds: float = 0.0
    """Seconds from process start to its end, measured by the bench."""
    killed: bool = False
    """The bench stopped the run at the wall limit plus grace."""
    error: str = ""
    """What went wrong outside the model's control, if anything."""
    details: dict = field(default_factory=dict)
    """Return code, trajectory path, exit message."""


def run_bounded(command: list[str], cwd: Path, env: dict[str, str], log: Path, limit: float,
                sweep: Path | None = None) -> tuple[int, float, bool]:
    """Run `command` in its own process group; after `limit` s SIGINT, 20 s later SIGKILL. (rc, seconds, killed).

    Afterwards processes still working inside `sweep` (the run's own folder) are killed too.
    """
    started = time.monotonic()
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    killed = False
    try:
        process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        killed = True
        for sig, wait in ((signal.SIGINT, 20), (signal.SIGKILL, None)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    with contextlib.suppress(ProcessLookupError):  # commands the agent left running in the background
        os.killpg(process.pid, signal.SIGKILL)
    if sweep is not None:
        kill_leftovers(sweep)
    return process.returncode, time.monotonic() - started, killed


def kill_leftovers(folder: Path) -> list[int]:
    """SIGKILL processes still working inside `folder` (agent commands run in sessions of their own); their ids."""
    killed = []
    prefix = str(folder.resolve())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            where = os.readlink(entry / "cwd")
        except OSError:
            continue
        if where == prefix or where.startswith(prefix + "/"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
    return killed


def working_diff(repo: Path, base: str) -> str:
    """Everything changed in `repo` since `base`, untracked files included (binary-safe)."""
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, capture_output=True)
    return subprocess.run(["git", "diff", "--cached", "--binary", base], cwd=repo, check=True,
                          capture_output=True, text=True, errors="replace").stdout


def clone(task: Task, target: Path) -> Path:
    """A fresh clone of the task repository at its commit."""
    subprocess.run(["git", "clone", "-q", str(task.repo), str(target)], check=True, capture_output=True)
    subprocess.run(["git", "checkout", "-q", "--detach", task.commit], cwd=target, check=True, capture_output=True)
    return target


def repo_agent_strategies(agent: Path = AGENT) -> list[str]:
    """The values `agent solve --strategy` takes, read from its help ([] when there is no such option)."""
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"}
    text = subprocess.run([str(agent), "solve", "--help"], capture_output=True, text=True, env=env).stdout
    text = re.sub(r"[│╭╮╰╯─]", " ", text)
    match = re.search(r"--strategy\b(.*?)(?=\s--[a-z]|\Z)", text, re.S)
    if not match:
        return []
    segment = " ".join(match.group(1).split())
    piped = re.search(r"\b([a-z][\w-]*(?:\s*\|\s*[a-z][\w-]*)+)", segment)
    if piped:
        return [w.strip() for w in piped.group(1).split("|")]
    listed = re.search(r"\b([a-z][\w-]*(?:, [a-z][\w-]*)*,? or [a-z][\w-]*)\b", segment)
    if listed:
        return [w for w in re.split(r",\s*|\s+or\s+", listed.group(1)) if w]
    return []


class RepoAgent:
    """repo-agent's `agent solve`, optionally with `--strategy VARIANT` (`default`: no flag)."""

    def __init__(self, variant: str = "default", agent: Path = AGENT):
        self.variant = variant
        self.agent = agent
        self.name = "repo-agent" if variant == "default" else f"repo-agent:{variant}"

    def command(self, task: Task, run_dir: Path, s: Settings) -> list[str]:
        """The `agent solve` command line for this run."""
        command = [str(self.agent), "solve", "--repo", str(task.repo), "--issue", f"@{task.issue_path}",
                   "--workspace", "local", "--model", s.model]
        if s.api_base:
            command += ["-c", f"model.api_base={s.api_base}", "-c", "model.api_key=none"]
        overrides = {"limits.steps": s.steps, "limits.wall_time": s.wall_time, "limits.cost": s.cost_limit,
                     "limits.command_timeout": s.command_timeout, "model.temperature": s.temperature,
                     "model.timeout": s.wall_time, "runs_dir": run_dir / "runs", "workspace.keep": "true"}
        if s.max_tokens:
            overrides["model.max_output_tokens"] = s.max_tokens
        for key, value in overrides.items():
            command += ["-c", f"{key}={value}"]
        if self.variant != "default":
            command += ["--strategy", self.variant]
        return command

    def run(self, task: Task, run_dir: Path, s: Settings) -> Outcome:
        """Solve `task`; the outcome from the run folder and the workspace clone."""
        tmp = run_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **QUIET_LITELLM, "TMPDIR": str(tmp)}
        rc, seconds, killed = run_bounded(self.command(task, run_dir, s), run_dir, env, run_dir / "agent.log",
                                          s.wall_time + s.grace, sweep=run_dir)
        outcome = read_repo_agent(run_dir / "runs")
        outcome.wall_seconds, outcome.killed = seconds, killed
        outcome.details["returncode"] = rc
        copies = [p for p in tmp.glob("repo-agent-*/repo") if not p.parent.name.startswith("repo-agent-plan")]
        patch_files = sorted((run_dir / "runs").glob("*/patch.diff"))
        if patch_files and not killed:
            outcome.diff = patch_files[0].read_text(encoding="utf-8", errors="replace")
        elif len(copies) == 1:
            outcome.diff = working_diff(copies[0], task.commit)
        if killed:
            outcome.exit_status = f"KilledByBench({outcome.exit_status or 'running'})"
        if not outcome.exit_status:
            outcome.error = outcome.error or f"agent exited {rc} without a trajectory; see {run_dir / 'agent.log'}"
        return outcome


def read_repo_agent(runs: Path) -> Outcome:
    """Steps, replies, format errors and exit status from every trajectory.json under `runs`."""
    outcome = Outcome()
    trajectories = sorted(runs.rglob("trajectory.json"), key=lambda p: len(p.parts))
    for path in trajectories:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            outcome.error = f"unreadable {path}: {exc}"
            continue
        steps = data.get("steps") or []
        assistant = sum(1 for m in data.get("messages") or [] if m.get("role") == "assistant")
        outcome.steps += len(steps)
        outcome.replies += max(len(steps), assistant)
        outcome.format_errors += sum(1 for step in steps if step.get("format_error"))
        if not outcome.exit_status:
            outcome.exit_status = data.get("exit_status") or ""
            outcome.details["exit_message"] = (data.get("exit_message") or "")[:300]
            outcome.details["trajectory"] = str(path)
    return outcome


def mini_python() -> Path:
    """The python of mini-swe-agent's venv, created with `pip install mini-swe-agent==2.4.6` when missing."""
    python = MINI_VENV / "bin" / "python"
    probe = [str(python), "-c", f"import minisweagent; assert minisweagent.__version__ == '{MINI_VERSION}'"]
    env = {**os.environ, "MSWEA_SILENT_STARTUP": "1", "MSWEA_GLOBAL_CONFIG_DIR": str(MINI_VENV / "mswea-config")}
    if python.exists() and subprocess.run(probe, capture_output=True, env=env).returncode == 0:
        return python
    subprocess.run([sys.executable, "-m", "venv", str(MINI_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"mini-swe-agent=={MINI_VERSION}"], check=True)
    return python


class MiniSweAgent:
    """mini-swe-agent's `mini` CLI with its text-based default config, non-interactive, local environment."""

    name = "mini-swe-agent"

    def __init__(self, python: Path | None = None):
        self.python = python or MINI_VENV / "bin" / "python"

    def command(self, task: Task, repo: Path, traj: Path, s: Settings) -> list[str]:
        """The `mini` command line for this run (config keys documented in mini_textbased.yaml)."""
        mini = self.python.parent / "mini"
        overrides = {"model.model_class": "litellm_textbased", "model.cost_tracking": "ignore_errors",
                     "model.model_kwargs.temperature": s.temperature,
                     "model.model_kwargs.timeout": int(s.wall_time), "agent.step_limit": s.steps,
                     "agent.wall_time_limit_seconds": int(s.wall_time), "agent.cost_limit": s.cost_limit,
                     "environment.cwd": str(repo), "environment.timeout": s.command_timeout}
        if s.max_tokens:
            overrides["model.model_kwargs.max_tokens"] = s.max_tokens
        if s.api_base:
            overrides |= {"model.model_kwargs.api_base": s.api_base, "model.model_kwargs.api_key": "none"}
        command = [str(mini), "-c", "mini_textbased.yaml"]
        for key, value in overrides.items():
            command += ["-c", f"{key}={value}"]
        return command + ["-m", s.model, "-t", task.issue, "--yolo", "--exit-immediately", "-o", str(traj)]

    def run(self, task: Task, run_dir: Path, s: Settings) -> Outcome:
        """Solve `task` in a clone; the outcome from its trajectory file and the clone's diff."""
        repo = clone(task, run_dir / "repo")
        traj = run_dir / "mini.traj.json"
        env = {**os.environ, **QUIET_LITELLM, "MSWEA_CONFIGURED": "1", "MSWEA_SILENT_STARTUP": "1",
               "MSWEA_COST_TRACKING": "ignore_errors", "MSWEA_GLOBAL_CONFIG_DIR": str(run_dir / "mswea-config")}
        rc, seconds, killed = run_bounded(self.command(task, repo, traj, s), repo, env, run_dir / "agent.log",
                                          s.wall_time + s.grace, sweep=run_dir)
        outcome = read_mini(traj)
        outcome.wall_seconds, outcome.killed = seconds, killed
        outcome.details["returncode"] = rc
        outcome.diff = working_diff(repo, task.commit)
        if killed:
            outcome.exit_status = f"KilledByBench({outcome.exit_status or 'running'})"
        if not outcome.exit_status and not outcome.error:
            outcome.error = f"mini exited {rc} without an exit status; see {run_dir / 'agent.log'}"
        return outcome


def read_mini(traj: Path) -> Outcome:
    """Model calls, format errors and exit status from a mini-swe-agent trajectory."""
    outcome = Outcome()
    try:
        data = json.loads(traj.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        outcome.error = f"no trajectory ({exc.__class__.__name__})"
        return outcome
    info = data.get("info") or {}
    messages = data.get("messages") or []
    calls = int((info.get("model_stats") or {}).get("api_calls") or 0)
    outcome.steps = outcome.replies = calls
    outcome.format_errors = sum(1 for m in messages if (m.get("extra") or {}).get("interrupt_type") == "FormatError")
    outcome.exit_status = info.get("exit_status") or ""
    exits = [m for m in messages if m.get("role") == "exit"]
    if exits and (exits[-1].get("extra") or {}).get("exception_str"):
        outcome.error = exits[-1]["extra"]["exception_str"][:300]
    outcome.details["trajectory"] = str(traj)
    return outcome


def make_systems(names: list[str], variants: list[str]) -> list:
    """The systems for `--systems` (repo-agent expands to one system per variant)."""
    systems: list = []
    for name in names:
        if name == "repo-agent":
            systems += [RepoAgent(v) for v in variants]
        elif name.startswith("repo-agent:"):
            systems.append(RepoAgent(name.split(":", 1)[1]))
        elif name == "mini-swe-agent":
            systems.append(MiniSweAgent(mini_python()))
        elif name == "sample-and-test":
            from bench.sample_and_test import SampleAndTest

            systems.append(SampleAndTest())
        else:
            raise SystemExit(f"Unknown system {name!r}: use repo-agent, repo-agent:VARIANT, mini-swe-agent or "
                             "sample-and-test.")
    return systems


def remove(path: Path) -> None:
    """Delete a run's working folders (clones, temporary workspaces), keeping its logs and trajectories."""
    for sub in ("repo", "tmp", "mswea-config"):
        shutil.rmtree(path / sub, ignore_errors=True)
