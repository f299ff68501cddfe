"""Results written back into an AnnData, where single-cell tools look for them:
the ranked network and the run's parameters in ``uns``, per-gene embeddings of a
fitted model in ``varm`` (one row per ``var``, NaN for genes the model never saw)."""
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import written_atomically
from ..errors import GRNInputError
from .files import DataFileError, existing_file


def _json(params):
    """Parameters as JSON text (h5ad stores no None, tuples or objects in uns)."""
    return json.dumps({k: v for k, v in params.items() if k != "node_features"}, default=str, sort_keys=True)


def _gene_names(var, gene_symbols):
    if gene_symbols is None:
        return pd.Index(var.index.astype(str))
    if gene_symbols not in var.columns:
        raise GRNInputError(f"no .var column {gene_symbols!r} for gene_symbols; .var has {list(var.columns)[:10]}")
    return pd.Index(var[gene_symbols].astype(str))


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

    - ``uns[key]["edges"]``: the edge table as given, whatever its columns (e.g.
      :func:`grnfast.scoring.rank_edges`'s ``Gene1, Gene2, EdgeWeight``);
    - ``uns[key]["params"]``: the model's parameters (or ``params``) as JSON text,
      ``uns[key]["model"]`` its class name;
    - ``varm[f"{key}_{name}"]``: each embedding table of ``model``, one row per gene
      of ``adata.var`` matched by name (``var_names``, or the ``.var`` column
      ``gene_symbols`` the model's genes came from); NaN rows for genes the model
      does not know.

    With ``name`` (e.g. the model's name), the entry goes to ``uns[key][name]`` and
    the embeddings to ``varm[f"{key}_{name}_{table}"]``, so several models'
    results sit side by side under one key (what ``grnfast infer --write-h5ad``
    does, through :func:`write_h5ad_copy`, without loading the file).

    Returns ``adata``; ``adata.write_h5ad(path)`` then stores all of it.
    """
    if not (hasattr(adata, "uns") and hasattr(adata, "varm")):
        raise GRNInputError(f"expected an AnnData to write into; got {type(adata).__name__}")
    entry, varm = _entries(adata.var, edges, model=model, params=params, gene_symbols=gene_symbols, key=key,
                           name=name)
    for varm_key, table in varm.items():
        adata.varm[varm_key] = table
    if name is None:
        adata.uns[key] = entry
    else:
        adata.uns[key] = {**dict(adata.uns.get(key, {})), name: entry}
    return adata


def _entries(var, edges, *, model, params, gene_symbols, key, name):
    """What :func:`add_to_anndata` writes, for an AnnData whose ``.var`` is ``var``:
    the ``uns`` entry and ``{varm key: genes x d table}``."""
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
    names = _gene_names(var, gene_symbols)
    embeddings = model_embeddings(model) if model is not None else {}
    varm = {}
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
        varm[f"{prefix}_{table_name}"] = table
    entry["varm"] = list(varm)
    return entry, varm


def write_h5ad_copy(source, target, networks, models, gene_symbols=None):
    """A copy of the ``.h5ad`` at ``source`` written to ``target`` with every
    model's ranked network and embeddings (:func:`add_to_anndata` under
    ``uns['grnfast'][name]``); ``networks`` and ``models`` are keyed by name.

    The file is copied as it is and only the new entries are written into the
    copy, so memory does not grow with the matrix; ``anndata.read_h5ad(target)``
    gives what :func:`add_to_anndata` on the whole file, written back, would give
    (other models' entries already under ``uns['grnfast']`` are kept, the same
    names replaced). Returns ``target`` as a Path.
    """
    import h5py

    key = "grnfast"
    source, target = existing_file(source), Path(target)
    if target.resolve() == source.resolve():
        raise GRNInputError(f"{target} is the input file itself; give a new path for the copy")
    var = _h5ad_var(source)
    written = {name: _entries(var, edges, model=models[name], params=None, gene_symbols=gene_symbols, key=key,
                              name=name)
               for name, edges in networks.items()}
    _, write_elem = _elem_io()
    with written_atomically(target) as partial:
        shutil.copyfile(source, partial)
        with h5py.File(partial, "r+") as f:
            uns = _dict_group(f, "uns", write_elem)
            # An entry replaced here keeps its space in the file (HDF5 does not reclaim
            # it; h5repack does): the price of never rewriting the matrix.
            if key in uns and _is_dict(uns[key]):
                for name, (entry, _) in written.items():
                    write_elem(uns[key], name, entry)
            else:  # absent, or a value that is not a dict: replaced by one
                write_elem(uns, key, {name: entry for name, (entry, _) in written.items()})
            varm = _dict_group(f, "varm", write_elem)
            for _, tables in written.values():
                for varm_key, table in tables.items():
                    write_elem(varm, varm_key, table)
    return target


def _elem_io():
    try:
        from anndata.io import read_elem, write_elem
    except ImportError:  # anndata 0.10 keeps them here (pyproject allows anndata>=0.10)
        from anndata.experimental import read_elem, write_elem
    return read_elem, write_elem


def _h5ad_var(path):
    """The ``.var`` of an ``.h5ad`` file, read without its matrices; a clear error
    for a file that is not one."""
    import h5py

    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise DataFileError(f"{path}: not a readable .h5ad (AnnData HDF5) file ({exc})") from None
    with handle:
        if "matrix" in handle and "row_attrs" in handle:
            raise DataFileError(f"{path}: a .loom file; the results are written into a copy of an .h5ad (make one "
                                "with anndata's read_loom(...).write_h5ad(...))")
        if not ("obs" in handle and "var" in handle):
            raise DataFileError(f"{path}: not an AnnData .h5ad file (no obs and var; it has {sorted(handle)[:6]})")
        if isinstance(handle["var"], h5py.Group):
            read_elem, _ = _elem_io()
            return read_elem(handle["var"])
    # anndata's older layout (var a compound dataset): its backed mode reads var, not X
    from .single_cell import _backed

    adata = _backed(path)
    try:
        return adata.var
    finally:
        adata.file.close()


def _is_dict(element):
    import h5py

    # an older-layout file's groups carry no encoding-type and are dicts too
    return isinstance(element, h5py.Group) and element.attrs.get("encoding-type", "dict") == "dict"


def _dict_group(f, name, write_elem):
    """The group ``name`` (uns, varm) of an open file, made when missing. An older
    layout's varm (a compound dataset, a field per table) becomes a group of the
    same tables, as anndata reads it."""
    import h5py

    element = f.get(name)
    if isinstance(element, h5py.Dataset):
        tables = {field: element[field] for field in element.dtype.names or ()}
        del f[name]
        write_elem(f, name, tables)
    elif element is None:
        write_elem(f, name, {})
    return f[name]
