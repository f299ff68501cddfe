"""How a fitted scorer is evaluated on a :class:`~grnfast.data.PairTask` (any
object with its ``X_*``/``y_*`` and ``node_features``): test metrics with the
threshold chosen on validation pairs, and the baselines reported beside every model."""
import numpy as np

from .baselines import CorrelationBaseline, DegreeBaseline, ExpressionBaseline, GeneIdentityBaseline
from .metrics import best_f1_threshold, evaluate


def score_of(estimator, X):
    return estimator.predict_proba(X)[:, 1]


def regulators_of(X):
    """The regulator of each pair of ``X`` (a two-column DataFrame or an (n, 2) array)."""
    return X.iloc[:, 0].to_numpy() if hasattr(X, "iloc") else np.asarray(X)[:, 0]


def evaluate_on_test(task, estimator, X=None, y=None):
    """Test metrics of a fitted scorer, thresholds at 0.5 and at the best
    validation F1 (``f1_best``), and the mean per-regulator AUROC
    (``auroc_per_regulator``, NaN where no regulator has both classes)."""
    X = task.X_test if X is None else X
    y = task.y_test if y is None else y
    scores = score_of(estimator, X)
    metrics = evaluate(y, scores, regulators=regulators_of(X))
    threshold = best_f1_threshold(task.y_val, score_of(estimator, task.X_val))
    metrics["f1_best"] = evaluate(y, scores, threshold=threshold)["f1"]
    return metrics


def baselines(task):
    """The baselines reported beside every model, fitted on the training pairs, in
    the report's order: degree, expression (a classical model on the node
    features), the absolute Pearson correlation of the two genes' node-feature rows
    (on a BEELINE benchmark, each gene's expression over the cells; in ``grnfast
    infer``, its cell-type or cluster means), and gene identity."""
    X, y, features = task.X_train, task.y_train, task.node_features
    fitted = {"degree baseline": DegreeBaseline(node_features=features).fit(X, y)}
    if features.shape[1] > 0:
        fitted["expression baseline"] = ExpressionBaseline(node_features=features, random_state=0).fit(X, y)
    if features.shape[1] > 1:  # a correlation needs two values per gene
        fitted["correlation baseline"] = CorrelationBaseline(node_features=features).fit(X, y)
    fitted["gene-identity baseline"] = GeneIdentityBaseline(node_features=features).fit(X, y)
    return fitted
