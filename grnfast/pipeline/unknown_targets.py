"""How well a run ranks the regulators of genes its prior has no edge into, checked on genes it has.

The twin of :mod:`.unknown_regulators` for targets. Most genes of a genome have
no known regulator in a curated prior; whether one is a target of a TF is the
question a user brings, not a negative to learn. With ``targets_without_edges=
"unknown"`` no negative of ``infer``'s split nor of the models has such a gene as
target, and the run asks of genes it knows what it cannot ask of those: a seeded
fifth of the genes with a known regulator is held out with every edge into them
from a second training of the recommended model (and a fifth of the rest, for the
blend; each at most :data:`MAX_HELD_OUT_GENES`:
:func:`~grnfast.data.cold_targets_split`), trained for the epochs the run's model
kept. Every
(regulator with edges, held-out gene) pair is scored against the prior by the
model alone, by regulator out-degree over the remaining prior (the degree
baseline: a held-out gene has no in-degree) and by a
:class:`~.cold_blend.ColdBlend` of the model and the regulators of the genes each
gene is co-expressed with (:class:`~.coexpressed_targets.CoexpressedRegulators`
over that training's edges, its beta chosen on them), fitted on the validation
genes. The run's network scores its genes without edges by that blend.
"""
from dataclasses import dataclass

from ..data import cold_targets_split
from ..evaluation import DegreeBaseline, evaluate
from ..evaluation.protocol import score_of
from ..models import make_model
from ..progress import say
from .cold_blend import ColdBlend
from .coexpressed_targets import CoexpressedRegulators
from .networks import correlation_profiles
from .training import train, trained_again

CHECK_FRACTION = 0.2
# At most this many genes held out for each of the check's parts: on a genome (17,000
# targets) a fifth would be millions of test pairs and a training further from the
# run's; on BEELINE (600-1,300 targets) a fifth is fewer.
MAX_HELD_OUT_GENES = 300
# Below this many genes with a known regulator, a fifth held out says nothing of the others.
MIN_TARGETS_WITH_EDGES = 10
METRICS = ("auroc", "auprc", "auroc_per_target")


@dataclass
class UnknownTargetCheck:
    """The check's outcome: the metrics (AUROC, AUPRC, mean per-target AUROC) of
    ``model``, regulator out-degree and their ``blend`` on the known regulators x
    ``n_held_out`` held-out genes (``prevalence``: the share of those pairs that
    are known edges), for a run with ``n_without_edges`` genes without a known
    regulator."""
    model: str
    n_without_edges: int
    n_held_out: int
    prevalence: float
    model_metrics: dict
    out_degree_metrics: dict
    blend_metrics: dict
    blend: ColdBlend

    @property
    def blend_wins(self):
        """Whether the blend ranks the held-out genes' regulators above out-degree on both AUROC and AUPRC."""
        return all(self.blend_metrics[m] > self.out_degree_metrics[m] for m in ("auroc", "auprc"))

    def sentence(self):
        def pair(metrics):
            return f"{metrics['auroc']:.3f} / {metrics['auprc']:.3f}"

        numbers = (f"on {self.n_held_out} genes with known regulators held out of a further training (their pairs' "
                   f"prevalence {self.prevalence:.3f}), the blend ranks their regulators at AUROC / AUPRC "
                   f"{pair(self.blend_metrics)}, {self.model} alone at {pair(self.model_metrics)}, regulator "
                   f"out-degree over the rest of the prior at {pair(self.out_degree_metrics)}")
        subject = (f"the {self.n_without_edges} genes without a known regulator are scored by {self.model} and the "
                   f"regulators of the genes with edges they are co-expressed with, weighed on other held-out genes "
                   f"({self.blend.model_weight:.2f} x the log-odds + {self.blend.share_weight:.2f} x the log "
                   f"regulator share)")
        if self.blend_wins:
            return f"{subject}: {numbers}"
        return (f"{subject}, but their regulators may be no better than the prior's hub TFs: {numbers} "
                "(docs/evaluation.md, \"Genes the prior lacks\")")


def check_unknown_targets(dataset, model_name, params, *, negative_regulators, policy="unknown", epochs=None,
                          preset="default", random_state=0, progress=True):
    """An :class:`UnknownTargetCheck` of ``model_name`` (trained with ``preset``
    and ``params``, its random negatives' regulators ``negative_regulators``, as
    the run trained it, for ``epochs`` epochs: the run's model's kept epoch; None,
    early stopping on the validation genes) on ``dataset``, or None when every gene has a known
    regulator or fewer than :data:`MIN_TARGETS_WITH_EDGES` have one. ``policy``
    is the run's ``targets_without_edges``, which the check's held-out genes
    follow: "unknown", never a negative's target; "negative", drawn among the
    negatives' targets like the genes without edges."""
    known = dataset.known_targets
    n_without_edges = len(dataset.genes) - len(known)
    if n_without_edges == 0 or len(known) < MIN_TARGETS_WITH_EDGES:
        return None
    unknown = policy == "unknown"
    split = cold_targets_split(dataset.edges, dataset.genes, fraction=CHECK_FRACTION,
                               validation_fraction=CHECK_FRACTION, random_state=random_state,
                               negative_targets=known if unknown else None, held_out_negatives=not unknown,
                               max_held_out=MAX_HELD_OUT_GENES)
    task = dataset.task(split, name=f"{dataset.name} (genes held out to check the genes without edges)")
    held_out = set(split.held_out) | set(split.validation_held_out)
    params = {**params, "negative_regulators": list(negative_regulators),
              "negative_targets": [gene for gene in known if gene not in held_out] if unknown else None}
    say(f"checking the {n_without_edges} genes without known regulators: {model_name} {trained_again(epochs)} "
        f"without the edges into {len(split.held_out)} + {len(split.validation_held_out)} genes", enabled=progress)
    model, _ = train(task, model_name, make_model(model_name, dataset.node_features, random_state=random_state,
                                                  preset=preset, **params), progress, epochs)
    degree = DegreeBaseline(node_features=dataset.node_features).fit(task.X_train, task.y_train)
    training_edges = task.X_train[task.y_train == 1].set_axis(["regulator", "target"], axis=1)
    regulators = dataset.known_regulators
    transfer = CoexpressedRegulators.fit(dataset.genes, correlation_profiles(dataset)[0], training_edges,
                                         dataset.genes, regulators, random_state=random_state)
    blend = ColdBlend.fit(model.decision_function(task.X_val), transfer.pair_log_share(task.X_val), task.y_val,
                          transfer.beta, side="targets")
    logits = model.decision_function(task.X_test)  # once: every regulator x every held-out gene
    scores = {"model": logits, "out-degree": score_of(degree, task.X_test),
              "blend": blend.logits(logits, transfer.pair_log_share(task.X_test))}
    targets = task.X_test.iloc[:, 1].to_numpy()
    scored = {name: evaluate(task.y_test, score, regulators=targets) for name, score in scores.items()}
    per_target = {name: {**metrics, "auroc_per_target": metrics["auroc_per_regulator"]}
                  for name, metrics in scored.items()}
    return UnknownTargetCheck(model_name, n_without_edges, len(split.held_out), scored["model"]["prevalence"],
                              *({m: per_target[name][m] for m in METRICS} for name in ("model", "out-degree", "blend")),
                              blend)
