"""Study 6: cold start. How well do the scores carry over to genes never seen in
a role during training: held-out regulators, held-out targets, or both?

Every split is cut from the same labelled pairs (the data set's edges and one
draw of uniform negatives at 1:1); a random (warm) split of them is the
reference row. The degree baseline is the point of comparison: a held-out
regulator has out-degree 0 in training, so the baseline can only rank its
pairs by the target's in-degree.
"""
import pandas as pd

from ..models import MODELS, model_class
from ._runner import bar_figure, default_seeds, run_variants
from .output import StudyResult, markdown_summary, summarize

HOLD_OUTS = ("regulators", "targets", "both")
WARM = "random (warm)"


def split_tasks(dataset, hold_outs=HOLD_OUTS, fraction=0.2, random_state=0):
    """``{split label: PairTask}``: the warm reference and one cold-start task per
    ``hold_outs`` kind; a cold task's ``notes["held_out"]`` lists its held-out genes."""
    tasks = {WARM: dataset.task(dataset.split("random", random_state=random_state))}
    for hold_out in hold_outs:
        split = dataset.split("cold_start", hold_out=hold_out, fraction=fraction, random_state=random_state)
        task = dataset.task(split)
        task.notes.update({"hold_out": hold_out, "held_out": list(split.held_out)})
        tasks[f"cold {hold_out}"] = task
    return tasks


def run(dataset, *, models=tuple(MODELS), hold_outs=HOLD_OUTS, seeds=3, params=None, progress=True,
        random_state=0, fraction=0.2):
    """Train each of ``models`` (registered names) over ``seeds`` seeds on the
    warm split and on each cold-start split (``fraction`` of the genes in the
    held-out role), each with the baselines beside it."""
    models = [models] if isinstance(models, str) else list(models)
    params = dict(params or {})
    tasks = split_tasks(dataset, hold_outs, fraction, random_state)

    def factory(cls):
        return lambda seed: cls(node_features=dataset.node_features, **{**params, "random_state": seed})

    variants = {name: factory(model_class(name)) for name in models}
    parts = []
    for label, task in tasks.items():
        runs = run_variants(task, variants, default_seeds(seeds), progress)
        runs.insert(0, "split", label)
        parts.append(runs)
    runs = pd.concat(parts, ignore_index=True)
    by = ["split", "variant"]
    summary = summarize(runs, by)
    splits = {}
    for label, task in tasks.items():
        held = task.notes.get("held_out")
        splits[label] = {**task.notes["split"], "held_out": len(held) if held is not None else 0}
    lines = []
    for label, info in splits.items():
        held = f"{info['held_out']} genes held out; " if label != WARM else ""
        lines.append(f"- {label}: {held}train {info['train']['pairs']:,} pairs, test {info['test']['pairs']:,} "
                     f"pairs (prevalence {info['test']['prevalence']:.3f})")
    markdown = (f"The {', '.join(models)} on a random (warm) split and on cold-start splits holding out {fraction:.0%} of the "
                f"genes in a role (test pairs have a held-out regulator, a held-out target, or both; no training "
                f"pair uses a held-out gene in the held-out role, and with both, in any role). Mean ± sd [95% CI] over {seeds} seeds.\n\n"
                + "\n".join(lines) + "\n\n" + markdown_summary(summary, by))
    figure = bar_figure(summary, by, f"Cold start ({dataset.name})")
    notes = {"models": models, "fraction": fraction, "seeds": seeds, "splits": splits,
             "held_out": {label: task.notes["held_out"] for label, task in tasks.items() if "held_out" in task.notes}}
    return StudyResult("cold-start", dataset.name, runs, summary, markdown, {"metrics": figure} if figure else {},
                       notes)
