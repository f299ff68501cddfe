"""Study 1: the three models (two-tower, cross-encoder, late interaction) at an
equal number of parameters."""
from ..models import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier
from ._runner import bar_figure, default_seeds, random_task, run_variants
from .output import StudyResult, markdown_summary, summarize


def match_parameter_budget(estimator, n_genes, n_node_features, budget, tolerance=0.01):
    """The estimator resized so that its parameter count is closest to ``budget``:
    its embedding size alone (other settings kept) when that comes within
    ``tolerance`` of it; otherwise, when even a 1-wide embedding leaves it above
    the budget (the late-interaction model's last layers are ``n_vectors`` times
    wider), the embedding as given and every hidden layer's width scaled by one
    common factor."""
    def count(**change):
        return estimator.set_params(**change).count_parameters(n_genes, n_node_features)

    embedding, widths = estimator.embedding_dim, tuple(estimator.hidden_layer_sizes)
    low, high = 1, 1
    while count(embedding_dim=high) < budget:
        low, high = high, high * 2
    while high - low > 1:  # count grows with the embedding size: bisect
        mid = (low + high) // 2
        low, high = (mid, high) if count(embedding_dim=mid) < budget else (low, mid)
    best = min((low, high), key=lambda d: abs(count(embedding_dim=d) - budget))
    if abs(count(embedding_dim=best) - budget) <= tolerance * budget:
        return estimator.set_params(embedding_dim=best)

    def scaled(factor):
        return tuple(max(1, round(w * factor)) for w in widths)

    estimator.set_params(embedding_dim=embedding)
    low, high = 0.0, 1.0  # count grows with the factor; the widths as given are above the budget
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if count(hidden_layer_sizes=scaled(mid)) < budget else (low, mid)
    best = min((low, high), key=lambda f: abs(count(hidden_layer_sizes=scaled(f)) - budget))
    return estimator.set_params(hidden_layer_sizes=scaled(best))


def run(dataset, *, seeds=5, budget=None, params=None, progress=True, random_state=0):
    """The three models sized to the same parameter count, ``seeds`` seeds each, on
    the data set's random split.

    ``budget`` defaults to the cross-encoder's count with ``params``; the tower
    models' embedding sizes are matched to it, or their hidden widths where the
    embedding alone cannot (:func:`match_parameter_budget`).
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
             "hidden_layer_sizes": {name: list(model.hidden_layer_sizes) for name, model in matched.items()},
             "test_prevalence": task.test_prevalence}
    markdown = (
        f"Parameter budget {budget:,}: "
        + ", ".join(f"{name} {counts[name]:,} (embedding {model.embedding_dim}, hidden layers "
                    f"{tuple(model.hidden_layer_sizes)})" for name, model in matched.items())
        + ". Test prevalence "
        f"{task.test_prevalence:.3f}; mean ± sd [95% CI] over {seeds} seeds.\n\n"
        + markdown_summary(summary, ["variant"])
    )
    figure = bar_figure(summary, "variant", f"Two-tower, cross-encoder and late interaction ({task.name})")
    return StudyResult("model_comparison", task.name, runs, summary, markdown,
                       {"metrics": figure} if figure else {}, notes)
