"""The blend of a model's log-odds and target in-degree that ``infer`` writes for
TFs without known edges (grnfast.pipeline.cold_blend)."""
import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from grnfast.data import GRNDataset
from grnfast.evaluation import DegreeBaseline
from grnfast.models import TwoTowerClassifier
from grnfast.models.presets import TINY_PARAMS
from grnfast.pipeline.cold_blend import ColdBlend, log_regulator_share, pair_share, prior_degree
from grnfast.scoring import rank_edges


def pairs_with(model_effect, share_effect, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    model_logits, share = rng.normal(size=n), rng.normal(-3, 1, size=n)
    y = (rng.random(n) < expit(-1 + model_effect * model_logits + share_effect * (share + 3))).astype(int)
    return model_logits, share, y


def test_both_inputs_weighed_when_both_rank_the_pairs():
    blend = ColdBlend.fit(*pairs_with(1.5, 0.8))
    assert blend.model_weight == pytest.approx(1.5, abs=0.2) and blend.degree_weight == pytest.approx(0.8, abs=0.2)
    assert blend.n_pairs == 4000 and blend == ColdBlend.fit(*pairs_with(1.5, 0.8))


def test_an_input_that_would_rank_against_its_evidence_is_dropped_and_the_other_refitted():
    model_logits, share, y = pairs_with(-1.0, 1.0)
    blend = ColdBlend.fit(model_logits, share, y)
    alone = LogisticRegression().fit(share[:, None], y)
    assert blend.model_weight == 0.0
    assert blend.degree_weight == pytest.approx(alone.coef_[0, 0])
    assert blend.intercept == pytest.approx(alone.intercept_[0])
    model_logits, share, y = pairs_with(1.0, -1.0)
    blend = ColdBlend.fit(model_logits, share, y)
    assert blend.degree_weight == 0.0 and blend.model_weight > 0.5


def test_when_neither_input_ranks_the_pairs_every_pair_gets_their_prevalence():
    model_logits, share, y = pairs_with(-1.0, -1.0)
    blend = ColdBlend.fit(model_logits, share, y)
    assert blend.model_weight == blend.degree_weight == 0.0
    assert expit(blend.logits(model_logits, share)) == pytest.approx(np.full(len(y), y.mean()))


def test_the_share_is_of_training_regulators_so_a_smaller_training_gives_the_same_scale():
    X = np.array([[0, 5], [1, 5], [2, 5], [3, 6], [0, 6], [1, 7], [8, 4]])
    degree = DegreeBaseline().fit(X, np.array([1, 1, 1, 1, 1, 1, 0]))
    # 4 regulators with training edges; target 5 has 3 of them, 6 two, 7 one, 4 none
    expected = np.log(np.array([1, 4, 3, 2]) / 5.0)
    assert log_regulator_share(degree, [4, 5, 6, 7]) == pytest.approx(expected)
    assert pair_share(degree, np.array([[1, 4], [0, 5]])) == pytest.approx(expected[:2])


@pytest.fixture(scope="module")
def fitted():
    ds = GRNDataset.synthetic(n_genes=120, n_regulators=20, n_cells=200, random_state=2)
    split = ds.split("random", random_state=0)
    task = ds.task(split)
    model = TwoTowerClassifier(node_features=ds.node_features, random_state=0, n_jobs=1,
                               **TINY_PARAMS).fit(task.X_train, task.y_train)
    degree = DegreeBaseline(node_features=ds.node_features).fit(task.X_train, task.y_train)
    return ds, model, degree


@pytest.mark.parametrize("top_k", [None, 7])
def test_ranked_edges_of_the_blended_model_are_the_blend_of_each_pair(fitted, top_k):
    ds, model, degree = fitted
    blend = ColdBlend(-2.0, 0.7, 1.3, 100, 0.1)
    regulators = list(ds.genes[:9])
    edges = rank_edges(blend.scorer(model, degree), regulators, top_k=top_k, block_size=4)
    pairs = edges[["Gene1", "Gene2"]]
    expected = expit(blend.logits(model.decision_function(pairs), pair_share(degree, pairs)))
    assert np.allclose(edges.EdgeWeight, expected, rtol=1e-5, atol=1e-7)
    assert (edges.Gene1 != edges.Gene2).all() and np.all(np.diff(edges.EdgeWeight) <= 0)
    per_regulator = edges.groupby("Gene1").size()
    assert set(per_regulator.index) == set(regulators)
    assert (per_regulator == (len(ds.genes) - 1 if top_k is None else top_k)).all()
    # the blend, not the model, decides which targets a regulator keeps
    every = rank_edges(blend.scorer(model, degree), regulators, top_k=None)
    best = every.groupby("Gene1", sort=False).head(7 if top_k else len(ds.genes))
    assert set(map(tuple, best[["Gene1", "Gene2"]].to_numpy())) == set(map(tuple, edges[["Gene1", "Gene2"]].to_numpy()))


def test_a_blend_weighing_only_the_model_ranks_as_the_model(fitted):
    ds, model, degree = fitted
    regulators = list(ds.genes[:5])
    blended = rank_edges(ColdBlend(0.0, 1.0, 0.0, 1, 0.5).scorer(model, degree), regulators, weight="logit")
    plain = rank_edges(model, regulators, weight="logit")
    assert blended[["Gene1", "Gene2"]].equals(plain[["Gene1", "Gene2"]])
    assert np.allclose(blended.EdgeWeight, plain.EdgeWeight, rtol=1e-6)


def test_the_prior_degree_counts_every_known_edge_of_the_split():
    ds = GRNDataset.synthetic(n_genes=120, n_regulators=20, n_cells=200, random_state=2)
    task = ds.task(ds.split("random", random_state=0))
    degree = prior_degree(task, ds.node_features)
    rows = {gene: i for i, gene in enumerate(ds.node_features.index)}
    expected = np.bincount(ds.edges.target.map(rows), minlength=len(rows))
    assert np.array_equal(degree.in_degree_, expected)
    training_only = DegreeBaseline(node_features=ds.node_features).fit(task.X_train, task.y_train)
    assert degree.in_degree_.sum() == len(ds.edges) > training_only.in_degree_.sum()
