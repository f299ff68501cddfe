"""Every study runs end to end on a tiny configuration and writes its outputs
(imbalance and cold start, which build their own splits, in test_studies_dataset.py)."""
import inspect

import numpy as np
import pandas as pd
import pytest

from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier
from grnfast.data import GRNDataset
from grnfast.models import PUBLISHED_PARAMS
from grnfast.studies import STUDIES
from grnfast.studies.model_comparison import match_parameter_budget

TINY = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=3, early_stopping=True)
OPTIONS = {
    "model-comparison": dict(seeds=2),
    "ablation": dict(seeds=2),
    "pruning": dict(seeds=1, fractions=(0.5,), fine_tune_epochs=1),
    "effective-rank": dict(seeds=1),
    "tuning": dict(n_iter=2, cv=2, search_space={"dropout": [0.0, 0.2]}),
}


@pytest.fixture(scope="module")
def dataset():
    return GRNDataset.synthetic(random_state=0, n_genes=100, n_regulators=15, n_cells=100, n_cell_types=4,
                                mean_out_degree=8)


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_one_signature(name):
    """Every study takes the data set first and the same keywords."""
    parameters = inspect.signature(STUDIES[name]).parameters
    assert list(parameters)[0] == "dataset"
    assert {"params", "progress", "random_state"} <= set(parameters)


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_study_runs_and_writes(name, dataset, tmp_path):
    result = STUDIES[name](dataset, params=TINY, progress=False, **OPTIONS[name])
    paths = result.save(tmp_path)
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert result.markdown.count("\n") >= 3
    if "variant" in result.runs:
        assert "degree baseline" in set(result.runs.variant)  # the baseline is always beside the models
    assert not result.runs.select_dtypes("number").isna().all().any()


def test_parameter_budget_matching():
    features = pd.DataFrame(np.zeros((1000, 11)))
    budget = CrossEncoderClassifier(node_features=features, **PUBLISHED_PARAMS).count_parameters()
    for cls in (TwoTowerClassifier, LateInteractionClassifier):
        tower = match_parameter_budget(cls(node_features=features, **PUBLISHED_PARAMS), 1000, 11, budget)
        assert abs(tower.count_parameters() - budget) / budget < 0.002


def test_effective_rank_of_the_models_asked_for(dataset):
    result = STUDIES["effective-rank"](dataset, models=("two-tower",), seeds=1, params=TINY, progress=False)
    assert set(result.runs.model) == {"two-tower"}
    assert set(STUDIES["effective-rank"](dataset, seeds=1, params=TINY, progress=False).runs.model) == {
        "two-tower", "cross-encoder", "late-interaction"}


def test_parameter_budget_beyond_the_embedding():
    """With the defaults the late-interaction model's last layers alone outgrow the
    cross-encoder's count: its hidden widths shrink instead, the embedding kept."""
    features = pd.DataFrame(np.zeros((1000, 11)))
    budget = CrossEncoderClassifier(node_features=features).count_parameters()
    late = LateInteractionClassifier(node_features=features)
    assert late.set_params(embedding_dim=1).count_parameters() > budget
    late = match_parameter_budget(late.set_params(embedding_dim=64), 1000, 11, budget)
    assert late.embedding_dim == 64 and late.hidden_layer_sizes[0] < 256
    assert abs(late.count_parameters() - budget) / budget < 0.01
    tower = match_parameter_budget(TwoTowerClassifier(node_features=features), 1000, 11, budget)
    assert tower.hidden_layer_sizes == (256, 128, 64) and abs(tower.count_parameters() - budget) / budget < 0.01
