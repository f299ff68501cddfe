"""The path the command line takes: models by name with a preset, trained on a
PairTask with a progress bar, evaluated beside the baselines, the report table,
and a BEELINE benchmark's published splits end to end."""
import time

import numpy as np
import pandas as pd
from . import models
from .data import degree_controlled_split, load_beeline, load_published_split, sample_negatives
from .data.beeline import DEMO
from .errors import GRNInputError
from .evaluation.protocol import baselines, evaluate_on_test
from .progress import Progress

# Named configurations: the estimators' defaults (chosen on validation pairs of the
# BEELINE benchmarks, docs/results.md) and the published configuration.
PRESETS = {"default": {}, "published": models.PUBLISHED_PARAMS}


def with_tf_list(params, dataset):
    """``params`` whose random negatives draw their regulators from the data set's
    TF list (``negative_regulators=dataset.regulators``) unless they choose:
    genome-wide scoring, and the random test pairs of a split, meet every TF, a
    third of them on Non-Specific splits without a training edge (docs/evaluation.md).
    Chosen on validation pairs (bench/negative_regulators_selection.py)."""
    return {"negative_regulators": list(dataset.regulators), **(params or {})}


def make_model(name, node_features, params=None, random_state=0, preset="default"):
    """A model by its registered name (:data:`grnfast.models.MODEL_NAMES`) in a
    ``preset`` (a key of :data:`PRESETS`), which ``params`` override."""
    if preset not in PRESETS:
        raise GRNInputError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    return models.make_model(name, node_features, random_state=random_state, **{**PRESETS[preset], **(params or {})})


def stop_reason(model):
    """Why a fitted model's training ended, from its public fitted attributes:
    "early stopping at epoch N, best at M" or "max_iter N reached" (with the best
    epoch when there was a validation set); "" for a model without ``n_iter_``."""
    n_iter = getattr(model, "n_iter_", None)
    if n_iter is None:
        return ""
    scores = getattr(model, "validation_scores_", None)
    best = f"best at {int(np.argmax(scores)) + 1}" if scores is not None and len(scores) else ""
    max_iter = model.get_params().get("max_iter")
    if max_iter is not None and n_iter < max_iter:
        return f"early stopping at epoch {n_iter}" + (f", {best}" if best else "")
    return f"max_iter {n_iter} reached" + (f", {best}" if best else "")


def train(task, name, model, progress=True):
    """Fit on the task's training pairs (early stopping on its validation pairs)
    with an epoch progress bar (a closing line off a terminal) that ends saying
    why training stopped; returns (fitted model, seconds)."""
    bar = Progress(getattr(model, "max_iter", None), name, "epoch", enabled=progress)

    def tick(report):
        bar.update(1)
        score = report["validation_score"]
        bar.set_postfix(loss=f"{report['loss']:.4f}", **({"val_auroc": f"{score:.4f}"} if score is not None else {}))

    start = time.perf_counter()
    with bar:
        fitted = task.fit(model, callbacks=[tick])
        bar.close(stop_reason(fitted) or f"{bar.count} epochs")
    return fitted, time.perf_counter() - start


class TimesDegree:
    """A fitted model's edge probability times the degree baseline's.

    The model reads expression and embeddings; the degree baseline knows which
    genes are hubs among the training edges. Trained against each regulator's own
    non-targets (GENELink's protocol), a model cannot learn how many targets a
    regulator has, while test pairs drawn at random reward exactly that; the
    product keeps both kinds of evidence. A fixed rule, nothing is fitted on test
    or validation pairs.
    """

    def __init__(self, model, degree):
        self.model, self.degree = model, degree

    def predict_proba(self, X):
        p = self.model.predict_proba(X)[:, 1] * self.degree.predict_proba(X)[:, 1]
        return np.column_stack([1 - p, p])


def report_table(task, fitted_models, fitted_baselines=None, times_degree=True):
    """One row per scorer: the baselines first (fitted here unless given), then the
    models, then (with ``times_degree``) each model times the degree baseline
    (:class:`TimesDegree`), with test metrics, the test prevalence and the
    training time (the baselines': fitting and scoring)."""
    rows = []
    start = time.perf_counter()
    fitted_baselines = fitted_baselines or baselines(task)
    for name, scorer in fitted_baselines.items():
        rows.append({"model": name, **evaluate_on_test(task, scorer), "seconds": time.perf_counter() - start})
        start = time.perf_counter()
    for name, (model, seconds) in fitted_models.items():
        rows.append({"model": name, **evaluate_on_test(task, model), "seconds": seconds})
    if times_degree:
        for name, (model, seconds) in fitted_models.items():
            combined = TimesDegree(model, fitted_baselines["degree baseline"])
            rows.append({"model": f"{name} x degree", **evaluate_on_test(task, combined), "seconds": seconds})
    return pd.DataFrame(rows)


def format_report(table):
    """A short plain-text report of the table."""
    width = max(22, *(len(name) for name in table.model))  # the longest name ("late-interaction x degree")
    lines = [f"{'model':<{width}}{'AUROC':>8}{'AUPRC':>8}{'EPR':>7}{'F1*':>7}{'time':>9}"]
    for row in table.itertuples():
        lines.append(f"{row.model:<{width}}{row.auroc:>8.3f}{row.auprc:>8.3f}{row.epr:>7.2f}{row.f1_best:>7.3f}"
                     f"{row.seconds:>8.1f}s")
    lines.append(f"test: {int(table.n_pairs.iloc[0])} pairs, prevalence {table.prevalence.iloc[0]:.3f}; "
                 "F1* at the best validation threshold")
    return "\n".join(lines)


# How a benchmark's published split is used: as published (GENELink's protocol:
# test negatives random pairs, where degree is a strong shortcut), or with every
# part's negatives degree-matched to its positives (the degree baseline near 0.5).
PROTOCOLS = ("published", "degree-controlled")


def benchmark_task(root, dataset, network, cell, n_genes, sample, protocol="published"):
    """One split sample of a BEELINE benchmark as a PairTask under a protocol."""
    if protocol not in PROTOCOLS:
        raise GRNInputError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
    split = load_published_split(root, network, cell, n_genes, sample)
    if protocol == "degree-controlled":
        split = degree_controlled_split(split, dataset.edges, dataset.regulators, dataset.genes, random_state=sample)
    return dataset.task(split, name=f"{network} {cell} {n_genes} sample {sample} ({protocol})")


def evaluate_benchmark(root, network, cell, n_genes, samples=(1, 2, 3, 4, 5), models=("two-tower", "cross-encoder"),
                       ensemble_samples=None, params=None, preset="default", seed=0, progress=True, on_sample=None,
                       protocol="published"):
    """Models and baselines on the split samples of one benchmark under a protocol.

    Every sample's models are trained on its Train set, early-stopped on its
    Validation set and scored on its Test set. The ensemble (5 cross-encoder
    seeds) is trained on every sample when it is among ``models``, otherwise on
    the ``ensemble_samples`` only.
    Returns one row per sample and scorer; ``on_sample(table)`` is called after
    each sample.
    """
    ds = load_beeline(root, "Specific" if network == DEMO else network, cell, n_genes)
    params = with_tf_list(params, ds)
    samples = [1] if network == DEMO else list(samples)
    tables = []
    for sample in samples:
        task = benchmark_task(root, ds, network, cell, n_genes, sample, protocol)
        names = list(models) + (["ensemble"] if sample in (ensemble_samples or ()) and "ensemble" not in models else [])
        fitted = {name: train(task, name, make_model(name, ds.node_features, params, seed, preset), progress)
                  for name in names}
        table = report_table(task, fitted).assign(benchmark=f"{network} {cell} {n_genes}", sample=sample,
                                                  protocol=protocol)
        if on_sample:
            on_sample(table)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def selection_pairs(task, ratio=10, random_state=0, regulators=None):
    """A task's validation pairs plus ``ratio`` random pairs per validation edge,
    drawn as a model is used (a regulator of a known edge, or of ``regulators``
    such as the data set's TF list, x any gene, never a training or validation
    edge): what defaults are chosen on, never test pairs."""
    genes = task.node_features.index
    train_pos = task.X_train[task.y_train == 1]
    val_pos = task.X_val[task.y_val == 1]
    known = pd.concat([train_pos, val_pos], ignore_index=True)
    candidates = pd.unique(np.array([*known["regulator"], *(regulators if regulators is not None else ())],
                                    dtype=object))
    negatives = sample_negatives(known, candidates, genes, ratio * len(val_pos) / len(known), "uniform",
                                 random_state)
    X = pd.concat([task.X_val, negatives], ignore_index=True)
    return X, np.concatenate([task.y_val, np.zeros(len(negatives), dtype=task.y_val.dtype)])
