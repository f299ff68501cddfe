"""Study 7: how much hyperparameter search adds over the defaults."""
import time

import numpy as np
import pandas as pd
from scipy.stats import loguniform
from sklearn.model_selection import RandomizedSearchCV

from ..evaluation.protocol import baselines, evaluate_on_test
from ..evaluation.report import markdown_table
from ..models import model_class
from ._runner import random_task
from .output import StudyResult

SEARCH_SPACE = {
    "dropout": [0.0, 0.1, 0.2, 0.3, 0.5],
    "alpha": loguniform(1e-4, 1e-1),
    "learning_rate_init": loguniform(3e-4, 1e-2),
    "hidden_layer_sizes": [(256, 128, 64), (128, 64), (512, 256, 128), (64, 32)],
}


def run(dataset, *, model="cross-encoder", n_iter=10, cv=3, params=None, search_space=None, random_state=0,
        n_jobs=None, progress=True):
    """RandomizedSearchCV (``n_iter`` draws, ``cv`` folds, scored by average
    precision) on the training pairs, against the defaults; both evaluated on the
    test pairs of the data set's random split."""
    task = random_task(dataset, random_state)
    cls = model_class(model)
    base = cls(node_features=task.node_features, **{**dict(params or {}), "random_state": random_state})
    start = time.perf_counter()
    defaults = task.fit(base.__class__(**base.get_params()))
    default_seconds = time.perf_counter() - start
    search = RandomizedSearchCV(base, search_space or SEARCH_SPACE, n_iter=n_iter, cv=cv,
                                scoring="average_precision", random_state=random_state, n_jobs=n_jobs,
                                verbose=1 if progress else 0)
    start = time.perf_counter()
    search.fit(task.X_train, task.y_train)
    search_seconds = time.perf_counter() - start
    tuned = task.fit(search.best_estimator_.__class__(**search.best_estimator_.get_params()))
    rows = [{"variant": name, **evaluate_on_test(task, fitted)} for name, fitted in baselines(task).items()]
    rows.append({"variant": "defaults", **evaluate_on_test(task, defaults), "seconds": default_seconds})
    rows.append({"variant": "tuned", **evaluate_on_test(task, tuned), "seconds": search_seconds})
    runs = pd.DataFrame(rows)
    best = {k: (v if not isinstance(v, (float, np.floating)) else float(v)) for k, v in search.best_params_.items()}
    table = pd.DataFrame({"variant": runs["variant"], "AUROC": runs["auroc"].map("{:.3f}".format),
                          "AUPRC": runs["auprc"].map("{:.3f}".format), "EPR": runs["epr"].map("{:.2f}".format)})
    markdown = (f"RandomizedSearchCV over {n_iter} settings x {cv} folds ({search_seconds:.0f} s) on the training "
                f"pairs; best {best} (CV average precision {search.best_score_:.3f}). Test prevalence "
                f"{task.test_prevalence:.3f}.\n\n" + markdown_table(table))
    return StudyResult("tuning", task.name, runs, runs, markdown, {},
                       {"best_params": {k: str(v) for k, v in best.items()}, "cv_score": float(search.best_score_)})
