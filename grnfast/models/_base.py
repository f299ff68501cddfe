"""What both pair classifiers share: checking inputs, the training loop with early
stopping, prediction, parameter counting and versioned persistence.

Subclasses only declare their hyperparameters and how they map onto the engine's
``ModelSpec``.
"""
import time

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import roc_auc_score
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import check_is_fitted

from .. import __version__
from ..genes import GeneTable, check_binary_labels, effective_threads
from ._parameters import initial_parameters, named_views
from ._split import stratified_validation_split


def _core():
    from .. import _core

    return _core


def _compatible(saved_version):
    """Pickles load across patch releases of the same minor version."""
    return saved_version.split(".")[:2] == __version__.split(".")[:2]


class PairClassifierBase(ClassifierMixin, BaseEstimator):
    """Base class; use :class:`TwoTowerClassifier` or :class:`CrossEncoderClassifier`."""

    _kind = None  # "two_tower" or "cross_encoder"

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
            **self._extra_spec(),
        }

    def _extra_spec(self):
        return {}

    @staticmethod
    def _make_spec(spec_dict):
        spec = _core().ModelSpec()
        for key, value in spec_dict.items():
            setattr(spec, key, value)
        spec.validate()
        return spec

    def _adam_config(self):
        cfg = _core().AdamConfig()
        cfg.learning_rate = float(self.learning_rate_init)
        cfg.l2 = float(self.alpha)
        cfg.decoupled = self.weight_decay == "decoupled"
        cfg.clip_norm = float(self.clip_norm) if self.clip_norm is not None else 0.0
        cfg.lazy_embeddings = self.embedding_update == "lazy"
        return cfg

    def _check_params(self):
        def positive_int(name):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")

        for name in ("embedding_dim", "batch_size", "max_iter", "n_iter_no_change"):
            positive_int(name)
        if self.batch_size < 2:
            raise ValueError("batch_size must be at least 2 (batch norm needs two samples per batch)")
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__") or any(isinstance(h, bool) or int(h) != h or h < 1 for h in sizes):
            raise ValueError(f"hidden_layer_sizes must be a sequence of positive integers; got {sizes!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {self.dropout!r}")
        if self.alpha < 0:
            raise ValueError(f"alpha must be non-negative; got {self.alpha!r}")
        if not self.learning_rate_init > 0:
            raise ValueError(f"learning_rate_init must be positive; got {self.learning_rate_init!r}")
        if self.clip_norm is not None and not self.clip_norm > 0:
            raise ValueError(f"clip_norm must be positive or None; got {self.clip_norm!r}")
        if self.weight_decay not in ("l2", "decoupled"):
            raise ValueError(f"weight_decay must be 'l2' or 'decoupled'; got {self.weight_decay!r}")
        if self.embedding_update not in ("dense", "lazy"):
            raise ValueError(f"embedding_update must be 'dense' or 'lazy'; got {self.embedding_update!r}")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError(f"validation_fraction must be in (0, 1); got {self.validation_fraction!r}")
        if not (self.use_embeddings or self.use_expression):
            raise ValueError("use_embeddings and use_expression are both False: the model would see no input")

    # ---- inputs ------------------------------------------------------------------

    def _gene_table(self):
        """The gene table of the ``node_features`` parameter (empty without)."""
        return GeneTable.from_node_features(self.node_features)

    def _pairs(self, X):
        """Pairs of a fitted model's gene table as (n, 2) int64 indices."""
        return GeneTable(self.genes_, self.n_genes_).rows(X)

    def _standardise(self, features, n_genes):
        """Per-column z-scores of the node features the model uses (float32)."""
        n_features = features.shape[1] if (features is not None and self.use_expression) else 0
        if n_features == 0:
            return np.zeros((0,)), np.ones((0,)), np.zeros((n_genes, 0), dtype=np.float32)
        mean = features.mean(axis=0)
        scale = features.std(axis=0)
        scale[scale == 0] = 1.0
        return mean, scale, ((features - mean) / scale).astype(np.float32)

    # ---- training ----------------------------------------------------------------

    def fit(self, X, y, eval_set=None, callbacks=None):
        """Train on labelled (regulator, target) pairs.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2) or DataFrame with two columns
            Integer row indices into ``node_features`` or gene names.
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
        table, pairs = self._gene_table().fit(X)
        genes, n_genes, features = table.names, table.n_genes, table.features
        classes, y01 = check_binary_labels(y, pairs.shape[0])
        feature_mean, feature_scale, node_features = self._standardise(features, n_genes)

        rng = check_random_state(self.random_state)
        if eval_set is not None:
            if len(eval_set) != 2:
                raise ValueError("eval_set must be a tuple (X_val, y_val)")
            val_pairs, val_y = self._validation_from(eval_set, table, classes)
            train_pairs, train_y, train_rows = pairs, y01, np.arange(len(y01))
        elif self.early_stopping:
            train_rows, val_rows = stratified_validation_split(y01, self.validation_fraction, rng)
            train_pairs, train_y, val_pairs, val_y = pairs[train_rows], y01[train_rows], pairs[val_rows], y01[val_rows]
        else:
            train_pairs, train_y, train_rows, val_pairs, val_y = pairs, y01, np.arange(len(y01)), None, None
        if train_pairs.shape[0] < 2:
            raise ValueError("training needs at least 2 pairs")
        weights = None
        if self.class_weight is not None:
            weights = compute_sample_weight(self.class_weight, y01.astype(int))[train_rows].astype(np.float32)
            weights = np.ascontiguousarray(weights)

        spec_dict = self._spec_dict(n_genes, node_features.shape[1])
        spec = self._make_spec(spec_dict)
        core = _core()
        layout = core.layout(spec)
        params, buffers = initial_parameters(layout, rng)
        if self.warm_start and hasattr(self, "params_"):
            if self.spec_ != spec_dict:
                raise ValueError("warm_start needs the same gene table and architecture as the fitted model")
            params, buffers = self.params_.copy(), self.buffers_.copy()
        seed = int(rng.randint(np.iinfo(np.int32).max))
        n_threads = effective_threads(self.n_jobs)
        trainer = core.Trainer(spec, self._adam_config(), int(self.batch_size), n_threads)
        trainer.set_state(params, buffers)
        del params, buffers  # the trainer holds the weights now; keep no second copy during training

        loss_curve, val_scores = [], []
        best = (-np.inf, None, None)  # score, params, buffers
        best_loss, no_improvement = np.inf, 0
        for epoch in range(int(self.max_iter)):
            start = time.perf_counter()
            loss = trainer.train_epoch(node_features, train_pairs, train_y, weights, seed, epoch)
            if not np.isfinite(loss):
                raise FloatingPointError(
                    f"training diverged at epoch {epoch + 1} (loss {loss}); lower learning_rate_init "
                    f"(now {self.learning_rate_init}) or keep gradient clipping on"
                )
            loss_curve.append(loss)
            message = f"epoch {epoch + 1:4d}  loss {loss:.5f}"
            if val_pairs is not None:
                score = float(roc_auc_score(val_y, trainer.predict_logits(node_features, val_pairs)))
                val_scores.append(score)
                message += f"  validation AUROC {score:.4f}"
                if score > best[0] + self.tol:
                    best = None  # release the previous snapshot before taking the next
                    best, no_improvement = (score, trainer.params(), trainer.buffers()), 0
                else:
                    no_improvement += 1
            else:
                if loss < best_loss - self.tol:
                    best_loss, no_improvement = loss, 0
                else:
                    no_improvement += 1
            if self.verbose:
                print(f"{message}  ({time.perf_counter() - start:.2f}s)", flush=True)
            report = {"epoch": epoch + 1, "loss": loss, "validation_score": val_scores[-1] if val_scores else None}
            stop_requested = any([bool(callback(report)) for callback in callbacks or ()])
            if no_improvement >= self.n_iter_no_change or stop_requested:
                break

        if val_pairs is not None:
            params, buffers = best[1], best[2]
            self.best_validation_score_ = best[0]
        else:
            params, buffers = trainer.params(), trainer.buffers()
            self.best_validation_score_ = None
        self.classes_ = classes
        self.genes_ = genes
        self.n_genes_ = n_genes
        self.n_features_in_ = 2
        self.n_node_features_ = node_features.shape[1]
        self.feature_mean_, self.feature_scale_ = feature_mean, feature_scale
        self.node_features_ = node_features
        self.spec_ = spec_dict
        self.params_, self.buffers_ = params, buffers
        self.param_groups_ = layout["params"]
        self.buffer_groups_ = layout["buffers"]
        self.n_parameters_ = int(layout["n_params"])
        self.n_iter_ = len(loss_curve)
        self.loss_curve_ = loss_curve
        self.validation_scores_ = val_scores if val_pairs is not None else None
        return self

    def _validation_from(self, eval_set, table, classes):
        X_val, y_val = eval_set
        pairs = table.rows(X_val, "eval_set X")
        val_classes, y01 = check_binary_labels(y_val, pairs.shape[0])
        if not np.array_equal(val_classes, classes):
            raise ValueError(f"eval_set labels {val_classes.tolist()} differ from the training labels {classes.tolist()}")
        return pairs, y01

    # ---- prediction --------------------------------------------------------------

    def _check_fitted_gene_table(self):
        check_is_fitted(self, "params_")
        features = self._gene_table().features
        if features is None:
            return
        n_used = features.shape[1] if self.spec_["use_expression"] else 0
        if features.shape[0] != self.n_genes_ or n_used != self.n_node_features_:
            raise ValueError(
                f"node_features has shape {features.shape} but the model was fitted with "
                f"{self.n_genes_} genes and {self.n_node_features_} node features"
            )

    def decision_function(self, X):
        """Logit of each pair being an edge (higher means more likely)."""
        self._check_fitted_gene_table()
        pairs = self._pairs(X)
        spec = self._make_spec(self.spec_)
        return _core().predict_logits(
            spec, self.params_, self.buffers_, self.node_features_, pairs, effective_threads(self.n_jobs)
        ).astype(np.float64)

    def predict_proba(self, X):
        """Probabilities of (no edge, edge) for each pair, shape (n_pairs, 2)."""
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X):
        """The predicted label of each pair (``classes_[1]`` when the logit is positive)."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

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
                raise ValueError("pass n_genes, or set node_features so the gene table is known")
            n_genes = features.shape[0]
        if n_node_features is None:
            n_node_features = features.shape[1] if features is not None else 0
        n_used = n_node_features if self.use_expression else 0
        return int(_core().layout(self._make_spec(self._spec_dict(n_genes, n_used)))["n_params"])

    def named_parameters(self):
        """Dict of parameter name -> array (views into ``params_``, with their shapes)."""
        check_is_fitted(self, "params_")
        return named_views(self.params_, self.param_groups_)

    # ---- persistence -------------------------------------------------------------

    def __getstate__(self):
        state = super().__getstate__()
        state["_grnfast_version"] = __version__
        return state

    def __setstate__(self, state):
        saved = state.pop("_grnfast_version", None)
        if saved is None or not _compatible(saved):
            raise ValueError(
                f"this {type(self).__name__} was saved by grnfast {saved or 'unknown'}, which cannot be loaded by "
                f"grnfast {__version__}; refit the model or load it with grnfast {saved or 'of the same version'}"
            )
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        # X holds non-negative integer gene indices (or names): scikit-learn's
        # generic checks then feed rounded, shifted data the estimators accept.
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.positive_only = True
        tags.classifier_tags.multi_class = False
        return tags
