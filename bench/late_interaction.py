"""The late-interaction model's two speed targets (issue 17), measured in one run:

    python bench/late_interaction.py [--repeats 2] [--epochs 3] [--n-vectors 2 4 8] [--cpu-time]

(a) genome-wide scoring, pairs/s, against the cross-encoder's (target: at least 10x);
(b) a training epoch against the two-tower's (target: at most 2x);
and, with PyTorch installed, the same epochs of ``torch_reference`` (its late-interaction
model has ``torch_reference.N_VECTORS`` vectors).

Reference size (bench/problem.py, 10,000 genes, 33,172 training pairs), the published
configuration (``ours.estimator``), n_jobs=2. Epochs: the fastest steady epoch of
``--epochs`` in each of ``--repeats`` runs, the models interleaved; scoring: the
fastest of ``--repeats`` calls of ``ours.score_genome`` (the first regulators against
every gene, streamed as ``grnfast.scoring`` does, tower outputs included).
``--cpu-time``: one thread and process CPU time (``time.process_time``), which other
processes' load barely moves, for a busy machine (PyTorch left out).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import ours  # noqa: E402

CLOCK = [time.perf_counter]  # or time.process_time with --cpu-time
from problem import SCALES, make_problem  # noqa: E402

try:
    import torch_reference
except ImportError:  # PyTorch not installed: ours alone
    torch_reference = None


def fitted(kind, problem, **params):
    model = ours.estimator(kind, "sparse", problem.features, 1).set_params(**params)
    return model.fit(problem.train_pairs[:1024], problem.train_labels[:1024])


def scoring_rate(model, n_regulators, repeats):
    n_pairs = ours.score_genome(model, n_regulators)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = CLOCK[0]()
        ours.score_genome(model, n_regulators)
        best = min(best, CLOCK[0]() - start)
    return n_pairs / best


def fastest_epoch(kind, problem, epochs, **params):
    ends = []
    model = ours.estimator(kind, "sparse", problem.features, 1 + epochs).set_params(**params)
    model.fit(problem.train_pairs, problem.train_labels, callbacks=[lambda _: ends.append(CLOCK[0]())])
    return min(b - a for a, b in zip(ends, ends[1:]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per run, after the first")
    parser.add_argument("--n-vectors", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--cpu-time", action="store_true", help="one thread, process CPU time")
    args = parser.parse_args()
    global torch_reference
    if args.cpu_time:
        ours.N_JOBS, CLOCK[0], torch_reference = 1, time.process_time, None
    problem = make_problem(SCALES["1x"])
    clock = "process CPU time" if args.cpu_time else "wall time"
    print(f"load average {os.getloadavg()[0]:.2f} at start; n_jobs={ours.N_JOBS}, {clock}\n")

    cross = scoring_rate(fitted("cross_encoder", problem), ours.GENOME_REGULATORS["cross_encoder"], args.repeats)
    tower = scoring_rate(fitted("two_tower", problem), ours.GENOME_REGULATORS["two_tower"], args.repeats)
    late = {m: scoring_rate(fitted("late_interaction", problem, n_vectors=m),
                            ours.GENOME_REGULATORS["late_interaction"], args.repeats) for m in args.n_vectors}

    runs = {"two_tower": [], **{m: [] for m in args.n_vectors}}
    torch_runs = {"two_tower": [], "late_interaction": []}
    torch_args = (problem.features, problem.train_pairs, problem.train_labels, 1 + args.epochs)
    for _ in range(args.repeats):  # interleaved, so a busy moment of the machine hits all
        runs["two_tower"].append(fastest_epoch("two_tower", problem, args.epochs))
        for m in args.n_vectors:
            runs[m].append(fastest_epoch("late_interaction", problem, args.epochs, n_vectors=m))
        if torch_reference:
            for kind in torch_runs:
                torch_runs[kind].append(min(torch_reference.epoch_seconds(kind, "sparse", *torch_args)))
    epoch = {k: min(v) for k, v in runs.items()}

    def torch_cell(kind, m=None):
        if not torch_reference or (m is not None and m != torch_reference.N_VECTORS):
            return ""
        return f"{min(torch_runs[kind]):.3f}"

    print("| model | genome-wide pairs/s | vs cross-encoder (target >= 10x) | s/epoch | vs two-tower (target <= 2x) "
          "| PyTorch s/epoch |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| cross-encoder | {cross:,.0f} | 1.0x | | | |")
    print(f"| two-tower | {tower:,.0f} | {tower / cross:.1f}x | {epoch['two_tower']:.3f} | 1.00x | "
          f"{torch_cell('two_tower')} |")
    for m in args.n_vectors:
        print(f"| late interaction, n_vectors={m} | {late[m]:,.0f} | {late[m] / cross:.1f}x | {epoch[m]:.3f} | "
              f"{epoch[m] / epoch['two_tower']:.2f}x | {torch_cell('late_interaction', m)} |")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
