"""The scikit-learn surface of every classifier of (regulator, target) pairs: the
gene table of its ``node_features``, pairs as names or rows, checked labels, the
fitted ``classes_``, ``genes_``, ``n_genes_`` and ``n_features_in_``, and
prediction from pair scores.

The estimators over the engine (:mod:`grnfast.models`) and the evaluation
baselines both derive from :class:`PairClassifier`; it stays free of the engine
so that the baselines do not load it.
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .genes import GeneTable, check_binary_labels


class PairClassifier(ClassifierMixin, BaseEstimator):
    """Base class of the pair classifiers.

    A subclass fits with :meth:`_fit_inputs` and :meth:`_set_gene_table`, and
    implements ``_scores(rows)`` (the decision function of (n, 2) gene-table rows,
    positive for a predicted edge) and ``_probability(scores)`` (the edge
    probability, above 0.5 exactly where the score is positive).
    """

    def _gene_table(self):
        """The gene table of the ``node_features`` parameter (empty without)."""
        return GeneTable.from_node_features(self.node_features)

    def _fit_inputs(self, X, y):
        """``(table, rows, classes, y01)`` of training pairs X and labels y: the gene
        table (taken from X where ``node_features`` is None), X as its rows, the two
        labels and y as float32 zeros and ones."""
        table, rows = self._gene_table().fit(X)
        classes, y01 = check_binary_labels(y, rows.shape[0])
        return table, rows, classes, y01

    def _set_gene_table(self, table, classes):
        """Record the fitted gene table and labels (``genes_`` is None for a table
        known by row number only)."""
        self.classes_ = classes
        self.genes_ = table.names
        self.n_genes_ = table.n_genes
        self.n_features_in_ = 2  # a regulator and a target

    def _rows(self, X):
        """Pairs X as (n, 2) rows of the fitted gene table."""
        check_is_fitted(self)
        return GeneTable(self.genes_, self.n_genes_).rows(X)

    def decision_function(self, X):
        """Pair scores; larger means more likely an edge, positive means a predicted edge.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2) or DataFrame with two columns
            Gene names or integer row indices into the gene table (see the rule
            for ``X`` in :mod:`grnfast.genes`).

        Returns
        -------
        ndarray of shape (n_pairs,)
        """
        return self._scores(self._rows(X))

    def predict_proba(self, X):
        """Class probabilities of the pairs X (as for :meth:`decision_function`),
        shape (n_pairs, 2); column 1 is the edge class."""
        p = self._probability(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X):
        """Labels of the pairs X, shape (n_pairs,): ``classes_[1]`` (an edge) where
        the decision function is positive."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # X holds non-negative integer gene indices (or names): with these tags
        # scikit-learn's generic checks feed rounded, non-negative data.
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        tags.input_tags.string = True
        tags.classifier_tags.multi_class = False
        return tags
