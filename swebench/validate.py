"""Validate instances (gold must resolve, empty must not), verdicts cached per instance and spec unless forced."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from core.pool import run_pool
from swebench.datasets import Instance
from swebench.evaluate import ERROR, UNSUPPORTED, EvalSettings, evaluate_instance, write_json
from swebench.grading import PARTIAL, RESOLVED, UNRESOLVED
from swebench.images import ImageBuilder
from swebench.specs import Unsupported

CACHE_VERSION = 1
"""Bumped when evaluation changes in a way that invalidates cached validations."""


@dataclass
class Validation:
    """Whether an instance is valid here, with the two verdicts."""

    instance_id: str
    valid: bool
    gold: str
    """Verdict with the gold patch."""
    empty: str
    """Verdict with no patch."""
    seconds: float
    """Time both evaluations took."""
    reason: str = ""
    """Why it is not valid."""
    cached: bool = False
    """True when the answer came from the cache."""

    def public(self) -> dict[str, object]:
        """The `--json` record: instance_id, valid, gold, empty, seconds."""
        return {"instance_id": self.instance_id, "valid": self.valid, "gold": self.gold, "empty": self.empty,
                "seconds": round(self.seconds, 1)}


def cache_key(instance: Instance, builder: ImageBuilder) -> str:
    """Hash of what a validation depends on: the instance record, its spec and where its images come from."""
    try:
        spec = repr(builder.specs.spec_for(instance, any_python=builder.source != "build"))
    except Unsupported as exc:
        spec = f"unsupported: {exc}"
    source = [] if builder.source == "build" else [builder.source, builder.official.naming.image(instance.instance_id)]
    payload = json.dumps([CACHE_VERSION, instance.to_record(), spec, *source], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def cached_validation(instance: Instance, builder: ImageBuilder, folder: Path) -> Validation | None:
    """The verdict in folder/validation.json if made for this instance and spec with no infrastructure failure."""
    record_path = folder / "validation.json"
    if not record_path.exists():
        return None
    record = json.loads(record_path.read_text())
    if record.pop("key", None) != cache_key(instance, builder) or ERROR in (record.get("gold"), record.get("empty")):
        return None
    return Validation(**{**record, "cached": True})


def validate_instance(instance: Instance, builder: ImageBuilder, folder: Path, settings: EvalSettings,
                      force: bool = False) -> Validation:
    """Gold and empty evaluations of `instance` under `folder` (cached in folder/validation.json)."""
    kept = None if force else cached_validation(instance, builder, folder)
    if kept is not None:
        return kept
    key = cache_key(instance, builder)
    record_path = folder / "validation.json"
    started = time.monotonic()
    gold = evaluate_instance(instance, instance.patch, folder / "gold", builder, settings)
    if gold.status == UNSUPPORTED:
        empty_status, empty_reason = UNSUPPORTED, ""
    else:
        empty = evaluate_instance(instance, "", folder / "empty", builder, settings, run_empty=True)
        empty_status, empty_reason = empty.status, empty.reason
    valid = gold.status == RESOLVED and empty_status in (UNRESOLVED, PARTIAL)
    reason = ""
    if not valid:
        reason = (f"gold: {gold.status} ({gold.reason})" if gold.status != RESOLVED
                  else f"empty patch: {empty_status} ({empty_reason})")
    result = Validation(instance.instance_id, valid, gold.status, empty_status, time.monotonic() - started, reason)
    write_json(record_path, {**asdict(result), "key": key})
    return result


def validate(instances: list[Instance], builder: ImageBuilder, out_dir: Path, settings: EvalSettings, *,
             workers: int = 1, force: bool = False,
             on_result: Callable[[Validation], None] | None = None) -> list[Validation]:
    """Validate every instance (`workers` in parallel, kept verdicts first), in the order of `instances`."""
    return run_pool(instances, lambda i: validate_instance(i, builder, out_dir / i.instance_id, settings, True),
                    workers=workers, name="validate",
                    done=lambda i: None if force else cached_validation(i, builder, out_dir / i.instance_id),
                    on_result=(lambda _instance, result: on_result(result)) if on_result else None)
