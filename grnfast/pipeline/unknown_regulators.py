"""How well a run ranks the targets of TFs its prior has no edge for, checked on TFs it has.

A candidate regulator without a known edge (a TF of ``--regulators`` the prior
lacks) is scored from what the models learnt of the other TFs. Whether that beats
simply ranking targets by their in-degree depends on the prior: on BEELINE's STRING
network it does, on dense ChIP-seq networks it does not (docs/evaluation.md, "TFs
the prior lacks"). ``infer`` cannot score those TFs, but it can ask the same
question of TFs it knows: a seeded fifth of the regulators with known edges is held
out of a second training of the recommended model (and a fifth of the rest, for
the blend's fit; each part's TFs with every gene at most :data:`MAX_HELD_OUT_PAIRS`
pairs: :func:`~grnfast.data.cold_regulators_split`), trained for the epochs the
run's model kept, and the held-out TFs x
every gene are scored against their known edges, beside target in-degree over the
remaining prior (the degree baseline, which gives a TF without edges none of its
own). The models' random negatives never have a held-out TF, nor a TF without
edges, as regulator.

The same training weighs the two for the run's TFs without edges: a
:class:`~.cold_blend.ColdBlend` of the model's log-odds and the targets of the TFs
each is co-expressed with (:class:`~.coexpressed_targets.CoexpressedTargets` over
that training's edges, its beta chosen on them), fitted on the validation TFs of
that training (held out of it like the test TFs, which it never reads), and
scored on the held-out TFs beside both.
"""
from dataclasses import dataclass

from ..data import cold_regulators_split
from ..evaluation import DegreeBaseline, evaluate
from ..evaluation.protocol import regulators_of, score_of
from ..models import make_model
from ..progress import say
from .cold_blend import ColdBlend
from .coexpressed_targets import CoexpressedTargets
from .networks import correlation_profiles
from .training import train, trained_again

CHECK_FRACTION = 0.2
# At most this many pairs (held-out TFs x every gene) in each of the check's parts: a
# genome's fifth of 1,170 TFs with 20,000 genes would be 4.7M test pairs; on BEELINE
# (at most 520 TFs and 1,450 genes) a fifth is at most 150,000. The same budget as the
# genes-without-regulators check's 300 genes x a CollecTRI-size prior's regulators.
MAX_HELD_OUT_PAIRS = 360_000
# Below this many regulators with edges, a fifth held out is one or two TFs, and
# their numbers say nothing of the others.
MIN_REGULATORS_WITH_EDGES = 10
METRICS = ("auroc", "auprc", "auroc_per_regulator")


@dataclass
class UnknownRegulatorCheck:
    """The check's outcome: the metrics (AUROC, AUPRC, mean per-TF AUROC) of
    ``model``, target in-degree and their ``blend`` (the
    :class:`~.cold_blend.ColdBlend` fitted on the check's validation TFs, which
    the run's network uses for its TFs without edges) on ``n_held_out`` held-out
    TFs x every gene (``prevalence``: the share of those pairs that are known
    edges), for a run with ``n_without_edges`` candidate regulators without a known edge."""
    model: str
    n_without_edges: int
    n_held_out: int
    prevalence: float
    model_metrics: dict
    in_degree_metrics: dict
    blend_metrics: dict
    blend: ColdBlend

    @property
    def blend_wins(self):
        """Whether the blend ranks the held-out TFs' targets above in-degree on both AUROC and AUPRC."""
        return all(self.blend_metrics[m] > self.in_degree_metrics[m] for m in ("auroc", "auprc"))

    def sentence(self):
        def pair(metrics):
            return f"{metrics['auroc']:.3f} / {metrics['auprc']:.3f}"

        numbers = (f"on {self.n_held_out} TFs with known edges held out of a second training (their pairs' "
                   f"prevalence {self.prevalence:.3f}), the blend ranks their targets at AUROC / AUPRC "
                   f"{pair(self.blend_metrics)}, {self.model} alone at {pair(self.model_metrics)}, target "
                   f"in-degree over the rest of the prior at {pair(self.in_degree_metrics)}")
        subject = (f"the {self.n_without_edges} candidate regulators without a known edge are scored by {self.model} "
                   f"and the targets of the TFs with edges they are co-expressed with, weighed on other held-out "
                   f"TFs ({self.blend.model_weight:.2f} x the log-odds + {self.blend.share_weight:.2f} x the log "
                   f"target share)")
        if self.blend_wins:
            return f"{subject}: {numbers}"
        return (f"{subject}, but their targets may be no better than the hub genes of the prior: {numbers} "
                "(docs/evaluation.md, \"TFs the prior lacks\")")


def check_unknown_regulators(dataset, model_name, params, *, epochs=None, preset="default", random_state=0,
                             progress=True):
    """An :class:`UnknownRegulatorCheck` of ``model_name`` (trained with ``preset``
    and ``params``, as the run trained it, for ``epochs`` epochs: the run's model's
    kept epoch; None, early stopping on the validation TFs) on ``dataset``, or None
    when every candidate regulator has a known edge or fewer than
    :data:`MIN_REGULATORS_WITH_EDGES` have one."""
    known = dataset.known_regulators
    n_without_edges = len(dataset.regulators) - len(known)
    if n_without_edges == 0 or len(known) < MIN_REGULATORS_WITH_EDGES:
        return None
    split = cold_regulators_split(dataset.edges, dataset.genes, fraction=CHECK_FRACTION,
                                  validation_fraction=CHECK_FRACTION, random_state=random_state,
                                  max_held_out=max(1, MAX_HELD_OUT_PAIRS // len(dataset.genes)))
    task = dataset.task(split, name=f"{dataset.name} (TFs held out to check the TFs without edges)")
    held_out = set(split.held_out) | set(split.validation_held_out)
    params = {**params, "negative_regulators": [gene for gene in known if gene not in held_out]}
    say(f"checking the {n_without_edges} regulators without known edges: {model_name} {trained_again(epochs)} without "
        f"{len(split.held_out)} + {len(split.validation_held_out)} TFs that have edges", enabled=progress)
    model, _ = train(task, model_name, make_model(model_name, dataset.node_features, random_state=random_state,
                                                  preset=preset, **params), progress, epochs)
    degree = DegreeBaseline(node_features=dataset.node_features).fit(task.X_train, task.y_train)
    training_edges = task.X_train[task.y_train == 1].set_axis(["regulator", "target"], axis=1)
    targets = CoexpressedTargets.fit(dataset.genes, correlation_profiles(dataset)[0], training_edges,
                                     dataset.regulators, random_state=random_state)
    blend = ColdBlend.fit(model.decision_function(task.X_val), targets.pair_log_share(task.X_val), task.y_val,
                          targets.beta)
    logits = model.decision_function(task.X_test)  # once: every held-out TF x every gene
    scores = {"model": logits, "in-degree": score_of(degree, task.X_test),
              "blend": blend.logits(logits, targets.pair_log_share(task.X_test))}
    regulators = regulators_of(task.X_test)
    scored = {name: evaluate(task.y_test, score, regulators=regulators) for name, score in scores.items()}
    return UnknownRegulatorCheck(model_name, n_without_edges, len(split.held_out), scored["model"]["prevalence"],
                                 *({m: scored[name][m] for m in METRICS} for name in ("model", "in-degree", "blend")),
                                 blend)
