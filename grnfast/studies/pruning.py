"""Study 4: structured pruning of hidden neurons, with and without fine-tuning."""
import pandas as pd

from ..analysis import prune
from ..evaluation.protocol import evaluate_on_test
from ..models import model_class
from ..progress import Progress
from ._runner import default_seeds, random_task
from .output import StudyResult, markdown_summary, summarize

FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9)


def run(dataset, *, model="cross-encoder", fractions=FRACTIONS, fine_tune_epochs=5, seeds=3, params=None,
        progress=True, random_state=0):
    """Prune ``fractions`` of every hidden layer's neurons (least active x smallest
    incoming weights first, importance measured on the training pairs), evaluate,
    then fine-tune ``fine_tune_epochs`` epochs and evaluate again, on the data
    set's random split."""
    task = random_task(dataset, random_state)
    cls = model_class(model)
    rows = []
    with Progress(seeds, f"pruning {task.name}", "seed", enabled=progress) as bar:
        for seed in bar.iterate(default_seeds(seeds)):
            full = task.fit(cls(node_features=task.node_features, **{**dict(params or {}), "random_state": seed}))
            rows.append({"fraction": 0.0, "fine_tuned": False, "seed": seed, "n_parameters": full.n_parameters_,
                         **evaluate_on_test(task, full)})
            for fraction in fractions:
                pruned = prune(full, fraction, task.X_train)
                rows.append({"fraction": fraction, "fine_tuned": False, "seed": seed,
                             "n_parameters": pruned.n_parameters_, **evaluate_on_test(task, pruned)})
                tuned = task.fit(pruned.set_params(warm_start=True, max_iter=fine_tune_epochs))
                rows.append({"fraction": fraction, "fine_tuned": True, "seed": seed,
                             "n_parameters": tuned.n_parameters_, **evaluate_on_test(task, tuned)})
    runs = pd.DataFrame(rows)
    summary = summarize(runs, ["fraction", "fine_tuned"])
    markdown = (f"Structured pruning of the {model}; test prevalence {task.test_prevalence:.3f}; "
                f"fine-tuning {fine_tune_epochs} epochs; mean ± sd [95% CI] over {seeds} seeds.\n\n"
                + markdown_summary(summary, ["fraction", "fine_tuned"]))
    return StudyResult("pruning", task.name, runs, summary, markdown, _figure(summary, model, task.name),
                       {"model": model, "test_prevalence": task.test_prevalence})


def _figure(summary, model, name):
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return {}
    fig, ax = plt.subplots(figsize=(6, 4))
    for tuned, part in summary.groupby("fine_tuned"):
        ax.errorbar(part["fraction"], part["auroc_mean"], yerr=(part["auroc_ci_high"] - part["auroc_mean"]).fillna(0),
                    marker="o", capsize=3, label="fine-tuned" if tuned else "pruned only")
    ax.set_xlabel("fraction of hidden neurons removed")
    ax.set_ylabel("test AUROC")
    ax.set_title(f"Pruning the {model} ({name})")
    ax.legend()
    fig.tight_layout()
    return {"auroc": fig}
