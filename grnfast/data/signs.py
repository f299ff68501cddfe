"""The sign of a written edge: activation (+1) or repression (-1), and where it
came from.

A known edge whose prior entry has a direction (TRRUST's mode, CollecTRI's or
DoRothEA's sign; :func:`grnfast.data.priors.edge_signs`) keeps it
(``sign_source = "prior"``). Every other edge takes the sign of the Pearson
correlation of the regulator's and the target's profiles (``"correlation"``), as
pySCENIC's ``add_cor`` does; a pair whose correlation is undefined (a constant
profile) or exactly 0 is called activating, since a network file has no third
sign, and says so (``"none"``).
"""
import numpy as np
import pandas as pd

from ..errors import GRNInputError

SIGN_SOURCES = ("prior", "correlation", "none")


def unit_profiles(values):
    """Each row of ``values`` centred and scaled to unit length, so that the dot
    product of two rows is their Pearson correlation; NaN rows for constant ones."""
    centred = values - values.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return centred / norms[:, None]


def pair_correlations(profiles, regulators, targets, block_size=256):
    """Pearson correlation of each (regulator, target) pair's rows of ``profiles``
    (a genes x samples DataFrame: cells, or the node features), NaN where a
    profile is constant. Regulators are taken a block at a time, so memory is one
    block of regulators x all genes, never pairs x samples."""
    values = profiles.to_numpy(dtype=np.float64)
    if values.shape[1] < 2:
        raise GRNInputError(f"correlation signs need profiles of at least 2 samples; got {values.shape[1]}")
    unit = unit_profiles(values)
    row = pd.Series(np.arange(len(profiles)), index=profiles.index)
    reg_rows, tgt_rows = row.reindex(regulators).to_numpy(), row.reindex(targets).to_numpy()
    if np.isnan(reg_rows).any() or np.isnan(tgt_rows).any():
        missing = pd.Index(regulators)[np.isnan(reg_rows)].append(pd.Index(targets)[np.isnan(tgt_rows)])
        raise GRNInputError(f"no expression profile for {len(missing)} genes of the edges, e.g. {missing[0]!r}")
    reg_rows, tgt_rows = reg_rows.astype(np.int64), tgt_rows.astype(np.int64)
    out = np.empty(len(reg_rows))
    distinct, position = np.unique(reg_rows, return_inverse=True)
    for start in range(0, len(distinct), block_size):
        block = distinct[start:start + block_size]
        block_corr = unit[block] @ unit.T  # block regulators x all genes
        in_block = (position >= start) & (position < start + len(block))
        out[in_block] = block_corr[position[in_block] - start, tgt_rows[in_block]]
    return np.clip(out, -1.0, 1.0)


def signed_edges(edges, prior, profiles):
    """``edges`` (Gene1, Gene2, ...) with ``sign`` (+1 / -1), ``sign_source``
    (:data:`SIGN_SOURCES`) and ``correlation`` (of the two genes' rows of
    ``profiles``) added.

    ``prior``: the known edges (regulator, target[, sign]), e.g. a
    :class:`~grnfast.data.GRNDataset`'s ``edges``; without a ``sign`` column every
    edge is signed by correlation."""
    correlation = pair_correlations(profiles, edges["Gene1"].to_numpy(), edges["Gene2"].to_numpy())
    if "sign" in prior.columns:
        known = prior.dropna(subset=["sign"]).set_index(["regulator", "target"])["sign"]
        known = known[~known.index.duplicated()]
        prior_sign = known.reindex(pd.MultiIndex.from_arrays([edges["Gene1"], edges["Gene2"]])).to_numpy()
    else:
        prior_sign = np.full(len(edges), np.nan)
    from_prior = ~np.isnan(prior_sign)
    defined = ~np.isnan(correlation) & (correlation != 0)
    sign = np.where(from_prior, prior_sign, np.where(defined & (correlation < 0), -1, 1)).astype(np.int8)
    source = np.where(from_prior, "prior", np.where(defined, "correlation", "none"))
    return edges.assign(sign=sign, sign_source=source, correlation=correlation)
