"""Results written back into an AnnData, where single-cell tools look for them:
the ranked network and the run's parameters in ``uns``, per-gene embeddings of a
fitted model in ``varm`` (one row per ``var``, NaN for genes the model never saw)."""
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import written_atomically
from ..errors import GRNInputError


def _json(params):
    """Parameters as JSON text (h5ad stores no None, tuples or objects in uns)."""
    return json.dumps({k: v for k, v in params.items() if k != "node_features"}, default=str, sort_keys=True)


def _gene_names(adata, gene_symbols):
    if gene_symbols is None:
        return pd.Index(adata.var_names.astype(str))
    if gene_symbols not in adata.var.columns:
        raise GRNInputError(f"no .var column {gene_symbols!r} for gene_symbols; .var has {list(adata.var.columns)[:10]}")
    return pd.Index(adata.var[gene_symbols].astype(str))


def model_embeddings(model):
    """``{name: (genes, matrix)}`` for every per-gene embedding table of a fitted
    model (its parameter groups of kind ``embedding``, rows in the gene table's
    order); empty for a model without one (an ensemble, ``use_embeddings=False``)."""
    groups = getattr(model, "param_groups_", None)
    if groups is None:
        return {}
    named = model.named_parameters()
    genes = model.genes_ if model.genes_ is not None else np.arange(model.n_genes_)
    return {g["name"]: (pd.Index(np.asarray(genes).astype(str)), np.asarray(named[g["name"]], dtype=np.float32))
            for g in groups if g["kind"] == "embedding"}


def add_to_anndata(adata, edges, *, model=None, params=None, gene_symbols=None, key="grnfast", name=None):
    """Write a ranked network (and a fitted model's gene embeddings) into ``adata``, in place.

    - ``uns[key]["edges"]``: the edge table as given (e.g. :func:`grnfast.scoring.rank_edges`'s
      ``Gene1, Gene2, EdgeWeight``);
    - ``uns[key]["params"]``: the model's parameters (or ``params``) as JSON text,
      ``uns[key]["model"]`` its class name;
    - ``varm[f"{key}_{name}"]``: each embedding table of ``model``, one row per gene
      of ``adata.var`` matched by name (``var_names``, or the ``.var`` column
      ``gene_symbols`` the model's genes came from); NaN rows for genes the model
      does not know.

    With ``name`` (e.g. the model's name), the entry goes to ``uns[key][name]`` and
    the embeddings to ``varm[f"{key}_{name}_{table}"]``, so several models'
    results sit side by side under one key (what ``grnfast infer --write-h5ad``
    does).

    Returns ``adata``; ``adata.write_h5ad(path)`` then stores all of it.
    """
    if not (hasattr(adata, "uns") and hasattr(adata, "varm")):
        raise GRNInputError(f"expected an AnnData to write into; got {type(adata).__name__}")
    if not isinstance(edges, pd.DataFrame) or edges.shape[1] < 2:
        raise GRNInputError("edges must be a DataFrame of regulator, target and weight columns")
    if params is None and model is not None:
        params = model.get_params(deep=False)
    entry = {"edges": edges.reset_index(drop=True).rename(columns=str), "params": _json(params or {})}
    if model is not None:
        entry["model"] = type(model).__name__
    if name is not None and not (isinstance(name, str) and name):
        raise GRNInputError(f"name must be a non-empty string; got {name!r}")
    prefix = key if name is None else f"{key}_{name}"
    names = _gene_names(adata, gene_symbols)
    embeddings = model_embeddings(model) if model is not None else {}
    for table_name, (genes, matrix) in embeddings.items():
        rows = pd.Series(np.arange(len(genes)), index=genes)
        rows = rows[~rows.index.duplicated()].reindex(names).to_numpy()
        if np.isnan(rows).all():
            raise GRNInputError(f"none of the model's {len(genes)} genes is among the AnnData's genes "
                                f"({'.var column ' + repr(gene_symbols) if gene_symbols else 'var_names'}); "
                                "pass gene_symbols= the .var column the model's gene names came from")
        table = np.full((len(names), matrix.shape[1]), np.nan, dtype=np.float32)
        found = ~np.isnan(rows)
        table[found] = matrix[rows[found].astype(int)]
        adata.varm[f"{prefix}_{table_name}"] = table
    entry["varm"] = [f"{prefix}_{table_name}" for table_name in embeddings]
    if name is None:
        adata.uns[key] = entry
    else:
        adata.uns[key] = {**dict(adata.uns.get(key, {})), name: entry}
    return adata


def write_h5ad_copy(source, target, networks, models, gene_symbols=None):
    """A copy of the ``.h5ad`` at ``source`` written to ``target`` with every
    model's ranked network and embeddings (:func:`add_to_anndata` under
    ``uns['grnfast'][name]``); ``networks`` and ``models`` are keyed by name.
    Returns ``target`` as a Path."""
    import anndata

    adata = anndata.read_h5ad(source)
    for name, edges in networks.items():
        add_to_anndata(adata, edges, model=models[name], gene_symbols=gene_symbols, name=name)
    with written_atomically(target) as partial:
        adata.write_h5ad(partial)
    return Path(target)
