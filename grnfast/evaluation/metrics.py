"""Metrics for scored (regulator, target) pairs.

Threshold metrics (accuracy, precision, recall, F1) call a pair an edge when
``y_score >= threshold``. Ranking metrics (AUROC, AUPRC, early precision ratio,
the per-regulator AUROC) need no threshold; on imbalanced test sets (1-4 % edges
on BEELINE) AUPRC and the early precision ratio say more than AUROC.
``sklearn.metrics`` computes everything except BEELINE's early precision and the
per-regulator AUROC.
"""
import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.utils.multiclass import type_of_target


def check_scored_pairs(y_true, y_score):
    """Validate labels and scores; return them as (bool array, float64 array).

    Raises
    ------
    ValueError
        If the shapes differ, scores are not finite, labels are not 0/1 (or
        boolean), or one of the two classes is missing.
    """
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_true.ndim != 1 or y_true.shape != y_score.shape:
        raise ValueError(f"y_true and y_score must be 1-D of equal length; got shapes {y_true.shape} and {y_score.shape}")
    if not np.isfinite(y_score).all():
        raise ValueError("y_score contains NaN or infinite values")
    if type_of_target(y_true) != "binary" or not np.isin(y_true, (0, 1)).all():
        raise ValueError("y_true must hold 0/1 (or boolean) labels")
    y_true = y_true.astype(bool)
    if y_true.all() or not y_true.any():
        raise ValueError("y_true must contain both edges (1) and non-edges (0)")
    return y_true, y_score


def threshold_metrics(y_true, y_score, threshold=0.5):
    """Accuracy, precision, recall and F1 of calling ``y_score >= threshold`` an edge.

    Parameters
    ----------
    y_true, y_score : array-like of shape (n,)
        0/1 labels and scores (usually the edge probability) of the same pairs.
    threshold : float, default=0.5

    Returns
    -------
    dict
        ``accuracy``, ``precision``, ``recall``, ``f1``. Precision (and F1) is
        0 when nothing is called an edge.
    """
    y_true, y_score = check_scored_pairs(y_true, y_score)
    y_pred = y_score >= threshold
    return {
        "accuracy": accuracy_score(y_true, y_pred),
        "precision": precision_score(y_true, y_pred, zero_division=0),
        "recall": recall_score(y_true, y_pred),
        "f1": f1_score(y_true, y_pred, zero_division=0),
    }


def best_f1_threshold(y_true, y_score):
    """The threshold that maximises F1 on (validation) scores.

    Choose it on validation pairs, then pass it to :func:`evaluate` on the
    test pairs; choosing it on the test pairs would overstate F1.

    Parameters
    ----------
    y_true, y_score : array-like of shape (n,)
        0/1 labels and scores of the validation pairs.

    Returns
    -------
    float
        A value of ``y_score``; calling ``y_score >= threshold`` an edge gives
        the highest F1 (the highest threshold among ties).
    """
    y_true, y_score = check_scored_pairs(y_true, y_score)
    precision, recall, thresholds = precision_recall_curve(y_true, y_score)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(denominator), where=denominator > 0)
    best = np.flatnonzero(f1 == f1.max())[-1]  # thresholds ascend: the last tie is the highest
    return float(thresholds[best])


def early_precision(y_true, y_score, k=None):
    """Precision among the ``k`` best-scored pairs (BEELINE's early precision).

    As in BEELINE, every pair tied with the ``k``-th best score is included, so
    the result does not depend on the order of tied pairs.

    Parameters
    ----------
    y_true, y_score : array-like of shape (n,)
        0/1 labels and scores of the same pairs; a larger score means more likely an edge.
    k : int, default=None
        How many top pairs; default the number of true edges.

    Returns
    -------
    float
    """
    y_true, y_score = check_scored_pairs(y_true, y_score)
    k = int(y_true.sum()) if k is None else k
    if not 1 <= k <= len(y_score):
        raise ValueError(f"k must be between 1 and the number of pairs ({len(y_score)}); got {k}")
    kth_best = np.partition(y_score, len(y_score) - k)[len(y_score) - k]
    top = y_score >= kth_best
    return float(y_true[top].mean())


def early_precision_ratio(y_true, y_score):
    """BEELINE's early precision ratio: early precision over that of a random ranking.

    Early precision takes the top ``k`` pairs with ``k`` the number of true
    edges; a random ranking's expected precision is the prevalence, so 1 means
    no better than chance and ``1 / prevalence`` is perfect.

    Parameters
    ----------
    y_true, y_score : array-like of shape (n,)
        0/1 labels and scores of the same pairs; a larger score means more likely an edge.

    Returns
    -------
    float
    """
    y_true, y_score = check_scored_pairs(y_true, y_score)
    return early_precision(y_true, y_score) / y_true.mean()


def per_regulator_auroc(y_true, y_score, regulators):
    """Mean over regulators of the AUROC of their own pairs.

    What a list of each regulator's top targets uses: only the ranking within a
    regulator counts, not how regulators compare. Regulators whose pairs are all
    edges or all non-edges have no AUROC and are left out.

    Parameters
    ----------
    y_true, y_score : array-like of shape (n,)
        0/1 labels and scores of the same pairs; a larger score means more likely an edge.
    regulators : array-like of shape (n,)
        Each pair's regulator (names or indices).

    Returns
    -------
    float
        NaN when no regulator has both an edge and a non-edge.
    """
    y_true, y_score = check_scored_pairs(y_true, y_score)
    regulators = np.asarray(regulators)
    if regulators.shape != y_true.shape:
        raise ValueError(f"regulators must have one entry per pair; got shape {regulators.shape} for {len(y_true)} pairs")
    pairs = pd.DataFrame({"regulator": regulators, "edge": y_true, "score": y_score})
    # Mann-Whitney: AUROC = (rank sum of the edges - n1 (n1 + 1) / 2) / (n1 n0), ties at their mean rank.
    pairs["edge_rank"] = pairs.groupby("regulator")["score"].rank(method="average") * pairs["edge"]
    per = pairs.groupby("regulator").agg(n=("edge", "size"), n1=("edge", "sum"), rank_sum=("edge_rank", "sum"))
    per = per[(per.n1 > 0) & (per.n1 < per.n)]
    if per.empty:
        return float("nan")
    n0 = per.n - per.n1
    return float(((per.rank_sum - per.n1 * (per.n1 + 1) / 2) / (per.n1 * n0)).mean())


def evaluate(y_true, y_score, threshold=0.5, regulators=None):
    """Every metric of one set of scored pairs, as a flat dict.

    Parameters
    ----------
    y_true, y_score : array-like of shape (n,)
        0/1 labels and edge scores of the same pairs; the threshold metrics
        assume probabilities unless a ``threshold`` on the scores' own scale is given.
    threshold : float, default=0.5
        Where the threshold metrics call an edge (``y_score >= threshold``);
        pass :func:`best_f1_threshold` of the validation scores to report
        metrics at the best validation threshold.
    regulators : array-like of shape (n,), default=None
        Each pair's regulator: adds ``auroc_per_regulator``
        (:func:`per_regulator_auroc`).

    Returns
    -------
    dict
        ``n_pairs``, ``n_edges``, ``prevalence`` (state it: AUPRC and precision
        depend on it), ``threshold``, ``accuracy``, ``precision``, ``recall``,
        ``f1``, ``auroc``, ``auprc`` (average precision) and ``epr`` (early
        precision ratio); with ``regulators``, ``auroc_per_regulator``.
    """
    y_true, y_score = check_scored_pairs(y_true, y_score)
    metrics = {
        "n_pairs": int(len(y_true)),
        "n_edges": int(y_true.sum()),
        "prevalence": float(y_true.mean()),
        "threshold": float(threshold),
        **{name: float(value) for name, value in threshold_metrics(y_true, y_score, threshold).items()},
        "auroc": float(roc_auc_score(y_true, y_score)),
        "auprc": float(average_precision_score(y_true, y_score)),
        "epr": float(early_precision_ratio(y_true, y_score)),
    }
    if regulators is not None:
        metrics["auroc_per_regulator"] = per_regulator_auroc(y_true, y_score, regulators)
    return metrics
