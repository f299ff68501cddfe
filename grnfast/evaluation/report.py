"""Metrics across runs: one tidy table, summarised over seeds (or split samples).

A run is one model trained with one seed on one split; :func:`evaluate` gives its
metrics. :func:`runs_table` stacks runs into a DataFrame with one row per run;
:func:`summarize_runs` reduces it to mean, standard deviation and coefficient of
variation per model (and any other grouping column).
"""
import numpy as np
import pandas as pd

from .metrics import evaluate


def seed_summary(values):
    """Mean, sample standard deviation (ddof=1) and coefficient of variation.

    Parameters
    ----------
    values : array-like of shape (n_runs,)
        One metric value per seed.

    Returns
    -------
    dict
        ``mean``, ``sd``, ``cv`` (``sd / |mean|``) and ``n``. With one run ``sd``
        and ``cv`` are NaN; with a zero mean ``cv`` is NaN.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("no values to summarise")
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if values.size > 1 else float("nan")
    cv = sd / abs(mean) if mean != 0 and values.size > 1 else float("nan")
    return {"mean": mean, "sd": sd, "cv": cv, "n": int(values.size)}


def runs_table(runs):
    """One row per run, from ``(labels, y_true, y_score)`` or ``(labels, metrics)``.

    Parameters
    ----------
    runs : iterable of tuple
        Each item is ``(labels, y_true, y_score)`` or ``(labels, metrics_dict)``
        where ``labels`` is a dict naming the run, for example
        ``{"model": "degree", "seed": 0}``, and ``metrics_dict`` comes from
        :func:`evaluate`.

    Returns
    -------
    DataFrame
        Label columns first, then one column per metric.
    """
    rows = []
    for run in runs:
        if len(run) == 3:
            labels, y_true, y_score = run
            metrics = evaluate(y_true, y_score)
        elif len(run) == 2:
            labels, metrics = run
        else:
            raise ValueError("each run must be (labels, y_true, y_score) or (labels, metrics)")
        rows.append({**labels, **metrics})
    if not rows:
        raise ValueError("no runs given")
    return pd.DataFrame(rows)


def summarize_runs(table, by=("model",), metrics=("auroc", "auprc", "epr")):
    """Mean, sd (ddof=1), coefficient of variation and count per group and metric.

    Parameters
    ----------
    table : DataFrame
        From :func:`runs_table`: one row per run.
    by : sequence of str, default=("model",)
        Columns that name a configuration; runs sharing them (different seeds
        or split samples) are summarised together.
    metrics : sequence of str, default=("auroc", "auprc", "epr")
        Metric columns to summarise.

    Returns
    -------
    DataFrame
        Columns ``*by, metric, mean, sd, cv, n``, one row per group and metric.
    """
    by = list(by)
    missing = [c for c in (*by, *metrics) if c not in table.columns]
    if missing:
        raise ValueError(f"table has no columns {missing}")
    rows = []
    for key, group in table.groupby(by, sort=False):
        for metric in metrics:
            rows.append({**dict(zip(by, key)), "metric": metric, **seed_summary(group[metric])})
    return pd.DataFrame(rows)
