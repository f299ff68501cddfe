"""The three estimators' __init__ signatures are written out (scikit-learn reads
the parameters from them), so nothing but this test keeps the parameters they
share alike: the same defaults and the same declared constraints."""
import inspect

import pytest

from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier
from grnfast.models._base import PairClassifierBase

ESTIMATORS = (TwoTowerClassifier, CrossEncoderClassifier, LateInteractionClassifier)


def described(constraint):
    """A declared constraint as words (two equal intervals are distinct objects)."""
    return constraint if isinstance(constraint, str) else [str(c) for c in constraint]


def defaults(cls):
    return {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items() if name != "self"}


def test_shared_parameters_are_the_base_ones():
    shared = set.intersection(*(set(defaults(cls)) for cls in ESTIMATORS))
    assert shared == set(PairClassifierBase._parameter_constraints)


@pytest.mark.parametrize("cls", ESTIMATORS[1:], ids=lambda cls: cls.__name__)
def test_shared_defaults_and_constraints_are_equal(cls):
    reference, own = defaults(ESTIMATORS[0]), defaults(cls)
    for name, constraint in PairClassifierBase._parameter_constraints.items():
        assert own[name] == reference[name], f"{cls.__name__}: default of {name}"
        assert described(cls._parameter_constraints[name]) == described(constraint), \
            f"{cls.__name__}: constraint of {name}"


def test_the_tower_models_share_their_temperature():
    assert defaults(TwoTowerClassifier)["temperature"] == defaults(LateInteractionClassifier)["temperature"]
    assert (described(TwoTowerClassifier._parameter_constraints["temperature"])
            == described(LateInteractionClassifier._parameter_constraints["temperature"]))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_every_parameter_is_declared(cls):
    assert set(defaults(cls)) == set(cls._parameter_constraints)
    assert list(defaults(cls))[0] == "node_features"
    parameters = inspect.signature(cls.__init__).parameters
    assert {p.kind for name, p in parameters.items() if name not in ("self", "node_features")} == {
        inspect.Parameter.KEYWORD_ONLY}
