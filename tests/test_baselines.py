"""Baselines: scikit-learn compatibility, input resolution, and the degree
baseline's published strength on the real BEELINE splits."""
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_val_score

from grnfast.evaluation import CorrelationBaseline, DegreeBaseline, ExpressionBaseline, GeneIdentityBaseline, evaluate

from estimator_check_ids import parametrize_with_checks

SHARED_DATA = Path(__file__).parents[1] / ".." / "shared" / "data"
SPLITS = SHARED_DATA / "beeline-splits"
needs_splits = pytest.mark.skipif(
    not SPLITS.is_dir(), reason=f"real BEELINE split files not found at {SPLITS.resolve()}"
)

# ---- scikit-learn's generic checks -------------------------------------------------

# Gene tables large enough for the small non-negative integers the generic checks
# feed once the estimators declare categorical, non-negative input.
CHECK_GENES = np.random.default_rng(0).standard_normal((100, 4)).round(1)

NOT_PAIRS = "feeds X with a number of columns other than 2; X must be (n_pairs, 2) gene-index pairs"
NOT_INTEGER = "feeds non-integer floats as X (without the categorical rounding); X holds gene indices"
ONE_LABEL = "expects fitting on a single class to work or to fail with its own wording; we refuse it with a clear error"
CONTINUOUS_Y = "expects the words 'Unknown label type'; we say the target must be binary (edge / no edge)"
EXPECTED_FAILURES = {
    **{
        check: NOT_PAIRS
        for check in (
            "check_classifier_not_supporting_multiclass",
            "check_complex_data",
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_nan_inf",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_1sample",
            "check_fit2d_predict1d",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_supervised_y_2d",
        )
    },
    "check_classifiers_one_label": ONE_LABEL,
    "check_classifiers_regression_target": CONTINUOUS_Y,
    "check_decision_proba_consistency": NOT_INTEGER,
}


@parametrize_with_checks(
    [
        DegreeBaseline(),
        CorrelationBaseline(node_features=CHECK_GENES),
        ExpressionBaseline(node_features=CHECK_GENES),
        GeneIdentityBaseline(node_features=CHECK_GENES),
    ],
    expected_failed_checks=lambda estimator: EXPECTED_FAILURES,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ---- small hand-made network -------------------------------------------------------

GENES = ["g0", "g1", "g2", "g3", "g4"]
NODE_FEATURES = pd.DataFrame(
    [[1.0, 2.0, 3.0], [2.0, 4.0, 6.1], [3.0, 1.0, 0.0], [0.0, 0.0, 5.0], [1.0, 1.0, 1.0]],
    index=GENES,
    columns=["ct_a", "ct_b", "ct_c"],
)
TRAIN_X = np.array([[0, 1], [0, 2], [0, 3], [1, 2], [3, 4], [2, 4], [4, 0], [1, 3]])
TRAIN_Y = np.array([1, 1, 1, 1, 0, 0, 0, 0])


def test_degree_baseline_counts_training_positives_only():
    model = DegreeBaseline(node_features=NODE_FEATURES).fit(TRAIN_X, TRAIN_Y)
    np.testing.assert_array_equal(model.out_degree_, [3, 1, 0, 0, 0])
    np.testing.assert_array_equal(model.in_degree_, [0, 1, 2, 1, 0])
    pairs = np.array([[0, 2], [1, 3], [4, 4], [2, 0]])
    raw = model.decision_function(pairs) + model.midpoint_
    np.testing.assert_allclose(raw, [5, 2, 0, 0])
    proba = model.predict_proba(pairs)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(np.diff(proba[:2, 1]) < 0) and proba[2, 1] == 0.0
    np.testing.assert_array_equal(model.predict(pairs), (raw > model.midpoint_).astype(int))


def test_degree_baseline_accepts_gene_names_and_names_unknown_genes():
    named = pd.DataFrame({"TF": ["g0", "g1", "g4"], "Target": ["g1", "g2", "g0"]})
    model = DegreeBaseline(node_features=NODE_FEATURES).fit(named, [1, 1, 0])
    by_index = DegreeBaseline(node_features=NODE_FEATURES).fit([[0, 1], [1, 2], [4, 0]], [1, 1, 0])
    np.testing.assert_array_equal(model.decision_function(named), by_index.decision_function([[0, 1], [1, 2], [4, 0]]))
    with pytest.raises(ValueError, match=r"not in the gene table: \['BOGUS'\]"):
        model.predict_proba(pd.DataFrame({"TF": ["g0"], "Target": ["BOGUS"]}))


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[0, 1, 2]]), "exactly 2"),
        (np.array([[0], [1]]), "minimum of 2"),
        (np.array([[0.5, 1.0]]), "non-integer"),
        (np.array([[-1, 1]]), "Negative values"),
        (np.array([[0, 5]]), "out of range for a gene table of 5 genes"),
        (np.array([[0, 1]], dtype=complex), "Complex data"),
    ],
)
def test_bad_pairs_raise_clear_errors(X, message):
    model = DegreeBaseline(node_features=NODE_FEATURES).fit(TRAIN_X, TRAIN_Y)
    with pytest.raises(ValueError, match=message):
        model.predict(X)


def test_names_without_a_named_gene_table_are_refused():
    model = DegreeBaseline(node_features=NODE_FEATURES.to_numpy()).fit(TRAIN_X, TRAIN_Y)
    with pytest.raises(ValueError, match="gene table has none"):
        model.predict(pd.DataFrame({"TF": ["g0"], "Target": ["g1"]}))


def test_labels_must_be_binary_with_both_classes():
    with pytest.raises(ValueError, match="only one class"):
        DegreeBaseline().fit(TRAIN_X, np.ones(len(TRAIN_X)))
    with pytest.raises(ValueError, match="Only binary"):
        DegreeBaseline().fit(TRAIN_X, np.arange(len(TRAIN_X)))


def test_correlation_baseline_is_absolute_pearson_or_spearman():
    pairs = np.array([[0, 1], [0, 2], [2, 3], [4, 4]])
    values = NODE_FEATURES.to_numpy()
    pearson = CorrelationBaseline(node_features=NODE_FEATURES).fit(pairs, [1, 0, 1, 0])
    expected = [abs(np.corrcoef(values[a], values[b])[0, 1]) for a, b in pairs[:3]]
    np.testing.assert_allclose(pearson.predict_proba(pairs)[:3, 1], expected, rtol=1e-12)
    assert pearson.predict_proba(pairs)[3, 1] == 0.0  # g4 is constant: correlation undefined, scored 0
    spearman = CorrelationBaseline(node_features=NODE_FEATURES, method="spearman").fit(pairs, [1, 0, 1, 0])
    assert spearman.predict_proba([[0, 1]])[0, 1] == pytest.approx(1.0)  # same ranks, different values


def test_correlation_baseline_aligns_expression_by_gene_name():
    rng = np.random.default_rng(1)
    expression = pd.DataFrame(rng.standard_normal((5, 30)), index=GENES[::-1])  # rows in another order
    model = CorrelationBaseline(node_features=NODE_FEATURES, expression=expression).fit(TRAIN_X, TRAIN_Y)
    r = np.corrcoef(expression.loc["g0"], expression.loc["g3"])[0, 1]
    assert model.predict_proba([[0, 3]])[0, 1] == pytest.approx(abs(r))
    with pytest.raises(ValueError, match="no row for genes"):
        CorrelationBaseline(node_features=NODE_FEATURES, expression=expression.iloc[1:]).fit(TRAIN_X, TRAIN_Y)
    with pytest.raises(ValueError, match="needs profiles"):
        CorrelationBaseline().fit(TRAIN_X, TRAIN_Y)


@pytest.mark.parametrize("model", ["logistic", "gradient_boosting"])
def test_expression_baseline_learns_from_node_features(model):
    rng = np.random.default_rng(2)
    features = rng.standard_normal((60, 3))
    pairs = rng.integers(0, 60, size=(400, 2))
    y = (features[pairs[:, 0], 0] + features[pairs[:, 1], 1] > 0).astype(int)  # an expression-only rule
    estimator = ExpressionBaseline(node_features=features, model=model, random_state=0).fit(pairs[:300], y[:300])
    assert roc_auc_score(y[300:], estimator.predict_proba(pairs[300:])[:, 1]) > 0.9
    assert estimator.estimator_.n_features_in_ == 6  # both genes' features


def test_expression_baseline_validates_its_parameters():
    with pytest.raises(ValueError, match="needs node_features"):
        ExpressionBaseline().fit(TRAIN_X, TRAIN_Y)
    with pytest.raises(ValueError, match="model must be one of"):
        ExpressionBaseline(node_features=NODE_FEATURES, model="forest").fit(TRAIN_X, TRAIN_Y)


def test_gene_identity_baseline_learns_out_degree_and_scores_unseen_genes_by_the_intercept():
    """Regulator r0 has an edge to most targets, r1 to few: identity alone ranks r0's
    pairs first, even with a target the training never saw; an unseen gene's
    weight is exactly 0, so it scores by the intercept and the other gene."""
    rng = np.random.default_rng(4)
    genes = [f"r{i}" for i in range(4)] + [f"t{i}" for i in range(30)] + ["unseen"]
    features = pd.DataFrame(np.zeros((len(genes), 1)), index=genes)  # the gene table only
    pairs = pd.DataFrame({"regulator": np.repeat(["r0", "r1", "r2", "r3"], 30),
                          "target": [f"t{i}" for i in range(30)] * 4})
    edge_rate = pairs.regulator.map({"r0": 0.9, "r1": 0.1, "r2": 0.5, "r3": 0.5})
    y = (rng.random(len(pairs)) < edge_rate).astype(int)
    model = GeneIdentityBaseline(node_features=features).fit(pairs, y)
    rows = {g: i for i, g in enumerate(genes)}
    assert model.regulator_coef_[rows["r0"]] > model.regulator_coef_[rows["r2"]] > model.regulator_coef_[rows["r1"]]
    new_target = pd.DataFrame({"regulator": ["r0", "r1"], "target": ["unseen", "unseen"]})
    assert np.diff(model.predict_proba(new_target)[:, 1])[0] < 0  # r0 above r1
    assert model.regulator_coef_[rows["unseen"]] == 0 and model.target_coef_[rows["unseen"]] == 0
    assert model.target_coef_[rows["r0"]] == 0  # never a target in training
    both_unseen = pd.DataFrame({"regulator": ["unseen"], "target": ["r0"]})
    assert model.decision_function(both_unseen)[0] == model.intercept_
    one_unseen = pd.DataFrame({"regulator": ["unseen"], "target": ["t3"]})
    assert model.decision_function(one_unseen)[0] == model.intercept_ + model.target_coef_[rows["t3"]]
    # The fitted logistic regression's own probabilities, ranked by pair AUROC on the training pairs.
    assert roc_auc_score(y, model.predict_proba(pairs)[:, 1]) > 0.75
    again = GeneIdentityBaseline(node_features=features).fit(pairs, y)
    np.testing.assert_array_equal(again.decision_function(pairs), model.decision_function(pairs))


def test_baselines_work_with_model_selection_and_pickle():
    rng = np.random.default_rng(3)
    features = pd.DataFrame(rng.standard_normal((40, 3)), index=[f"g{i}" for i in range(40)])
    pairs = rng.integers(0, 40, size=(200, 2))
    y = (features.to_numpy()[pairs[:, 0], 0] > 0).astype(int)
    search = GridSearchCV(ExpressionBaseline(node_features=features), {"C": [0.01, 1.0]}, cv=3, scoring="roc_auc")
    search.fit(pairs, y)
    assert search.best_params_["C"] in (0.01, 1.0)
    scores = cross_val_score(DegreeBaseline(node_features=features), pairs, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,)
    fitted = DegreeBaseline(node_features=features).fit(pairs, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.decision_function(pairs), fitted.decision_function(pairs))
    assert clone(fitted).get_params()["node_features"].equals(features)


# ---- the degree baseline on the published BEELINE splits ---------------------------


def load_split(ground_truth, cell, sample, part):
    """A published split file: pairs as row indices into the matching expression file, and labels."""
    table = pd.read_csv(SPLITS / ground_truth / cell / f"sample{sample}" / f"{part}_set.csv.gz", index_col=0)
    return table[["TF", "Target"]].to_numpy(), table["Label"].to_numpy()


@needs_splits
@pytest.mark.parametrize(
    "ground_truth, cell, expected_auroc",
    # Mean over the 5 samples, recorded in docs/evaluation.md.
    [("Specific", "mESC 500", 0.873), ("STRING", "hHEP 500", 0.849)],
)
def test_degree_baseline_on_published_splits(ground_truth, cell, expected_auroc):
    results = []
    for sample in range(1, 6):
        train_X, train_y = load_split(ground_truth, cell, sample, "Train")
        test_X, test_y = load_split(ground_truth, cell, sample, "Test")
        n_genes = int(max(train_X.max(), test_X.max())) + 1
        model = DegreeBaseline(node_features=np.zeros((n_genes, 1))).fit(train_X, train_y)
        results.append(evaluate(test_y, model.predict_proba(test_X)[:, 1]))
    mean_auroc = np.mean([r["auroc"] for r in results])
    assert 0.80 <= mean_auroc <= 0.92  # DESIGN.md: the degree shortcut reaches AUROC 0.80-0.92
    assert mean_auroc == pytest.approx(expected_auroc, abs=0.001)
