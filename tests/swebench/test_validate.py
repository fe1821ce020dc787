"""validate without containers: unsupported instances, the cache key, the --json record."""

from __future__ import annotations

import json
from dataclasses import replace

import yaml

from swebench.evaluate import EvalSettings
from swebench.images import ImageBuilder
from swebench.mirrors import Mirrors
from swebench.specs import SpecTable
from swebench.validate import Validation, cache_key, validate, validate_instance

from .conftest import SPEC_YAML, calc_instance


def builder(tmp_path) -> ImageBuilder:
    return ImageBuilder(None, Mirrors(tmp_path, cache=tmp_path / "cache"), SpecTable(yaml.safe_load(SPEC_YAML)))


def test_an_unsupported_instance_is_not_valid_and_needs_no_docker(tmp_path):
    instance = replace(calc_instance("0" * 40), version="2.0")
    seen = []
    (result,) = validate([instance], builder(tmp_path), tmp_path / "out", EvalSettings(), on_result=seen.append)
    assert (result.valid, result.gold, result.empty) == (False, "unsupported", "unsupported")
    assert "unsupported" in result.reason and seen == [result]
    assert set(result.public()) == {"instance_id", "valid", "gold", "empty", "seconds"}
    assert json.loads(json.dumps(result.public()))["valid"] is False


def test_the_cache_key_follows_the_instance_and_its_spec(tmp_path):
    instance = calc_instance("0" * 40)
    first = cache_key(instance, builder(tmp_path))
    assert cache_key(instance, builder(tmp_path)) == first
    assert cache_key(replace(instance, fail_to_pass=["other"]), builder(tmp_path)) != first
    other_spec = ImageBuilder(None, Mirrors(tmp_path, cache=tmp_path / "c"),
                              SpecTable(yaml.safe_load(SPEC_YAML.replace("python -m unittest -v", "pytest"))))
    assert cache_key(instance, other_spec) != first


def test_a_cached_validation_is_reused_until_forced(tmp_path):
    instance = replace(calc_instance("0" * 40), version="2.0")
    folder = tmp_path / "out" / instance.instance_id
    first = validate_instance(instance, builder(tmp_path), folder, EvalSettings())
    again = validate_instance(instance, builder(tmp_path), folder, EvalSettings())
    assert again.cached and again.public() == first.public()
    forced = validate_instance(instance, builder(tmp_path), folder, EvalSettings(), force=True)
    assert not forced.cached
    record = json.loads((folder / "validation.json").read_text())
    assert record["key"] == cache_key(instance, builder(tmp_path))
    assert Validation(**{k: v for k, v in record.items() if k != "key"}).instance_id == instance.instance_id


def test_infrastructure_errors_are_not_reused_from_the_cache(tmp_path):
    instance = replace(calc_instance("0" * 40), version="2.0")
    folder = tmp_path / "out" / instance.instance_id
    folder.mkdir(parents=True)
    stale = {"instance_id": instance.instance_id, "valid": False, "gold": "error", "empty": "error", "seconds": 1.0,
             "reason": "gold: error (image build failed)", "cached": False,
             "key": cache_key(instance, builder(tmp_path))}
    (folder / "validation.json").write_text(json.dumps(stale))
    result = validate_instance(instance, builder(tmp_path), folder, EvalSettings())
    assert not result.cached and result.gold == "unsupported"
