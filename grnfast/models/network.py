"""A fitted network: what a trained model is (its spec, weights, the node features
it reads and its gene table) and everything it computes. The one place where a
fitted model calls the compiled engine; estimators expose it as ``network_``.
"""
import numpy as np

from ._parameters import named_views


def _core():
    from .. import _core

    return _core


def make_spec(spec_dict):
    """The engine's ``ModelSpec`` of a spec dict, checked by the engine."""
    spec = _core().ModelSpec()
    for key, value in spec_dict.items():
        setattr(spec, key, value)
    spec.validate()
    return spec


def layout(spec_dict):
    """Where each parameter and buffer group of a spec sits (names, shapes, offsets)."""
    return _core().layout(make_spec(spec_dict))


class FittedNetwork:
    """A trained two-tower, late-interaction or cross-encoder network, read-only.

    Parameters
    ----------
    spec : dict
        The architecture (``kind``, ``n_genes``, ``hidden``, ...).
    params, buffers : ndarray of float32
        The flat weights and the batch-norm running statistics.
    node_features : ndarray of float32, shape (n_genes, n_node_features)
        The standardised per-gene inputs the network reads.
    genes : grnfast.genes.GeneTable
        Names and number of the genes the rows refer to.
    n_threads : int
        OpenMP threads for the engine's calls (results do not depend on it).
    graph_edges : ndarray of int64, shape (n_edges, 2), or None
        The known edges (rows of regulator, target) a network with ``graph_dim > 0``
        reads: its training positives (:func:`known_edges`).
    seen_genes : ndarray of bool, shape (n_genes, 2), or None
        Which genes have an identity as regulators (column 0) and as targets
        (column 1) (:func:`seen_in`: the genes training saw, in either role). With
        ``embedding_dropout > 0`` every method reads a gene in a role where its flag
        is False through the learned unknown-gene row (with its own node features
        and no known edges); ``None``: every gene is read through its own row.

    Rows passed to the methods are row indices into the gene table
    (``genes.rows(X)`` turns pairs of names or indices into them).
    """

    def __init__(self, spec, params, buffers, node_features, genes, n_threads=1, graph_edges=None, seen_genes=None):
        self.spec = spec
        self.params = params
        self.buffers = buffers
        self.node_features = node_features
        self.genes = genes
        self.n_threads = int(n_threads)
        self.graph_edges = graph_edges
        self.seen_genes = seen_genes
        self._layout = None
        self._bound = None  # the engine's network, built on first use

    def __getstate__(self):
        return {**self.__dict__, "_bound": None}  # the engine's object is rebuilt from the arrays

    @property
    def kind(self):
        return self.spec["kind"]

    @property
    def has_towers(self):
        """Whether the network is two towers whose per-gene outputs are scored
        against each other (two-tower, late interaction)."""
        return self.kind in ("two_tower", "late_interaction")

    @property
    def layout(self):
        if self._layout is None:
            self._layout = layout(self.spec)
        return self._layout

    def _engine(self):
        """The engine's network (``_core.FittedNetwork``), built once from the spec and
        reading these arrays (and the graph's edges); rebuilt only if one is replaced."""
        arrays = (self.params, self.buffers, self.node_features, self.graph_edges, self.seen_genes)
        if self._bound is None or any(a is not b for a, b in zip(self._bound[0], arrays)):
            self._bound = (arrays, _core().FittedNetwork(make_spec(self.spec), *arrays))
        return self._bound[1]

    def named_parameters(self):
        """Dict of parameter name -> array (views into ``params``, with their shapes)."""
        return named_views(self.params, self.layout["params"])

    def named_buffers(self):
        return named_views(self.buffers, self.layout["buffers"])

    # ---- scores ------------------------------------------------------------------

    def predict_logits(self, rows):
        """Logit of each (regulator row, target row) pair, float32 of shape (n,)."""
        return self._engine().predict_logits(rows, self.n_threads)

    def score_blocks(self, regulator_rows, target_rows, block_size=64):
        """Yield ``(regulator_rows, target_rows, logits)`` blocks of ``block_size``
        regulators against every target: each gene's part is computed once
        (two-tower: tower outputs and one product per block; late interaction:
        tower outputs and the products of all their vectors, then MaxSim;
        cross-encoder: the per-gene parts of the first layer)."""
        engine = self._engine()
        if self.has_towers:
            u = engine.tower_outputs(regulator_rows, 0, self.n_threads)
            v = engine.tower_outputs(target_rows, 1, self.n_threads)
            for start in range(0, len(regulator_rows), block_size):
                block = regulator_rows[start : start + block_size]
                yield block, target_rows, engine.tower_scores(u[start : start + block_size], v, self.n_threads,
                                                              block, target_rows)
            return
        for start in range(0, len(regulator_rows), block_size):
            block = regulator_rows[start : start + block_size]
            yield block, target_rows, engine.score_grid(block, target_rows, self.n_threads)

    # ---- what is inside ------------------------------------------------------------

    def tower_outputs(self, rows, role):
        """A tower model's representation of the genes at ``rows`` in a role
        (``"regulator"`` or ``"target"``): shape (len(rows), last hidden size) for
        the two-tower, (len(rows), n_vectors, last hidden size) for late interaction."""
        if not self.has_towers:
            raise TypeError(f"tower_outputs needs a two-tower or late-interaction network; this one is a {self.kind}")
        if role not in ("regulator", "target"):
            raise ValueError(f"role must be 'regulator' or 'target'; got {role!r}")
        out = self._engine().tower_outputs(rows, 0 if role == "regulator" else 1, self.n_threads)
        if self.kind == "late_interaction":
            return out.reshape(len(out), self.spec["n_vectors"], self.spec["hidden"][-1])
        return out

    def layer_outputs(self, rows):
        """Every layer's output for the pairs at ``rows`` (evaluation mode), by layer
        name, e.g. ``"head.0"`` or ``"regulator_tower.1"``."""
        return self._engine().layer_outputs(rows, self.n_threads)

    def hidden_layers(self):
        """Names of the activated (hidden, prunable) layers, one list per MLP."""
        if self.kind == "cross_encoder":
            prefixes, n_hidden = ["head."], len(self.spec["hidden"])
        else:  # each tower's last layer is its linear output
            prefixes, n_hidden = ["regulator_tower.", "target_tower."], len(self.spec["hidden"]) - 1
        return [[f"{p}{layer}" for layer in range(n_hidden)] for p in prefixes]

    def pruned(self, keep):
        """A copy without the hidden neurons not in ``keep`` ({hidden layer name:
        sorted neuron indices kept}); every stack of :meth:`hidden_layers` keeps as
        many neurons per layer."""
        first = self.hidden_layers()[0]
        hidden = [len(keep[name]) for name in first] + list(self.spec["hidden"][len(first):])
        spec = {**self.spec, "hidden": hidden}
        new_layout = layout(spec)
        sources = {"params": self.named_parameters(), "buffers": self.named_buffers()}
        flats = {"params": np.empty(new_layout["n_params"], dtype=np.float32),
                 "buffers": np.empty(new_layout["n_buffers"], dtype=np.float32)}
        for part, flat in flats.items():
            for group in new_layout[part]:
                value = sources[part][group["name"]]
                layer = group["name"].rsplit(".", 1)[0]
                if group["kind"] == "weight":
                    previous = _previous_layer(layer)
                    if previous in keep:  # inputs from the previous layer's kept neurons
                        value = value[keep[previous], :]
                    if layer in keep:
                        value = value[:, keep[layer]]
                elif group["kind"] != "embedding" and layer in keep:
                    value = value[keep[layer]]
                flat[group["offset"] : group["offset"] + group["size"]] = np.asarray(value, np.float32).reshape(-1)
        return FittedNetwork(spec, flats["params"], flats["buffers"], self.node_features, self.genes, self.n_threads,
                             graph_edges=self.graph_edges, seen_genes=self.seen_genes)


def known_edges(pairs, y):
    """The graph a network with ``graph_dim > 0`` reads: the distinct positives among
    the training pairs (never a validation pair: the automatic split is taken out
    before), as (n_edges, 2) int64 rows."""
    positives = np.unique(np.asarray(pairs)[np.asarray(y) == 1], axis=0).reshape(-1, 2)
    return np.ascontiguousarray(positives, dtype=np.int64)


def seen_in(pairs, n_genes):
    """Which genes of a gene table of ``n_genes`` have an identity, as regulators
    (column 0) and as targets (column 1): bool, shape (n_genes, 2). A gene that
    ``pairs`` (the training pairs) have in either role has one in both, since its
    embedding row is one row that both roles read and train: a TF the prior has
    only as a target keeps what training taught its row when it is scored as a
    regulator (docs/guide.md, "Genes a model never saw", has what the unknown row
    there cost)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    known = np.zeros(int(n_genes), dtype=bool)
    known[pairs.reshape(-1)] = True
    return np.column_stack([known, known])


def _previous_layer(layer):
    if "." not in layer:  # the graph encoder: not a stack of hidden layers
        return None
    prefix, index = layer.rsplit(".", 1)
    return f"{prefix}.{int(index) - 1}" if int(index) > 0 else None
