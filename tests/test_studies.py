"""Every study runs end to end on a tiny configuration and writes its outputs."""
import numpy as np
import pandas as pd
import pytest

from grnfast.studies import STUDIES, PairTask
from grnfast.studies.model_comparison import match_parameter_budget
from grnfast import CrossEncoderClassifier, TwoTowerClassifier

TINY = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=3, early_stopping=True)
OPTIONS = {
    "model-comparison": dict(seeds=2),
    "ablation": dict(seeds=2),
    "pruning": dict(seeds=1, fractions=(0.5,), fine_tune_epochs=1),
    "effective-rank": dict(seeds=1),
    "tuning": dict(n_iter=2, cv=2, search_space={"dropout": [0.0, 0.2]}),
}


@pytest.fixture(scope="module")
def task():
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(70, 4)), index=[f"g{i}" for i in range(70)])
    pairs = rng.integers(0, 70, (1200, 2))
    y = (features.to_numpy()[pairs[:, 0], 0] + features.to_numpy()[pairs[:, 1], 1] > 0.3).astype(int)
    return PairTask("toy", features, pairs[:800], y[:800], pairs[800:1000], y[800:1000], pairs[1000:], y[1000:])


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_study_runs_and_writes(name, task, tmp_path):
    result = STUDIES[name](task, params=TINY, progress=False, **OPTIONS[name])
    paths = result.save(tmp_path)
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert result.markdown.count("\n") >= 3
    if "variant" in result.runs:
        assert "degree baseline" in set(result.runs.variant)  # the baseline is always beside the models
    assert not result.runs.select_dtypes("number").isna().all().any()


def test_parameter_budget_matching():
    features = pd.DataFrame(np.zeros((1000, 11)))
    budget = CrossEncoderClassifier(node_features=features).count_parameters()
    tower = match_parameter_budget(TwoTowerClassifier(node_features=features), 1000, 11, budget)
    assert abs(tower.count_parameters() - budget) / budget < 0.002
