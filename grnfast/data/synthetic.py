"""The embedded default data set: synthetic single-cell expression with a known
regulatory network, so the main job runs offline on a fresh machine.

Regulators have scale-free out-degrees; each cell belongs to one of several cell
types; a regulator's expression depends on the cell type, and a target's
expression is driven by its regulators (with signs) plus noise, then turned into
counts with dropout. Because edges shape expression, a model reading per-cell-type
expression can recover them, and the known network scores it.
"""
import numpy as np
import pandas as pd

from ..errors import GRNInputError


def make_synthetic_network(
    n_genes=1500,
    n_regulators=120,
    n_cell_types=10,
    n_cells=1200,
    mean_out_degree=15,
    noise=0.5,
    dropout=0.3,
    random_state=0,
):
    """Generate expression and a ground-truth network.

    Parameters
    ----------
    n_genes : int
        Genes in all, regulators included.
    n_regulators : int
        Transcription factors (the first ``n_regulators`` genes, named ``TF###``).
    n_cell_types : int
        Cell types; cells are spread evenly over them.
    n_cells : int
        Cells in the expression matrix.
    mean_out_degree : float
        Mean targets per regulator; out-degrees follow a power law (scale-free).
    noise : float
        Standard deviation of the per-cell expression noise (log scale).
    dropout : float
        Probability that a measured count is zeroed (technical dropout).
    random_state : int

    Returns
    -------
    expression : DataFrame, genes x cells, log1p of counts
    cell_types : Series, the cell type of every cell (indexed by cell)
    edges : DataFrame with columns ``regulator``, ``target``, ``sign`` (+1 / -1)
    """
    if not 0 < n_regulators < n_genes:
        raise GRNInputError(f"n_regulators must be between 1 and n_genes - 1; got {n_regulators} of {n_genes}")
    rng = np.random.default_rng(random_state)
    genes = [f"TF{i:03d}" for i in range(n_regulators)] + [f"G{i:04d}" for i in range(n_genes - n_regulators)]
    # Scale-free out-degrees (Pareto, exponent ~2.1), scaled to the requested mean.
    raw = rng.pareto(1.1, n_regulators) + 1.0
    degrees = np.clip(np.round(raw / raw.mean() * mean_out_degree), 1, n_genes // 3).astype(int)
    edges = []
    for r, k in enumerate(degrees):
        targets = rng.choice(np.delete(np.arange(n_genes), r), size=k, replace=False)
        signs = np.where(rng.random(k) < 0.7, 1, -1)
        edges += [(r, int(t), int(s)) for t, s in zip(targets, signs)]
    edge_array = np.array(edges)

    cell_type = np.arange(n_cells) % n_cell_types
    rng.shuffle(cell_type)
    # Regulator activity differs by cell type; every gene has a baseline level.
    type_activity = rng.normal(0.0, 1.0, (n_cell_types, n_regulators))
    baseline = rng.normal(1.0, 0.5, n_genes)
    log_expr = np.tile(baseline, (n_cells, 1))
    log_expr[:, :n_regulators] += type_activity[cell_type] + rng.normal(0, noise, (n_cells, n_regulators))
    # Each target sums its regulators' signed activity (weights drawn per edge).
    weights = edge_array[:, 2] * rng.uniform(0.5, 1.5, len(edge_array))
    drive = np.zeros((n_cells, n_genes))
    np.add.at(drive.T, edge_array[:, 1], (log_expr[:, edge_array[:, 0]] - baseline[edge_array[:, 0]]).T * weights[:, None])
    in_degree = np.maximum(np.bincount(edge_array[:, 1], minlength=n_genes), 1)
    log_expr += drive / np.sqrt(in_degree) + rng.normal(0, noise, (n_cells, n_genes))
    counts = rng.poisson(np.exp(np.clip(log_expr, -5, 6)))
    counts[rng.random(counts.shape) < dropout] = 0

    cells = [f"cell{i:05d}" for i in range(n_cells)]
    expression = pd.DataFrame(np.log1p(counts.T).astype(np.float32), index=genes, columns=cells)
    cell_types = pd.Series([f"type{t:02d}" for t in cell_type], index=cells, name="cell_type")
    edge_frame = pd.DataFrame(
        {"regulator": [genes[r] for r in edge_array[:, 0]], "target": [genes[t] for t in edge_array[:, 1]],
         "sign": edge_array[:, 2]}
    )
    return expression, cell_types, edge_frame
