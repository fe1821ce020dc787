"""Evaluate one prediction on one instance in its container, offline; infra failures are `error`, `infra: true`."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.atomic import write_atomically
from core.errors import WorkspaceError
from swebench.datasets import Instance
from swebench.eval_script import PATCH_PATH, eval_script
from swebench.grading import RESOLVED, UNRESOLVED, grade_log
from swebench.images import REPO_DIR, ImageBuilder
from swebench.log_parsers import get_parser
from swebench.mirrors import MirrorError
from swebench.official import ACTIVATE
from swebench.specs import EnvSpec, SpecTable, Unsupported
from workspaces.images import ImageBuildError
from workspaces.settings import DockerWorkspaceConfig

ERROR, EMPTY, UNSUPPORTED = "error", "empty_patch", "unsupported"
SCRIPT_PATH = "/tmp/repo-agent/eval.sh"
OUTPUT_LIMIT = 20_000_000
"""Characters of test output kept (head and tail)."""
MODEL_PROBLEMS = ("the model patch did not apply", "re-installing the project after the patch failed",
                  "the test command exited")
"""Log problems that are the patch's fault (unresolved), not the infrastructure's (error)."""


@dataclass
class EvalSettings:
    """How instances are run."""

    timeout: float = 1800.0
    """Seconds the whole eval.sh may take."""
    memory: str = "8g"
    """Memory limit of the eval container."""
    cpus: float = 2.0
    """CPU limit of the eval container."""
    run_id: str = "eval"
    """Labels containers and names the run."""
    model_name: str = ""
    """model_name_or_path of the predictions."""


@dataclass
class EvalResult:
    """The verdict on one instance, and where the time went."""

    instance_id: str
    status: str
    """resolved | partial | unresolved | error | empty_patch | unsupported."""
    reason: str = ""
    """Why it is not resolved (one line), or what went wrong."""
    infra: bool = False
    """True when the failure is the infrastructure's, not the model's."""
    patch_applied: bool = False
    apply_method: str | None = None
    test_exit_code: int | None = None
    seconds: float = 0.0
    """Wall time for this instance."""
    image_seconds: float = 0.0
    """Time spent building or finding images."""
    test_seconds: float = 0.0
    """Time eval.sh ran in the container."""
    images: dict[str, str] = field(default_factory=dict)
    tests_status: dict[str, Any] = field(default_factory=dict)

    def to_report(self, model_name: str = "") -> dict[str, Any]:
        """report.json: the official per-instance shape, our details under `repo_agent`."""
        details = asdict(self)
        details.pop("tests_status")
        details["model_name_or_path"] = model_name
        return {self.instance_id: {
            "patch_is_None": False, "patch_exists": self.status != EMPTY,
            "patch_successfully_applied": self.patch_applied, "resolved": self.status == RESOLVED,
            "tests_status": self.tests_status, "repo_agent": details}}

    @classmethod
    def from_report(cls, data: dict[str, Any]) -> EvalResult:
        """Read back a report.json written by `to_report`."""
        (instance_id, body), = data.items()
        details = dict(body.get("repo_agent") or {})
        details.pop("model_name_or_path", None)
        details.setdefault("instance_id", instance_id)
        details.setdefault("status", RESOLVED if body.get("resolved") else UNRESOLVED)
        return cls(**details, tests_status=body.get("tests_status") or {})


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (a crash leaves the old file or the new one, never half of one)."""
    write_atomically(path, json.dumps(data, indent=2) + "\n")


class RunLog:
    """run.log of an instance: timestamped lines, appended as things happen."""

    def __init__(self, path: Path):
        self.path = path
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        """Append one line."""
        with self.path.open("a") as handle:
            handle.write(f"[{time.monotonic() - self.started:7.1f}s] {message}\n")


def grade_output(instance: Instance, spec: EnvSpec, text: str, result: EvalResult) -> EvalResult:
    """Fill `result` from eval.sh's output."""
    reading, verdict = grade_log(text, get_parser(spec.log_parser), instance.fail_to_pass, instance.pass_to_pass)
    result.apply_method, result.test_exit_code = reading.apply_method, reading.exit_code
    result.patch_applied = reading.patch_applied
    result.tests_status = verdict.tests_status
    if reading.problem:
        model_fault = reading.problem.startswith(MODEL_PROBLEMS)
        result.status, result.infra = (UNRESOLVED, False) if model_fault else (ERROR, True)
        result.reason = reading.problem
        return result
    result.status = verdict.status
    failing = verdict.tests_status["FAIL_TO_PASS"]["failure"] + verdict.tests_status["PASS_TO_PASS"]["failure"]
    result.reason = "" if verdict.resolved else f"{len(failing)} required test(s) fail: {', '.join(failing[:3])}"
    return result


def evaluate_instance(instance: Instance, patch: str, folder: Path, builder: ImageBuilder,
                      settings: EvalSettings, *, run_empty: bool = False) -> EvalResult:
    """Evaluate `patch` on `instance`, writing the instance folder; see the module docstring."""
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("run.log", "test_output.txt", "report.json"):
        (folder / name).unlink(missing_ok=True)
    (folder / "patch.diff").write_text(patch)
    log = RunLog(folder / "run.log")
    log(f"instance {instance.instance_id}, patch of {len(patch)} characters")
    result = EvalResult(instance.instance_id, UNRESOLVED)
    if not patch.strip() and not run_empty:
        result.status, result.reason = EMPTY, "the prediction's patch is empty"
    else:
        _run(instance, patch, folder, builder, settings, log, result)
    result.seconds = time.monotonic() - started
    log(f"verdict: {result.status}{' (infrastructure)' if result.infra else ''} {result.reason}".rstrip())
    write_json(folder / "report.json", result.to_report(settings.model_name))
    return result


def _run(instance: Instance, patch: str, folder: Path, builder: ImageBuilder, settings: EvalSettings,
         log: RunLog, result: EvalResult) -> None:
    """Images, eval.sh in the container, grading; failures recorded on `result`."""
    try:
        images = builder.images(instance)
    except Unsupported as exc:
        result.status, result.reason = UNSUPPORTED, str(exc)
        return
    except (MirrorError, ImageBuildError) as exc:
        kind = "repository unavailable" if isinstance(exc, MirrorError) else "image build failed"
        result.status, result.infra, result.reason = ERROR, True, f"{kind}: {exc}"
        log(result.reason)
        return
    result.image_seconds = images.seconds
    result.images = {"env": images.env.name if images.env else "", "instance": images.instance.name,
                     "source": "official" if images.official else "build"}
    if images.note:
        log(images.note)
    for what, built in (("environment", images.env), ("instance", images.instance)):
        if built is not None:
            log(f"{what} image {built.name} ({'cached' if built.cached else 'made'}, {built.seconds:.1f}s"
                + (f", log {built.log_path})" if built.log_path else ")"))
    spec = images.spec
    script = eval_script(instance, spec, patch, activate=ACTIVATE if images.official else ())
    (folder / "eval.sh").write_text(script)
    try:
        output, seconds, timed_out = run_in_container(images.instance.name, script, patch, settings, builder.client)
    except WorkspaceError as exc:
        result.status, result.infra, result.reason = ERROR, True, f"container died: {exc}"
        log(result.reason)
        return
    result.test_seconds = seconds
    (folder / "test_output.txt").write_text(output)
    log(f"eval.sh ran {seconds:.1f}s{' and timed out' if timed_out else ''}")
    if timed_out:
        result.status, result.infra, result.reason = ERROR, True, f"timed out after {settings.timeout:.0f}s"
        return
    grade_output(instance, spec, output, result)


def run_in_container(image: str, script: str, patch: str, settings: EvalSettings,
                     client: Any) -> tuple[str, float, bool]:
    """Run eval.sh as root in a fresh container of `image` with no network: (output, seconds, timed out)."""
    from workspaces.docker import DockerWorkspace

    config = DockerWorkspaceConfig(image=image, network="none", user="root", memory=settings.memory,
                                   cpus=settings.cpus, pids=4096)
    with DockerWorkspace(config, None, run_id=settings.run_id, root=REPO_DIR, client=client) as workspace:
        workspace.write_file(PATCH_PATH, patch)
        workspace.write_file(SCRIPT_PATH, script)
        result = workspace.exec(f"bash {SCRIPT_PATH}", timeout=settings.timeout, limit=OUTPUT_LIMIT)
    return result.output, result.duration, result.timed_out


def regrade_instance(instance: Instance, specs: SpecTable, folder: Path, model_name: str = "") -> EvalResult | None:
    """Grade again from the stored test_output.txt (no Docker); None when there is no stored output."""
    output_path, report_path = folder / "test_output.txt", folder / "report.json"
    if not output_path.exists() or not report_path.exists():
        return None
    previous = EvalResult.from_report(json.loads(report_path.read_text()))
    result = EvalResult(instance.instance_id, UNRESOLVED, seconds=previous.seconds, images=previous.images,
                        image_seconds=previous.image_seconds, test_seconds=previous.test_seconds)
    official = previous.images.get("source") == "official"
    grade_output(instance, specs.spec_for(instance, any_python=official), output_path.read_text(), result)
    write_json(report_path, result.to_report(model_name))
    return result
