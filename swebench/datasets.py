"""SWE-bench datasets (`--dataset`: bundled Lite copies, JSON/JSONL files, hub names); `narrow` picks instances."""

from __future__ import annotations

import json
import os
import random
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.records import parse_records, read_records

BUNDLED = {"lite": "lite_test.jsonl.gz", "lite-test": "lite_test.jsonl.gz", "lite-dev": "lite_dev.jsonl.gz"}
"""Short dataset names -> bundled files in swebench/data/."""
HUB_ALIASES = {
    ("princeton-nlp/swe-bench_lite", "test"): "lite", ("princeton-nlp/swe-bench_lite", "dev"): "lite-dev",
    ("swe-bench/swe-bench_lite", "test"): "lite", ("swe-bench/swe-bench_lite", "dev"): "lite-dev",
}
"""Hub names whose content is bundled (lower-cased name, split) -> bundled short name."""
HUB_NAMES = {"verified": ("princeton-nlp/SWE-bench_Verified", "test"), "full": ("princeton-nlp/SWE-bench", "test")}
"""Short dataset names read from the hub (and cached after the first read)."""
DATASETS_SERVER = "https://datasets-server.huggingface.co"
"""Base URL of the hub's datasets-server (override with REPO_AGENT_DATASETS_SERVER)."""
PAGE = 100
"""Rows per datasets-server request (its maximum)."""


@dataclass(frozen=True)
class Instance:
    """One SWE-bench task instance, with FAIL_TO_PASS / PASS_TO_PASS decoded into lists."""

    instance_id: str
    """`owner__name-number`."""
    repo: str
    """`owner/name` on GitHub."""
    base_commit: str
    """The commit the model's patch applies to."""
    version: str
    """The repository's release line; selects the environment spec."""
    patch: str = ""
    """The gold patch (the fix that was merged)."""
    test_patch: str = ""
    """The tests added or changed with the fix."""
    environment_setup_commit: str = ""
    """Commit whose dependency files define the environment of this version."""
    created_at: str = ""
    """When the pull request was opened (ISO 8601)."""
    problem_statement: str = ""
    """The issue text."""
    hints_text: str = ""
    """Comments on the issue before the fix."""
    fail_to_pass: list[str] = field(default_factory=list)
    """Tests that fail before the gold patch and pass after it."""
    pass_to_pass: list[str] = field(default_factory=list)
    """Tests that pass before and after the gold patch."""

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Instance:
        """An Instance from a hub-schema record (F2P/P2P as JSON strings or lists; version as str or number)."""
        missing = [key for key in ("instance_id", "repo", "base_commit", "version") if not record.get(key)]
        if missing:
            raise ValueError(f"record lacks {', '.join(missing)}")
        tests = {"fail_to_pass": _test_list(record.get("FAIL_TO_PASS")),
                 "pass_to_pass": _test_list(record.get("PASS_TO_PASS"))}
        text = {f.name: str(record.get(f.name) or "") for f in fields(cls) if f.name not in tests}
        text["environment_setup_commit"] = text["environment_setup_commit"] or text["base_commit"]
        return cls(**text, **tests)

    def to_record(self) -> dict[str, Any]:
        """The hub-schema record (F2P/P2P JSON-encoded, as the hub has them)."""
        record = asdict(self)
        record["FAIL_TO_PASS"] = json.dumps(record.pop("fail_to_pass"))
        record["PASS_TO_PASS"] = json.dumps(record.pop("pass_to_pass"))
        return record


def _test_list(value: Any) -> list[str]:
    """FAIL_TO_PASS / PASS_TO_PASS as a list, whether given as a JSON string or a list."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = json.loads(value)
    return [str(item) for item in value]


def load_dataset(name: str) -> list[Instance]:
    """The instances of dataset `name` (see the module docstring for what names mean)."""
    key = name.strip()
    if key.lower() in BUNDLED:
        return _read_records(f"bundled {key}", Path(str(resources.files("swebench") / "data" / BUNDLED[key.lower()])))
    if key.lower() in HUB_NAMES:
        return _read_hub(*HUB_NAMES[key.lower()])
    path = Path(key).expanduser()
    if path.exists():
        return _read_records(str(path), path)
    if key.endswith((".json", ".jsonl", ".gz")):
        raise UserError(f"Dataset file {key} does not exist; give an existing JSON/JSONL file, `lite` or `lite-dev`.")
    hub_name, _, split = key.partition(":")
    split = split or "test"
    alias = HUB_ALIASES.get((hub_name.lower(), split))
    if alias:
        return load_dataset(alias)
    if hub_name.count("/") != 1:
        raise UserError(f"Unknown dataset {name!r}: use `lite`, `lite-dev`, a JSON/JSONL file, or a hub name "
                        "like owner/name[:split].")
    return _read_hub(hub_name, split)


def select(instances: list[Instance], ids: list[str] | None) -> list[Instance]:
    """The instances named in `ids` (all when empty), in the order given; unknown ids are a UserError."""
    if not ids:
        return list(instances)
    by_id = {instance.instance_id: instance for instance in instances}
    unknown = [instance_id for instance_id in ids if instance_id not in by_id]
    if unknown:
        raise UserError(f"Not in the dataset: {', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}; "
                        "check the instance ids or the --dataset.")
    return [by_id[instance_id] for instance_id in dict.fromkeys(ids)]


def narrow(instances: list[Instance], repos: list[str] | None = None, slice_text: str | None = None,
           sample: int | None = None, seed: int = 0) -> tuple[list[Instance], list[str]]:
    """The instances of the given repositories (`owner/name` or `name`), then the Python-style slice (`10:20`), then
    a sample of that many drawn with `seed` (kept in dataset order); and a sentence per step that left any out."""
    said = []
    if repos:
        wanted = {r.lower() for r in repos}
        kept = [i for i in instances if i.repo.lower() in wanted or i.repo.split("/")[-1].lower() in wanted]
        said.append(f"{len(instances) - len(kept)} of another repository than {', '.join(repos)}")
        instances = kept
    if slice_text:
        try:
            parts = [int(p) if p.strip() else None for p in slice_text.split(":")]
            kept = instances[slice(*parts)] if len(parts) > 1 else instances[parts[0]:parts[0] + 1]
        except (ValueError, TypeError):
            raise UserError(f"--slice {slice_text!r} is not START:STOP (e.g. 0:50).") from None
        said.append(f"{len(instances) - len(kept)} outside --slice {slice_text}")
        instances = kept
    if sample is not None and sample < len(instances):
        chosen = set(random.Random(seed).sample(range(len(instances)), sample))
        said.append(f"{len(instances) - sample} not in the --sample of {sample} (seed {seed})")
        instances = [instance for n, instance in enumerate(instances) if n in chosen]
    return instances, said


def _read_records(source: str, path: Path | None = None, text: str = "") -> list[Instance]:
    """Instances from file `path` (JSON array or lines, .gz gzipped), else `text`; UserError naming `source` if bad."""
    try:
        records = read_records(path) if path is not None else parse_records(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{source} is not valid JSON/JSONL ({exc}); give a file in the Hugging Face schema.") from exc
    instances = []
    for number, record in enumerate(records, 1):
        try:
            instances.append(Instance.from_record(record))
        except (ValueError, TypeError, AttributeError) as exc:
            raise UserError(f"Record {number} of {source} is not a SWE-bench instance ({exc}).") from exc
    return instances


def _read_hub(name: str, split: str) -> list[Instance]:
    """All rows of a hub dataset split through the datasets-server API (cached on disk)."""
    import httpx

    from workspaces.images import cache_dir

    cache = cache_dir() / "datasets" / f"{name.replace('/', '__')}.{split}.jsonl"
    if cache.exists():
        return _read_records(str(cache), cache)
    server = os.environ.get("REPO_AGENT_DATASETS_SERVER", DATASETS_SERVER).rstrip("/")
    rows: list[dict[str, Any]] = []
    try:
        with httpx.Client(timeout=60) as client:
            while True:
                params = {"dataset": name, "config": "default", "split": split, "offset": len(rows), "length": PAGE}
                response = client.get(f"{server}/rows", params=params)
                response.raise_for_status()
                payload = response.json()
                rows += [item["row"] for item in payload.get("rows", [])]
                if not payload.get("rows") or len(rows) >= payload.get("num_rows_total", 0):
                    break
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise UserError(f"Could not read {name}:{split} from the Hugging Face hub ({exc}); download it as JSONL and "
                        "pass the file to --dataset.") from exc
    instances = _read_records(f"{name}:{split}", text="\n".join(json.dumps(row) for row in rows))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("\n".join(json.dumps(instance.to_record()) for instance in instances) + "\n")
    return instances
