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
import copy
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
        self.edge_regulators = self.regulators = np.unique(positives[:, 0])
        if regulators is not None:
            self.regulators = np.union1d(self.regulators, np.asarray(regulators, dtype=np.int64))
        self.targets = np.arange(self.n_genes) if targets is None else np.unique(np.asarray(targets, dtype=np.int64))
        self.forbidden = np.unique(_codes(positives, self.n_genes))
        self.n_draw = int(round(ratio * len(positives)))
        self.seed = int(seed)

    def restricted(self, regulators, n_draw):
        """The same sampler drawing ``n_draw`` pairs of these regulators only."""
        part = copy.copy(self)
        part.regulators, part.n_draw = np.asarray(regulators, dtype=np.int64), int(n_draw)
        return part

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


class SharedGrid:
    """How batches share their random negatives (``shared_negatives=True``).

    The negatives of regulators with training edges form each batch's grid; those of
    candidate regulators without any (the rest of a TF list) stay separate pairs,
    drawn as before: in a grid such a regulator would meet few batches, each for k
    pairs at once, and the models then lose much of what they find for regulators
    without training edges (docs/performance.md, "Shared negatives"). Each part
    draws its share of the random pairs, in proportion to its regulators, as
    uniform draws over all of them would.

    ``grid``, ``separate``: the two parts (``separate`` None when every candidate
    regulator has a training edge); ``n_grid``, ``n_separate``: their random pairs
    per epoch; ``per_row``: the grid's random pairs per row of
    an epoch (the given pairs and the separate negatives); ``per_batch``: those rows
    per batch, so that an epoch takes as many steps as with separate negatives in
    batches of ``batch_size``; ``k``: the grid's genes per role, about as many cells
    as the random pairs it stands for.
    """

    def __init__(self, negatives, n_pairs, batch_size):
        n_draw = min(negatives.n_draw, negatives.available())
        edge = negatives.edge_regulators
        others = np.setdiff1d(negatives.regulators, edge)
        n_grid = int(round(n_draw * len(edge) / len(negatives.regulators)))
        self.grid = negatives.restricted(edge, n_grid)
        self.separate = negatives.restricted(others, n_draw - n_grid) if len(others) and n_draw > n_grid else None
        self.n_separate = min(self.separate.n_draw, self.separate.available()) if self.separate else 0
        self.n_grid = min(n_grid, self.grid.available())
        n_rows = n_pairs + self.n_separate
        self.per_row = self.n_grid / n_rows
        self.per_batch = min(n_rows, max(2, round(batch_size / (1 + self.per_row))))
        self.k = max(1, math.ceil(math.sqrt(self.per_row * self.per_batch))) if self.per_row > 0 else 0
