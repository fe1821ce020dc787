"""`solve_samples`: N rollouts of one issue, reproduction tests, and one patch chosen with its reasons.

The run folder `runs/<id>/` holds `rollouts/<k>/` (each rollout's trajectory, patch and summary),
`reproduction/` (the reproduction pass, when it ran), `selection.json`, and the chosen rollout's
`patch.diff` with a `summary.md` that ends with the candidate table.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from agent.config import AgentConfig
from agent.gate import GateCheck, GateResult
from agent.issue import IssueText
from agent.repo import RepoSource
from agent.runner import SolveResult, new_run_id
from agent.samples import report
from agent.samples.budget import SharedBudget
from agent.samples.judge import Judge, JudgeReport, related_test_files
from agent.samples.normalize import patch_key
from agent.samples.patches import BaseTree, base_tree, split_patch
from agent.samples.reproduction import collect
from agent.samples.rollouts import EventSink, Rollout, RolloutRunner, WorkspaceFactory, default_workspace, rollout_specs
from agent.samples.selection import Candidate, Selection, assign_groups, drop_failed, select
from agent.summary import write_outputs
from agent.trajectory import TrajectoryData, filter_output, load_trajectory

log = logging.getLogger(__name__)


@dataclass
class SampleJob:
    """Everything a sampled solve needs; `config.samples` says how many rollouts and how to choose."""

    config: AgentConfig
    """The validated configuration."""
    repo: RepoSource
    """The repository (on this machine) and base commit."""
    issue: IssueText
    """The task."""
    run_id: str = field(default_factory=new_run_id)
    """The run's id and folder name under `config.runs_dir`."""
    cli_model: str | None = None
    """`--model`, when given."""
    budget: SharedBudget | None = None
    """A larger budget the solve's own budget sits in (e.g. a batch's global budget)."""
    workspace: WorkspaceFactory | None = None
    """Makes the rollouts' and the judge's workspaces; default: as the config says."""
    on_event: EventSink | None = None
    """Progress of the rollouts."""
    extra: dict = field(default_factory=dict)
    """Recorded in every rollout's trajectory."""


@dataclass
class SamplesResult:
    """What a sampled solve produced."""

    run_dir: Path
    """The run folder."""
    rollouts: list[Rollout]
    """The rollouts, in sample order."""
    reproduction: Rollout | None
    """The reproduction pass, when it ran."""
    selection: Selection
    """Every candidate with its scores, the ranking and the reason of the choice."""
    judged: JudgeReport | None
    """How tests and lint were run (None when they were not)."""
    budget: SharedBudget
    """The solve's budget, with what was charged to it."""
    notes: list[str] = field(default_factory=list)
    """What went differently than planned (a judge that failed, ...)."""

    @property
    def chosen(self) -> Candidate | None:
        """The chosen candidate."""
        return self.selection.chosen

    @property
    def patch(self) -> str:
        """The chosen rollout's whole diff ("" when none was chosen)."""
        return self.chosen.patch if self.chosen else ""

    @property
    def source_patch(self) -> str:
        """The chosen fix without test files (what a SWE-bench prediction holds)."""
        return self.chosen.split.source if self.chosen else ""

    @property
    def model_patches(self) -> list[str]:
        """Every rollout's fix without test files, in rollout order (what each would predict, for pass@k)."""
        return [split_patch(r.patch).source for r in self.rollouts]

    @property
    def cost(self) -> float:
        """Dollars all rollouts and the reproduction pass spent."""
        return sum(r.cost for r in self.rollouts) + (self.reproduction.cost if self.reproduction else 0.0)

    def solve_result(self) -> SolveResult:
        """The outcome as one SolveResult (the chosen rollout's, in the run folder), for `agent solve` reporting."""
        chosen = self.chosen
        rollout = self.rollouts[chosen.index] if chosen else None
        if rollout is not None and rollout.result is not None:
            base = rollout.result
            return SolveResult(self.run_dir, base.exit_status, base.patch, base.gate, self.cost,
                               sum(r.result.steps for r in self.rollouts if r.result), base.message)
        return SolveResult(self.run_dir, "NoCandidate", "", no_candidate_gate(self.selection), self.cost, 0,
                           self.selection.reason)


def solve_samples(job: SampleJob) -> SamplesResult:
    """Run the rollouts, pool and validate reproduction tests, judge the candidates, choose, write the run folder."""
    config = job.config
    run_dir = config.runs_dir / job.run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    budget = SharedBudget(solve_budget(config), parent=job.budget)
    runner = RolloutRunner(job.repo, job.issue, budget, job.workspace or default_workspace(job.repo, job.run_id),
                           job.cli_model, job.on_event, dict(job.extra))
    finished = runner.run(rollout_specs(config, run_dir), config.samples.workers)
    rollouts = [r for r in finished if r.spec.index is not None]
    reproduction = next((r for r in finished if r.spec.index is None), None)
    candidates = [candidate_of(r) for r in rollouts]
    drop_failed(candidates)
    notes: list[str] = []
    with base_tree(job.repo.path, job.repo.commit) as tree:
        key_candidates(candidates, tree)
        judged = judge_candidates(job, tree, candidates, rollouts, reproduction, notes)
    assign_groups(candidates)
    selection = select(candidates, config.samples.select)
    result = SamplesResult(run_dir, rollouts, reproduction, selection, judged, budget, notes)
    write_run_folder(result, job)
    return result


def solve_budget(config: AgentConfig) -> float | None:
    """The dollars one sampled solve may spend: `samples.budget`, else `limits.cost` per rollout (None: no limit)."""
    if config.samples.budget is not None:
        return config.samples.budget or None
    return config.limits.cost * config.samples.count if config.limits.cost else None


def candidate_of(rollout: Rollout) -> Candidate:
    """A rollout as a selection candidate."""
    result = rollout.result
    gate = result.gate.status if result else "no change"
    candidate = Candidate(rollout.spec.index or 0, rollout.patch, split_patch(rollout.patch), rollout.exit_status,
                          rollout.cost, gate)
    if rollout.error:
        candidate.dropped = f"failed: {rollout.error}"
    return candidate


def key_candidates(candidates: list[Candidate], tree: BaseTree) -> None:
    """Give each eligible candidate its normalised key (from the files as the fix leaves them)."""
    for candidate in candidates:
        if not candidate.eligible:
            continue
        paths = candidate.split.source_files
        after = tree.after(candidate.split.source, paths)
        if after is None:
            candidate.dropped = "the fix alone does not apply to the base commit"
            continue
        candidate.key = patch_key({path: (tree.text(path), after[path]) for path in paths})


def judge_candidates(job: SampleJob, tree: BaseTree, candidates: list[Candidate], rollouts: list[Rollout],
                     reproduction: Rollout | None, notes: list[str]) -> JudgeReport | None:
    """Run tests and lint on the eligible candidates, when the mode uses tests and there is a choice to make."""
    config = job.config
    eligible = [c for c in candidates if c.eligible]
    if "tests" not in config.samples.select:
        return None
    if len(eligible) < 2:
        notes.append("Tests were not run: there was no choice to make.")
        return None
    pool = collect(reproduction_sources(config, rollouts, reproduction), tree)
    touched = {path for c in eligible for path in c.split.source_files}
    factory = job.workspace or default_workspace(job.repo, job.run_id)
    try:
        related = related_test_files(tree, config, {p for p in touched if tree.exists(p)})
        with factory(config, "judge") as ws:
            judge = Judge(ws, config, related)
            judged = judge.prepare(pool, touched)
            kept = [t for t in pool if t.kept]
            for group in groups_of(eligible):  # equivalent fixes behave alike: judge one, copy to the rest
                judge.judge(group[0], kept)
                for twin in group[1:]:
                    copy_verdict(group[0], twin)
    except Exception as exc:  # a judge that cannot run leaves agreement and size to decide
        log.warning("judging the candidates failed", exc_info=True)
        notes.append(f"Tests could not be run ({type(exc).__name__}: {exc}); agreement and size decided.")
        for candidate in eligible:
            candidate.judged, candidate.repro_passed, candidate.regressions, candidate.lint_new = False, [], [], []
        return None
    return judged


def groups_of(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Candidates grouped by normalised key, in rollout order."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.key, []).append(candidate)
    return list(groups.values())


def copy_verdict(source: Candidate, target: Candidate) -> None:
    """Give `target` the judged results of the equivalent `source`."""
    target.dropped, target.judged, target.repro_total = source.dropped, source.judged, source.repro_total
    target.repro_passed, target.regressions, target.lint_new = (list(source.repro_passed), list(source.regressions),
                                                                list(source.lint_new))


def reproduction_sources(config: AgentConfig, rollouts: list[Rollout], reproduction: Rollout | None
                         ) -> list[tuple[str, str]]:
    """(origin, patch) pairs whose test files join the reproduction pool."""
    mode = config.samples.reproduction
    sources = []
    if mode in ("both", "rollouts"):
        sources += [(r.spec.label, r.patch) for r in rollouts if r.patch]
    if mode in ("both", "pass") and reproduction is not None and reproduction.patch:
        sources.append((reproduction.spec.label, reproduction.patch))
    return sources


def no_candidate_gate(selection: Selection) -> GateResult:
    """The verdict when nothing was chosen: "no change" if no rollout changed anything, else failed."""
    if all(c.gate == "no change" for c in selection.candidates):
        return GateResult(status="no change")
    return GateResult(status="failed", checks=[GateCheck(name="selection", passed=False, detail=selection.reason)])


def write_run_folder(result: SamplesResult, job: SampleJob) -> None:
    """patch.diff and summary.md of the chosen rollout (with the candidate table), and selection.json."""
    section = report.markdown(result.selection, result.judged, result.notes)
    solved = result.solve_result()
    data = summary_data(result, job)
    write_outputs(result.run_dir, data, solved.gate, [section])
    payload = report.as_json(result.selection, result.judged, result.notes)
    payload["cost"] = result.cost
    payload["budget"] = {"limit": result.budget.limit, "spent": result.budget.spent}
    (result.run_dir / "selection.json").write_text(filter_output(json.dumps(payload, indent=1)), encoding="utf-8")


def summary_data(result: SamplesResult, job: SampleJob) -> TrajectoryData:
    """What the top of summary.md shows: the chosen rollout's run, under the run's id, with the total cost."""
    chosen = result.chosen
    count = len(result.rollouts)
    if chosen is not None and result.rollouts[chosen.index].result is not None:
        data = load_trajectory(result.rollouts[chosen.index].result.run_dir / "trajectory.json")
        label = f"rollout {chosen.index} of {count}, chosen"
    else:
        data = TrajectoryData(run_id=job.run_id, issue=job.issue.text, exit_status="NoCandidate",
                              exit_message=result.selection.reason,
                              repo={"path": str(job.repo.path), "url": job.repo.url, "commit": job.repo.commit})
        label = f"{count} rollouts, none chosen"
    return data.model_copy(update={"run_id": job.run_id, "cost": result.cost, "extra": {**data.extra, "label": label}})
