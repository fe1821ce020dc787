"""Configuration: pydantic models, the shipped defaults, `-c FILE` / `-c key.sub=value` overrides; validated once."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError

from agent.repair_config import RepairConfig, StrategyName
from core.errors import UserError
from core.types import StrictModel
from tools.settings import ToolsConfig
from workspaces.settings import LocalWorkspaceConfig, WorkspaceConfig


class PriceConfig(StrictModel):
    """Dollar prices for a model litellm does not know, per million tokens."""

    input_per_million: float = Field(ge=0)
    """Dollars per million prompt tokens."""
    output_per_million: float = Field(ge=0)
    """Dollars per million completion tokens."""


class RetryConfig(StrictModel):
    """Retries of model calls on rate limits, timeouts and server errors (never on auth or bad requests)."""

    attempts: int = Field(default=6, ge=1)
    """Total attempts per model call, the first included."""
    initial_wait: float = Field(default=1.0, ge=0)
    """Seconds before the first retry; doubles each time."""
    max_wait: float = Field(default=60.0, ge=0)
    """Upper bound of a single wait, in seconds."""


class LocalServerConfig(StrictModel):
    """The llama.cpp server that `--model gguf:PATH` starts for a local GGUF file (llama-cpp-python's)."""

    n_ctx: int = Field(default=8192, ge=512)
    """Context window of the server in tokens; the prompt, the history and the reply must fit in it."""
    threads: int | None = Field(default=None, ge=1)
    """Threads generating tokens (`--n_threads`); empty means the number of cores this process may use."""
    python: Path | None = None
    """Interpreter that has llama-cpp-python with its server, used when the current one cannot import it."""
    startup_timeout: float = Field(default=120.0, gt=0)
    """Seconds the server may take to load the model and answer `GET /v1/models`."""
    log_file: Path | None = None
    """Where the server's output goes; empty means a temporary file, removed when the server stops cleanly."""
    extra_args: list[str] = Field(default_factory=list)
    """Further command-line flags for `python -m llama_cpp.server`, e.g. `[--n_batch, "256"]`."""


class ModelConfig(StrictModel):
    """Which model answers, and how it is called."""

    type: Literal["litellm", "scripted"] = "litellm"
    """`litellm` for any provider; `scripted` replays actions from `script` (tests and demos)."""
    name: str | None = None
    """litellm model id such as `anthropic/claude-sonnet-4-5`; empty means: pick from the environment."""
    script: Path | None = None
    """For `type: scripted`: the YAML/JSON file of actions to replay."""
    scripts: list[Path] = Field(default_factory=list)
    """For `type: scripted` with `samples.count` > 1: rollout k replays `scripts[k]` (cycled) instead of `script`."""
    protocol: Literal["auto", "tools", "text", "json"] = "auto"
    """`tools`: native tool calling; `text`: one fenced JSON action per reply; `json`: text with the reply forced by a
    JSON schema (`response_format`, a grammar on llama.cpp, vLLM, Ollama, LM Studio); `auto`: tools when litellm says
    the model supports them, else json when the `api_base` server enforces schemas (asked once), else text."""
    temperature: float = Field(default=0.0, ge=0, le=2)
    """Sampling temperature."""
    top_p: float | None = Field(default=None, gt=0, le=1)
    """Nucleus sampling; unset leaves the provider's default."""
    seed: int | None = None
    """Sampling seed, passed to providers that accept one."""
    api_base: str | None = None
    """Base URL of an OpenAI-compatible server (e.g. a local llama.cpp server)."""
    api_key: str | None = None
    """API key for `api_base` servers; provider keys normally come from the environment."""
    max_output_tokens: int | None = Field(default=None, gt=0)
    """Tokens per reply at most; empty: 4096 hosted, 1024 self-hosted behind `api_base` (one action fits)."""
    stream: bool | None = None
    """Stream replies, closed after one action or at the deadline; empty: on for self-hosted models, off for hosted."""
    timeout: float = Field(default=300.0, gt=0)
    """Seconds one model call may take before it counts as a timeout (and is retried)."""
    retry: RetryConfig = Field(default_factory=RetryConfig)
    """Retry policy for transient provider errors."""
    keep_recent_turns: int = Field(default=4, ge=0)
    """On a context overflow, tool outputs older than this many recent turns are elided and the call retried once."""
    prices: dict[str, PriceConfig] = Field(default_factory=dict)
    """Prices for models litellm does not know, keyed by model id."""
    extra_params: dict[str, Any] = Field(default_factory=dict)
    """Further keyword arguments for `litellm.completion` (e.g. `response_format`)."""
    local: LocalServerConfig = Field(default_factory=LocalServerConfig)
    """For `gguf:PATH` model names: how the local llama.cpp server is run."""


class LimitsConfig(StrictModel):
    """When a run stops even if the model has not submitted."""

    steps: int = Field(default=60, ge=1)
    """Maximum number of model calls."""
    cost: float = Field(default=3.0, ge=0)
    """Maximum dollars spent on the model; 0 means no limit."""
    wall_time: float = Field(default=3600.0, gt=0)
    """Maximum seconds for the whole run."""
    command_timeout: float = Field(default=180.0, gt=0)
    """Seconds a single command in the workspace may run before its process group is killed."""
    format_errors: int = Field(default=4, ge=1)
    """Replies in a row that could not be read as an action after which the run stops (FormatErrorLimitExceeded);
    before that, a self-hosted model is switched to schema-constrained actions."""
    repeated_calls: int = Field(default=4, ge=2)
    """Times one identical call may return the identical result before the run stops (RepeatedCallLimitExceeded)."""


class GateConfig(StrictModel):
    """Checks the final diff must pass."""

    check_syntax: bool = True
    """Every touched file must still parse."""
    test_command: str | None = None
    """Command that runs test files (`{files}` stands for them), for the gate, the repair and the choice among
    samples alike; empty: pytest with per-test verdicts when the workspace has it, else unittest per file."""
    run_tests: bool = True
    """Run the known tests (issue-named, else related) before and after: failing must pass, passing keep passing."""
    test_timeout: float = Field(default=600.0, gt=0)
    """Seconds one test run may take."""
    case_timeout: float = Field(default=10.0, ge=0)
    """Seconds one test may run before it fails with a traceback of where it was stuck (pytest; 0: no limit)."""


class PlannerConfig(StrictModel):
    """What the agent is told before its first step."""

    type: Literal["none", "repomap"] = "repomap"
    """`repomap` ranks files and symbols and adds a repo map to the first prompt; `none` skips planning."""
    map_tokens: int = Field(default=2048, ge=0)
    """Token budget of the repo map in the first prompt."""
    max_files: int = Field(default=15, ge=1)
    """Ranked candidate files kept in the plan."""
    cache: bool = True
    """Keep parsed tags and built indexes in a disk cache keyed by file content (second runs are fast)."""
    cache_dir: Path | None = None
    """Where that cache lives; empty means `$REPO_AGENT_CACHE/repomap` or `~/.cache/repo-agent/repomap`."""


class SamplesConfig(StrictModel):
    """Candidates to choose among (`--samples N`): repair calls or tool-loop rollouts, one evaluator, one selection."""

    count: int = Field(default=1, ge=1)
    """Candidates: with more than 1, the repair makes this many model calls and the tool loop runs this many
    rollouts, one after another from the base commit in the run's workspace; 1 is one ordinary run."""
    temperatures: list[float] = Field(default_factory=list)
    """Per-rollout temperatures, cycled (rollout k gets item k mod length); empty: `model.temperature` for all."""
    top_ps: list[float] = Field(default_factory=list)
    """Per-rollout nucleus sampling values, cycled; empty: `model.top_p` for all."""
    seed: int | None = None
    """When set, sample k (a rollout, a repair call, a reproduction test) uses seed `seed + k` (`model.seed` takes
    precedence), so a rerun asks a seed-honouring server the same; unset, the server's random state decides."""
    select: Literal["tests+vote", "tests", "vote"] = "tests+vote"
    """`tests+vote`: most failing tests fixed (a written test included) minus regressions and new lint errors, then
    the largest group of equivalent patches, then the smaller diff; `tests`: without the vote; `vote`: group, diff."""
    budget: float | None = Field(default=None, ge=0)
    """Dollars all rollouts share; empty means `limits.cost` times `count`."""
    lint: bool = True
    """Count new lint errors (ruff, else pyflakes, where the workspace has one) against a rollout."""

    @property
    def by_tests(self) -> bool:
        """Whether the choice reads test results (a vote alone runs none and needs no test written from the issue)."""
        return "tests" in self.select


class GitHubConfig(StrictModel):
    """The GitHub integration: issue URLs, `--pr`, and the label-triggered Action (`agent github event`)."""

    label: str = "agent"
    """Adding this label to an issue starts a run."""
    trusted_permissions: list[str] = Field(default_factory=lambda: ["admin", "maintain", "write"])
    """Repository permissions (`role_name` or `permission`) the person adding the label needs; others are refused."""
    daily_budget: float = Field(default=20.0, ge=0)
    """Dollars all runs in one repository may reserve per UTC day (each reserves `limits.cost`); 0 means none."""
    branch_prefix: str = "repo-agent/issue-"
    """Pull request branches are named this prefix plus the issue number."""
    draft: bool = True
    """Open pull requests as drafts."""
    remote: str = "origin"
    """Git remote of the repository checkout that branches are pushed to."""
    commit_author: str = "repo-agent <repo-agent@users.noreply.github.com>"
    """Author and committer of the pull request's commit, as `Name <email>`."""


class AgentConfig(StrictModel):
    """The whole configuration of a run."""

    model: ModelConfig = Field(default_factory=ModelConfig)
    """The model and how to call it."""
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    """Steps, cost, wall time and per-command timeout."""
    workspace: WorkspaceConfig = Field(default_factory=LocalWorkspaceConfig)
    """Where the agent works."""
    tools: ToolsConfig = Field(default_factory=ToolsConfig)
    """The tools offered to the model."""
    gate: GateConfig = Field(default_factory=GateConfig)
    """The patch gate."""
    planner: PlannerConfig = Field(default_factory=PlannerConfig)
    """The planning step before the loop."""
    github: GitHubConfig = Field(default_factory=GitHubConfig)
    """Issue URLs, pull requests and the label-triggered Action."""
    samples: SamplesConfig = Field(default_factory=SamplesConfig)
    """Several rollouts and the choice of one patch among them."""
    strategy: StrategyName = "auto"
    """`repair` (focused rewrites judged by failing tests), `loop` (the tool-using agent), or `auto` (repair when a
    failing test is known or the model is self-hosted, then the loop with the time left)."""
    repair: RepairConfig = Field(default_factory=RepairConfig)
    """Settings of the repair strategy."""
    runs_dir: Path = Path("runs")
    """Where each run writes its folder (trajectory, patch, summary)."""
    system_template: str = "system.j2"
    """Template in prompts/ for the system message."""
    instance_template: str = "instance.j2"
    """Template in prompts/ for the first user message (the task)."""

    def seed_for(self, k: int) -> int | None:
        """The seed of a run's sample k: `model.seed`, else `samples.seed`, plus k; None when neither is set."""
        base = self.model.seed if self.model.seed is not None else self.samples.seed
        return None if base is None else base + k


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Merge `update` into a copy of `base`; nested mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in update.items():
        nested = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = deep_merge(merged[key], value) if nested else copy.deepcopy(value)
    return merged


def parse_override(text: str) -> dict[str, Any]:
    """Turn `a.b.c=value` into `{"a": {"b": {"c": value}}}`, the value read as YAML (`3`, `true`, `[x]`)."""
    key, sep, raw = text.partition("=")
    parts = [p for p in key.strip().split(".") if p]
    if not sep or not parts:
        raise UserError(f"Config override {text!r} is not of the form key.sub=value.")
    try:
        data = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        data = raw
    for part in reversed(parts):
        data = {part: data}
    return data


def read_config_file(path: Path) -> dict[str, Any]:
    """Read one YAML config file, with errors told in one sentence."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise UserError(f"Config file {path} could not be read: {exc.strerror}.") from exc
    except yaml.YAMLError as exc:
        raise UserError(f"Config file {path} is not valid YAML{yaml_problem(exc)}.") from exc
    if not isinstance(data, dict | None):
        raise UserError(f"Config file {path} must hold a mapping at the top level.")
    return data or {}


def yaml_problem(exc: yaml.YAMLError) -> str:
    """` at line L, column C: what is wrong` (as far as the parser says), for a one-line error."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: {problem}"


def merge_sources(sources: list[str], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Apply `-c` sources in order to `base` (the shipped defaults unless given): an existing file is merged whole,
    `key=value` sets one key."""
    data = base if base is not None else yaml.safe_load(resources.files("agent").joinpath("default.yaml").read_text())
    for source in sources:
        path = Path(source)
        if path.exists():
            data = deep_merge(data, read_config_file(path))
        elif "=" in source:
            data = deep_merge(data, parse_override(source))
        else:
            raise UserError(f"Config file {source} does not exist (and is not a key.sub=value override).")
    return data


def validate_config(data: dict[str, Any]) -> AgentConfig:
    """Validate merged config data once, turning pydantic's report into one sentence per problem."""
    try:
        return AgentConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise UserError(f"Invalid configuration: {problems}.") from exc


def load_config(sources: list[str] | None = None) -> AgentConfig:
    """The shipped defaults, merged with `-c` sources in order, validated."""
    return validate_config(merge_sources(sources or []))
