"""A downstream check of grnfast's networks: TF activities with decoupler's ULM
on labelled PBMCs, from each model's network (signed and unsigned) and from the
prior alone (TRRUST, signed by its mode), scored by how often a TF's known cell
type has its highest mean activity.

Data: scanpy's bundled ``pbmc68k_reduced`` (700 PBMCs, 765 highly variable genes,
log-normalised values in ``.raw``, cell types in ``obs["bulk_labels"]``; it ships
inside the scanpy wheel, so no download) and TRRUST v2 human from
``../shared/data/priors``. Three steps, because decoupler 1.x lives in a venv of
its own (``bench/peers/decoupler-requirements.txt``; decoupler 2.x needs Python
3.12+) that has no grnfast:

``export``   (the decoupler venv) writes the data set as an ``.h5ad`` with the
             log-normalised values in ``X`` (the bundled file's ``X`` is scaled).
``networks`` (grnfast's venv) runs ``grnfast infer`` on it twice, signed and
             ``--unsigned`` (same seed: the same models), decoupler columns,
             with every measured TRRUST TF a candidate regulator, and writes the
             prior's own network (weight = +1 for Activation and Unknown, -1
             for Repression, as decoupler's CollecTRI treats unknown modes).
``score``    (the decoupler venv) ``dc.run_ulm`` with each network on every cell,
             the mean activity per cell type, and for each TF of
             :data:`EXPECTED` whether one of its expected cell types ranks first.
             A TF a network cannot score (fewer than 5 measured targets,
             decoupler's ``min_n``) counts as a miss; ``scored`` says how many it
             could. The chance rate is the mean over TFs of (expected types /
             cell types). A training-free control sits beside them: each
             candidate TF's top-k genes by absolute Pearson correlation over the
             same cell-type means grnfast's models read, weight = the
             correlation's sign (what a signed network gets from correlation
             alone, without any model choosing the targets).

Commands (bench/README.md)::

    python3.11 -m venv /work/decoupler-venv
    /work/decoupler-venv/bin/pip install -r bench/peers/decoupler-requirements.txt
    /work/decoupler-venv/bin/python bench/decoupler_activity.py export
    python bench/decoupler_activity.py networks --data ../shared/data
    /work/decoupler-venv/bin/python bench/decoupler_activity.py score
"""
import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / "peers" / "cache" / "decoupler"
DATA = CACHE / "pbmc68k_reduced.h5ad"
GROUPBY = "bulk_labels"
T_CELLS = ("CD4+/CD25 T Reg", "CD4+/CD45RO+ Memory", "CD4+/CD45RA+/CD25- Naive T", "CD8+ Cytotoxic T",
           "CD8+/CD45RA+ Naive Cytotoxic")
# TF -> the bulk_labels cell types where it is known to act, for the TRRUST TFs
# measured in pbmc68k_reduced with an established lineage role (fixed before any
# run; literature, not the data):
#   SPI1 (PU.1): myeloid, monocytes and DCs (Nerlov & Graf, Genes Dev 1998;
#       Anderson et al., Blood 1998).
#   IRF8: dendritic cells (Tamura et al., J Immunol 2005; Schiavoni et al., J Exp Med 2002).
#   IRF7: plasmacytoid DCs (Honda et al., Nature 2005).
#   SPIB: plasmacytoid DCs and B cells (Schotte et al., J Exp Med 2004; Su et al., EMBO J 1997).
#   POU2AF1 (OBF-1/BOB.1): B cells (Schubart et al., Nature 1996).
#   GATA3: T cells (Ting et al., Nature 1996).
#   ID2: NK cells (Yokota et al., Nature 1999).
#   HOPX: effector NK / cytotoxic T cells (Albrecht et al., J Exp Med 2010).
#   GATA2, LYL1, SOX4: CD34+ progenitors (Tsai et al., Nature 1994; Capron et al.,
#       Mol Cell Biol 2006; Schilham et al., Nature 1996).
EXPECTED = {
    "SPI1": ("CD14+ Monocyte", "Dendritic"),
    "IRF8": ("Dendritic",),
    "IRF7": ("Dendritic",),
    "SPIB": ("Dendritic", "CD19+ B"),
    "POU2AF1": ("CD19+ B",),
    "GATA3": T_CELLS,
    "ID2": ("CD56+ NK",),
    "HOPX": ("CD56+ NK", "CD8+ Cytotoxic T"),
    "GATA2": ("CD34+",),
    "LYL1": ("CD34+",),
    "SOX4": ("CD34+",),
}
MODELS = ("two-tower", "cross-encoder", "late-interaction")


def export(args):
    import scanpy as sc

    adata = sc.datasets.pbmc68k_reduced()
    out = adata.raw.to_adata()  # log-normalised values of the 765 genes
    out.obs = adata.obs[[GROUPBY]].copy()
    CACHE.mkdir(parents=True, exist_ok=True)
    out.write_h5ad(DATA)
    print(f"{DATA}: {out.n_obs} cells x {out.n_vars} genes, {out.obs[GROUPBY].nunique()} cell types")


def networks(args):
    import pandas as pd

    from grnfast.data import read_prior

    trrust = Path(args.data) / "priors" / "trrust_rawdata.human.tsv"
    prior = read_prior(trrust).drop_duplicates(["regulator", "target"])
    tfs = CACHE / "trrust_tfs.txt"
    tfs.write_text("\n".join(pd.unique(prior["regulator"])) + "\n")
    prior_net = pd.DataFrame({"source": prior["regulator"], "target": prior["target"],
                              "weight": prior["sign"].fillna(1.0)})
    prior_net.to_csv(CACHE / "network_prior.csv", index=False)
    for kind, extra in (("signed", []), ("unsigned", ["--unsigned"])):
        command = [sys.executable, "-m", "grnfast", "infer", "--expression", str(DATA), "--groupby", GROUPBY,
                   "--prior", str(trrust), "--regulators", str(tfs), "--format", "decoupler", "--top-k",
                   str(args.top_k), "--n-jobs", str(args.n_jobs), "--seed", str(args.seed), "--quiet",
                   "--output", str(CACHE / kind), *extra]
        print(" ".join(command), flush=True)
        subprocess.run(command, check=True)


def correlation_network(adata, labels, top_k, min_cells=10):
    """The control: each measured candidate TF's ``top_k`` genes by |Pearson r| over
    the cell-type means (types of at least ``min_cells`` cells, as grnfast infer's
    default), weight = sign of r."""
    import numpy as np
    import pandas as pd

    counts = labels.value_counts()
    kept = labels.isin(counts[counts >= min_cells].index).to_numpy()
    matrix = adata.X.toarray() if hasattr(adata.X, "toarray") else np.asarray(adata.X)
    means = pd.DataFrame(matrix[kept], columns=adata.var_names).groupby(labels[kept].to_numpy()).mean()
    corr = means.corr()
    tfs = [tf for tf in (CACHE / "trrust_tfs.txt").read_text().split() if tf in corr.columns]
    parts = []
    for tf in tfs:
        r = corr[tf].drop(tf).dropna()
        top = r.abs().nlargest(top_k).index
        parts.append(pd.DataFrame({"source": tf, "target": top, "weight": np.sign(r[top]).to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def network_files():
    files = {"prior (TRRUST, signed by mode)": CACHE / "network_prior.csv"}
    for kind in ("signed", "unsigned"):
        for model in MODELS:
            files[f"{model} ({kind})"] = CACHE / kind / f"network_{model}.csv"
    return files


def score(args):
    import anndata
    import decoupler as dc
    import numpy as np
    import pandas as pd

    adata = anndata.read_h5ad(DATA)
    labels = adata.obs[GROUPBY].astype(str)
    n_types = labels.nunique()
    chance = np.mean([len(types) / n_types for types in EXPECTED.values()])
    nets = {name: pd.read_csv(path) for name, path in network_files().items()}
    top_k = int(nets["two-tower (signed)"].groupby("source").size().max())
    nets[f"control: top {top_k} |correlation| (signed)"] = correlation_network(adata, labels, top_k)
    rows = []
    for name, net in nets.items():
        dc.run_ulm(mat=adata, net=net, source="source", target="target", weight="weight", use_raw=False,
                   min_n=5, verbose=False)
        means = adata.obsm["ulm_estimate"].groupby(labels.to_numpy()).mean()
        hits = {tf: tf in means.columns and means[tf].idxmax() in types for tf, types in EXPECTED.items()}
        rows.append({"network": name, "TFs with activity": means.shape[1],
                     "scored": sum(tf in means.columns for tf in EXPECTED), "expected first": sum(hits.values()),
                     "of": len(EXPECTED), "hit rate": sum(hits.values()) / len(EXPECTED),
                     "hits": " ".join(tf for tf, hit in hits.items() if hit)})
    table = pd.DataFrame(rows)
    table.to_csv(HERE / "peers" / "decoupler_activity.csv", index=False)
    print(f"pbmc68k_reduced: {adata.n_obs} cells, {n_types} cell types; chance hit rate {chance:.2f}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("export", help="the data set as an .h5ad (decoupler venv)")
    step = sub.add_parser("networks", help="grnfast infer, signed and unsigned, and the prior (grnfast venv)")
    step.add_argument("--data", default="../shared/data")
    step.add_argument("--top-k", type=int, default=50)
    step.add_argument("--n-jobs", type=int, default=1)
    step.add_argument("--seed", type=int, default=0)
    sub.add_parser("score", help="ULM activities and the hit table (decoupler venv)")
    args = parser.parse_args()
    {"export": export, "networks": networks, "score": score}[args.step](args)


if __name__ == "__main__":
    main()
