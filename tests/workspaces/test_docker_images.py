"""DockerWorkspace on derived images: setup baked in and cached, repositories already in the image, no python3."""

from __future__ import annotations

import pytest

from tests.workspaces.docker_support import (
    base_image,  # noqa: F401 - fixture
    check_file_contract,
    docker_client,  # noqa: F401 - fixture
    git_repo,
    plain_config,
    requires_docker,
)
from workspaces.docker import DockerWorkspace
from workspaces.environment import repo_archive, resolve_commit
from workspaces.images import ImageBuildError, ImageRecipe, build_image

pytestmark = requires_docker


@pytest.fixture
def made_images(docker_client):  # noqa: F811 - fixture
    """Names of images a test made for one commit only; removed afterwards so they do not pile up."""
    names: list[str] = []
    yield names
    for name in names:
        docker_client.images.remove(name, force=True)


@pytest.fixture
def source(tmp_path):
    """A small repository."""
    return git_repo(tmp_path / "proj", {"app.py": "print('app')\n", "data/table.csv": "a,b\n"})


def test_setup_is_baked_into_a_cached_image_and_its_output_stays_out_of_the_diff(source, base_image,  # noqa: F811
                                                                                  made_images):
    config = plain_config(setup=["echo baked > /workspace/marker", "mkdir -p build && touch build/out.o generated.txt"])
    with DockerWorkspace(config, source, "HEAD", log_dir=source.parent / "logs") as first:
        assert first.prepared.built is not None and not first.prepared.built.cached
        assert "### step 1" in first.prepared.built.log_path.read_text()
        assert first.exec("cat /workspace/marker; stat -c %U /workspace/repo/app.py", timeout=30).output.split() == \
            ["baked", "agent"]
        assert first.diff() == ""
        first.write_file("app.py", "print('changed')\n")
        first.reset()
        assert first.exec("ls build generated.txt", timeout=30).exit_code == 0
        image = first.prepared.image
        made_images.append(image)
    with DockerWorkspace(config, source, "HEAD") as second:
        assert second.prepared.built.cached
        assert second.prepared.image == image
        assert second.read_file("app.py") == "print('app')\n"


def test_a_repository_already_in_the_image_is_used_where_it_is(source, docker_client, base_image,  # noqa: F811
                                                               made_images):
    commit = resolve_commit(source, "HEAD")
    recipe = ImageRecipe(base=base_image, steps=["git -C /testbed status --short"], key_extra=f"testbed {commit}",
                         archives={"/": lambda: repo_archive(source, commit, "testbed")}, network="none")
    image = build_image(docker_client, recipe).name
    made_images.append(image)
    with DockerWorkspace(plain_config(image=image), None, root="/testbed") as ws:
        assert ws.base_commit == commit
        assert ws.exec("whoami; pwd", timeout=30).output.split() == ["root", "/testbed"]
        ws.write_file("app.py", "print('fixed')\n")
        assert "+print('fixed')" in ws.diff()
        ws.reset()
        assert ws.diff() == ""


def test_images_without_python_fall_back_to_docker_exec_and_the_archive_api(source, docker_client, base_image,  # noqa
                                                                            made_images):
    recipe = ImageRecipe(base=base_image, steps=["rm -f /usr/bin/python3 /usr/bin/python3.*"], network="none")
    image = build_image(docker_client, recipe).name
    made_images.append(image)
    with DockerWorkspace(plain_config(image=image), source, "HEAD") as ws:
        assert ws.server is None
        result = ws.exec("whoami; echo err >&2; exit 4", timeout=30)
        assert (result.exit_code, result.output) == (4, "agent\nerr\n")
        slow = ws.exec("sleep 100.5 & sleep 101.5", timeout=1)
        assert slow.timed_out and slow.exit_code == -1
        assert ws.exec("ps -eo args | grep -c '^sleep 10[01].5' || true", timeout=30).output.strip() == "0"
        assert ws.read_file("data/table.csv") == "a,b\n"
        check_file_contract(ws, "nope.txt", "data", "data/new/rows.py")
        assert "+x = 'é'" in ws.diff()


def test_a_failed_build_names_its_step_and_log(base_image, docker_client, tmp_path):  # noqa: F811 - fixtures
    recipe = ImageRecipe(base=base_image, steps=["echo fine", "echo broken >&2 && false", "echo never"],
                         network="none", key_extra=str(tmp_path))
    with pytest.raises(ImageBuildError, match=r"failed at step 2 \(echo broken >&2 && false\) \(exit 1\)") as caught:
        build_image(docker_client, recipe, tmp_path)
    assert "broken" in caught.value.log_path.read_text() and "never" not in caught.value.log_path.read_text()
