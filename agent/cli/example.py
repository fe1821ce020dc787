"""`agent example`: the built-in example, run with your model or, when none is configured, as a replay."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.console import Console

from agent.cli.solve import CONFIG_HELP, config_sources, report, run_with_progress
from agent.config import load_config
from agent.issue import IssueText
from agent.repo import resolve_repo
from core.errors import UserError
from core.git import git_output

console = Console(soft_wrap=True)

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
"""Shipped examples (present in a source checkout, which the README installs from)."""

EXAMPLE_IDENTITY = ("-c", "user.name=repo-agent example", "-c", "user.email=example@repo-agent.invalid")
"""Who commits the example's initial state (git config for that one command)."""


def example_dir(name: str) -> Path:
    """The folder of example `name`, or a UserError listing the examples."""
    folder = EXAMPLES_DIR / name
    if not (folder / "repo").is_dir():
        known = sorted(p.name for p in EXAMPLES_DIR.glob("*") if (p / "repo").is_dir())
        listing = ", ".join(known) or "none (repo-agent is not installed from a source checkout)"
        raise UserError(f"No example named {name!r}; known examples: {listing}.")
    return folder


def materialize(folder: Path, target: Path) -> Path:
    """Copy the example's files into `target` and make it a git repository with one commit."""
    shutil.copytree(folder / "repo", target)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 [*EXAMPLE_IDENTITY, "commit", "-q", "-m", "example: initial state"]):
        git_output(*args, cwd=target)
    return target


def choose_model(sources: list[str], force_replay: bool, script: Path) -> tuple[list[str], str]:
    """Use the configured model, or say that none is and fall back to the labelled replay."""
    from agent.models.selection import resolve_model_name

    if not force_replay:
        try:
            resolve_model_name(None, load_config(sources).model)
            return sources, ""
        except UserError as exc:
            console.print(f"[yellow]{exc}[/]", highlight=False)
    console.print("[magenta]Showing a REPLAY: recorded tool calls of this example are replayed by the scripted "
                  "model; no model is called.[/]")
    return [*sources, "model.type=scripted", f"model.script={script}", "model.name=replay"], "REPLAY"


def docker_unusable_reason(image: str | None) -> str:
    """Why the Docker workspace can't run the example here ("" when it can). A missing base image is built
    first, announced, when this host can build it (debootstrap, as root)."""
    import docker

    from workspaces.base_image import DEFAULT_MIRROR, build_base, host_problem
    from workspaces.images import BASE_REPOSITORY, DEFAULT_BASE, connect, daemon_reachable, find_image

    name = image or DEFAULT_BASE
    if not daemon_reachable():
        return "no Docker daemon is reachable (start it: `dockerd &` or `systemctl start docker`)"
    client = connect()
    if find_image(client, name) is not None:
        return ""
    if not name.startswith(BASE_REPOSITORY + ":"):
        return f"the image {name} is not on this machine"
    problem = host_problem()
    if problem:
        return f"the base image {name} is not built, and {problem}"
    suite = name.split(":", 1)[1]
    console.print(f"Building the base image {name} first (once, a few minutes): debootstrap downloads Debian "
                  f"{suite} from {DEFAULT_MIRROR} ...", highlight=False)
    try:
        built = build_base(client, suite)
    except (UserError, docker.errors.DockerException) as exc:
        return f"building the base image {name} failed ({str(exc).rstrip('.')})"
    console.print(f"Built {built.name} in {built.seconds:.0f} s.", highlight=False)
    return ""


def example_command(
    name: str = typer.Argument("pager", help="Which example to run."),
    model: str | None = typer.Option(None, "--model", "-m", help="litellm model id; default as for `agent solve`."),
    replay: bool = typer.Option(False, "--replay", help="Replay the recorded run even when a model is configured."),
    workspace: str | None = typer.Option(None, "--workspace", "-w", help="docker or local."),
    config: list[str] = typer.Option([], "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Run the agent on a small buggy repository shipped with repo-agent."""
    folder = example_dir(name)
    example_config = [str(folder / "config.yaml")] if (folder / "config.yaml").exists() else []
    sources, label = choose_model(config_sources(example_config + config, model=model, workspace=workspace), replay,
                                  folder / "replay.yaml")
    settings = load_config(sources)
    reason = docker_unusable_reason(settings.workspace.image) if settings.workspace.type == "docker" else ""
    if reason and not workspace:
        console.print(f"[yellow]{reason[0].upper()}{reason[1:]}; running the example in a local workspace.[/]",
                      highlight=False)
        settings = load_config([*sources, "workspace.type=local"])
    from agent.runner import build_job, new_run_id

    run_id = new_run_id()
    repo_dir = materialize(folder, settings.runs_dir / run_id / "example-repo")
    console.print(f"example repository: {repo_dir}")
    issue = IssueText(text=(folder / "issue.md").read_text(), source=str(folder / "issue.md"))
    job = build_job(settings, resolve_repo(str(repo_dir)), issue, run_id=run_id,
                    extra={"label": label.lower()} if label else {})
    result = run_with_progress(job, label)
    report(result)
    if result.patch:
        console.print(result.patch, highlight=False, markup=False)
    raise typer.Exit(0 if result.gate.passed else 1)
