"""The report table: every scorer's test metrics, the baselines first, then the
models, then each model times the degree baseline."""
import time

import numpy as np
import pandas as pd

from ..evaluation.protocol import baselines, evaluate_on_test


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
