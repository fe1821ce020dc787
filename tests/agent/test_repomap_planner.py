"""RepoMapPlanner end to end on small repositories, its template, and `agent map` through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agent.config import PlannerConfig
from agent.planner import Plan
from agent.repomap_planner import RepoMapPlanner, summarise_notes
from prompts import render

SHOP = {
    "pyproject.toml": "[tool.pytest.ini_options]\n",
    "shop/__init__.py": "",
    "shop/pricing.py": "class Discount:\n    def apply(self, items):\n        return items\n\n"
                       "def apply_discount(items):\n    return Discount().apply(items)\n",
    "shop/cart.py": "from shop.pricing import apply_discount\n\n\ndef total(items):\n"
                    "    return apply_discount(items)\n",
    "tests/test_pricing.py": "from shop.pricing import apply_discount\n\n\ndef test_d():\n"
                             "    assert apply_discount([1]) == [1]\n",
}
ISSUE = "`apply_discount` returns the items unchanged; `Discount.apply` should take 10% off."


def planner(tmp_path: Path, **extra) -> RepoMapPlanner:
    return RepoMapPlanner(PlannerConfig(type="repomap", cache_dir=tmp_path / "cache", **extra))


def test_plan_has_files_reasons_symbols_tests_and_map(make_repo, tmp_path: Path) -> None:
    plan = planner(tmp_path).plan(ISSUE, make_repo(SHOP))
    assert plan.files[0].path == "shop/pricing.py"
    assert any("defines apply_discount" in r for r in plan.files[0].reasons)
    assert plan.symbols[0].startswith(("apply_discount (shop/pricing.py:", "Discount.apply (shop/pricing.py:"))
    assert plan.test_command == "python -m pytest -q"
    assert plan.test_files == ["tests/test_pricing.py"]
    assert plan.repo_map.startswith("shop/pricing.py:\n") and "def apply_discount(items)" in plan.repo_map
    assert any(n.startswith("indexed ") for n in plan.notes)


def test_plan_respects_max_files_and_budget(make_repo, tmp_path: Path) -> None:
    plan = planner(tmp_path, max_files=1, map_tokens=0).plan(ISSUE, make_repo(SHOP))
    assert len(plan.files) == 1 and plan.repo_map == ""


def test_bad_repository_still_yields_a_plan_with_notes(make_repo, tmp_path: Path) -> None:
    root = make_repo({"data.bin": "x", "app.min.js": "var a=1;" * 5000, "bad.py": "def (:\n"})
    (root / "blob.py").write_bytes(b"\0\0\0")
    os.symlink(root, root / "loop")
    plan = planner(tmp_path).plan("something is broken", root)
    assert isinstance(plan, Plan)
    assert any("minified" in n for n in plan.notes) and any("binary" in n for n in plan.notes)


def test_missing_directory_becomes_a_note(tmp_path: Path) -> None:
    plan = planner(tmp_path).plan("x", tmp_path / "nowhere")
    assert plan.files == [] and plan.notes and plan.notes[0].startswith("repo map unavailable")


def test_summarise_notes_groups_by_reason() -> None:
    notes = ["a.png: skipped: binary", "b.png: skipped: binary", "c.png: skipped: binary", "d.png: skipped: binary",
             "no source files found"]
    assert summarise_notes(notes) == ["no source files found", "4 files skipped: binary (a.png, b.png, c.png, ...)"]


def test_plan_renders_into_the_first_prompt(make_repo, tmp_path: Path) -> None:
    plan = planner(tmp_path).plan(ISSUE, make_repo(SHOP))
    text = render("instance.j2", issue=ISSUE, root="/repo", base_commit="0" * 40, plan=plan, failing="")
    first = next(line for line in text.splitlines() if line.startswith("1. "))
    assert first.startswith("1. shop/pricing.py (") and "defines apply_discount" in first
    assert "Tests run with: `python -m pytest -q`" in text
    assert "def apply_discount(items)" in text


def agent_map(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "agent", "map", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env)


def test_agent_map_json(make_repo, tmp_path: Path) -> None:
    root = make_repo(SHOP)
    (tmp_path / "issue.md").write_text(ISSUE)
    result = agent_map("--repo", str(root / "shop"), "--issue", f"@{tmp_path / 'issue.md'}", "--json",
                       "-c", f"planner.cache_dir={tmp_path / 'cache'}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["files"][0] == {"path": "shop/pricing.py", "score": data["files"][0]["score"],
                                "reasons": data["files"][0]["reasons"]}
    assert data["test_command"] == "python -m pytest -q" and data["symbols"]


def test_agent_map_for_people_and_bad_repo(make_repo, tmp_path: Path) -> None:
    root = make_repo(SHOP)
    result = agent_map("--repo", str(root), "--issue", ISSUE, "--files", "3",
                       "-c", f"planner.cache_dir={tmp_path / 'cache'}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "  1. shop/pricing.py" in result.stdout and "repo map" in result.stdout
    missing = agent_map("--repo", str(tmp_path / "nope"), "--issue", "x", cwd=tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_solve_with_the_repomap_planner_stores_the_plan_in_the_trajectory(calc_repo: Path, tmp_path: Path) -> None:
    script = Path(__file__).parent / "scripts" / "fix_calc.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "agent", "solve", "--repo", str(calc_repo), "--issue", "add() subtracts",
         "-c", "model.type=scripted", "-c", f"model.script={script}", "-w", "local", "--strategy", "loop",
         "-c", "planner.type=repomap", "-c", f"planner.cache_dir={tmp_path / 'cache'}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=180, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stdout + result.stderr
    trajectory = json.loads((next((tmp_path / "runs").iterdir()) / "trajectory.json").read_text())
    plan = trajectory["plan"]
    assert plan["files"][0]["path"] == "calc.py"
    assert plan["test_files"] == ["test_calc.py"]
    first_prompt = next(m["content"] for m in trajectory["messages"] if m["role"] == "user")
    assert "1. calc.py (defines add" in first_prompt
