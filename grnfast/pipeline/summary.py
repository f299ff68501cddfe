"""What ``grnfast infer`` says at the end of a run: which network to use and why
(chosen on validation pairs, never test pairs), what its columns mean, which
files it wrote, and how long each step took with the peak memory."""
import time

from ..evaluation.metrics import evaluate
from ..evaluation.protocol import score_of
from ..progress import peak_memory_mb

METRIC_LINES = (
    "AUROC: chance that a true edge scores above a non-edge (0.5 is random, 1 perfect)",
    "AUPRC: mean precision down the ranking; random is the test prevalence, the measure for rare edges",
    "EPR:   precision among the top-k pairs (k = true edges) over the prevalence (1 is random)",
    "F1*:   F1 at the threshold that is best on validation pairs",
)


def validation_auprc(task, scorers):
    """AUPRC of each fitted scorer on the task's validation pairs."""
    return {name: evaluate(task.y_val, score_of(scorer, task.X_val))["auprc"] for name, scorer in scorers.items()}


def recommendation(task, models, degree):
    """``(name or None, sentence)``: the model whose network to use, chosen by AUPRC
    on validation pairs; None when the training-free degree baseline ranks those
    pairs at least as well as every model (the models then add nothing on this data)."""
    scores = validation_auprc(task, {**models, "degree baseline": degree})
    best = max(models, key=lambda name: (scores[name], name))
    others = ", ".join(f"{name} {scores[name]:.3f}" for name in scores if name != best)
    if scores["degree baseline"] >= scores[best]:
        return None, (f"none: the degree baseline ranks the validation pairs at least as well as every model "
                      f"(AUPRC {scores['degree baseline']:.3f}; {', '.join(f'{n} {scores[n]:.3f}' for n in models)}): "
                      "the known edges follow hub genes here, so the models' networks add nothing over degree; "
                      "the 'x degree' rows show whether combining helps")
    return best, f"{best}: the best AUPRC on validation pairs ({scores[best]:.3f}; {others})"


class StepTimes:
    """Seconds of each step of a run: ``lap(step)`` ends a step that began at the
    previous lap (or at the start)."""

    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.steps = {}

    def lap(self, step):
        now = time.perf_counter()
        self.steps[step] = self.steps.get(step, 0.0) + now - self.last
        self.last = now

    def closing_line(self):
        """Each step's time, the total and the peak memory, on one line."""
        steps = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in self.steps.items())
        return (f"time: {steps}; total {time.perf_counter() - self.start:.1f}s; "
                f"peak memory {peak_memory_mb():.0f} MB")


def format_summary(sentence, files, closing_line):
    """The lines printed after the metrics table (``closing_line`` from
    :meth:`StepTimes.closing_line` when the run ended)."""
    lines = ["", *METRIC_LINES, "", f"recommended network: {sentence}"]
    lines += ["files written:"] + [f"  {path}  {what}" for path, what in files]
    lines.append(closing_line)
    return "\n".join(lines)
