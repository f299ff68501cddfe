"""Figures of an evaluation: ROC and precision-recall curves (scikit-learn's
display classes) and training curves. Needs the optional matplotlib. The backend
is the user's: only the command line chooses one (Agg, for files)."""
import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("plots need matplotlib: pip install 'grnfast[plot]'") from exc
    return plt


def plot_roc_pr(y_true, scores, title=None):
    """ROC and precision-recall curves of several scorers on one test set.

    Parameters
    ----------
    y_true : array-like of 0/1
    scores : dict of name -> array-like of scores (higher = more likely an edge)

    Returns
    -------
    matplotlib Figure with two axes.
    """
    from sklearn.metrics import PrecisionRecallDisplay, RocCurveDisplay

    plt = _pyplot()
    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(10, 4.5))
    for name, s in scores.items():
        RocCurveDisplay.from_predictions(y_true, s, name=name, ax=ax_roc)
        PrecisionRecallDisplay.from_predictions(y_true, s, name=name, ax=ax_pr)
    prevalence = float(np.mean(y_true))
    ax_pr.axhline(prevalence, color="grey", linestyle=":", label=f"chance ({prevalence:.3f})")
    ax_pr.legend(loc="upper right", fontsize="small")
    ax_roc.plot([0, 1], [0, 1], color="grey", linestyle=":")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_training_curves(model, title=None):
    """Training loss per epoch and, when recorded, validation AUROC per epoch."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = np.arange(1, len(model.loss_curve_) + 1)
    ax.plot(epochs, model.loss_curve_, label="training loss", color="tab:blue")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if model.validation_scores_:
        other = ax.twinx()
        other.plot(epochs, model.validation_scores_, label="validation AUROC", color="tab:orange")
        other.set_ylabel("validation AUROC")
        other.legend(loc="lower right")
    ax.legend(loc="upper right")
    ax.set_title(title or type(model).__name__)
    fig.tight_layout()
    return fig


def save_run_figures(task, models, fitted_baselines, folder):
    """A run's figures in ``folder``: ROC and precision-recall curves of every
    scorer on the test pairs (``roc_pr.png``) and each model's training curves
    (``training_<model>.png``). Returns ``[(path, what it shows)]``."""
    plt = _pyplot()
    scores = {name: s.predict_proba(task.X_test)[:, 1] for name, s in fitted_baselines.items()}
    scores.update({name: m.predict_proba(task.X_test)[:, 1] for name, m in models.items()})
    figure = plot_roc_pr(task.y_test, scores, task.name)
    figure.savefig(folder / "roc_pr.png", dpi=120)
    plt.close(figure)
    files = [(folder / "roc_pr.png", "ROC and precision-recall curves on the test pairs")]
    for name, model in models.items():
        if hasattr(model, "loss_curve_"):
            figure = plot_training_curves(model, name)
            figure.savefig(folder / f"training_{name}.png", dpi=120)
            plt.close(figure)
            files.append((folder / f"training_{name}.png", "loss and validation AUROC by epoch"))
    return files
