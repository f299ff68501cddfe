"""scikit-learn's own estimator checks, on small configurations so they run fast.

X here is a set of (regulator, target) gene-index pairs, so the estimators declare
categorical, non-negative input: the generic checks then round their data to
non-negative integers, which are valid pairs when they have two columns. The checks
listed below feed X with another number of columns, or non-integer X, and so
test nothing meaningful about a pair classifier: each is expected to fail with the
clear shape / dtype error it gets, and that error is tested in test_bad_input.py.
"""
import pytest

from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier

from estimator_check_ids import parametrize_with_checks

# scikit-learn's generic data has a handful of genes, so the default random negatives ask
# for more pairs than exist (every free pair is drawn, as the warning says): not what
# these checks are about.
pytestmark = pytest.mark.filterwarnings("ignore::grnfast.models._random_negatives.RandomNegativesWarning")

SMALL = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=60, early_stopping=False, random_state=0, n_jobs=1)

NOT_PAIRS = "feeds X with a number of columns other than 2; X must be (n_pairs, 2) gene-index pairs"
NOT_INTEGER = "feeds non-integer floats as X (without the categorical rounding); X holds gene indices"

EXPECTED_FAILURES = {
    "check_class_weight_classifiers": NOT_INTEGER,
    "check_classifier_not_supporting_multiclass": NOT_PAIRS,
    "check_classifiers_one_label": NOT_PAIRS,
    "check_classifiers_regression_target": NOT_PAIRS,
    "check_complex_data": NOT_PAIRS,
    "check_decision_proba_consistency": NOT_INTEGER,
    "check_dict_unchanged": NOT_PAIRS,
    "check_dont_overwrite_parameters": NOT_PAIRS,
    "check_dtype_object": NOT_PAIRS,
    "check_estimators_dtypes": NOT_PAIRS,
    "check_estimators_nan_inf": NOT_PAIRS,
    "check_estimators_pickle": NOT_PAIRS,
    "check_f_contiguous_array_estimator": NOT_PAIRS,
    "check_fit2d_1sample": NOT_PAIRS,
    "check_fit2d_predict1d": NOT_PAIRS,
    "check_fit_score_takes_y": NOT_PAIRS,
    "check_methods_sample_order_invariance": NOT_PAIRS,
    "check_methods_subset_invariance": NOT_PAIRS,
    "check_n_features_in_after_fitting": NOT_PAIRS,
    "check_non_transformer_estimators_n_iter": NOT_PAIRS,
    "check_pipeline_consistency": NOT_PAIRS,
    "check_positive_only_tag_during_fit": NOT_PAIRS,
    "check_supervised_y_2d": NOT_PAIRS,
}


@parametrize_with_checks(
    [TwoTowerClassifier(**SMALL), CrossEncoderClassifier(**SMALL), LateInteractionClassifier(**SMALL)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILURES,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
