"""Training negatives drawn as the model will be used.

Published splits (GENELink's) give every regulator as many negatives as
positives, so nothing in training rewards knowing how many targets a regulator
has; but a model is used to rank *any* regulator x gene pair, where exactly that
is much of the signal. ``RandomNegatives`` adds pairs drawn that way (a
regulator of a training edge x any gene, never a training edge nor a self-pair),
fresh every epoch, so the model sees the distribution it will score. Given
candidate regulators (a TF list, or every gene), regulators without a training
edge are drawn too, as genome-wide scoring meets them. Given candidate targets,
only those are drawn: a split that holds genes out of training in every role
(``cold-genes``) must not meet them as random negatives either.
"""
import math
import warnings

import numpy as np


class RandomNegativesWarning(UserWarning):
    """More random negatives were asked for than there are free pairs to draw."""


def _codes(pairs, n_genes):
    return pairs[:, 0].astype(np.int64) * n_genes + pairs[:, 1]


class RandomNegatives:
    """Random (regulator, gene) pairs that are not known edges.

    Parameters
    ----------
    positives : (n, 2) int array
        The training edges (rows of the gene table); their regulators are the ones
        drawn, and none of them is ever returned.
    n_genes : int
        The gene table's size; targets are drawn uniformly from every gene of it
        unless ``targets`` are given.
    ratio : float
        Pairs drawn per training edge.
    seed : int
        With the epoch, keys every draw: same seed, same pairs, whatever the thread
        count.
    regulators : 1-D int array, optional
        Further candidate regulators (rows of the gene table) drawn beside those of
        the training edges.
    targets : 1-D int array, optional
        The candidate targets (rows of the gene table); default every gene.
    """

    def __init__(self, positives, n_genes, ratio, seed, regulators=None, targets=None):
        positives = np.asarray(positives, dtype=np.int64).reshape(-1, 2)
        self.n_genes = int(n_genes)
        self.regulators = np.unique(positives[:, 0])
        if regulators is not None:
            self.regulators = np.union1d(self.regulators, np.asarray(regulators, dtype=np.int64))
        self.targets = np.arange(self.n_genes) if targets is None else np.unique(np.asarray(targets, dtype=np.int64))
        self.forbidden = np.unique(_codes(positives, self.n_genes))
        self.n_draw = int(round(ratio * len(positives)))
        self.seed = int(seed)

    def available(self, forbidden=None):
        """How many pairs can be drawn: the regulators x targets, less self-pairs and
        the ``forbidden`` codes (default: the training edges) among them."""
        forbidden = self.forbidden if forbidden is None else forbidden
        regulator, target = np.divmod(forbidden, self.n_genes)
        blocked = int((np.isin(regulator, self.regulators) & np.isin(target, self.targets)
                       & (regulator != target)).sum())
        self_pairs = int(np.isin(self.regulators, self.targets).sum())
        return len(self.regulators) * len(self.targets) - self_pairs - blocked

    def warn_if_short(self, ratio):
        """One warning, with both numbers, when an epoch asks for more than ten times
        the pairs that exist: every free pair is then drawn each epoch, and the ratio
        asked for means nothing. (A small shortfall, as the default ratio meets on a
        small dense table, draws every free pair without a word.)"""
        available = self.available()
        if self.n_draw > 10 * available:
            warnings.warn(f"random_negative_ratio={ratio:g} asks for {self.n_draw:,} random negatives per epoch, but "
                          f"only {available:,} regulator x gene pairs are not known edges: each epoch draws all of "
                          "them (lower random_negative_ratio, or give more negative_regulators)",
                          RandomNegativesWarning, stacklevel=4)

    def draw(self, key, n=None, exclude=None):
        """``n`` (default ``ratio`` x edges) distinct pairs as an (n, 2) int64 array,
        reproducible for ``key`` (an int or tuple of ints, e.g. the epoch).
        ``exclude``: further (m, 2) pairs never to return."""
        n = self.n_draw if n is None else int(n)
        forbidden = self.forbidden
        if exclude is not None and len(exclude):
            forbidden = np.union1d(forbidden, _codes(np.asarray(exclude, dtype=np.int64).reshape(-1, 2), self.n_genes))
        # A tiny gene table cannot give more than its regulator x gene pairs,
        # less self-pairs and the forbidden ones among them.
        available = self.available(forbidden)
        n = min(n, available)
        if n <= 0 or len(self.regulators) == 0:
            return np.zeros((0, 2), dtype=np.int64)
        rng = np.random.default_rng([self.seed, *np.atleast_1d(key).tolist()])
        if 2 * n > available:
            # Rejection would spin on the last few free pairs (a coupon collector:
            # minutes for a regulator set whose every non-edge is asked for); there
            # are then at most 2n + |forbidden| candidates, so list them.
            codes = (self.regulators[:, None] * self.n_genes + self.targets).ravel()
            codes = codes[(codes // self.n_genes != codes % self.n_genes) & ~np.isin(codes, forbidden)]
            return np.stack(np.divmod(rng.permutation(codes)[:n], self.n_genes), axis=1)
        chosen = np.zeros(0, dtype=np.int64)
        while len(chosen) < n:  # rejection sampling in vectorised rounds
            size = 2 * (n - len(chosen)) + 64
            codes = (self.regulators[rng.integers(len(self.regulators), size=size)] * self.n_genes
                     + self.targets[rng.integers(len(self.targets), size=size)])
            codes = codes[(codes // self.n_genes != codes % self.n_genes) & ~np.isin(codes, forbidden)]
            codes = codes[~np.isin(codes, chosen)]
            _, first = np.unique(codes, return_index=True)
            chosen = np.concatenate([chosen, codes[np.sort(first)]])[:n]
        return np.stack(np.divmod(chosen, self.n_genes), axis=1)


def with_random_negatives(pairs, y, negatives):
    """``pairs``/``y`` with the given negatives appended as label 0 (contiguous copies)."""
    return (np.ascontiguousarray(np.concatenate([pairs, negatives.astype(pairs.dtype)])),
            np.ascontiguousarray(np.concatenate([y, np.zeros(len(negatives), dtype=y.dtype)])))


# The grid's side over the square root of the random pairs it stands for: 1, as many
# cells as those pairs.
GRID_SIDE = 1.0


def shared_grid(negatives, n_pairs, batch_size):
    """How batches share their random negatives (``shared_negatives=True``): the
    given pairs per batch, the grid's genes per role ``k``, and the random pairs each
    given pair stands for (``per_row``), so that an epoch takes as many steps and
    weighs its negatives as separate random pairs in batches of ``batch_size`` would.
    The grid has about as many pairs as the random pairs it stands for.
    """
    per_row = min(negatives.n_draw, negatives.available()) / n_pairs
    per_batch = min(n_pairs, max(2, round(batch_size / (1 + per_row))))
    k = max(1, math.ceil(GRID_SIDE * math.sqrt(per_row * per_batch))) if per_row > 0 else 0
    return per_batch, k, per_row
