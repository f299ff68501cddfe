"""How a fitted scorer is evaluated on a :class:`~grnfast.data.PairTask` (any
object with its ``X_*``/``y_*`` and ``node_features``): test metrics with the
threshold chosen on validation pairs, and the baselines reported beside every model."""
from .baselines import DegreeBaseline, ExpressionBaseline
from .metrics import best_f1_threshold, evaluate


def score_of(estimator, X):
    return estimator.predict_proba(X)[:, 1]


def evaluate_on_test(task, estimator, X=None, y=None):
    """Test metrics of a fitted scorer, thresholds at 0.5 and at the best
    validation F1 (``f1_best``)."""
    X = task.X_test if X is None else X
    y = task.y_test if y is None else y
    metrics = evaluate(y, score_of(estimator, X))
    threshold = best_f1_threshold(task.y_val, score_of(estimator, task.X_val))
    metrics["f1_best"] = evaluate(y, score_of(estimator, X), threshold=threshold)["f1"]
    return metrics


def baselines(task):
    """The training-free degree baseline and an expression-only classical model,
    fitted on the training pairs: reported beside every model."""
    fitted = {"degree baseline": DegreeBaseline(node_features=task.node_features).fit(task.X_train, task.y_train)}
    if task.node_features.shape[1] > 0:
        fitted["expression baseline"] = ExpressionBaseline(node_features=task.node_features, random_state=0).fit(
            task.X_train, task.y_train
        )
    return fitted
