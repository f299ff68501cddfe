"""The seed ensemble: members differ only by seed, probabilities are their mean,
and the result does not depend on how many jobs train it."""
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from grnfast import CrossEncoderClassifier, SeedEnsembleClassifier, TwoTowerClassifier

FAST = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=5, early_stopping=False)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(80, 4)), index=[f"g{i}" for i in range(80)])
    pairs = rng.integers(0, 80, (1500, 2))
    y = (features.to_numpy()[pairs[:, 0], 0] + features.to_numpy()[pairs[:, 1], 1] > 0.5).astype(int)
    return features, pairs, y


@pytest.mark.parametrize("model", [TwoTowerClassifier, CrossEncoderClassifier])
def test_members_are_seeded_copies_and_probabilities_average(model, data):
    features, pairs, y = data
    ens = SeedEnsembleClassifier(model(node_features=features, **FAST), n_estimators=3, random_state=0)
    ens.fit(pairs[:1000], y[:1000])
    assert len(ens.estimators_) == 3 and len(set(ens.seeds_)) == 3
    assert [m.random_state for m in ens.estimators_] == list(ens.seeds_)
    for member, seed in zip(ens.estimators_, ens.seeds_):
        alone = model(node_features=features, random_state=int(seed), **FAST).fit(pairs[:1000], y[:1000])
        np.testing.assert_array_equal(member.params_, alone.params_)
    proba = ens.predict_proba(pairs[1000:])
    np.testing.assert_allclose(proba, np.mean([m.predict_proba(pairs[1000:]) for m in ens.estimators_], axis=0))
    assert (ens.predict(pairs[1000:]) == (proba[:, 1] > 0.5)).all()
    assert np.all(np.diff(ens.decision_function(pairs[1000:])[np.argsort(proba[:, 1])]) >= 0)


def test_same_result_for_any_number_of_jobs(data):
    features, pairs, y = data
    fits = [SeedEnsembleClassifier(CrossEncoderClassifier(node_features=features, **FAST), n_estimators=2,
                                   random_state=1, n_jobs=n).fit(pairs[:800], y[:800]) for n in (1, 2)]
    np.testing.assert_array_equal(fits[0].predict_proba(pairs[800:]), fits[1].predict_proba(pairs[800:]))


def test_sklearn_tooling_and_pickle(data):
    features, pairs, y = data
    ens = SeedEnsembleClassifier(CrossEncoderClassifier(node_features=features, **FAST), n_estimators=2, random_state=0)
    scores = cross_val_score(clone(ens), pairs[:900], y[:900], cv=3, scoring="roc_auc")
    assert scores.shape == (3,)
    ens.fit(pairs[:900], y[:900])
    again = pickle.loads(pickle.dumps(ens))
    np.testing.assert_array_equal(again.predict_proba(pairs[900:]), ens.predict_proba(pairs[900:]))


def test_bad_n_estimators(data):
    features, pairs, y = data
    with pytest.raises(ValueError, match="n_estimators"):
        SeedEnsembleClassifier(n_estimators=0).fit(pairs, y)
