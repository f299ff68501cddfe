"""Study 1: two-tower against cross-encoder at an equal number of parameters."""
from ..models import CrossEncoderClassifier, TwoTowerClassifier
from ._runner import bar_figure, default_seeds, random_task, run_variants
from .output import StudyResult, markdown_summary, summarize


def match_parameter_budget(estimator, n_genes, n_node_features, budget):
    """The estimator with the embedding size whose parameter count is closest to
    ``budget`` (other settings kept)."""
    def count(dim):
        return estimator.set_params(embedding_dim=dim).count_parameters(n_genes, n_node_features)

    low, high = 1, 1
    while count(high) < budget:
        low, high = high, high * 2
    while high - low > 1:  # count grows with the embedding size: bisect
        mid = (low + high) // 2
        low, high = (mid, high) if count(mid) < budget else (low, mid)
    best = min((low, high), key=lambda d: abs(count(d) - budget))
    return estimator.set_params(embedding_dim=best)


def run(dataset, *, seeds=5, budget=None, params=None, progress=True, random_state=0):
    """Both models sized to the same parameter count, ``seeds`` seeds each, on the
    data set's random split.

    ``budget`` defaults to the cross-encoder's count with ``params`` (the published
    configuration by default); the two-tower's embedding size is matched to it.
    """
    task = random_task(dataset, random_state)
    params = dict(params or {})
    n_genes, n_features = task.node_features.shape
    cross = CrossEncoderClassifier(node_features=task.node_features, **params)
    budget = budget or cross.count_parameters()
    cross = match_parameter_budget(cross, n_genes, n_features, budget)
    tower = match_parameter_budget(TwoTowerClassifier(node_features=task.node_features, **params), n_genes,
                                   n_features, budget)
    variants = {
        "cross-encoder": lambda seed: cross.__class__(**{**cross.get_params(), "random_state": seed}),
        "two-tower": lambda seed: tower.__class__(**{**tower.get_params(), "random_state": seed}),
    }
    runs = run_variants(task, variants, default_seeds(seeds), progress)
    summary = summarize(runs, ["variant"])
    counts = runs.groupby("variant")["n_parameters"].max().to_dict()
    notes = {"budget": int(budget), "parameters": {k: int(v) for k, v in counts.items()},
             "embedding_dim": {"cross-encoder": cross.embedding_dim, "two-tower": tower.embedding_dim},
             "test_prevalence": task.test_prevalence}
    markdown = (
        f"Parameter budget {budget:,}: cross-encoder {counts['cross-encoder']:,} (embedding {cross.embedding_dim}), "
        f"two-tower {counts['two-tower']:,} (embedding {tower.embedding_dim}). Test prevalence "
        f"{task.test_prevalence:.3f}; mean ± sd [95% CI] over {seeds} seeds.\n\n"
        + markdown_summary(summary, ["variant"])
    )
    figure = bar_figure(summary, "variant", f"Two-tower vs cross-encoder ({task.name})")
    return StudyResult("model_comparison", task.name, runs, summary, markdown,
                       {"metrics": figure} if figure else {}, notes)
