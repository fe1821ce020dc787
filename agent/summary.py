"""The run folder's human-facing files: `patch.diff` and a short `summary.md`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import unidiff

from agent.gate import GateResult
from agent.trajectory import TrajectoryData, filter_output


def write_outputs(run_dir: Path, data: TrajectoryData, gate: GateResult, sections: Sequence[str] = ()) -> None:
    """Write `patch.diff` and `summary.md` next to the trajectory; non-empty `sections` (Markdown) end the summary."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "patch.diff").write_text(filter_output(data.patch), encoding="utf-8")
    summary = "\n".join([render_summary(data, gate), *filter(None, sections)])
    (run_dir / "summary.md").write_text(filter_output(summary), encoding="utf-8")


def render_summary(data: TrajectoryData, gate: GateResult) -> str:
    """A short Markdown account of the run."""
    label = data.extra.get("label")
    lines = [f"# repo-agent run {data.run_id}" + (f" ({label})" if label else ""), ""]
    lines.append(f"- repository: {data.repo.get('url') or data.repo.get('path')} @ {data.repo.get('commit', '')[:12]}")
    lines.append(f"- model: {data.model}")
    lines.append(f"- exit: {data.exit_status or 'running'}" + (f": {data.exit_message}" if data.exit_message else ""))
    lines.append(f"- steps: {len(data.steps)}, cost: ${data.cost:.4f}, duration: {data.duration:.1f} s")
    try:
        files = unidiff.PatchSet(data.patch)
    except unidiff.UnidiffParseError:
        files = unidiff.PatchSet("")
    if files:
        lines.append(f"- patch: {len(files)} file(s), +{files.added} -{files.removed}")
        lines.extend(f"  - {f.path} (+{f.added} -{f.removed})" for f in files)
    else:
        lines.append("- patch: no change")
    lines.append(f"- patch gate: {gate.status}")
    for check in gate.checks:
        first = check.detail.strip().splitlines()[0] if check.detail.strip() else ""
        lines.append(f"  - {'pass' if check.passed else 'FAIL'} {check.name}: {first}")
    return "\n".join(lines) + "\n"
