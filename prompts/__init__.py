"""Prompt templates (jinja2, `*.j2`) and the one helper that renders them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATE_DIR = Path(__file__).parent


@cache
def environment() -> jinja2.Environment:
    """The jinja2 environment: templates from this folder, undefined variables are errors."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(name: str, **variables: Any) -> str:
    """Render template `name` (e.g. `system.j2`) with `variables`; a missing variable raises."""
    return environment().get_template(name).render(**variables).strip() + "\n"


def template_names() -> list[str]:
    """Every template shipped in this folder."""
    return sorted(p.name for p in TEMPLATE_DIR.glob("*.j2"))
