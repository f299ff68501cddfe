"""What ``grnfast infer`` says at the end of a run: which network to use and why
(chosen on validation pairs, never test pairs), what its columns mean, which
files it wrote, and how long each step took with the peak memory."""
import time

from ..evaluation.bootstrap import paired_difference_ci
from ..evaluation.metrics import evaluate
from ..evaluation.protocol import score_of
from ..progress import peak_memory_mb

METRIC_LINES = (
    "AUROC: chance that a true edge scores above a non-edge (0.5 is random, 1 perfect)",
    "AUPRC: mean precision down the ranking; random is the test prevalence, the measure for rare edges",
    "EPR:   precision among the top-k pairs (k = true edges) over the prevalence (1 is random)",
    "F1*:   F1 at the threshold that is best on validation pairs",
)


# Fewer known edges than this and a run's numbers are mostly noise: said in the summary.
MIN_TRAINING_EDGES = 100
MIN_VALIDATION_EDGES = 30


def evidence_warning(task):
    """A sentence when the task has too few known edges for its numbers to mean much, else ""."""
    n_train, n_val = int(task.y_train.sum()), int(task.y_val.sum())
    if n_train >= MIN_TRAINING_EDGES and n_val >= MIN_VALIDATION_EDGES:
        return ""
    return (f"thin evidence: {n_train} training and {n_val} validation edges (fewer than {MIN_TRAINING_EDGES} / "
            f"{MIN_VALIDATION_EDGES}): the metrics and the recommendation are mostly noise; a prior that matches "
            "more of the expression's genes would help")


def recommendation(task, models, degree, random_state=0):
    """``(name or None, sentence)``: the model whose network to use, chosen by AUPRC
    on validation pairs; None when its lead over the training-free degree baseline
    is not larger than its uncertainty: the 95% interval of the AUPRC difference,
    a paired stratified bootstrap of the validation pairs (1,000 resamples), must
    lie above zero (the models then add nothing over degree on this data)."""
    scored = {name: score_of(scorer, task.X_val) for name, scorer in {**models, "degree baseline": degree}.items()}
    scores = {name: evaluate(task.y_val, values)["auprc"] for name, values in scored.items()}
    best = max(models, key=lambda name: (scores[name], name))
    others = ", ".join(f"{name} {scores[name]:.3f}" for name in scores if name != best)
    lead = paired_difference_ci(task.y_val, scored[best], scored["degree baseline"], "auprc",
                                random_state=random_state)
    judged = (f"lead over degree {lead.estimate:+.3f}, 95% interval [{lead.low:+.3f}, {lead.high:+.3f}] "
              "by a paired bootstrap of the validation pairs")
    if lead.low <= 0:
        return None, (f"none: no model ranks the validation pairs better than the degree baseline by more than the "
                      f"uncertainty (AUPRC {scores['degree baseline']:.3f}; "
                      f"{', '.join(f'{n} {scores[n]:.3f}' for n in models)}; {best}'s {judged}): the known edges "
                      "follow hub genes here, or there are too few of them to tell; the 'x degree' rows show whether "
                      "combining helps")
    return best, f"{best}: the best AUPRC on validation pairs ({scores[best]:.3f}; {others}; {judged})"


class StepTimes:
    """Seconds of each step of a run: ``lap(step)`` ends a step that began at the
    previous lap (or at the start). Each step keeps its wall seconds (``steps``),
    the process's CPU seconds over all its threads (``cpu``) and the peak memory at
    its end (``peak_mb``); a step lapped twice adds up its seconds."""

    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.start_cpu = self.last_cpu = time.process_time()
        self.steps, self.cpu, self.peak_mb = {}, {}, {}

    def lap(self, step):
        now, now_cpu = time.perf_counter(), time.process_time()
        self.steps[step] = self.steps.get(step, 0.0) + now - self.last
        self.cpu[step] = self.cpu.get(step, 0.0) + now_cpu - self.last_cpu
        self.peak_mb[step] = peak_memory_mb()
        self.last, self.last_cpu = now, now_cpu

    def rows(self):
        """``[(step, wall seconds, CPU seconds, peak MB at its end)]`` in the order
        the steps first ended."""
        return [(step, seconds, self.cpu[step], self.peak_mb[step]) for step, seconds in self.steps.items()]

    def closing_line(self):
        """Each step's time, the total and the peak memory, on one line."""
        steps = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in self.steps.items())
        return (f"time: {steps}; total {time.perf_counter() - self.start:.1f}s; "
                f"peak memory {peak_memory_mb():.0f} MB")


def format_summary(sentence, files, closing_line, warnings=(), notes=()):
    """The lines printed after the metrics table (``closing_line`` from
    :meth:`StepTimes.closing_line` when the run ended), with a ``warning:`` line
    for each of ``warnings`` before the recommendation and a ``note:`` line for
    each of ``notes`` after it."""
    lines = ["", *METRIC_LINES, "", *(f"warning: {w}" for w in warnings), f"recommended network: {sentence}",
             *(f"note: {n}" for n in notes)]
    lines += ["files written:"] + [f"  {path}  {what}" for path, what in files]
    lines.append(closing_line)
    return "\n".join(lines)
