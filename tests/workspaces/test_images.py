"""Derived images: content-hash tags, the build cache, build logs and failures, the CA bundle during builds."""

from __future__ import annotations

import uuid

import pytest

from core.errors import UserError
from tests.workspaces.docker_support import (
    base_image,  # noqa: F401 - fixture
    docker_client,  # noqa: F401 - fixture
    requires_docker,
)
from workspaces import gc
from workspaces.base_image import base_image_name, image_changes
from workspaces.images import (
    CA_IN_CONTAINER,
    ImageRecipe,
    build_image,
    build_script,
    ensure_image,
    failed_step,
    host_ca_bundle,
)


def recipe(**overrides) -> ImageRecipe:
    """A recipe with everything that goes into its hash set."""
    fields = {"base": "repo-agent/base:bookworm", "steps": ["pip install -e ."], "env": {"A": "1"},
              "files": {"/etc/x.conf": b"x=1\n"}, "workdir": "/workspace/repo", "key_extra": "commit abc"}
    fields.update(overrides)
    return ImageRecipe(**fields)


def test_the_cache_tag_is_stable_for_identical_inputs():
    assert recipe().key("sha256:base") == recipe().key("sha256:base")
    assert recipe(archives={"/": lambda: b"one"}).key("b") == recipe(archives={"/": lambda: b"two"}).key("b")


@pytest.mark.parametrize("change", [
    {"steps": ["pip install -e .[test]"]}, {"env": {"A": "2"}}, {"files": {"/etc/x.conf": b"x=2\n"}},
    {"workdir": "/testbed"}, {"key_extra": "commit def"}, {"archives": {"/src": lambda: b""}},
])
def test_the_cache_tag_changes_with_any_input(change):
    assert recipe(**change).key("sha256:base") != recipe().key("sha256:base")


def test_the_cache_tag_changes_with_the_base_image_id():
    assert recipe().key("sha256:one") != recipe().key("sha256:two")


def test_build_script_points_tools_at_the_ca_bundle_and_announces_steps():
    script = build_script(["echo one", "echo two"], with_ca=True)
    for var in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        assert f"{var}={CA_IN_CONTAINER}" in script
    assert script.index("### step 1: echo one") < script.index("### step 2: echo two")
    assert script.index("### step 1 done at ${SECONDS}s") < script.index("### step 2: echo two")
    assert "PIP_CERT" not in build_script(["true"], with_ca=False)


def test_base_image_names_and_import_settings():
    assert base_image_name("bullseye") == "repo-agent/base:bullseye"
    changes = image_changes("bookworm")
    assert f"LABEL {gc.LABEL}=1 {gc.KIND}=base repo-agent.suite=bookworm" in changes
    assert "ENV LANG=C.UTF-8" in changes


class TestWithDocker:
    """Builds against the real engine (skipped like every Docker test)."""

    pytestmark = requires_docker

    def test_identical_recipes_build_once_and_are_labelled(self, docker_client, base_image, tmp_path):  # noqa: F811
        marker = uuid.uuid4().hex
        made = recipe(base=base_image, steps=[f"echo {marker} > /built.txt"], files={"/etc/marker": b"m\n"},
                      workdir="/", key_extra=marker, network="none")
        first = build_image(docker_client, made, log_dir=tmp_path)
        try:
            assert not first.cached
            assert f"### step 1: echo {marker}" in first.log_path.read_text()
            second = build_image(docker_client, made, log_dir=tmp_path)
            assert second.cached and second.name == first.name
            image = docker_client.images.get(first.name)
            assert image.labels[gc.KIND] == "env" and first.name.endswith(image.labels[gc.CACHE_KEY][:16])
            out = docker_client.containers.run(first.name, ["bash", "-c", "cat /built.txt /etc/marker; echo $A"],
                                               remove=True, network_mode="none")
            assert out.decode().split() == [marker, "m", "1"]
        finally:
            docker_client.images.remove(first.name, force=True)

    def test_a_failing_step_raises_with_its_log_and_leaves_no_container(self, docker_client, base_image,  # noqa
                                                                        tmp_path):
        run_id = f"failing-{uuid.uuid4().hex[:8]}"
        made = recipe(base=base_image, steps=["echo about to fail", "exit 3"], files={}, workdir="/",
                      key_extra=run_id, network="none")
        with pytest.raises(UserError, match="exit 3") as caught:
            build_image(docker_client, made, log_dir=tmp_path, run_id=run_id)
        assert "about to fail" in caught.value.log_path.read_text()
        assert docker_client.containers.list(all=True, filters={"label": f"{gc.RUN_ID}={run_id}"}) == []

    def test_steps_see_the_host_ca_bundle_and_the_image_keeps_none(self, docker_client, base_image):  # noqa: F811
        if host_ca_bundle() is None:
            pytest.skip("this machine has no CA bundle")
        made = recipe(base=base_image, steps=['cmp "$PIP_CERT" "$REQUESTS_CA_BUNDLE"', 'test -s "$SSL_CERT_FILE"',
                                              'grep -q "BEGIN CERTIFICATE" "$PIP_CERT"'],
                      files={}, workdir="/", key_extra=uuid.uuid4().hex, network="none")
        built = build_image(docker_client, made)
        try:
            env = docker_client.images.get(built.name).attrs["Config"]["Env"]
            assert not any(item.startswith("PIP_CERT=") for item in env)
            out = docker_client.containers.run(built.name, ["bash", "-c", f"test -e {CA_IN_CONTAINER} || echo gone"],
                                               remove=True, network_mode="none")
            assert out.decode().strip() == "gone"
        finally:
            docker_client.images.remove(built.name, force=True)

    def test_a_missing_base_image_names_build_base(self, docker_client):  # noqa: F811
        with pytest.raises(UserError, match="agent images build-base --suite trixie-test"):
            ensure_image(docker_client, "repo-agent/base:trixie-test")


def test_a_failed_step_is_read_from_the_build_log(tmp_path):
    log = tmp_path / "build.log"
    log.write_text("### step 1: echo one\none\n### step 1 done at 0s\n### step 2: " + "x" * 80 + "\nboom\n")
    assert failed_step(log) == f"step 2 ({'x' * 60}…)"
    log.write_text("container started\n")
    assert failed_step(log) == "the start"
