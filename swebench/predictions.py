"""Reading a predictions file robustly (JSON lines, JSON array, or object by instance id): each item a prediction or
a rejection with a reason; empty and non-diff patches are kept, a file with nothing usable is refused."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UserError
from swebench.datasets import Instance
from swebench.eval_script import patch_files
from tools.repomap.filekinds import is_test_path

_HUNK = re.compile(r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@", re.M)


@dataclass
class Prediction:
    """One accepted prediction."""

    instance_id: str
    model_patch: str
    model_name_or_path: str = ""
    line: int = 0
    """Line (JSONL) or item (JSON) number in the file, from 1."""
    notes: list[str] = field(default_factory=list)
    """Remarks that do not stop evaluation (e.g. the patch touches test files)."""

    @property
    def is_empty(self) -> bool:
        """True when there is no patch to apply."""
        return not self.model_patch.strip()

    @property
    def malformed(self) -> str:
        """Why the patch cannot be a unified diff ("" when it can)."""
        if self.is_empty:
            return ""
        if not patch_files(self.model_patch) or not _HUNK.search(self.model_patch):
            return "the patch is not a unified diff (no file headers or no hunks)"
        return ""


@dataclass
class Rejection:
    """A line of the file that is not a usable prediction."""

    line: int
    reason: str
    instance_id: str = ""


@dataclass
class PredictionSet:
    """Everything read from a predictions file."""

    predictions: dict[str, Prediction] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def model_name(self) -> str:
        """The most common model_name_or_path ("" when none is given)."""
        names = [p.model_name_or_path for p in self.predictions.values() if p.model_name_or_path]
        return max(set(names), key=names.count) if names else ""


def _items(text: str) -> list[tuple[int, Any]]:
    """(number, parsed object or the JSONDecodeError) for each item of a JSON / JSONL text."""
    stripped = text.strip()
    if stripped.startswith(("[", "{")) and not stripped.startswith("{\"instance_id\""):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, list):
            return list(enumerate(data, 1))
        if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
            return [(n, {"instance_id": k, **v}) for n, (k, v) in enumerate(data.items(), 1)]
        if isinstance(data, dict):
            return [(1, data)]  # one prediction, or an object of another schema (rejected with the reason)
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                items.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                items.append((number, exc))
    return items


def _check(number: int, item: Any, dataset: dict[str, Instance]) -> Prediction | Rejection:
    """A Prediction, or a Rejection saying what is wrong with the item."""
    if isinstance(item, json.JSONDecodeError):
        return Rejection(number, f"not valid JSON ({item.msg} at column {item.colno})")
    if not isinstance(item, dict):
        return Rejection(number, f"not a JSON object but {type(item).__name__}")
    instance_id = item.get("instance_id")
    if not isinstance(instance_id, str) or not instance_id:
        keys = ", ".join(list(item)[:4]) or "none"
        return Rejection(number, f"no instance_id (keys: {keys}; a prediction has instance_id and model_patch)")
    if instance_id not in dataset:
        return Rejection(number, "unknown instance id (not in the dataset)", instance_id)
    patch = item.get("model_patch")
    if patch is None:
        patch = ""
    if not isinstance(patch, str):
        return Rejection(number, f"model_patch is {type(patch).__name__}, not a string", instance_id)
    prediction = Prediction(instance_id, patch, str(item.get("model_name_or_path") or ""), number)
    tests = set(patch_files(dataset[instance_id].test_patch))
    touched = [path for path in patch_files(patch) if path in tests or is_test_path(path)]
    if touched:
        prediction.notes.append(f"touches test files {', '.join(touched[:3])}; the instance's own test files are "
                                "restored before its tests run")
    return prediction


def read_predictions(path: Path, dataset: list[Instance]) -> PredictionSet:
    """Read and check a predictions file against the dataset (a UserError only when the file cannot be read)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UserError(f"Cannot read the predictions file {path} ({exc.strerror}); give a JSONL file.") from exc
    by_id = {instance.instance_id: instance for instance in dataset}
    result = PredictionSet()
    for number, item in _items(text):
        checked = _check(number, item, by_id)
        if isinstance(checked, Rejection):
            result.rejections.append(checked)
            continue
        earlier = result.predictions.get(checked.instance_id)
        if earlier is not None:
            result.rejections.append(Rejection(earlier.line, f"duplicate: replaced by line {number}",
                                               checked.instance_id))
        result.predictions[checked.instance_id] = checked
    return result


def require_predictions(found: PredictionSet, path: Path) -> None:
    """A UserError naming the first bad line when `found` (read from `path`) holds no usable prediction."""
    if found.predictions:
        return
    if not found.rejections:
        raise UserError(f"The predictions file {path} holds no predictions; give one JSON object per line with "
                        "instance_id and model_patch.")
    first = min(found.rejections, key=lambda rejection: rejection.line)
    where = f"line {first.line}" + (f" ({first.instance_id})" if first.instance_id else "")
    raise UserError(f"No usable prediction in {path}, {len(found.rejections)} line(s) rejected; the first, "
                    f"{where}: {first.reason}.")
