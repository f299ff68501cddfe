"""What the pair classifiers over the engine share: declared parameters, preparing
a fit and running it (the epoch loop is in ``_training``), prediction through the
fitted network (``network_``), parameter counting and persistence with a format
number. The gene table, pairs, labels and the prediction methods are every pair
classifier's (:class:`grnfast.pair_classifier.PairClassifier`).

Subclasses only declare their hyperparameters and how they map onto the engine's
``ModelSpec``.
"""
from numbers import Integral, Real

import numpy as np
from scipy.special import expit
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import check_is_fitted

from .. import __version__
from ..errors import GRNInputError
from ..genes import GeneTable, check_binary_labels, effective_threads
from ..pair_classifier import PairClassifier
from ._parameters import initial_parameters
from ._random_negatives import RandomNegatives, SharedGrid, with_random_negatives
from ._split import stratified_validation_split
from ._training import EarlyStopping, check_scores, run_epochs
from .network import FittedNetwork, _core, known_edges, layout, make_spec, seen_in

# The layout of a pickled estimator's state; bump it when the fitted attributes change.
PICKLE_FORMAT = 3  # 2: graph_edges_ (the known-edge graph a graph network reads); 3: seen_genes_, embedding_dropout
# Older formats this version still reads, and how (see __setstate__).
READABLE_FORMATS = (2, PICKLE_FORMAT)
# Widths beyond this are a mistake, not a model (and would exhaust memory).
MAX_WIDTH = 65_536
# Embedding tables (weights, gradient and Adam's two moments) above this many bytes are refused.
MAX_EMBEDDING_BYTES = 8 * 2**30
# Training holds 16 bytes per parameter (the weights, their gradients and Adam's two
# moments, float32); a model past this is refused before anything is allocated.
MAX_TRAINING_BYTES = 8 * 2**30
# More random negatives per training edge than this is a mistake (and a memory hazard).
MAX_NEGATIVE_RATIO = 1000
# Fitted attributes that describe the fit, not the network; a copy with another network keeps them.
_FIT_RECORD = ("classes_", "genes_", "n_genes_", "n_features_in_", "n_node_features_", "feature_mean_",
               "feature_scale_", "n_iter_", "loss_curve_", "validation_scores_", "best_validation_score_")


class PairClassifierBase(PairClassifier):
    """Base class; use :class:`TwoTowerClassifier`, :class:`LateInteractionClassifier` or
    :class:`CrossEncoderClassifier`."""

    _kind = None  # "two_tower", "late_interaction" or "cross_encoder"

    _parameter_constraints = {
        "node_features": "no_validation",  # checked by GeneTable.from_node_features
        "embedding_dim": [Interval(Integral, 1, MAX_WIDTH, closed="both")],
        "hidden_layer_sizes": ["array-like"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "use_embeddings": ["boolean"],
        "use_expression": ["boolean"],
        "graph_dim": [Interval(Integral, 0, MAX_WIDTH, closed="both")],
        "embedding_dropout": [Interval(Real, 0, 1, closed="left")],
        "feature_interaction": ["boolean"],
        "embedding_init": [StrOptions({"normal", "zeros"})],
        "gene_bias": ["boolean"],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [StrOptions({"l2", "decoupled"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],  # beyond the pairs: one batch of all
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_negative_ratio": [Interval(Real, 0, MAX_NEGATIVE_RATIO, closed="both")],
        "negative_regulators": [None, StrOptions({"all"}), "array-like"],
        "negative_targets": [None, "array-like"],
        "embedding_update": [StrOptions({"dense", "lazy"})],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Interval(Integral, None, -1, closed="right"), Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
    }

    # ---- hyperparameters -> engine configuration ---------------------------------

    def _spec_dict(self, n_genes, n_features):
        return {
            "kind": self._kind,
            "n_genes": int(n_genes),
            "n_features": int(n_features),
            "embedding_dim": int(self.embedding_dim),
            "hidden": [int(h) for h in self.hidden_layer_sizes],
            "dropout": float(self.dropout),
            "batch_norm": bool(self.batch_norm),
            "use_embeddings": bool(self.use_embeddings),
            "use_expression": bool(self.use_expression),
            "graph_dim": int(self.graph_dim),
            "embedding_dropout": float(self.embedding_dropout),
            "feature_interaction": bool(self.feature_interaction),
            "gene_bias": bool(self.gene_bias),
            **self._extra_spec(),
        }

    def _extra_spec(self):
        return {}

    def _adam_config(self):
        cfg = _core().AdamConfig()
        cfg.learning_rate = float(self.learning_rate_init)
        cfg.l2 = float(self.alpha)
        cfg.decoupled = self.weight_decay == "decoupled"
        cfg.clip_norm = float(self.clip_norm) if self.clip_norm is not None else 0.0
        cfg.lazy_embeddings = self.embedding_update == "lazy"
        return cfg

    def _check_params(self):
        """The declared constraints, then what they cannot say."""
        self._validate_params()
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, str) or any(isinstance(h, (bool, np.bool_)) or not isinstance(h, (Integral, Real))
                                         or h != int(h) or not 1 <= h <= MAX_WIDTH for h in sizes):
            raise GRNInputError(
                f"hidden_layer_sizes must be a sequence of integers in [1, {MAX_WIDTH}]; got {sizes!r}"
            )
        if not (self.use_embeddings or self.use_expression):
            raise GRNInputError("use_embeddings and use_expression are both False: the model would see no input")

    def _check_size(self, n_genes):
        embedding_bytes = 16 * n_genes * self.embedding_dim if self.use_embeddings else 0
        if embedding_bytes > MAX_EMBEDDING_BYTES:
            raise GRNInputError(
                f"the gene table has {n_genes:,} genes: their {self.embedding_dim}-d embeddings would need "
                f"{embedding_bytes / 2**30:.0f} GiB to train. Without node_features the gene table is rows "
                "0..max(X): number the genes 0..n-1, pass node_features, or lower embedding_dim"
            )

    def _check_training_memory(self, model_layout):
        """Refuse a model too large to train, naming its largest parameter group,
        before numpy would fail to allocate it."""
        needed = 16 * model_layout["n_params"]
        if needed > MAX_TRAINING_BYTES:
            largest = max(model_layout["params"], key=lambda group: group["size"])
            raise GRNInputError(
                f"this {type(self).__name__} would have {model_layout['n_params']:,} parameters: "
                f"{needed / 2**30:.1f} GiB to train (weights, gradients and Adam's two moments; the limit is "
                f"{MAX_TRAINING_BYTES / 2**30:.0f} GiB), most of them in {largest['name']} "
                f"{tuple(largest['shape'])}; lower hidden_layer_sizes"
                + (", n_vectors" if hasattr(self, "n_vectors") else "") + " or embedding_dim")

    # ---- inputs ------------------------------------------------------------------

    def _standardise(self, features, n_genes):
        """Per-column z-scores of the node features the model uses (float32)."""
        n_features = features.shape[1] if (features is not None and self.use_expression) else 0
        if n_features == 0:
            return np.zeros((0,)), np.ones((0,)), np.zeros((n_genes, 0), dtype=np.float32)
        mean = features.mean(axis=0)
        scale = features.std(axis=0)
        scale[scale == 0] = 1.0
        return mean, scale, ((features - mean) / scale).astype(np.float32)

    def _prediction_features(self):
        """The node features prediction reads: the ``node_features`` parameter as it
        is now, standardised with the fit's mean and scale, so that
        ``set_params(node_features=...)`` with new values for the same genes takes
        effect; the copy from fit when the parameter is None."""
        table = self._gene_table()
        if table.features is None:
            return self.node_features_
        n_used = table.features.shape[1] if self.spec_["use_expression"] else 0
        if table.n_genes != self.n_genes_ or n_used != self.n_node_features_:
            raise GRNInputError(
                f"node_features has shape {table.features.shape} but the model was fitted with "
                f"{self.n_genes_} genes and {self.n_node_features_} node features"
            )
        if table.names is not None and self.genes_ is not None and not np.array_equal(table.names, self.genes_):
            row = int(np.argmax(table.names != self.genes_))
            raise GRNInputError(
                f"node_features names other genes than at fit (row {row}: {table.names[row]!r}, at fit "
                f"{self.genes_[row]!r}); keep the fit's genes in the fit's order, or refit"
            )
        if n_used == 0:
            return self.node_features_
        return ((table.features - self.feature_mean_) / self.feature_scale_).astype(np.float32)

    # ---- training ----------------------------------------------------------------

    def fit(self, X, y, eval_set=None, callbacks=None):
        """Train on labelled (regulator, target) pairs.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2) or DataFrame with two columns
            Gene names or integer row indices into ``node_features`` (see the
            rule for ``X`` in :mod:`grnfast.genes`).
        y : array-like of shape (n_pairs,)
            Binary labels; ``classes_[1]`` is the positive class (an edge).
        eval_set : tuple (X_val, y_val), optional
            Explicit validation pairs for early stopping, instead of holding out
            ``validation_fraction`` of the training pairs.
        callbacks : list of callables, optional
            Each is called after every epoch with a dict ``{"epoch", "loss",
            "validation_score"}`` (the score is None without validation), e.g. to
            drive a progress bar. A callback that returns True stops training.

        Returns
        -------
        self
        """
        self._check_params()
        table, pairs, classes, y01 = self._fit_inputs(X, y)
        self._check_size(table.n_genes)
        feature_mean, feature_scale, node_features = self._standardise(table.features, table.n_genes)
        rng = check_random_state(self.random_state)
        data = self._training_data(pairs, y01, classes, table, node_features, eval_set, rng)

        spec_dict = self._spec_dict(table.n_genes, node_features.shape[1])
        model_layout = layout(spec_dict)
        self._check_training_memory(model_layout)
        params, buffers = initial_parameters(model_layout, rng, self.embedding_init)
        if self.warm_start and hasattr(self, "params_"):
            if self.spec_ != spec_dict:
                raise GRNInputError("warm_start needs the same gene table and architecture as the fitted model")
            params, buffers = self.params_.copy(), self.buffers_.copy()
        seed = int(rng.randint(np.iinfo(np.int32).max))
        batch_size, grid = int(self.batch_size), None
        # Only the two-tower family declares shared_negatives (a grid needs per-gene towers).
        if getattr(self, "shared_negatives", False) and data["negatives"] is not None:
            grid = SharedGrid(data["negatives"], len(data["y"]), batch_size)
            batch_size = grid.per_batch
        trainer = _core().Trainer(make_spec(spec_dict), self._adam_config(), batch_size,
                                  effective_threads(self.n_jobs))
        trainer.set_state(params, buffers)
        if grid is not None:
            data = self._share_negatives(trainer, data, grid)
        del params, buffers  # the trainer holds the weights now; keep no second copy during training
        graph_edges = known_edges(data["pairs"], data["y"]) if spec_dict["graph_dim"] else None
        if graph_edges is not None:
            trainer.set_graph(graph_edges)
        seen_genes = seen_in(data["pairs"], table.n_genes)
        trainer.set_seen_genes(seen_genes)

        validating = data["val_pairs"] is not None
        stopper = EarlyStopping(self.n_iter_no_change, self.tol, higher_is_better=validating)
        loss_curve, val_scores = run_epochs(trainer, data, max_iter=self.max_iter, stopper=stopper, seed=seed,
                                            learning_rate_init=self.learning_rate_init, verbose=self.verbose,
                                            callbacks=callbacks)
        params, buffers = stopper.snapshot if validating else (trainer.params(), trainer.buffers())
        del trainer

        self._set_gene_table(table, classes)
        self.n_node_features_ = node_features.shape[1]
        self.feature_mean_, self.feature_scale_ = feature_mean, feature_scale
        self._set_network(FittedNetwork(spec_dict, params, buffers, node_features, table, graph_edges=graph_edges,
                                        seen_genes=seen_genes))
        self.n_iter_ = len(loss_curve)
        self.loss_curve_ = loss_curve
        self.validation_scores_ = val_scores if validating else None
        self.best_validation_score_ = stopper.best_score if validating else None
        check_rows = data["val_pairs"] if validating else data["pairs"][:4096]
        check_scores(self.network_.predict_logits(check_rows), self.learning_rate_init,
                     "validation" if validating else "training")
        return self

    def _training_data(self, pairs, y01, classes, table, node_features, eval_set, rng):
        """Training and validation pairs, labels and class weights for the epoch loop."""
        if eval_set is not None:
            if len(eval_set) != 2:
                raise GRNInputError("eval_set must be a tuple (X_val, y_val)")
            X_val, y_val = eval_set
            val_pairs = table.rows(X_val, "eval_set X")
            val_classes, val_y = check_binary_labels(y_val, val_pairs.shape[0])
            if not np.array_equal(val_classes, classes):
                raise GRNInputError(
                    f"eval_set labels {val_classes.tolist()} differ from the training labels {classes.tolist()}"
                )
            train_rows = np.arange(len(y01))
        elif self.early_stopping:
            train_rows, val_rows = stratified_validation_split(y01, self.validation_fraction, rng)
            val_pairs, val_y = pairs[val_rows], y01[val_rows]
        else:
            train_rows, val_pairs, val_y = np.arange(len(y01)), None, None
        if len(train_rows) < 2:
            raise GRNInputError("training needs at least 2 pairs")
        train_pairs, train_y = pairs[train_rows], y01[train_rows]
        weights, negatives = None, None
        if self.class_weight is not None:
            weights = compute_sample_weight(self.class_weight, y01.astype(int))[train_rows].astype(np.float32)
            weights = np.ascontiguousarray(weights)
        if self.random_negative_ratio > 0:
            # Drawn only when asked for, so the seeds of everything else stay as they were.
            regulators = self.negative_regulators  # None, "all" (every gene: gene_rows(None)) or genes
            if regulators is not None:
                regulators = table.gene_rows(None if isinstance(regulators, str) else regulators,
                                             "negative_regulators")
            targets = None if self.negative_targets is None else table.gene_rows(self.negative_targets,
                                                                                   "negative_targets")
            negatives = RandomNegatives(train_pairs[train_y == 1], table.n_genes, self.random_negative_ratio,
                                        rng.randint(np.iinfo(np.int32).max), regulators, targets)
            negatives.warn_if_short(self.random_negative_ratio)
            if val_pairs is not None:  # the validation pairs get theirs once, never a validation edge
                val_edges = val_pairs[val_y == 1]
                extra = negatives.draw((1,), n=round(self.random_negative_ratio * len(val_edges)), exclude=val_edges)
                val_pairs, val_y = with_random_negatives(val_pairs, val_y, extra)
        return {"features": node_features, "pairs": train_pairs, "y": train_y, "weights": weights,
                "val_pairs": val_pairs, "val_y": val_y, "negatives": negatives, "class_weight": self.class_weight}

    @staticmethod
    def _share_negatives(trainer, data, grid):
        """Hands the grid's part of the random negatives to the trainer (a SharedGrid);
        the epochs then draw only the separate part. A class weight counts the grid's
        negatives as separate ones would be counted. Returns the epoch loop's data."""
        negative_weight = 1.0
        if data["class_weight"] is not None and grid.n_grid:
            y = np.concatenate([data["y"], np.zeros(grid.n_grid + grid.n_separate, dtype=data["y"].dtype)])
            negative_weight = float(compute_sample_weight(data["class_weight"], y.astype(int))[-1])
        part = grid.grid
        trainer.set_shared_negatives(part.regulators, part.targets, part.forbidden, grid.k, grid.per_row,
                                     negative_weight)
        return {**data, "negatives": grid.separate, "grid_negatives": grid.n_grid}

    # ---- the fitted network ------------------------------------------------------

    def _set_network(self, network):
        self.spec_ = network.spec
        self.params_, self.buffers_ = network.params, network.buffers
        self.node_features_ = network.node_features
        self.graph_edges_ = network.graph_edges
        self.seen_genes_ = network.seen_genes
        self.param_groups_ = network.layout["params"]
        self.buffer_groups_ = network.layout["buffers"]
        self.n_parameters_ = int(network.layout["n_params"])

    @property
    def network_(self):
        """The fitted network (:class:`grnfast.models.network.FittedNetwork`): spec,
        weights, node features and gene table, with ``predict_logits``,
        ``score_blocks``, ``tower_outputs``, ``layer_outputs`` and ``pruned``."""
        check_is_fitted(self, "params_")
        return FittedNetwork(self.spec_, self.params_, self.buffers_, self._prediction_features(),
                             GeneTable(self.genes_, self.n_genes_), effective_threads(self.n_jobs),
                             graph_edges=self.graph_edges_, seen_genes=self.seen_genes_)

    def with_network(self, network):
        """A fitted copy of this model that uses ``network``, for example
        ``model.network_.pruned(keep)``; ``hidden_layer_sizes`` follows the network."""
        check_is_fitted(self, "params_")
        if {**network.spec, "hidden": self.spec_["hidden"]} != self.spec_:
            raise GRNInputError("with_network needs a network of the same kind, gene table and inputs as the model's")
        copy = clone(self).set_params(hidden_layer_sizes=tuple(network.spec["hidden"]))
        for attr in _FIT_RECORD:
            setattr(copy, attr, getattr(self, attr))
        copy._set_network(network)
        return copy

    # ---- prediction --------------------------------------------------------------

    def _scores(self, rows):
        """The logit of each pair being an edge (the decision function)."""
        return self.network_.predict_logits(rows).astype(np.float64)

    def _probability(self, logits):
        return expit(logits)

    # ---- introspection -----------------------------------------------------------

    def count_parameters(self, n_genes=None, n_node_features=None):
        """Number of trainable parameters for a gene table of the given size.

        Defaults come from ``node_features`` when it is set, so
        ``TwoTowerClassifier(node_features=df).count_parameters()`` sizes a model
        before fitting it.
        """
        self._check_params()
        features = self._gene_table().features
        if n_genes is None:
            if features is None:
                raise GRNInputError("pass n_genes, or set node_features so the gene table is known")
            n_genes = features.shape[0]
        if n_node_features is None:
            n_node_features = features.shape[1] if features is not None else 0
        n_used = n_node_features if self.use_expression else 0
        return int(layout(self._spec_dict(n_genes, n_used))["n_params"])

    def named_parameters(self):
        """Dict of parameter name -> array (views into ``params_``, with their shapes)."""
        return self.network_.named_parameters()

    # ---- persistence -------------------------------------------------------------

    def __getstate__(self):
        state = super().__getstate__()
        state["_grnfast_format"] = PICKLE_FORMAT
        state["_grnfast_version"] = __version__
        return state

    def __setstate__(self, state):
        saved = state.pop("_grnfast_format", None)
        version = state.pop("_grnfast_version", None)
        if saved not in READABLE_FORMATS:
            raise GRNInputError(
                f"this {type(self).__name__} was saved in grnfast pickle format {saved or 'unknown'} (by grnfast "
                f"{version or 'unknown'}); grnfast {__version__} reads formats "
                f"{', '.join(map(str, READABLE_FORMATS))}. Refit the model, or load it with the grnfast that saved it"
            )
        if saved == 2:
            # Before embedding dropout: no unknown-gene row, so every gene is scored
            # through its own embedding row, as when it was saved. seen_genes_ is None
            # (the model did not record which genes it saw).
            state.setdefault("embedding_dropout", 0.0)
            if "spec_" in state:
                state["spec_"] = {**state["spec_"], "embedding_dropout": 0.0}
                state.setdefault("seen_genes_", None)
        # Before the feature interaction (formats 2 and 3): none, as when it was saved.
        state.setdefault("feature_interaction", False)
        state.setdefault("embedding_init", "normal")
        state.setdefault("gene_bias", False)
        state.setdefault("negative_targets", None)
        if "shared_negatives" in self._get_param_names():  # the two-tower family's, since 2026-12-08
            state.setdefault("shared_negatives", False)
        if "spec_" in state:
            state["spec_"] = {"feature_interaction": False, "gene_bias": False, **state["spec_"]}
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags
