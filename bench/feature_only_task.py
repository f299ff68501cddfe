"""Issue 25's feature-only pair task, printed: scikit-learn's MLPClassifier on the
concatenated feature rows beside each model with its defaults, with embedding
dropout, with zero-initialised embeddings, with the feature interaction, with it and
zero-initialised embeddings, and reading the features alone (no embedding, no graph)
through the default layers and through MLPClassifier's one layer of 100 (AUROC on
all test pairs, on pairs of seen genes, on pairs with a gene no training pair has).
The task and the settings are tests/test_unseen_genes.py's, whose assertions this
prints the numbers of (docs/guide.md, "Letting the features meet").

    python bench/feature_only_task.py
"""
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier

from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_unseen_genes import FEATURES_MEET, feature_only_task  # noqa: E402

SETTINGS = {"default": {}, "embedding_dropout=0.1": {"embedding_dropout": 0.1},
            "embedding_init='zeros'": {"embedding_init": "zeros"},
            "feature_interaction": {"feature_interaction": True},
            "feature_interaction + embedding_init='zeros'": FEATURES_MEET,
            # the features alone, through the default layers and through one layer of 100 (MLPClassifier's)
            "use_embeddings=False, graph_dim=0": {"use_embeddings": False, "graph_dim": 0},
            "the same, hidden_layer_sizes=(100,)": {"use_embeddings": False, "graph_dim": 0,
                                                   "hidden_layer_sizes": (100,)}}


def main():
    X, train, y_train, test, y_test, n_seen = feature_only_task()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(random_state=0, max_iter=500).fit(np.hstack([X[train[:, 0]], X[train[:, 1]]]), y_train)
    reference = roc_auc_score(y_test, mlp.predict_proba(np.hstack([X[test[:, 0]], X[test[:, 1]]]))[:, 1])
    print(f"MLPClassifier: AUROC {reference:.3f}")
    print(f"{'setting':<46} {'model':<28} {'all':>6} {'seen':>6} {'unseen':>6}")
    for name, params in SETTINGS.items():
        for cls in (TwoTowerClassifier, CrossEncoderClassifier, LateInteractionClassifier):
            model = cls(node_features=X, random_negative_ratio=0.0, random_state=0, n_jobs=1, **params)
            p = model.fit(train, y_train).predict_proba(test)[:, 1]
            aurocs = [roc_auc_score(y, s) for y, s in ((y_test, p), (y_test[:n_seen], p[:n_seen]),
                                                       (y_test[n_seen:], p[n_seen:]))]
            print(f"{name:<46} {cls.__name__:<28} " + " ".join(f"{a:6.3f}" for a in aurocs), flush=True)


if __name__ == "__main__":
    main()
