"""Peak memory of ``--write-h5ad`` on an atlas-sized .h5ad: the results written
into a copy of the file, before (the whole AnnData read, ``add_to_anndata``,
``write_h5ad``) and after (``write_h5ad_copy``: the file copied, only the new
``uns``/``varm`` entries written), each in a fresh process.

    python bench/write_h5ad_memory.py                  # 100,000 cells x 20,000 genes, 5% non-zero
    python bench/write_h5ad_memory.py --cells 20000 --genes 5000 --path /tmp/small.h5ad

The file is made once by ``atlas_h5ad.write_atlas`` (kept for later runs). A
cross-encoder with a 64-number embedding per gene is fitted once (one epoch on
2,000 prior pairs) and its top-100 network per regulator ranked, both pickled, so
each measured process loads them before its baseline. Each process reports the
resident set before the write-back, its high-water mark (VmHWM) and the seconds;
the two outputs are then read back with anndata and their uns and varm compared.
"""
import argparse
import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from atlas_h5ad import prior_for, status_bytes, write_atlas  # noqa: E402


def fit_once(path, work):
    """The model and network every measurement writes back, pickled beside the file."""
    from anndata.io import read_elem
    import h5py

    from grnfast import CrossEncoderClassifier
    from grnfast.scoring import rank_edges

    with h5py.File(path, "r") as f:
        genes = read_elem(f["var"])["symbol"].astype(str).to_numpy()
    prior = prior_for(len(genes))
    rng = np.random.default_rng(0)
    negatives = pd.DataFrame({"regulator": prior.regulator.to_numpy(),
                              "target": genes[rng.integers(0, len(genes), len(prior))]})
    pairs = pd.concat([prior, negatives], ignore_index=True)
    labels = np.r_[np.ones(len(prior)), np.zeros(len(negatives))]
    features = pd.DataFrame(rng.random((len(genes), 20), dtype=np.float32), index=genes)
    model = CrossEncoderClassifier(node_features=features, embedding_dim=64, hidden_layer_sizes=(32,), max_iter=1,
                                   early_stopping=False, random_state=0, n_jobs=1).fit(pairs, labels)
    edges = rank_edges(model, pd.Index(prior.regulator.unique()), top_k=100)
    with open(work / "model.pkl", "wb") as out:
        pickle.dump(({"cross-encoder": edges}, {"cross-encoder": model}), out)
    return len(edges)


def measure(method, path, work):
    import anndata
    import h5py  # noqa: F401 (both write through h5py: count it with the imports)

    from grnfast.data.anndata_output import add_to_anndata, write_h5ad_copy

    with open(work / "model.pkl", "rb") as f:
        networks, models = pickle.load(f)
    target = work / f"{method}.h5ad"
    baseline = status_bytes("VmRSS")
    start = time.perf_counter()
    if method == "before":
        adata = anndata.read_h5ad(path)
        for name, edges in networks.items():
            add_to_anndata(adata, edges, model=models[name], gene_symbols="symbol", name=name)
        adata.write_h5ad(target)
    else:
        write_h5ad_copy(path, target, networks, models, gene_symbols="symbol")
    seconds = time.perf_counter() - start
    print(json.dumps({"method": method, "seconds": seconds, "baseline": baseline, "peak": status_bytes("VmHWM")}))


def run(method, path, work):
    out = subprocess.run([sys.executable, __file__, "--measure", method, "--path", str(path), "--work", str(work)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def same_results(work):
    import anndata

    before, after = (anndata.read_h5ad(work / f"{m}.h5ad", backed="r") for m in ("before", "after"))
    try:
        same = sorted(before.varm) == sorted(after.varm) and all(
            np.array_equal(before.varm[k], after.varm[k], equal_nan=True) for k in before.varm)
        entry, other = before.uns["grnfast"]["cross-encoder"], after.uns["grnfast"]["cross-encoder"]
        same = same and sorted(entry) == sorted(other) and entry["edges"].equals(other["edges"]) and \
            entry["params"] == other["params"] and list(entry["varm"]) == list(other["varm"])
    finally:
        before.file.close()
        after.file.close()
    return same


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--genes", type=int, default=20_000)
    parser.add_argument("--density", type=float, default=0.05)
    parser.add_argument("--path", default="/tmp/grnfast_atlas.h5ad")
    parser.add_argument("--work", help="folder for the model and the two outputs (default: PATH's name + .write)")
    parser.add_argument("--measure", choices=["before", "after"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = Path(args.path)
    work = Path(args.work) if args.work else path.with_suffix(".write")
    if args.measure:
        return measure(args.measure, path, work)
    if not path.exists():
        start = time.perf_counter()
        write_atlas(path, args.cells, args.genes, args.density, n_types=20)
        print(f"wrote {path} ({path.stat().st_size / 2**30:.2f} GiB) in {time.perf_counter() - start:.0f}s")
    work.mkdir(exist_ok=True)
    n_edges = fit_once(path, work)
    import h5py

    with h5py.File(path, "r") as f:
        n_cells, n_genes = (int(v) for v in f["X"].attrs["shape"])
        nnz = f["X/data"].shape[0]
    print(f"{n_cells} cells x {n_genes} genes, {nnz} stored values, file {path.stat().st_size / 2**20:.0f} MiB; "
          f"written back: one model, {n_edges} edges, a {n_genes} x 64 embedding")
    results = [run(method, path, work) for method in ("before", "after")]
    print("| write-back | time | RSS before | peak RSS | peak - before |")
    print("|---|---|---|---|---|")
    names = {"before": "read_h5ad + add_to_anndata + write_h5ad", "after": "write_h5ad_copy (file copy + write_elem)"}
    for r in results:
        print(f"| {names[r['method']]} | {r['seconds']:.1f} s | {r['baseline'] / 2**20:.0f} MiB | "
              f"{r['peak'] / 2**20:.0f} MiB | {(r['peak'] - r['baseline']) / 2**20:.0f} MiB |")
    print(f"same uns['grnfast'] and varm read back: {same_results(work)}")


if __name__ == "__main__":
    main()
