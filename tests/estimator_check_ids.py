"""scikit-learn's estimator checks, parametrized with short test ids.

``parametrize_with_checks`` names each test by the estimator's full repr, which
prints every array parameter (a ``node_features`` table becomes ~700 characters in
each of the summary's expected-failure lines); here an id is the class name and
the check's name, e.g. ``TwoTowerClassifier-check_fit2d_1sample``."""
import functools

import pytest
from sklearn.utils.estimator_checks import estimator_checks_generator


def short_id(value):
    if hasattr(value, "get_params"):
        return type(value).__name__
    if isinstance(value, functools.partial):
        return value.func.__name__
    return getattr(value, "__name__", None)


def parametrize_with_checks(estimators, expected_failed_checks):
    """``@parametrize_with_checks(estimators, lambda estimator: {check name: reason})``
    as scikit-learn's (expected failures marked xfail with their reason)."""
    cases = [case for estimator in estimators
             for case in estimator_checks_generator(estimator, mark="xfail",
                                                    expected_failed_checks=expected_failed_checks(estimator))]
    return pytest.mark.parametrize("estimator, check", cases, ids=short_id)
