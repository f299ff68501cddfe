"""Atlas-sized .h5ad: loading and cell-type aggregation, peak memory against the
sparse matrix's own size, and against reading the file whole with anndata.

    python bench/atlas_h5ad.py                      # 100,000 cells x 20,000 genes, 5% non-zero, 20 cell types
    python bench/atlas_h5ad.py --cells 20000 --genes 5000 --path /tmp/small.h5ad

Writes the file once (in blocks of cells, straight into AnnData's CSR layout with
h5py, so generating it needs no more memory than a block), then measures in a
fresh process each:

- ``grnfast``: ``GRNDataset.from_anndata(path, prior, groupby="cell_type",
  gene_symbols="symbol")``: raw counts read in blocks, normalised, averaged per
  cell type, matched to a prior of 2,000 edges;
- ``anndata whole``: the reference, ``anndata.read_h5ad(path)`` (the sparse
  matrix in memory), then the same normalisation and means with scipy;
- ``grnfast infer`` (with ``--infer``): the whole command, ``grnfast infer
  --expression PATH --edges PRIOR --groupby cell_type --gene-symbols symbol
  --model cross-encoder --top-k 100``: loading, training with early stopping,
  the report and the ranked network.

Each reports the resident set after its imports, the high-water mark (VmHWM) and
the seconds for loading + aggregation. The file stays for later runs (delete it
to regenerate). Not part of the test suite; tests/test_atlas_bench.py runs the
same path on a small file.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BLOCK_CELLS = 1000


def write_atlas(path, n_cells, n_genes, density, n_types, seed=0):
    """A cells x genes CSR .h5ad of raw counts: cell types in .obs['cell_type'],
    Ensembl-style var_names and symbols in .var['symbol']. Returns the matrix's
    stored bytes (data + indices + indptr)."""
    import h5py
    from anndata.io import write_elem

    rng = np.random.default_rng(seed)
    types = np.array([f"type{t:02d}" for t in range(n_types)])
    obs = pd.DataFrame({"cell_type": pd.Categorical(types[rng.integers(0, n_types, n_cells)])},
                       index=[f"cell{i}" for i in range(n_cells)])
    var = pd.DataFrame({"symbol": [f"GENE{g}" for g in range(n_genes)]},
                       index=[f"ENSG{g:011d}" for g in range(n_genes)])
    gene_level = rng.gamma(1.0, 1.0, n_genes).astype(np.float32)  # some genes more expressed than others
    with h5py.File(path, "w") as f:
        f.attrs.update({"encoding-type": "anndata", "encoding-version": "0.1.0"})
        group = f.create_group("X")
        group.attrs.update({"encoding-type": "csr_matrix", "encoding-version": "0.1.0", "shape": (n_cells, n_genes)})
        data = group.create_dataset("data", (0,), dtype=np.float32, maxshape=(None,), chunks=(1 << 20,))
        indices = group.create_dataset("indices", (0,), dtype=np.int32, maxshape=(None,), chunks=(1 << 20,))
        indptr = np.zeros(n_cells + 1, dtype=np.int64)
        for start in range(0, n_cells, BLOCK_CELLS):
            stop = min(start + BLOCK_CELLS, n_cells)
            rows, cols = np.nonzero(rng.random((stop - start, n_genes), dtype=np.float32) < density)
            values = (1 + rng.poisson(gene_level[cols])).astype(np.float32)
            end = data.shape[0]
            data.resize((end + len(values),))
            indices.resize((end + len(values),))
            data[end:], indices[end:] = values, cols.astype(np.int32)
            indptr[start + 1 : stop + 1] = end + np.cumsum(np.bincount(rows, minlength=stop - start))
        group.create_dataset("indptr", data=indptr)
        write_elem(f, "obs", obs)
        write_elem(f, "var", var)
        write_elem(f, "uns", {})
        nnz = int(indptr[-1])
    return nnz * (4 + 4) + indptr.nbytes


def prior_for(n_genes, n_edges=2000, seed=0):
    rng = np.random.default_rng(seed)
    regulators = rng.integers(0, min(200, n_genes), n_edges)
    targets = rng.integers(0, n_genes, n_edges)
    return pd.DataFrame({"regulator": [f"GENE{g}" for g in regulators], "target": [f"GENE{g}" for g in targets]})


def status_bytes(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def measure(method, path, n_genes):
    """One measurement in this process (run in a fresh one): JSON on stdout."""
    import anndata
    import h5py  # noqa: F401 (both methods read through h5py: count it with the imports)
    import scipy.sparse

    from grnfast.data import GRNDataset, single_cell  # noqa: F401

    prior = prior_for(n_genes)
    if method == "infer":
        from grnfast import _core  # noqa: F401 (the engine counts with the imports)
        from grnfast.cli import main as cli

        prior_path = path.with_suffix(".prior.csv")
        prior.to_csv(prior_path, index=False)
    baseline = status_bytes("VmRSS")
    start = time.perf_counter()
    if method == "infer":
        out = path.with_suffix(".infer")
        code = cli(["infer", "--expression", str(path), "--edges", str(prior_path), "--groupby", "cell_type",
                    "--gene-symbols", "symbol", "--model", "cross-encoder", "--top-k", "100", "--quiet",
                    "--output", str(out)])
        if code != 0:
            raise SystemExit(f"grnfast infer exited with {code}")
        means = np.zeros(1)
    elif method == "grnfast":
        ds = GRNDataset.from_anndata(path, prior, groupby="cell_type", gene_symbols="symbol")
        means = ds.node_features.to_numpy()
    else:
        adata = anndata.read_h5ad(path)
        matrix = adata.X
        totals = np.asarray(matrix.sum(axis=1)).ravel()
        normalised = scipy.sparse.diags((1e4 / np.maximum(totals, 1)).astype(np.float32)) @ matrix
        normalised.data = np.log1p(normalised.data)
        codes, names = pd.factorize(adata.obs["cell_type"], sort=True)
        indicator = scipy.sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))))
        means = ((indicator @ normalised).toarray() / np.bincount(codes)[:, None]).T
    seconds = time.perf_counter() - start
    print(json.dumps({"method": method, "seconds": seconds, "baseline": baseline, "peak": status_bytes("VmHWM"),
                      "checksum": float(np.sum(means, dtype=np.float64)), "shape": list(means.shape)}))


def run(method, path, n_genes):
    out = subprocess.run([sys.executable, __file__, "--measure", method, "--path", str(path), "--genes", str(n_genes)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--genes", type=int, default=20_000)
    parser.add_argument("--density", type=float, default=0.05)
    parser.add_argument("--types", type=int, default=20)
    parser.add_argument("--path", default="/tmp/grnfast_atlas.h5ad")
    parser.add_argument("--infer", action="store_true", help="also measure the whole grnfast infer command")
    parser.add_argument("--measure", choices=["grnfast", "anndata", "infer"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = Path(args.path)
    if args.measure:
        return measure(args.measure, path, args.genes)
    if not path.exists():
        start = time.perf_counter()
        write_atlas(path, args.cells, args.genes, args.density, args.types)
        print(f"wrote {path} ({path.stat().st_size / 2**30:.2f} GiB) in {time.perf_counter() - start:.0f}s")
    import h5py

    with h5py.File(path, "r") as f:
        n_cells, n_genes = (int(v) for v in f["X"].attrs["shape"])
        nnz = f["X/data"].shape[0]
        sparse_bytes = nnz * (f["X/data"].dtype.itemsize + f["X/indices"].dtype.itemsize) + (n_cells + 1) * 8
    print(f"{n_cells} cells x {n_genes} genes, {nnz} stored values ({nnz / n_cells / n_genes:.1%}), "
          f"sparse matrix {sparse_bytes / 2**20:.0f} MiB; {os.cpu_count()} cores")
    methods = ("grnfast", "anndata", "infer") if args.infer else ("grnfast", "anndata")
    results = [run(method, path, n_genes) for method in methods]
    print("| method | time | RSS after imports | peak RSS | peak - imports | peak / sparse size |")
    print("|---|---|---|---|---|---|")
    names = {"grnfast": "grnfast from_anndata (blocks)", "anndata": "anndata.read_h5ad + scipy (whole)",
             "infer": "grnfast infer (load, train, rank)"}
    for r in results:
        name = names[r["method"]]
        print(f"| {name} | {r['seconds']:.1f} s | {r['baseline'] / 2**20:.0f} MiB | {r['peak'] / 2**20:.0f} MiB | "
              f"{(r['peak'] - r['baseline']) / 2**20:.0f} MiB | {r['peak'] / sparse_bytes:.2f} |")
    ours, whole = results[:2]
    print(f"grnfast / whole: time {ours['seconds'] / whole['seconds']:.2f}x, peak RSS {ours['peak'] / whole['peak']:.2f}x;"
          f" same means: {np.isclose(ours['checksum'], whole['checksum'], rtol=1e-4)}")


if __name__ == "__main__":
    main()
