"""Two-tower (dual encoder) classifier of regulator -> target pairs."""
from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ..errors import GRNInputError
from ._base import PairClassifierBase
from ._docstrings import COMMON_PARAMETERS, FITTED_ATTRIBUTES, SHARED_NEGATIVES


class TwoTowerClassifier(PairClassifierBase):
    _kind = "two_tower"

    # Every parameter is written out on purpose, the shared ones as in the other
    # estimators: scikit-learn's get_params and clone read them from this signature.
    # tests/test_estimator_parameters.py keeps the shared defaults and constraints equal.
    def __init__(
        self,
        node_features=None,
        *,
        embedding_dim=64,
        hidden_layer_sizes=(256, 128, 64),
        dropout=0.2,
        batch_norm=True,
        use_embeddings=True,
        use_expression=True,
        graph_dim=64,
        embedding_dropout=0.0,
        feature_interaction=False,
        embedding_init="normal",
        gene_bias=False,
        temperature=0.05,
        similarity="dot",
        alpha=1e-5,
        weight_decay="l2",
        learning_rate_init=1e-3,
        batch_size=256,
        max_iter=40,
        clip_norm=5.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=1e-4,
        class_weight=None,
        random_negative_ratio=10.0,
        negative_regulators=None,
        negative_targets=None,
        shared_negatives=False,
        embedding_update="dense",
        warm_start=False,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.node_features = node_features
        self.embedding_dim = embedding_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.use_embeddings = use_embeddings
        self.use_expression = use_expression
        self.graph_dim = graph_dim
        self.embedding_dropout = embedding_dropout
        self.feature_interaction = feature_interaction
        self.embedding_init = embedding_init
        self.gene_bias = gene_bias
        self.temperature = temperature
        self.similarity = similarity
        self.alpha = alpha
        self.weight_decay = weight_decay
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.clip_norm = clip_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.class_weight = class_weight
        self.random_negative_ratio = random_negative_ratio
        self.negative_regulators = negative_regulators
        self.negative_targets = negative_targets
        self.shared_negatives = shared_negatives
        self.embedding_update = embedding_update
        self.warm_start = warm_start
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    _parameter_constraints = {
        **PairClassifierBase._parameter_constraints,
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "similarity": [StrOptions({"dot", "cosine"})],
        "shared_negatives": ["boolean"],
    }

    def _check_params(self):
        super()._check_params()
        if len(self.hidden_layer_sizes) == 0:
            raise GRNInputError("a two-tower model needs at least one layer per tower (hidden_layer_sizes is empty)")

    def _extra_spec(self):
        return {"temperature": float(self.temperature), "cosine": self.similarity == "cosine"}


TwoTowerClassifier.__doc__ = (
    """Two-tower classifier: is there a regulatory edge from one gene to another?

    A regulator tower and a target tower each read a gene's learned embedding and its
    node features through fully connected layers; the last layer of each tower is
    linear and its output is the gene's representation in that role. The logit of a
    pair is the dot product (or cosine similarity) of the two representations
    divided by ``temperature``. Tower outputs depend on one gene each, so scoring
    every pair of a genome is one matrix product.

    Parameters
    ----------"""
    + COMMON_PARAMETERS
    + """    temperature : float, default=0.05
        Divides the similarity to give the logit.
    similarity : {"dot", "cosine"}, default="dot"
        How the two tower outputs are compared.
"""
    + SHARED_NEGATIVES
    + FITTED_ATTRIBUTES
)
