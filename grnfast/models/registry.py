"""The models by the names the command line, the pipeline and the studies use."""
from ..errors import GRNInputError
from .cross_encoder import CrossEncoderClassifier
from .ensemble import SeedEnsembleClassifier
from .late_interaction import LateInteractionClassifier
from .presets import preset_params
from .two_tower import TwoTowerClassifier

MODELS = {"two-tower": TwoTowerClassifier, "cross-encoder": CrossEncoderClassifier,
          "late-interaction": LateInteractionClassifier}
# "ensemble": the published setting, this many cross-encoder seeds with probabilities averaged.
ENSEMBLE_SIZE = 5
MODEL_NAMES = (*MODELS, "ensemble")


def model_class(name):
    """The estimator class of a single model's name ("two-tower", "cross-encoder" or
    "late-interaction")."""
    if name not in MODELS:
        raise GRNInputError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name]


def make_model(name, node_features=None, *, random_state=None, preset="default", **params):
    """An unfitted model by name in a ``preset`` (:data:`grnfast.models.presets.PRESETS`)
    that ``params`` override; ``ensemble`` is :data:`ENSEMBLE_SIZE` seeds of the
    cross-encoder, the members' seeds drawn from ``random_state``."""
    params = preset_params(preset, params)
    if name == "ensemble":
        member = CrossEncoderClassifier(node_features=node_features, **params)
        return SeedEnsembleClassifier(member, n_estimators=ENSEMBLE_SIZE, random_state=random_state)
    if name not in MODELS:
        raise GRNInputError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    return MODELS[name](node_features=node_features, random_state=random_state, **params)
