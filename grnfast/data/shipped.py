"""The real data set shipped inside the package, what ``grnfast infer`` runs on
without arguments: BEELINE's mouse embryonic stem cells (mESC, 421 cells, the 500
most variable genes plus every TF: 1,120 genes) with its cell-type-specific
ChIP-seq ground truth (29,613 edges from 88 regulators). Sources, licence and how
it was stored: ``grnfast/data/mesc/README.md``."""
from pathlib import Path

from .dataset import GRNDataset
from .expression import read_expression
from .priors import read_edges

MESC_FOLDER = Path(__file__).with_name("mesc")
MESC_EXPRESSION = MESC_FOLDER / "expression.csv.gz"
MESC_NETWORK = MESC_FOLDER / "network.csv.gz"
# The models' settings on it: grnfast.models.presets.SHIPPED_DATA_PARAMS.


def load_mesc(features="clusters", random_state=0):
    """The shipped mESC data set as a :class:`GRNDataset` (regulators: the sources
    of the ground-truth edges), read as ``grnfast infer --expression
    MESC_EXPRESSION --edges MESC_NETWORK`` reads it: node features are cluster
    means of the cells by default (``features`` as in ``from_expression``)."""
    return GRNDataset.from_expression(read_expression(MESC_EXPRESSION), read_edges(MESC_NETWORK),
                                      features=features, name="BEELINE mESC (Specific ChIP-seq)",
                                      random_state=random_state)
