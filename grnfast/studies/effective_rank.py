"""Study 5: how many dimensions the learned representations really use."""
import pandas as pd

from ..analysis import effective_rank, representations
from ..evaluation.report import format_mean_sd, markdown_table
from ..models import MODELS, model_class
from ..progress import Progress
from ._runner import default_seeds, random_task
from .output import StudyResult, summarize

BY = ["model", "layer", "width"]  # a layer's width is the same in every seed
MEASURES = ("effective_rank", "fraction_of_width")


def run(dataset, *, models=tuple(MODELS), seeds=3, params=None, progress=True, random_state=0):
    """Effective rank (exp of the entropy of the normalised singular values) of
    the gene embeddings and of every layer's output on the test pairs, for each of
    ``models`` (default all three), over ``seeds`` seeds, on the data set's random split."""
    task = random_task(dataset, random_state)
    rows = []
    jobs = [(name, seed) for name in models for seed in default_seeds(seeds)]
    with Progress(len(jobs), f"effective rank {task.name}", "fit", enabled=progress) as bar:
        for name, seed in bar.iterate(jobs):
            model = task.fit(model_class(name)(node_features=task.node_features,
                                               **{**dict(params or {}), "random_state": seed}))
            for layer, matrix in representations(model, task.X_test).items():
                rank = effective_rank(matrix)
                rows.append({"model": name, "layer": layer, "seed": seed, "width": matrix.shape[1],
                             "effective_rank": rank, "fraction_of_width": rank / matrix.shape[1]})
    runs = pd.DataFrame(rows)
    summary = summarize(runs, BY, MEASURES)
    table = pd.DataFrame({
        "model": summary["model"], "layer": summary["layer"], "width": summary["width"],
        "effective rank": [format_mean_sd(mean, sd, digits=1) for mean, sd
                           in zip(summary["effective_rank_mean"], summary["effective_rank_sd"])],
        "fraction of width": summary["fraction_of_width_mean"].map("{:.2f}".format),
    })
    markdown = f"Effective rank over {seeds} seeds (layer outputs on the test pairs).\n\n" + markdown_table(table)
    return StudyResult("effective_rank", task.name, runs, summary, markdown, {}, {})
