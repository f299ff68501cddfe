"""Study 1: the three models (two-tower, cross-encoder, late interaction) at an
equal number of parameters."""
from ..models import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier
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
    """The three models sized to the same parameter count, ``seeds`` seeds each, on
    the data set's random split.

    ``budget`` defaults to the cross-encoder's count with ``params`` (the published
    configuration by default); the tower models' embedding sizes are matched to it.
    """
    task = random_task(dataset, random_state)
    params = dict(params or {})
    n_genes, n_features = task.node_features.shape
    cross = CrossEncoderClassifier(node_features=task.node_features, **params)
    budget = budget or cross.count_parameters()
    cross = match_parameter_budget(cross, n_genes, n_features, budget)
    matched = {"cross-encoder": cross}
    for name, cls in (("two-tower", TwoTowerClassifier), ("late-interaction", LateInteractionClassifier)):
        matched[name] = match_parameter_budget(cls(node_features=task.node_features, **params), n_genes, n_features,
                                               budget)
    variants = {name: (lambda seed, m=model: m.__class__(**{**m.get_params(), "random_state": seed}))
                for name, model in matched.items()}
    runs = run_variants(task, variants, default_seeds(seeds), progress)
    summary = summarize(runs, ["variant"])
    counts = runs.groupby("variant")["n_parameters"].max().to_dict()
    notes = {"budget": int(budget), "parameters": {k: int(v) for k, v in counts.items()},
             "embedding_dim": {name: model.embedding_dim for name, model in matched.items()},
             "test_prevalence": task.test_prevalence}
    markdown = (
        f"Parameter budget {budget:,}: "
        + ", ".join(f"{name} {counts[name]:,} (embedding {model.embedding_dim})" for name, model in matched.items())
        + ". Test prevalence "
        f"{task.test_prevalence:.3f}; mean ± sd [95% CI] over {seeds} seeds.\n\n"
        + markdown_summary(summary, ["variant"])
    )
    figure = bar_figure(summary, "variant", f"Two-tower, cross-encoder and late interaction ({task.name})")
    return StudyResult("model_comparison", task.name, runs, summary, markdown,
                       {"metrics": figure} if figure else {}, notes)
