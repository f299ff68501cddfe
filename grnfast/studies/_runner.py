"""Training every variant of a study over seeds, with the baselines beside them."""
import time

import numpy as np
import pandas as pd

from ..evaluation.protocol import baselines, evaluate_on_test
from ..progress import Progress
from .output import METRICS


def run_variants(task, variants, seeds, progress=True, extra=None):
    """Fit ``variants[name](seed)`` for every seed and evaluate on the test pairs.

    Returns a runs table (one row per variant and seed, plus one per baseline)
    with columns variant, seed, the metrics, ``seconds`` and ``n_parameters``.
    """
    rows = []
    for name, fitted in baselines(task).items():
        rows.append({"variant": name, "seed": None, **evaluate_on_test(task, fitted), "seconds": 0.0,
                     "n_parameters": 0})
    jobs = [(name, seed) for name in variants for seed in seeds]
    with Progress(len(jobs), task.name, "fit", enabled=progress) as bar:
        for name, seed in bar.iterate(jobs):
            start = time.perf_counter()
            model = task.fit(variants[name](seed))
            seconds = time.perf_counter() - start
            row = {"variant": name, "seed": seed, **evaluate_on_test(task, model), "seconds": seconds,
                   "n_parameters": model.n_parameters_}
            if extra:
                row.update(extra(name, seed, model))
            rows.append(row)
    return pd.DataFrame(rows)


def bar_figure(summary, by, title, metrics=("auroc", "auprc")):
    """Bar chart of each metric's mean with its 95% interval, one bar per group."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 4))
    labels = summary[by].astype(str).agg(" / ".join, axis=1) if isinstance(by, list) else summary[by].astype(str)
    for ax, m in zip(np.atleast_1d(axes), metrics):
        mean = summary[f"{m}_mean"].to_numpy()
        err = np.nan_to_num(summary[f"{m}_ci_high"].to_numpy() - mean)
        ax.bar(range(len(mean)), mean, yerr=err, capsize=3, color="tab:blue")
        ax.set_xticks(range(len(mean)), labels, rotation=30, ha="right", fontsize="small")
        ax.set_ylabel(m.upper())
        ax.set_ylim(0, 1)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def random_task(dataset, random_state=0):
    """The data set's random 70/15/15 split (uniform negatives at 1:1) as a PairTask."""
    return dataset.task(dataset.split("random", random_state=random_state), name=dataset.name)


def default_seeds(n):
    return list(range(n))


__all__ = ["run_variants", "bar_figure", "default_seeds", "random_task", "METRICS"]
