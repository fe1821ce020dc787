"""`agent images build-base|list` and `agent gc`: the Docker images and containers repo-agent makes."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from core.errors import UserError

console = Console()
images_app = typer.Typer(help="Docker images for workspaces (Debian base images, cached environments).",
                         no_args_is_help=True)
SUITES = ("bookworm", "bullseye")
"""Debian suites `build-base` knows (bookworm has Python 3.11, bullseye 3.9)."""


@images_app.command("build-base")
def build_base_command(
    suite: str = typer.Option("bookworm", "--suite", help="Debian suite: bookworm (Python 3.11) or bullseye (3.9)."),
    mirror: str = typer.Option("http://deb.debian.org/debian", "--mirror", help="Debian mirror for debootstrap."),
    force: bool = typer.Option(False, "--force", help="Rebuild even when the image exists."),
    log_dir: Path | None = typer.Option(None, "--log-dir", help="Where the debootstrap log goes."),
) -> None:
    """Build repo-agent/base:SUITE with debootstrap (as root, from a Debian mirror; no container registry)."""
    from workspaces.base_image import build_base
    from workspaces.images import connect

    if suite not in SUITES:
        raise UserError(f"Unknown suite {suite!r}: choose one of {', '.join(SUITES)}.")
    if not force:
        console.print(f"Building repo-agent/base:{suite} unless it exists (a build takes a few minutes)...")
    result = build_base(connect(), suite, mirror=mirror, force=force, log_dir=log_dir)
    if result.cached:
        console.print(f"{result.name} exists already (use --force to rebuild).")
    else:
        console.print(f"Built {result.name} in {result.seconds:.0f} s (log: {result.log_path}).")


@images_app.command("list")
def list_command() -> None:
    """Show repo-agent's images and containers."""
    from workspaces import gc
    from workspaces.images import connect

    client = connect()
    rows = [("KIND", "NAME", "ID", "STATUS", "RUN", "RUN ALIVE")]
    for item in gc.list_images(client) + gc.list_containers(client):
        alive = "" if item.kind in ("base", "env") else {True: "yes", False: "no", None: "other host"}[item.alive]
        rows.append((item.kind, item.name, item.id.removeprefix("sha256:")[:12], item.status, item.run_id, alive))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def gc_command(
    everything: bool = typer.Option(False, "--all", help="Remove every repo-agent container, even of live runs."),
    images: bool = typer.Option(False, "--images", help="Also remove derived (environment) images."),
    base: bool = typer.Option(False, "--base", help="Also remove the base images (rebuilding takes minutes)."),
) -> None:
    """Remove what crashed runs left: containers whose run is gone (and, on request, images)."""
    from workspaces import gc
    from workspaces.images import connect

    removed = gc.collect(connect(), everything=everything, images=images, base=base)
    for item in removed:
        console.print(f"removed {item.kind} {item.name} ({item.id})")
    console.print(f"{len(removed)} removed.")


def register(app: typer.Typer) -> None:
    """Add `images` (build-base, list) and `gc` to the app."""
    app.add_typer(images_app, name="images")
    app.command("gc")(gc_command)
