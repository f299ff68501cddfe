"""Metrics across runs: one tidy table, summarised over seeds (or split samples),
and how a summary is written.

A run is one model trained with one seed on one split; :func:`evaluate` gives its
metrics. :func:`runs_table` stacks runs into a DataFrame with one row per run;
:func:`summarize_runs` reduces it to mean, standard deviation, coefficient of
variation and a 95% interval of the mean per model (and any other grouping
column), each from :func:`seed_summary`. :func:`format_mean_sd` writes one such
summary as "mean ± sd"; :func:`markdown_table` writes a table of them.
"""
import numpy as np
import pandas as pd
from scipy import stats

from .metrics import evaluate

# What summarize_runs reports of each metric unless asked for other statistics.
DEFAULT_STATS = ("mean", "sd", "cv", "n")


def seed_summary(values):
    """Mean, sample standard deviation (ddof=1), coefficient of variation and the
    95% t-interval of the mean.

    Parameters
    ----------
    values : array-like of shape (n_runs,)
        One metric value per seed.

    Returns
    -------
    dict
        ``mean``, ``sd``, ``cv`` (``sd / |mean|``), ``ci_low``, ``ci_high`` and
        ``n``. With one run ``sd``, ``cv`` and the interval are NaN; with a zero
        mean ``cv`` is NaN.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("no values to summarise")
    n = int(values.size)
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else float("nan")
    cv = sd / abs(mean) if mean != 0 and n > 1 else float("nan")
    half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n) if n > 1 else float("nan")
    return {"mean": mean, "sd": sd, "cv": cv, "ci_low": float(mean - half), "ci_high": float(mean + half), "n": n}


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


def summarize_runs(table, by=("model",), metrics=("auroc", "auprc", "epr"), *, stats=DEFAULT_STATS, wide=False):
    """Statistics of :func:`seed_summary` per group and metric.

    Parameters
    ----------
    table : DataFrame
        From :func:`runs_table`: one row per run.
    by : sequence of str, default=("model",)
        Columns that name a configuration; runs sharing them (different seeds
        or split samples) are summarised together.
    metrics : sequence of str, default=("auroc", "auprc", "epr")
        Metric columns to summarise.
    stats : sequence of str, default=("mean", "sd", "cv", "n")
        Keys of :func:`seed_summary` to report.
    wide : bool, default=False
        One row per group instead of one per group and metric.

    Returns
    -------
    DataFrame
        Columns ``*by, metric, *stats``, one row per group and metric; wide,
        ``*by, runs`` (the group's number of runs) and ``<metric>_<stat>`` for
        each metric and statistic, one row per group.
    """
    by = list(by)
    missing = [c for c in (*by, *metrics) if c not in table.columns]
    if missing:
        raise ValueError(f"table has no columns {missing}")
    rows = []
    for key, group in table.groupby(by, sort=False):
        labels = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        summaries = {metric: seed_summary(group[metric]) for metric in metrics}
        if wide:
            rows.append({**labels, "runs": len(group), **{f"{metric}_{stat}": summary[stat]
                                                          for metric, summary in summaries.items() for stat in stats}})
        else:
            rows.extend({**labels, "metric": metric, **{stat: summary[stat] for stat in stats}}
                        for metric, summary in summaries.items())
    return pd.DataFrame(rows)


def format_mean_sd(mean, sd, digits=3, interval=None):
    """"mean ± sd" with ``digits`` decimals, then " [low, high]" for an
    ``interval``; the mean alone where ``sd`` is NaN (a single run)."""
    if np.isnan(sd):
        return f"{mean:.{digits}f}"
    text = f"{mean:.{digits}f} ± {sd:.{digits}f}"
    if interval is not None:
        text += f" [{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]"
    return text


def markdown_table(frame):
    """A DataFrame as a Markdown table: its column names, then a row per row, each
    cell ``str(value)`` (format numbers before)."""
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * frame.shape[1]]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)
