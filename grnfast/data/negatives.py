"""Negative pairs for training and evaluation: never a known positive, never a
duplicate, never a self-loop, exactly the requested number, deterministic for a seed.

- ``uniform``: uniform over regulator x gene (the published setting);
- ``per_regulator``: each regulator gets ``ratio`` times its positives, drawn from
  its own non-targets (GENELink);
- ``degree_matched``: regulators drawn in proportion to their out-degree and
  targets to their in-degree among the positives, so negatives have the
  positives' degree distributions and the degree shortcut no longer separates
  them.
"""
import numpy as np
import pandas as pd

from ..errors import GRNInputError

METHODS = ("uniform", "per_regulator", "degree_matched")


def _codes(frame, reg_index, gene_index):
    r = reg_index.get_indexer(frame["regulator"])
    t = gene_index.get_indexer(frame["target"])
    return r, t


def sample_negatives(positives, regulators, genes, ratio=1.0, method="uniform", random_state=None, exclude=None,
                     allow_fewer=False):
    """Draw ``round(ratio * len(positives))`` negative (regulator, target) pairs.

    Parameters
    ----------
    positives : DataFrame with columns ``regulator``, ``target``
        Known edges; none of them is ever returned.
    regulators, genes : sequence of str
        Candidate regulators and candidate targets.
    ratio : float
        Negatives per positive (1, 5, 10 and 50 were published).
    method : {"uniform", "per_regulator", "degree_matched"}
    random_state : int or None
    exclude : DataFrame with columns ``regulator``, ``target``, optional
        Further pairs never to return (e.g. negatives already used for training).
    allow_fewer : bool, default=False
        Where fewer such non-edges exist than asked for (``per_regulator``: per
        regulator), return every one of them instead of raising ``GRNInputError``;
        the caller compares the length with what it asked for.

    Returns
    -------
    DataFrame with columns ``regulator``, ``target``.
    """
    if method not in METHODS:
        raise GRNInputError(f"unknown negative sampling method {method!r}; choose one of {METHODS}")
    if not ratio > 0:
        raise GRNInputError(f"ratio must be positive; got {ratio!r}")
    reg_index, gene_index = pd.Index(pd.unique(np.asarray(regulators, dtype=object))), pd.Index(pd.unique(np.asarray(genes, dtype=object)))
    r, t = _codes(positives, reg_index, gene_index)
    if (r < 0).any() or (t < 0).any():
        raise GRNInputError("some positives use a regulator or target outside the candidate lists")
    n_reg, n_gene = len(reg_index), len(gene_index)
    # A pair is forbidden when positive or a self-loop (regulator == target by name).
    forbidden = set((r * n_gene + t).tolist())
    self_targets = gene_index.get_indexer(reg_index)
    forbidden.update(int(i * n_gene + j) for i, j in enumerate(self_targets) if j >= 0)
    if exclude is not None and len(exclude):
        er, et = _codes(exclude, reg_index, gene_index)
        keep = (er >= 0) & (et >= 0)
        forbidden.update((er[keep] * n_gene + et[keep]).tolist())
    rng = np.random.default_rng(random_state)
    n_wanted = int(round(ratio * len(positives)))

    if method == "per_regulator":
        chosen = []
        counts = np.bincount(r, minlength=n_reg)
        blocked = np.array(sorted(forbidden), dtype=np.int64)
        for i in np.flatnonzero(counts):
            k = int(round(ratio * counts[i]))
            # its forbidden targets: a slice of the sorted codes; its non-targets in gene
            # order (a mask: a set difference per regulator took seconds on a genome)
            row = blocked[np.searchsorted(blocked, i * n_gene):np.searchsorted(blocked, (i + 1) * n_gene)]
            allowed = np.ones(n_gene, dtype=bool)
            allowed[row - i * n_gene] = False
            candidates = np.flatnonzero(allowed)
            if k > len(candidates) and not allow_fewer:
                raise GRNInputError(f"regulator {reg_index[i]!r} has only {len(candidates)} non-targets, "
                                    f"{k} negatives asked for")
            chosen.append(i * n_gene + rng.choice(candidates, size=min(k, len(candidates)), replace=False))
        codes = np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
    else:
        if method == "uniform":
            available = n_reg * n_gene - len(forbidden)
        else:  # only pairs of a regulator and a target that both have positives can be drawn
            regs_used, tgts_used = np.unique(r), np.unique(t)
            pool = (regs_used[:, None] * n_gene + tgts_used[None, :]).ravel()
            available = len(pool) - int(np.isin(pool, np.fromiter(forbidden, dtype=np.int64)).sum())
        if n_wanted > available and not allow_fewer:
            raise GRNInputError(f"{n_wanted} negatives asked for but only {available} {method} non-edges exist")
        if n_wanted >= available:
            # Every allowed pair in a seeded order: rejection sampling would hunt for the last ones.
            pool = np.arange(n_reg * n_gene, dtype=np.int64) if method == "uniform" else pool
            codes = rng.permutation(pool[~np.isin(pool, np.fromiter(forbidden, dtype=np.int64))])
        else:
            codes, seen = [], set()
            while len(codes) < n_wanted:  # rejection sampling in vectorised rounds
                batch = max(2 * (n_wanted - len(codes)), 1024)
                if method == "uniform":
                    ri, tj = rng.integers(0, n_reg, batch), rng.integers(0, n_gene, batch)
                else:  # degree_matched: endpoints of random positives, paired at random
                    ri, tj = r[rng.integers(0, len(r), batch)], t[rng.integers(0, len(t), batch)]
                for code in (ri.astype(np.int64) * n_gene + tj).tolist():
                    if code not in forbidden and code not in seen:
                        seen.add(code)
                        codes.append(code)
                        if len(codes) == n_wanted:
                            break
            codes = np.array(codes, dtype=np.int64)
    ri, tj = np.divmod(codes, n_gene)
    return pd.DataFrame({"regulator": reg_index[ri].to_numpy(), "target": gene_index[tj].to_numpy()})


def labelled_pairs(positives, negatives):
    """Positives (label 1) and negatives (label 0) in one frame."""
    return pd.concat(
        [positives[["regulator", "target"]].assign(label=1), negatives[["regulator", "target"]].assign(label=0)],
        ignore_index=True,
    )
