"""Random negatives drawn as a model is used."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from grnfast import CrossEncoderClassifier, TwoTowerClassifier
from grnfast.data import GRNDataset
from grnfast.evaluation import evaluate
from grnfast.models._random_negatives import RandomNegatives


@st.composite
def edge_sets(draw):
    n_genes = draw(st.integers(2, 30))
    n_edges = draw(st.integers(1, 40))
    edges = draw(st.lists(st.tuples(st.integers(0, n_genes - 1), st.integers(0, n_genes - 1)),
                          min_size=1, max_size=n_edges))
    return np.array(edges, dtype=np.int64), n_genes


@settings(max_examples=60, deadline=None)
@given(edge_sets(), st.floats(0.1, 20), st.integers(0, 2**31 - 1), st.integers(0, 50))
def test_random_negatives_are_new_distinct_pairs_of_known_regulators(edges_genes, ratio, seed, epoch):
    edges, n_genes = edges_genes
    sampler = RandomNegatives(edges, n_genes, ratio, seed)
    drawn = sampler.draw(epoch)
    assert drawn.dtype == np.int64 and drawn.shape[1] == 2
    codes = drawn[:, 0] * n_genes + drawn[:, 1]
    known = set((edges[:, 0] * n_genes + edges[:, 1]).tolist())
    assert len(set(codes.tolist())) == len(codes)                      # distinct
    assert not set(codes.tolist()) & known                             # never an edge
    assert (drawn[:, 0] != drawn[:, 1]).all()                          # never a self-pair
    assert np.isin(drawn[:, 0], edges[:, 0]).all()                     # regulators of known edges
    assert ((drawn >= 0) & (drawn < n_genes)).all()
    possible = len(np.unique(edges[:, 0])) * (n_genes - 1) - len(known - {r * n_genes + r for r in range(n_genes)})
    assert len(drawn) == min(int(round(ratio * len(edges))), possible)  # as many as asked, or all there are
    np.testing.assert_array_equal(drawn, RandomNegatives(edges, n_genes, ratio, seed).draw(epoch))


def test_draws_differ_by_epoch_and_respect_exclude():
    rng = np.random.default_rng(0)
    edges = np.stack([rng.integers(0, 20, 200), rng.integers(0, 500, 200)], axis=1)
    sampler = RandomNegatives(edges, 500, 3.0, seed=7)
    first, second = sampler.draw(0), sampler.draw(1)
    assert len(first) == 600 and not np.array_equal(first, second)
    held_out = sampler.draw(99, n=50)
    again = sampler.draw(0, exclude=held_out)
    assert not set(map(tuple, again.tolist())) & set(map(tuple, held_out.tolist()))


def test_asking_for_most_free_pairs_lists_them_rather_than_rejecting():
    """More than half the free pairs asked for (a Specific ChIP-seq split, where the
    given negatives already hold most non-edges): every free pair at most once, and
    all of them when the ratio asks for more than there are."""
    rng = np.random.default_rng(1)
    edges = np.stack([rng.integers(0, 40, 3000), rng.integers(0, 1500, 3000)], axis=1)
    sampler = RandomNegatives(edges, 1500, 20.0, seed=3)
    free = 40 * 1499 - len({(r, t) for r, t in edges.tolist() if r != t})
    drawn = sampler.draw(0)
    assert len(drawn) == free and len(np.unique(drawn[:, 0] * 1500 + drawn[:, 1])) == free
    some = sampler.draw(1, n=int(0.75 * free))
    assert len(np.unique(some[:, 0] * 1500 + some[:, 1])) == len(some) == int(0.75 * free)
    assert not np.array_equal(some, sampler.draw(2, n=int(0.75 * free)))


# ---- the estimators' random_negative_ratio -------------------------------------------

SMALL = {"embedding_dim": 32, "hidden_layer_sizes": (64, 32), "max_iter": 10, "random_state": 0}


@pytest.fixture(scope="module")
def genelink_task():
    """GENELink's protocol on the synthetic data: 1:1 negatives from each
    regulator's own non-targets in training, random pairs at the network's density
    in the test set (prevalence 0.01)."""
    ds = GRNDataset.synthetic(random_state=0)
    return ds.task(ds.split("per_regulator", random_state=0))


@pytest.mark.parametrize("cls", [CrossEncoderClassifier, TwoTowerClassifier])
def test_random_negatives_teach_what_per_regulator_negatives_cannot(cls, genelink_task):
    """Per-regulator negatives never reward knowing a regulator's out-degree; random
    pairs at test time reward it most. Random negatives close that gap."""
    task = genelink_task
    scores = {}
    for ratio in (0.0, 5.0):
        model = cls(node_features=task.node_features, random_negative_ratio=ratio, **SMALL)
        task.fit(model)
        scores[ratio] = evaluate(task.y_test, model.predict_proba(task.X_test)[:, 1])
    assert scores[0.0]["auroc"] < 0.7 and scores[5.0]["auroc"] > 0.8
    assert scores[5.0]["auprc"] > 5 * scores[0.0]["auprc"]


@pytest.mark.parametrize("cls", [CrossEncoderClassifier, TwoTowerClassifier])
def test_random_negatives_are_bit_identical_for_any_n_jobs(cls, genelink_task):
    task = genelink_task
    predictions = []
    for n_jobs in (1, 2):
        model = cls(node_features=task.node_features, random_negative_ratio=3.0, n_jobs=n_jobs,
                    class_weight="balanced", **{**SMALL, "max_iter": 3})
        task.fit(model)
        predictions.append(model.predict_proba(task.X_test[:500])[:, 1])
    np.testing.assert_array_equal(*predictions)


def test_validation_pairs_get_random_negatives_too(genelink_task):
    """With eval_set, early stopping watches the given validation pairs plus random
    pairs at the same ratio: its AUROC then rewards degree as the test set does, so it
    differs from the AUROC on the given validation pairs alone."""
    task = genelink_task
    model = CrossEncoderClassifier(node_features=task.node_features, random_negative_ratio=5.0,
                                   **{**SMALL, "max_iter": 3})
    task.fit(model)
    given_only = roc_auc_score(task.y_val, model.decision_function(task.X_val))
    assert model.best_validation_score_ != pytest.approx(given_only, abs=1e-6)
    assert model.best_validation_score_ > given_only  # random pairs are the easier negatives


@pytest.mark.parametrize("ratio", [-1.0, float("nan"), float("inf"), 1e6, "ten"])
def test_random_negative_ratio_is_checked(ratio, genelink_task):
    task = genelink_task
    with pytest.raises((ValueError, TypeError), match="random_negative_ratio"):
        CrossEncoderClassifier(node_features=task.node_features, random_negative_ratio=ratio).fit(
            task.X_train, task.y_train)


# ---- negative_regulators: regulators without a training edge -------------------------

def test_given_regulators_are_drawn_beside_those_of_the_edges():
    rng = np.random.default_rng(2)
    edges = np.stack([rng.integers(0, 10, 100), rng.integers(0, 300, 100)], axis=1)
    extra = np.arange(200, 260)
    drawn = RandomNegatives(edges, 300, 5.0, seed=4, regulators=extra).draw(0)
    allowed = np.union1d(edges[:, 0], extra)
    assert np.isin(drawn[:, 0], allowed).all() and np.isin(drawn[:, 0], extra).any()
    assert not set(map(tuple, drawn.tolist())) & set(map(tuple, edges.tolist()))
    # the edges' own regulators given again: the same draws as without
    np.testing.assert_array_equal(RandomNegatives(edges, 300, 5.0, seed=4, regulators=edges[:, 0]).draw(0),
                                  RandomNegatives(edges, 300, 5.0, seed=4).draw(0))


# ---- negative_targets: genes a split holds out of training -----------------------------

def assert_same_for_any_n_jobs(task, **params):
    """A two-tower with ``params`` predicts the same bit for bit with 1 and 2 threads."""
    predictions = []
    for n_jobs in (1, 2):
        model = TwoTowerClassifier(node_features=task.node_features, n_jobs=n_jobs, **{**SMALL, "max_iter": 2},
                                   **params)
        task.fit(model)
        predictions.append(model.predict_proba(task.X_test[:500])[:, 1])
    np.testing.assert_array_equal(*predictions)



@settings(max_examples=60, deadline=None)
@given(edge_sets(), st.floats(0.1, 20), st.integers(0, 2**31 - 1), st.data())
def test_given_targets_are_the_only_targets_drawn(edges_genes, ratio, seed, data):
    edges, n_genes = edges_genes
    targets = np.array(sorted(data.draw(st.sets(st.integers(0, n_genes - 1), min_size=1))), dtype=np.int64)
    drawn = RandomNegatives(edges, n_genes, ratio, seed, targets=targets).draw(0)
    assert np.isin(drawn[:, 1], targets).all() and (drawn[:, 0] != drawn[:, 1]).all()
    assert not set(map(tuple, drawn.tolist())) & set(map(tuple, edges.tolist()))
    regulators = np.unique(edges[:, 0])
    free = {(r, t) for r in regulators.tolist() for t in targets.tolist() if r != t} - set(map(tuple, edges.tolist()))
    assert len(drawn) == min(int(round(ratio * len(edges))), len(free)) == len({*map(tuple, drawn.tolist())})


def test_every_gene_as_targets_draws_as_without():
    rng = np.random.default_rng(5)
    edges = np.stack([rng.integers(0, 10, 100), rng.integers(0, 300, 100)], axis=1)
    np.testing.assert_array_equal(RandomNegatives(edges, 300, 5.0, seed=4, targets=np.arange(300)).draw(3),
                                  RandomNegatives(edges, 300, 5.0, seed=4).draw(3))


def test_negative_targets_keep_the_genes_left_out_of_training_and_are_checked(genelink_task, monkeypatch):
    import grnfast.models._base as base

    drawn = []

    class Recording(RandomNegatives):
        def draw(self, key, n=None, exclude=None):
            pairs = super().draw(key, n, exclude)
            drawn.append(pairs)
            return pairs

    monkeypatch.setattr(base, "RandomNegatives", Recording)
    task = genelink_task
    genes = task.node_features.index
    left_out = np.arange(0, len(genes), 4)
    targets = [gene for i, gene in enumerate(genes) if i % 4]
    assert_same_for_any_n_jobs(task, negative_targets=targets)
    pairs = np.concatenate(drawn)
    assert len(pairs) and not np.isin(pairs[:, 1], left_out).any()
    with pytest.raises(ValueError, match=r"negative_targets.*\['no-such-gene'\]"):
        TwoTowerClassifier(node_features=task.node_features, negative_targets=["no-such-gene"],
                           **{**SMALL, "max_iter": 1}).fit(task.X_train, task.y_train)


@pytest.fixture(scope="module")
def unseen_regulators(genelink_task):
    """The training pairs without any pair of 5 regulators, and probes: those 5
    (unseen) and 5 others (seen) against every gene."""
    task = genelink_task
    regulators = task.X_train.regulator[task.y_train == 1].unique()
    keep = ~task.X_train.regulator.isin(regulators[:5]).to_numpy()
    genes = task.node_features.index

    def probe(regs):
        pairs = pd.DataFrame({"regulator": np.repeat(regs, len(genes)), "target": np.tile(genes, len(regs))})
        return pairs[pairs.regulator != pairs.target]

    return task.X_train[keep], task.y_train[keep], probe(regulators[:5]), probe(regulators[5:10])


@pytest.mark.parametrize("cls", [CrossEncoderClassifier, TwoTowerClassifier])
def test_negatives_of_regulators_without_edges_teach_the_model_to_rank_them_low(cls, genelink_task,
                                                                                 unseen_regulators):
    """A regulator with no training pair is scored anyhow by a model that never met
    one; drawn among the random negatives, it learns to rank such pairs lower,
    relative to a regulator it has seen, as the degree baseline does."""
    X, y, unseen, seen = unseen_regulators
    ratios = {}
    for negative_regulators in (None, list(genelink_task.node_features.index)):
        model = cls(node_features=genelink_task.node_features, random_negative_ratio=5.0,
                    negative_regulators=negative_regulators, **{**SMALL, "max_iter": 5}).fit(X, y)
        ratios[negative_regulators is None] = (model.predict_proba(unseen)[:, 1].mean()
                                               / model.predict_proba(seen)[:, 1].mean())
    assert ratios[False] < 0.8 * ratios[True]


def test_negative_regulators_are_bit_identical_for_any_n_jobs_and_checked(genelink_task):
    task = genelink_task
    regulators = list(task.node_features.index[::3])
    assert_same_for_any_n_jobs(task, negative_regulators=regulators)
    with pytest.raises(ValueError, match=r"negative_regulators.*\['no-such-gene'\]"):
        TwoTowerClassifier(node_features=task.node_features, negative_regulators=["no-such-gene"],
                           **{**SMALL, "max_iter": 1}).fit(task.X_train, task.y_train)
    with pytest.raises(ValueError, match="negative_regulators"):
        TwoTowerClassifier(node_features=task.node_features, negative_regulators="every",
                           **{**SMALL, "max_iter": 1}).fit(task.X_train, task.y_train)


def test_benchmark_runs_draw_random_negatives_regulators_from_the_tf_list(shared_data, monkeypatch):
    """evaluate_benchmark (the results page, `grnfast evaluate`) gives every model the
    benchmark's TF list as ``negative_regulators`` unless its params choose."""
    import grnfast.pipeline as pipeline
    import grnfast.pipeline.benchmark as benchmark
    from grnfast.data import load_beeline
    from grnfast.models.presets import with_tf_list

    seen = []
    train = benchmark.train
    monkeypatch.setattr(benchmark, "train", lambda task, name, model, progress: (
        seen.append(model.get_params()["negative_regulators"]) or train(task, name, model, progress)))
    ds = load_beeline(shared_data, "Specific", "mDC", 500)
    table = pipeline.evaluate_benchmark(shared_data, "Specific", "mDC", 500, [1], models=("cross-encoder",),
                                        params={"max_iter": 1, "n_jobs": 1}, progress=False)
    assert seen == [list(ds.regulators)] and "cross-encoder" in set(table.model)
    assert with_tf_list({"negative_regulators": None}, ds.regulators) == {"negative_regulators": None}
