"""From an .h5ad expression file and a prior network table to a fitted model and
a ranked network.

    python examples/h5ad_and_prior.py ../shared/data out/ [degree_matched|uniform]

The example writes the hHEP expression of the BEELINE benchmark as an .h5ad
file first (cells x genes, as AnnData stores it), standing in for your own.
"""
import sys
from pathlib import Path

import anndata
import pandas as pd

from grnfast import TwoTowerClassifier
from grnfast.data import GRNDataset, read_expression, read_prior
from grnfast.evaluation import DegreeBaseline, evaluate
from grnfast.scoring import rank_edges, write_edge_list

data, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)

# Your own data would start here: an AnnData file and a prior table.
csv = data / "beeline" / "Non-Specific Dataset" / "hHEP" / "TFs+1000" / "BL--ExpressionData.csv.gz"
genes_by_cells = pd.read_csv(csv, index_col=0)
anndata.AnnData(genes_by_cells.T).write_h5ad(out / "hhep.h5ad")

expression = read_expression(out / "hhep.h5ad")                # genes x cells DataFrame
prior = read_prior(data / "priors" / "trrust_rawdata.human.tsv")  # TRRUST raw TSV, or a DoRothEA-style table
ds = GRNDataset.from_expression(expression, prior, features="pca", n_components=20, min_overlap=0.05,
                                name="TRRUST x hHEP")
print(ds.notes["match"])       # what matched between the prior and the expression genes
print(ds.notes["coverage"])    # how many genes have non-zero features
print(ds.summary())

# Labelled pairs: the prior's edges, and as many negatives drawn so that
# regulator and target degrees match the positives (no degree shortcut).
method = sys.argv[3] if len(sys.argv) > 3 else "degree_matched"
split = ds.split("random", ratio=1.0, method=method, random_state=0)
print(split)
task = ds.task(split)

model = TwoTowerClassifier(node_features=ds.node_features, embedding_dim=64, alpha=1e-5,
                           learning_rate_init=1e-3, random_state=0)
task.fit(model)                # early stopping on the validation pairs
degree = DegreeBaseline(node_features=ds.node_features).fit(task.X_train, task.y_train)
for name, scorer in {"degree baseline": degree, "two-tower": model}.items():
    m = evaluate(task.y_test, scorer.predict_proba(task.X_test)[:, 1])
    print(f"{name:<16} AUROC {m['auroc']:.3f}  AUPRC {m['auprc']:.3f}")

# Every regulator x gene pair, ranked; the top 20 targets of each regulator.
edges = rank_edges(model, ds.regulators, top_k=20)
write_edge_list(edges, out / "network.csv")
print(f"{len(edges)} edges written to {out / 'network.csv'}; the strongest:")
print(edges.head().to_string(index=False))
