"""Study 3: what each part of the model contributes."""
from ..models import CrossEncoderClassifier, model_class
from ._runner import bar_figure, default_seeds, random_task, run_variants
from .output import StudyResult, markdown_summary, summarize

ABLATIONS = {
    "full model": {},
    "without product term": {"use_product": False},
    "without expression": {"use_expression": False},
    "without embeddings": {"use_embeddings": False},
    "without batch norm": {"batch_norm": False},
    "without dropout": {"dropout": 0.0},
}


def run(dataset, *, model="cross-encoder", seeds=3, params=None, progress=True, random_state=0):
    """Each ablation of ``model`` ("cross-encoder" or "two-tower") over ``seeds``
    seeds on the data set's random split; the product term exists only in the
    cross-encoder."""
    task = random_task(dataset, random_state)
    cls = model_class(model)
    params = dict(params or {})
    ablations = {k: v for k, v in ABLATIONS.items() if cls is CrossEncoderClassifier or "use_product" not in v}

    def factory(change):
        return lambda seed: cls(node_features=task.node_features, **{**params, **change, "random_state": seed})

    runs = run_variants(task, {name: factory(change) for name, change in ablations.items()},
                        default_seeds(seeds), progress)
    summary = summarize(runs, ["variant"])
    markdown = (f"Ablations of the {model}; test prevalence {task.test_prevalence:.3f}; mean ± sd [95% CI] over "
                f"{seeds} seeds.\n\n" + markdown_summary(summary, ["variant"]))
    figure = bar_figure(summary, "variant", f"Ablation of the {model} ({task.name})")
    return StudyResult("ablation", task.name, runs, summary, markdown, {"metrics": figure} if figure else {},
                       {"model": model, "test_prevalence": task.test_prevalence})
