"""The blend of a model's log-odds and the co-expressed TFs' targets that ``infer``
writes for TFs without known edges (grnfast.pipeline.cold_blend)."""
import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from grnfast.data import GRNDataset
from grnfast.models import TwoTowerClassifier
from grnfast.models.presets import TINY_PARAMS
from grnfast.pipeline.cold_blend import ColdBlend, prior_targets
from grnfast.pipeline.coexpressed_targets import CoexpressedTargets
from grnfast.scoring import rank_edges


def pairs_with(model_effect, share_effect, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    model_logits, share = rng.normal(size=n), rng.normal(-3, 1, size=n)
    y = (rng.random(n) < expit(-1 + model_effect * model_logits + share_effect * (share + 3))).astype(int)
    return model_logits, share, y, 2.0


def test_both_inputs_weighed_when_both_rank_the_pairs():
    blend = ColdBlend.fit(*pairs_with(1.5, 0.8))
    assert blend.model_weight == pytest.approx(1.5, abs=0.2) and blend.share_weight == pytest.approx(0.8, abs=0.2)
    assert blend.n_pairs == 4000 and blend.beta == 2.0 and blend == ColdBlend.fit(*pairs_with(1.5, 0.8))


def test_an_input_that_would_rank_against_its_evidence_is_dropped_and_the_other_refitted():
    model_logits, share, y, beta = pairs_with(-1.0, 1.0)
    blend = ColdBlend.fit(model_logits, share, y, beta)
    alone = LogisticRegression().fit(share[:, None], y)
    assert blend.model_weight == 0.0
    assert blend.share_weight == pytest.approx(alone.coef_[0, 0])
    assert blend.intercept == pytest.approx(alone.intercept_[0])
    blend = ColdBlend.fit(*pairs_with(1.0, -1.0))
    assert blend.share_weight == 0.0 and blend.model_weight > 0.5


def test_when_neither_input_ranks_the_pairs_every_pair_gets_their_prevalence():
    model_logits, share, y, beta = pairs_with(-1.0, -1.0)
    blend = ColdBlend.fit(model_logits, share, y, beta)
    assert blend.model_weight == blend.share_weight == 0.0
    assert expit(blend.logits(model_logits, share)) == pytest.approx(np.full(len(y), y.mean()))


@pytest.fixture(scope="module")
def fitted():
    ds = GRNDataset.synthetic(n_genes=120, n_regulators=20, n_cells=200, random_state=2)
    split = ds.split("random", random_state=0)
    task = ds.task(split)
    model = TwoTowerClassifier(node_features=ds.node_features, random_state=0, n_jobs=1,
                               **TINY_PARAMS).fit(task.X_train, task.y_train)
    targets = CoexpressedTargets.fit(ds.genes, ds.expression, ds.edges, ds.genes, beta=5.0)
    return ds, model, targets


@pytest.mark.parametrize("top_k", [None, 7])
def test_ranked_edges_of_the_blended_model_are_the_blend_of_each_pair(fitted, top_k):
    ds, model, targets = fitted
    blend = ColdBlend(-2.0, 0.7, 1.3, 5.0, 100, 0.1)
    regulators = list(ds.genes[:9])
    edges = rank_edges(blend.scorer(model, targets), regulators, top_k=top_k, block_size=4)
    pairs = edges[["Gene1", "Gene2"]]
    expected = expit(blend.logits(model.decision_function(pairs), targets.pair_log_share(pairs)))
    assert np.allclose(edges.EdgeWeight, expected, rtol=1e-5, atol=1e-7)
    assert (edges.Gene1 != edges.Gene2).all() and np.all(np.diff(edges.EdgeWeight) <= 0)
    per_regulator = edges.groupby("Gene1").size()
    assert set(per_regulator.index) == set(regulators)
    assert (per_regulator == (len(ds.genes) - 1 if top_k is None else top_k)).all()
    # the blend, not the model, decides which targets a regulator keeps
    every = rank_edges(blend.scorer(model, targets), regulators, top_k=None)
    best = every.groupby("Gene1", sort=False).head(7 if top_k else len(ds.genes))
    assert set(map(tuple, best[["Gene1", "Gene2"]].to_numpy())) == set(map(tuple, edges[["Gene1", "Gene2"]].to_numpy()))


def test_a_blend_weighing_only_the_model_ranks_as_the_model(fitted):
    ds, model, targets = fitted
    regulators = list(ds.genes[:5])
    blended = rank_edges(ColdBlend(0.0, 1.0, 0.0, 5.0, 1, 0.5).scorer(model, targets), regulators, weight="logit")
    plain = rank_edges(model, regulators, weight="logit")
    assert blended[["Gene1", "Gene2"]].equals(plain[["Gene1", "Gene2"]])
    assert np.allclose(blended.EdgeWeight, plain.EdgeWeight, rtol=1e-6)


def test_the_run_weighs_every_known_edge_of_the_prior_at_the_checks_beta():
    ds = GRNDataset.synthetic(n_genes=120, n_regulators=20, n_cells=200, random_state=2)
    targets = prior_targets(ds, 5.0)
    assert targets.beta == 5.0 and targets.n_known == len(ds.known_regulators)
    # at beta 0, a known regulator's share is the others' in-degree (its own row left out)
    regulator = ds.known_regulators[0]
    in_degree = ds.edges.target.value_counts().reindex(ds.genes, fill_value=0).to_numpy()
    own = ds.genes.isin(ds.edges.target[ds.edges.regulator == regulator])
    expected = np.log((in_degree - own + 1.0) / len(ds.known_regulators))
    assert prior_targets(ds, 0.0).log_share([regulator])[0] == pytest.approx(expected)
