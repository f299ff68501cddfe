"""Percentile-bootstrap confidence intervals for metrics of scored pairs.

Resampling is stratified: each resample draws ``n_edges`` pairs with
replacement from the edges and ``n_non_edges`` from the non-edges, so every
resample keeps both classes and the test prevalence (ranking metrics are
undefined with one class, and AUPRC moves with prevalence).

A resample is a vector of multiplicities over the original pairs, and the
order of the scores never changes, so AUROC, AUPRC and the early precision
ratio of many resamples come from one sort and cumulative sums over a
(resamples x pairs) weight matrix, processed in blocks to bound memory.
Any other metric, passed as a callable, is evaluated resample by resample.
"""
from collections import namedtuple

import numpy as np
from sklearn.utils import check_random_state

from .metrics import check_scored_pairs, evaluate

ConfidenceInterval = namedtuple("ConfidenceInterval", ["estimate", "low", "high"])
ConfidenceInterval.__doc__ = "A point estimate on all pairs and the bounds of its bootstrap interval."

_WEIGHT_BLOCK = 250_000  # entries of the weight matrix processed at once (2 MB per float64 array; a
# block makes several such arrays, and a run of `grnfast infer` bootstraps the validation pairs)


def _ranking_curves(weights, y_sorted, group_ends):
    """Weighted true/false positive counts at each distinct score, best first."""
    tp = np.cumsum(weights * y_sorted, axis=1)[:, group_ends]
    fp = np.cumsum(weights * ~y_sorted, axis=1)[:, group_ends]
    return tp, fp


def _auroc(tp, fp, n_pos, n_neg):
    tpr = np.pad(tp / n_pos, ((0, 0), (1, 0)))
    fpr = np.pad(fp / n_neg, ((0, 0), (1, 0)))
    return np.sum(np.diff(fpr, axis=1) * (tpr[:, 1:] + tpr[:, :-1]) / 2, axis=1)


def _auprc(tp, fp, n_pos, n_neg):
    called = tp + fp
    precision = np.divide(tp, called, out=np.zeros_like(tp), where=called > 0)
    recall_gain = np.diff(np.pad(tp / n_pos, ((0, 0), (1, 0))), axis=1)
    return np.sum(recall_gain * precision, axis=1)


def _epr(tp, fp, n_pos, n_neg):
    called = tp + fp
    cutoff = np.argmax(called >= n_pos, axis=1)  # first score whose top set holds k = n_pos pairs
    rows = np.arange(tp.shape[0])
    return (tp[rows, cutoff] / called[rows, cutoff]) / (n_pos / (n_pos + n_neg))


_VECTORISED = {"auroc": _auroc, "auprc": _auprc, "epr": _epr}


def _stratified_draws(y_true, n_boot, rng):
    """Row indices of each resample, shape (n_boot, n): edges drawn from edges, the rest from the rest."""
    edges, non_edges = np.flatnonzero(y_true), np.flatnonzero(~y_true)
    return np.hstack([
        edges[rng.randint(0, len(edges), size=(n_boot, len(edges)))],
        non_edges[rng.randint(0, len(non_edges), size=(n_boot, len(non_edges)))],
    ])


def _multiplicities(draws, n):
    """How often each original pair occurs in each resample, shape (n_resamples, n)."""
    offsets = np.arange(draws.shape[0])[:, None] * n
    return np.bincount((draws + offsets).ravel(), minlength=draws.shape[0] * n).reshape(draws.shape[0], n)


class _Ranking:
    """One scorer's ranking of the pairs, sorted once; the vectorised metrics of any
    resamples come from it."""

    def __init__(self, y_true, y_score):
        order = np.argsort(-y_score, kind="stable")
        self.rank_of_row = np.empty_like(order)
        self.rank_of_row[order] = np.arange(len(order))
        self.y_sorted = y_true[order]
        self.group_ends = np.flatnonzero(np.append(np.diff(y_score[order]) != 0, True))
        self.n_pos, self.n_neg = int(y_true.sum()), int((~y_true).sum())

    def resampled(self, draws, names):
        """``{name: values}`` of the vectorised metrics ``names`` on each resample."""
        if not names:
            return {}
        weights = _multiplicities(self.rank_of_row[draws], len(self.y_sorted)).astype(np.float64)
        tp, fp = _ranking_curves(weights, self.y_sorted, self.group_ends)
        return {name: _VECTORISED[name](tp, fp, self.n_pos, self.n_neg) for name in names}


def _blocks_of_draws(y_true, n_boot, rng):
    """``(rows, draws)`` of the resamples in blocks that bound the weight matrix's memory."""
    block = max(1, _WEIGHT_BLOCK // len(y_true))
    for start in range(0, n_boot, block):
        rows = slice(start, min(start + block, n_boot))
        yield rows, _stratified_draws(y_true, rows.stop - rows.start, rng)


def _check_resampling(n_boot, confidence):
    if not (isinstance(n_boot, (int, np.integer)) and n_boot >= 2):
        raise ValueError(f"n_boot must be an integer >= 2; got {n_boot!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence!r}")


def bootstrap_ci(y_true, y_score, metrics=("auroc", "auprc", "epr"), *, n_boot=1000, confidence=0.95, random_state=None):
    """Stratified percentile-bootstrap confidence intervals.

    Parameters
    ----------
    y_true, y_score : array-like of shape (n,)
        0/1 labels and scores of the same pairs; a larger score means more likely an edge.
    metrics : sequence of str or callable, default=("auroc", "auprc", "epr")
        Names of :func:`~grnfast.evaluation.evaluate` keys (``"auroc"``,
        ``"auprc"`` and ``"epr"`` are computed vectorised) or callables
        ``metric(y_true, y_score) -> float`` keyed by their ``__name__``.
    n_boot : int, default=1000
        Number of resamples.
    confidence : float, default=0.95
        Coverage of the interval, between 0 and 1.
    random_state : int, RandomState instance or None, default=None
        Seed of the resampling; fix it for reproducible intervals.

    Returns
    -------
    dict of str -> ConfidenceInterval
        ``estimate`` on all pairs and the ``low`` and ``high`` percentiles of
        the resampled values.
    """
    y_true, y_score = check_scored_pairs(y_true, y_score)
    _check_resampling(n_boot, confidence)
    names = [m if isinstance(m, str) else m.__name__ for m in metrics]
    point = evaluate(y_true, y_score)
    unknown = [m for m in metrics if isinstance(m, str) and m not in point]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; use keys of evaluate() or callables")

    rng = check_random_state(random_state)
    resampled = {name: np.empty(n_boot) for name in names}
    vectorised = [m for m in metrics if isinstance(m, str) and m in _VECTORISED]
    one_by_one = [(name, m if callable(m) else (lambda y, s, key=m: evaluate(y, s)[key]))
                  for m, name in zip(metrics, names) if m not in vectorised]
    ranking = _Ranking(y_true, y_score)
    for rows, draws in _blocks_of_draws(y_true, n_boot, rng):
        for name, values in ranking.resampled(draws, vectorised).items():
            resampled[name][rows] = values
        for name, compute in one_by_one:
            resampled[name][rows] = [compute(y_true[d], y_score[d]) for d in draws]

    tail = (1 - confidence) / 2 * 100
    intervals = {}
    for metric, name in zip(metrics, names):
        estimate = point[name] if isinstance(metric, str) else float(metric(y_true, y_score))
        low, high = np.percentile(resampled[name], [tail, 100 - tail])
        intervals[name] = ConfidenceInterval(float(estimate), float(low), float(high))
    return intervals


def paired_difference_ci(y_true, score_a, score_b, metric="auprc", *, n_boot=1000, confidence=0.95,
                         random_state=None):
    """The difference ``metric(a) - metric(b)`` of two scorers of the same pairs, and
    its stratified percentile-bootstrap interval over the same resamples for both
    (paired: what the pairs have in common cancels). ``metric`` is ``"auroc"``,
    ``"auprc"`` or ``"epr"``. Returns a :class:`ConfidenceInterval`."""
    y_true, score_a = check_scored_pairs(y_true, score_a)
    _, score_b = check_scored_pairs(y_true, score_b)
    _check_resampling(n_boot, confidence)
    if metric not in _VECTORISED:
        raise ValueError(f"metric must be one of {sorted(_VECTORISED)}; got {metric!r}")
    rng = check_random_state(random_state)
    first, second = _Ranking(y_true, score_a), _Ranking(y_true, score_b)
    differences = np.empty(n_boot)
    for rows, draws in _blocks_of_draws(y_true, n_boot, rng):
        differences[rows] = first.resampled(draws, [metric])[metric] - second.resampled(draws, [metric])[metric]
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(differences, [tail, 100 - tail])
    estimate = evaluate(y_true, score_a)[metric] - evaluate(y_true, score_b)[metric]
    return ConfidenceInterval(float(estimate), float(low), float(high))
