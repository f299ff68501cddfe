"""Baselines reported beside every model, on the same inputs as the models.

- :class:`DegreeBaseline`: regulator out-degree plus target in-degree over the
  training positives. Training-free in spirit and strong on benchmarks whose
  edges concentrate on hub genes: a model has to beat it to show it learnt more
  than degree.
- :class:`CorrelationBaseline`: absolute co-expression of the two genes.
- :class:`ExpressionBaseline`: a classical classifier on the two genes'
  concatenated node features.
- :class:`GeneIdentityBaseline`: logistic regression on one-hot regulator and
  one-hot target: what knowing which genes are involved is worth (InfoSEM found
  it matches published deep models on random splits).

All take ``X`` as an ``(n, 2)`` array of (regulator, target) indices into the
gene table or a two-column DataFrame of gene names, and per-gene inputs through
the ``node_features`` parameter, like :class:`grnfast.TwoTowerClassifier`.
"""
import numpy as np
import pandas as pd
import scipy.sparse
from scipy.special import expit
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..genes import GeneTable, check_node_features
from ..pair_classifier import PairClassifier
from .structural import degree_counts


class _PairBaseline(PairClassifier):
    """A baseline fits its scores from the training pairs: subclasses implement
    ``_fit_scores(rows, is_edge, features)`` beside ``_scores`` and ``_probability``
    (:class:`~grnfast.pair_classifier.PairClassifier`)."""

    def fit(self, X, y):
        """Fit on labelled (regulator, target) pairs.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2) or DataFrame with two columns
            Integer row indices into the gene table or gene names.
        y : array-like of shape (n_pairs,)
            Binary labels; ``classes_[1]`` is the positive class (an edge).

        Returns
        -------
        self
        """
        table, rows, classes, y01 = self._fit_inputs(X, y)
        self._set_gene_table(table, classes)
        self._fit_scores(rows, y01 == 1, table.features)
        return self


class DegreeBaseline(_PairBaseline):
    """Score a pair by regulator out-degree plus target in-degree.

    Degrees are counted over the positive pairs passed to :meth:`fit` (the
    training edges) and nothing else, so test edges never leak into the score.
    Genes without training edges have degree 0.

    Parameters
    ----------
    node_features : DataFrame or array-like of shape (n_genes, d), default=None
        Only its gene table is used: the index of a DataFrame maps gene names in
        X to rows, an array fixes the number of genes. Without it the genes are
        those seen in the training pairs.

    Attributes
    ----------
    out_degree_, in_degree_ : ndarray of shape (n_genes,)
        Training-edge counts per gene as regulator and as target.
    midpoint_ : float
        Mean degree score over the training pairs; the score that maps to
        probability 0.5.
    classes_, genes_, n_genes_
        The labels, the gene names (or None) and the size of the gene table.

    Notes
    -----
    With ``s`` the degree sum, :meth:`decision_function` returns
    ``s - midpoint_`` (scikit-learn's convention: positive means a predicted
    edge; add ``midpoint_`` back for the raw sum) and :meth:`predict_proba`
    returns ``s / (s + midpoint_)``. Both are monotone in ``s``, so AUROC,
    AUPRC and early precision are those of the degree sum; the probabilities are
    not calibrated, so report ranking metrics for this baseline.
    """

    def __init__(self, node_features=None):
        self.node_features = node_features

    def _fit_scores(self, pairs, is_edge, features):
        self.out_degree_, self.in_degree_ = degree_counts(pairs[is_edge], self.n_genes_)
        self.midpoint_ = float(self._degree_sum(pairs).mean())

    def _degree_sum(self, pairs):
        return (self.out_degree_[pairs[:, 0]] + self.in_degree_[pairs[:, 1]]).astype(np.float64)

    def _scores(self, pairs):
        return self._degree_sum(pairs) - self.midpoint_

    def _probability(self, scores):
        degree_sum = scores + self.midpoint_
        return degree_sum / (degree_sum + self.midpoint_)


def _standardised_profiles(profiles, method):
    """Rows centred and scaled to unit norm, so a dot product is a correlation.

    Spearman is Pearson on within-gene ranks. Constant rows stay all zero: their
    correlation with anything is undefined and scored 0.
    """
    if method == "spearman":
        profiles = rankdata(profiles, axis=1)
    centred = profiles - profiles.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return centred / np.where(norms > 0, norms, 1.0)


class CorrelationBaseline(_PairBaseline):
    """Score a pair by the absolute correlation of the two genes' profiles.

    Training-free: :meth:`fit` records the gene table and prepares the
    profiles; the labels only set ``classes_``.

    Parameters
    ----------
    node_features : DataFrame or array-like of shape (n_genes, d), default=None
        The gene table; its rows are the profiles unless ``expression`` is given.
    expression : DataFrame or array-like of shape (n_genes, n_cells), default=None
        Full expression matrix (genes x cells) to correlate instead of the node
        features. A DataFrame is aligned to the gene table by gene name; an
        array must have one row per gene-table row. Without ``node_features``
        it is the gene table itself.
    method : {"pearson", "spearman"}, default="pearson"

    Attributes
    ----------
    profiles_ : ndarray of shape (n_genes, n_columns)
        Centred, unit-norm (ranked first for Spearman) profile of each gene.
    classes_, genes_, n_genes_
        The labels, the gene names (or None) and the size of the gene table.

    Notes
    -----
    The edge column of :meth:`predict_proba` is ``|r|``, in [0, 1];
    :meth:`decision_function` is ``|r| - 0.5`` (positive means a predicted edge).
    Genes with a constant profile have ``|r| = 0``.
    """

    def __init__(self, node_features=None, expression=None, method="pearson"):
        self.node_features = node_features
        self.expression = expression
        self.method = method

    def _gene_table(self):
        table = self.node_features if self.node_features is not None else self.expression
        if table is None:
            raise ValueError("CorrelationBaseline needs profiles: pass node_features or expression")
        return GeneTable.from_node_features(table, "node_features" if self.node_features is not None else "expression")

    def _profiles(self, features):
        if self.node_features is None or self.expression is None:
            return features
        names, values = check_node_features(self.expression, "expression")
        if names is not None and self.genes_ is not None:
            rows = pd.Index(names).get_indexer(self.genes_)
            if (rows < 0).any():
                missing = list(self.genes_[rows < 0][:5])
                raise ValueError(f"expression has no row for genes of the gene table, e.g. {missing}")
            return values[rows]
        if values.shape[0] != self.n_genes_:
            raise ValueError(
                f"expression has {values.shape[0]} rows but the gene table has {self.n_genes_} genes; "
                "pass it as a DataFrame indexed by gene name to align by name"
            )
        return values

    def _fit_scores(self, pairs, is_edge, features):
        if self.method not in ("pearson", "spearman"):
            raise ValueError(f"method must be 'pearson' or 'spearman'; got {self.method!r}")
        profiles = self._profiles(features)
        if profiles.shape[0] != self.n_genes_:
            raise ValueError(f"X refers to {self.n_genes_} genes but the profiles have {profiles.shape[0]} rows")
        self.profiles_ = _standardised_profiles(profiles, self.method)

    def _scores(self, pairs):
        r = np.einsum("ij,ij->i", self.profiles_[pairs[:, 0]], self.profiles_[pairs[:, 1]])
        return np.minimum(np.abs(r), 1.0) - 0.5  # min: rounding can push |r| a hair above 1

    def _probability(self, scores):
        return scores + 0.5

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True  # training-free: the labels do not shape the score
        return tags


class ExpressionBaseline(_PairBaseline):
    """A classical classifier on the concatenated node features of both genes.

    Each pair becomes ``[node_features[regulator], node_features[target]]``.
    It sees expression only, no gene identity or degree: what it scores is what
    expression alone says about an edge.

    Parameters
    ----------
    node_features : DataFrame or array-like of shape (n_genes, d)
        Per-gene inputs, for example mean expression per cell type.
    model : {"logistic", "gradient_boosting"}, default="logistic"
        ``"logistic"``: ``StandardScaler`` then ``LogisticRegression``;
        ``"gradient_boosting"``: ``HistGradientBoostingClassifier``.
    C : float, default=1.0
        Inverse regularisation strength of the logistic regression.
    random_state : int, RandomState instance or None, default=None
        Seed of the gradient boosting model.

    Attributes
    ----------
    estimator_ : sklearn classifier
        The fitted model on the pair features.
    node_features_ : ndarray of shape (n_genes, d)
        The node features the pair features are built from.
    classes_, genes_, n_genes_
        The labels, the gene names (or None) and the size of the gene table.
    """

    _MODELS = ("logistic", "gradient_boosting")

    def __init__(self, node_features=None, model="logistic", C=1.0, random_state=None):
        self.node_features = node_features
        self.model = model
        self.C = C
        self.random_state = random_state

    def _classifier(self):
        if self.model == "logistic":
            return make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=1000))
        if self.model == "gradient_boosting":
            return HistGradientBoostingClassifier(random_state=self.random_state)
        raise ValueError(f"model must be one of {self._MODELS}; got {self.model!r}")

    def _pair_features(self, pairs):
        return np.hstack([self.node_features_[pairs[:, 0]], self.node_features_[pairs[:, 1]]])

    def _fit_scores(self, pairs, is_edge, features):
        if features is None:
            raise ValueError("ExpressionBaseline needs node_features: the per-gene inputs it classifies")
        self.node_features_ = features
        self.estimator_ = clone(self._classifier()).fit(self._pair_features(pairs), is_edge)

    def _scores(self, pairs):
        return self.estimator_.decision_function(self._pair_features(pairs))

    def predict_proba(self, X):
        """The fitted classifier's own class probabilities; column 1 is the edge class."""
        rows = self._rows(X)  # first: it says when the baseline is not fitted
        return self.estimator_.predict_proba(self._pair_features(rows))


class GeneIdentityBaseline(_PairBaseline):
    """Logistic regression on who the two genes are: one-hot regulator and
    one-hot target, nothing else.

    Each pair becomes a sparse row with a 1 in its regulator's column and a 1 in
    its target's column (``2 * n_genes`` columns), fitted by scikit-learn's
    ``LogisticRegression`` (L2, ``C``). Its score is
    ``intercept_ + regulator_coef_[regulator] + target_coef_[target]``: a learnt
    propensity of each gene to regulate and to be regulated, much what the degree
    baseline counts. It has no expression and no notion of similar genes.

    Parameters
    ----------
    node_features : DataFrame or array-like of shape (n_genes, d), default=None
        Only its gene table is used, as for :class:`DegreeBaseline`.
    C : float, default=1.0
        Inverse L2 strength of the logistic regression.

    Attributes
    ----------
    regulator_coef_, target_coef_ : ndarray of shape (n_genes,)
        Each gene's weight as regulator and as target.
    intercept_ : float
    classes_, genes_, n_genes_
        The labels, the gene names (or None) and the size of the gene table.

    Notes
    -----
    A gene in no training pair (in a role) has an all-zero one-hot column there:
    the L2 penalty keeps its weight exactly 0, so a pair scores
    ``intercept_`` plus the other gene's weight, and a pair of two unseen genes
    ``intercept_`` alone. That is all identity can say about genes a model never
    saw. :meth:`predict_proba` is the logistic regression's probability
    (``expit`` of :meth:`decision_function`).
    """

    def __init__(self, node_features=None, C=1.0):
        self.node_features = node_features
        self.C = C

    def _fit_scores(self, pairs, is_edge, features):
        n, genes = len(pairs), self.n_genes_
        one_hot = scipy.sparse.csr_matrix(
            (np.ones(2 * n), (np.repeat(np.arange(n), 2), np.column_stack([pairs[:, 0], genes + pairs[:, 1]]).ravel())),
            shape=(n, 2 * genes))
        model = LogisticRegression(C=self.C, max_iter=1000).fit(one_hot, is_edge)
        self.regulator_coef_, self.target_coef_ = model.coef_[0, :genes], model.coef_[0, genes:]
        self.intercept_ = float(model.intercept_[0])

    def _scores(self, pairs):
        return self.intercept_ + self.regulator_coef_[pairs[:, 0]] + self.target_coef_[pairs[:, 1]]

    def _probability(self, scores):
        return expit(scores)
