"""Study 5: how many dimensions the learned representations really use."""
import pandas as pd
from tqdm.auto import tqdm

from ..analysis import effective_rank, representations
from ..models import MODELS, model_class
from ._runner import default_seeds, random_task
from .output import StudyResult


def run(dataset, *, models=tuple(MODELS), seeds=3, params=None, progress=True, random_state=0):
    """Effective rank (exp of the entropy of the normalised singular values) of
    the gene embeddings and of every layer's output on the test pairs, for each of
    ``models`` (default all three), over ``seeds`` seeds, on the data set's random split."""
    task = random_task(dataset, random_state)
    rows = []
    jobs = [(name, seed) for name in models for seed in default_seeds(seeds)]
    for name, seed in tqdm(jobs, desc=f"effective rank {task.name}", disable=not progress, leave=False):
        model = task.fit(model_class(name)(node_features=task.node_features, **{**dict(params or {}), "random_state": seed}))
        for layer, matrix in representations(model, task.X_test).items():
            rank = effective_rank(matrix)
            rows.append({"model": name, "layer": layer, "seed": seed, "width": matrix.shape[1],
                         "effective_rank": rank, "fraction_of_width": rank / matrix.shape[1]})
    runs = pd.DataFrame(rows)
    summary = (runs.groupby(["model", "layer"], sort=False)
               .agg(width=("width", "first"), effective_rank_mean=("effective_rank", "mean"),
                    effective_rank_sd=("effective_rank", "std"), fraction_of_width=("fraction_of_width", "mean"))
               .reset_index())
    lines = ["| model | layer | width | effective rank | fraction of width |", "|---|---|---|---|---|"]
    for _, r in summary.iterrows():
        lines.append(f"| {r.model} | {r.layer} | {r.width} | {r.effective_rank_mean:.1f} ± "
                     f"{0.0 if pd.isna(r.effective_rank_sd) else r.effective_rank_sd:.1f} | {r.fraction_of_width:.2f} |")
    markdown = f"Effective rank over {seeds} seeds (layer outputs on the test pairs).\n\n" + "\n".join(lines)
    return StudyResult("effective_rank", task.name, runs, summary, markdown, {}, {})
