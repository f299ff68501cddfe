"""Study 5: class imbalance. Train with 1, 5, 10 and 50 uniform negatives per
positive and test every model on a balanced and on a realistic test set.

The positives are split once (those of ``dataset.split("random")``), so every
ratio is trained and tested on the same edges and scored on the same two test
sets:

- **balanced**: that split's test pairs, one negative per positive;
- **realistic**: the same test positives with uniform non-edges over regulator x
  gene at ``(1 - density) / density`` per positive, so the test prevalence is
  the network's density. Its negatives contain the balanced ones (on any
  network sparser than one half).

Training and validation negatives are drawn per ratio and seed from the pairs
that are neither a known edge nor a test negative; the validation set used for
early stopping has the training ratio.
"""
import time

import numpy as np
import pandas as pd

from ..data import PairTask, labelled_pairs, sample_negatives
from ..evaluation.protocol import baselines, evaluate_on_test
from ..models import MODELS, model_class
from ..progress import Progress
from ._runner import bar_figure, default_seeds
from .output import StudyResult, markdown_summary, summarize

RATIOS = (1, 5, 10, 50)
# The realistic test set holds at most this many negatives (scoring cost), and
# at most half of the non-edges left after the balanced test set (so training
# can still draw negatives); when capped its prevalence is above the density.
MAX_REALISTIC_NEGATIVES = 200_000


def _pairs_and_labels(frame):
    return frame[["regulator", "target"]].reset_index(drop=True), frame["label"].to_numpy()


def evaluation_sets(dataset, random_state=0):
    """The fixed parts of the study: training, validation and test positives
    (from ``dataset.split("random")``) and the balanced and realistic test sets.

    Returns a dict with frames ``train_positives``, ``validation_positives``,
    ``balanced``, ``realistic`` (columns regulator, target, label) and the notes
    on the realistic set (density, requested and drawn negatives, whether capped).
    """
    split = dataset.split("random", ratio=1.0, method="uniform", random_state=random_state)
    positives = {part: getattr(split, part).query("label == 1")[["regulator", "target"]].reset_index(drop=True)
                 for part in ("train", "validation", "test")}
    balanced = split.test.reset_index(drop=True)
    balanced_negatives = balanced.query("label == 0")[["regulator", "target"]]
    density = dataset.summary()["density"]
    n_test = len(positives["test"])
    wanted = int(round(n_test * (1 - density) / density))
    n_self = int(pd.Index(dataset.regulators).isin(dataset.genes).sum())
    non_edges = len(dataset.regulators) * len(dataset.genes) - len(dataset.edges) - n_self - len(balanced_negatives)
    cap = min(MAX_REALISTIC_NEGATIVES, len(balanced_negatives) + max(non_edges, 0) // 2)
    n_negatives = max(min(wanted, cap), 1)
    extra = n_negatives - len(balanced_negatives)
    if extra > 0:
        more = sample_negatives(positives["test"], dataset.regulators, dataset.genes, extra / n_test, "uniform",
                                random_state, exclude=pd.concat([dataset.edges[["regulator", "target"]],
                                                                  balanced_negatives]))
        negatives = pd.concat([balanced_negatives, more], ignore_index=True)
    else:  # a network denser than one half: fewer negatives than positives
        negatives = balanced_negatives.iloc[:n_negatives]
    realistic = labelled_pairs(positives["test"], negatives)
    prevalence = float(realistic["label"].mean())
    notes = {"density": density, "negatives_wanted": wanted, "negatives": int(n_negatives),
             "capped": bool(n_negatives < wanted), "prevalence": prevalence}
    if notes["capped"]:
        notes["cap"] = (f"the realistic test set would need {wanted:,} negatives; capped at {n_negatives:,} "
                        f"(at most {MAX_REALISTIC_NEGATIVES:,} and half the remaining non-edges), so its "
                        f"prevalence is {prevalence:.4f}, above the density {density:.4f}")
    return {"train_positives": positives["train"], "validation_positives": positives["validation"],
            "balanced": balanced, "realistic": realistic, "realistic_notes": notes}


def _training_pairs(dataset, fixed, ratio, seed):
    """Training and validation pairs at ``ratio`` negatives per positive, never a
    known edge or a test negative; validation negatives differ from training ones."""
    used = pd.concat([dataset.edges[["regulator", "target"]],
                      fixed["realistic"].query("label == 0")[["regulator", "target"]]], ignore_index=True)
    train_neg = sample_negatives(fixed["train_positives"], dataset.regulators, dataset.genes, ratio, "uniform",
                                 seed, exclude=used)
    val_neg = sample_negatives(fixed["validation_positives"], dataset.regulators, dataset.genes, ratio, "uniform",
                               seed + 1, exclude=pd.concat([used, train_neg], ignore_index=True))
    return labelled_pairs(fixed["train_positives"], train_neg), labelled_pairs(fixed["validation_positives"], val_neg)


def run(dataset, *, models=tuple(MODELS), ratios=RATIOS, seeds=3, params=None, progress=True, random_state=0):
    """Train each of ``models`` (registered names) at each ratio of uniform
    negatives per positive over ``seeds`` seeds (each seed draws its own negatives
    and initialises the models) and evaluate on the balanced and the realistic
    test set, with the baselines fitted on the same training pairs.

    The estimators' own random negatives are off (``random_negative_ratio=0``
    unless ``params`` says otherwise), so a model trains at exactly the ratio
    of its row. A ratio the data set cannot supply (too few non-edges) is skipped
    with a note; if none can, ``ValueError``.
    """
    models = [models] if isinstance(models, str) else list(models)
    classes = {name: model_class(name) for name in models}
    params = {"random_negative_ratio": 0.0, **(params or {})}
    fixed = evaluation_sets(dataset, random_state)
    tests = {name: _pairs_and_labels(fixed[name]) for name in ("balanced", "realistic")}
    X_test, y_test = tests["balanced"]

    rows, skipped = [], {}
    jobs = [(ratio, seed) for ratio in ratios for seed in default_seeds(seeds)]
    with Progress(len(jobs), f"imbalance {dataset.name}", "fit", enabled=progress) as bar:
        for ratio, seed in bar.iterate(jobs):
            if ratio in skipped:
                continue
            draw_seed = int(np.random.SeedSequence([random_state, seed]).generate_state(1)[0] % (2**31 - 2))
            try:
                train, val = _training_pairs(dataset, fixed, ratio, draw_seed)
            except ValueError as exc:  # sample_negatives refuses: too few non-edges for this ratio
                skipped[ratio] = str(exc)
                continue
            task = PairTask(f"{dataset.name} (1:{ratio})", dataset.node_features, *_pairs_and_labels(train),
                            *_pairs_and_labels(val), X_test, y_test)
            fitted = {name: (est, 0.0, 0) for name, est in baselines(task).items()}
            for name, cls in classes.items():
                start = time.perf_counter()
                estimator = task.fit(cls(node_features=dataset.node_features, **{**params, "random_state": seed}))
                fitted[name] = (estimator, time.perf_counter() - start, estimator.n_parameters_)
            for name, (est, seconds, n_parameters) in fitted.items():
                for test_name, (X, y) in tests.items():
                    rows.append({"ratio": ratio, "test_set": test_name, "variant": name, "seed": seed,
                                 **evaluate_on_test(task, est, X, y), "seconds": seconds, "n_parameters": n_parameters,
                                 "train_pairs": len(train), "train_prevalence": float(train["label"].mean())})
    if not rows:
        raise ValueError(f"no ratio in {tuple(ratios)} is possible for {dataset.name}: "
                         + "; ".join(f"1:{r}: {msg}" for r, msg in skipped.items()))
    runs = pd.DataFrame(rows)
    by = ["ratio", "test_set", "variant"]
    summary = summarize(runs, by)
    real = fixed["realistic_notes"]
    notes = {"models": models, "ratios": [r for r in ratios if r not in skipped], "seeds": seeds,
             "test_sets": {"balanced": {"pairs": len(tests["balanced"][1]),
                                        "prevalence": float(np.mean(tests["balanced"][1]))},
                           "realistic": {"pairs": len(tests["realistic"][1]), **real}},
             "skipped": {str(r): msg for r, msg in skipped.items()}}
    text = (f"The {', '.join(models)} trained with r uniform negatives per positive (training and early-stopping "
            f"validation at 1:r; each seed draws its own negatives; the estimators' own random negatives off). Test sets, the same for every ratio: balanced "
            f"({len(tests['balanced'][1]):,} pairs, prevalence {notes['test_sets']['balanced']['prevalence']:.3f}) "
            f"and realistic ({len(tests['realistic'][1]):,} pairs, prevalence {real['prevalence']:.4f}; network "
            f"density {real['density']:.4f}). Mean ± sd [95% CI] over {seeds} seeds.")
    if real["capped"]:
        text += f" Note: {real['cap']}."
    if skipped:
        text += " Skipped: " + "; ".join(f"1:{r} ({msg})" for r, msg in skipped.items()) + "."
    markdown = text + "\n\n" + markdown_summary(summary, by)
    figures = {}
    for test_name in tests:
        part = summary[summary["test_set"] == test_name]
        fig = bar_figure(part, ["ratio", "variant"], f"Training ratio 1:r, {test_name} test set ({dataset.name})")
        if fig is not None:
            figures[test_name] = fig
    return StudyResult("imbalance", dataset.name, runs, summary, markdown, figures, notes)
