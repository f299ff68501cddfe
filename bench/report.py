"""Print the performance tables of docs/performance.md: grnfast vs PyTorch, measured now.

    python bench/report.py [--repeats 2] [--epochs 4] [--large] [--no-memory] [--no-scaling] [--training-only]
                           [--feature-interaction-only [--cpu-time]] [--kinds ...] [--variants ...]

Per-epoch time, on both sides alike: the time between the ends of consecutive
epochs of one training run (grnfast's ``fit(callbacks=...)``, a loop around
PyTorch's epochs), leaving out set-up and the first epoch's warm-up; the fastest
of ``--epochs`` such epochs in each of ``--repeats`` runs, ours and PyTorch
interleaved. The fastest, not the median, because on a shared machine other
processes only ever add time; prediction rates likewise use the fastest call.

The GEMM-peak floor is the matrix work of one epoch (forward ``2 * in * out`` per
dense layer and pair, backward twice that) divided by the best NumPy float32
GFLOP/s on 2 threads, measured in the same run. The BLAS floor is the time NumPy's
BLAS takes for exactly those matrix products at the model's own shapes (batch 256),
and nothing else: an engine matching BLAS with no other cost would take that long.
Under the training table, each model's line sets issue 5's target (an epoch a
third as long as the faster PyTorch variant's) against both floors. The
feature-interaction table times both sides with and without issue 25's
``feature_interaction`` layer, the four interleaved in every repeat; with
``--cpu-time`` on one thread each side, in process CPU time (``time.process_time``),
which other processes' load on a shared machine barely moves.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(__file__))

import ours  # noqa: E402
from problem import REAL_SPLIT, SCALES, make_problem, real_split  # noqa: E402

try:
    import torch
    import torch_reference
except ImportError:  # the tables then show grnfast alone
    torch = torch_reference = None

KINDS = ("cross_encoder", "two_tower", "late_interaction")
VARIANTS = ("dense", "sparse")
N_THREADS = 2
CALLS = 5  # calls per prediction or scoring rate
HERE = os.path.dirname(os.path.abspath(__file__))


def gemm_peak_gflops(n=2048, repeats=5):
    """Best float32 ``n x n @ n x n`` rate of NumPy's BLAS on N_THREADS threads."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    with threadpool_limits(N_THREADS):
        a @ b  # warm-up: thread start, page faults
        best = min(_seconds(lambda: a @ b) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def weight_shapes(model):
    """(fan_in, fan_out) of every dense layer of a fitted model."""
    return [tuple(g["shape"]) for g in model.param_groups_ if g["kind"] == "weight"]


def matrix_flops_per_pair(model):
    """Training FLOPs of the dense layers per pair, from a fitted model's weight shapes."""
    return 3 * sum(2 * fan_in * fan_out for fan_in, fan_out in weight_shapes(model))


def blas_epoch_seconds(shapes, n_train, batch=256, repeats=20):
    """The floor at the model's own shapes: one batch's matrix products (for every
    dense layer X W, dW = X^T dZ and dX = dZ W^T) done by NumPy's BLAS on N_THREADS
    threads and nothing else, fastest of ``repeats``, times the batches of an epoch."""
    rng = np.random.default_rng(0)
    operands = [(rng.random((batch, fan_in), dtype=np.float32), rng.random((fan_in, fan_out), dtype=np.float32),
                 rng.random((batch, fan_out), dtype=np.float32)) for fan_in, fan_out in shapes]

    def one_batch():
        for x, w, dz in operands:
            x @ w, x.T @ dz, dz @ w.T

    with threadpool_limits(N_THREADS):
        one_batch()
        best = min(_seconds(one_batch) for _ in range(repeats))
    return best * n_train / batch


def distinct_per_batch(problem, batch=256, seed=0):
    """Mean number of distinct regulators in the batches of one shuffled epoch."""
    regulators = problem.train_pairs[np.random.default_rng(seed).permutation(problem.n_train), 0]
    return np.mean([len(np.unique(regulators[i:i + batch])) for i in range(0, problem.n_train, batch)])


def epoch_seconds(sides, kind, variant, problem, epochs, repeats):
    """Fastest steady epoch of each side (a dict name -> module with ``epoch_seconds``)."""
    samples = {name: [] for name in sides}
    args = (kind, variant, problem.features, problem.train_pairs, problem.train_labels, 1 + epochs)
    for _ in range(repeats):
        for name, side in sides.items():
            samples[name] += side.epoch_seconds(*args)
    return {name: min(values) for name, values in samples.items()}


def feature_interaction_table(problem, args):
    """Per-epoch time of both sides without and with ``feature_interaction=True``, the
    four (ours off, PyTorch off, ours on, PyTorch on) interleaved in each repeat; the
    fastest epoch of each, as in the training table."""
    unit = "CPU s/epoch" if ours.CLOCK is time.process_time else "s/epoch"
    print(f"| model | variant | ours {unit} | PyTorch {unit} | speed-up | ours {unit}, feature_interaction "
          f"| PyTorch {unit}, feature_interaction | speed-up, feature_interaction | ours on/off | PyTorch on/off |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    sides = {"ours": ours, **({"torch": torch_reference} if torch_reference else {})}
    for kind in KINDS:
        for variant in VARIANTS:
            args_ = (kind, variant, problem.features, problem.train_pairs, problem.train_labels, 1 + args.epochs)
            samples = {(name, on): [] for name in sides for on in (False, True)}
            for _ in range(args.repeats):
                for on in (False, True):
                    for name, side in sides.items():
                        samples[name, on] += side.epoch_seconds(*args_, feature_interaction=on)
            t = {key: min(values) for key, values in samples.items()}
            cells = []
            for on in (False, True):
                cells += [f"{t['ours', on]:.3f}", *((f"{t['torch', on]:.3f}", f"{t['torch', on] / t['ours', on]:.2f}x")
                                                    if torch_reference else ("n/a", "n/a"))]
            cells.append(f"{t['ours', True] / t['ours', False]:.2f}x")
            cells.append(f"{t['torch', True] / t['torch', False]:.2f}x" if torch_reference else "n/a")
            print(f"| {kind} | {variant} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nFastest of epochs 2..{1 + args.epochs} of {args.repeats} runs per cell, the four runs of a row "
          "interleaved; speed-up = PyTorch / ours; on/off = with the layer / without.\n")


def predict_pairs_per_second(predict, pairs, repeats):
    predict(pairs)  # warm-up
    return len(pairs) / min(_seconds(lambda: predict(pairs)) for _ in range(repeats))


def peak_memory(impl, kind, variant, scale, *options):
    """Peak RSS of one epoch's fit in a fresh process, see peak_memory.py."""
    out = subprocess.run([sys.executable, os.path.join(HERE, "peak_memory.py"), impl, kind, variant, scale, *options],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def check_same_architecture(problem):
    for kind in KINDS:
        for variant in VARIANTS:
            for feature_interaction in (False, True):
                model, _ = torch_reference.build(kind, variant, problem.features,
                                                 feature_interaction=feature_interaction)
                ours_count = ours.estimator(kind, variant, problem.features, 1,
                                            feature_interaction=feature_interaction).count_parameters()
                assert torch_reference.count_parameters(model) == ours_count, (kind, variant, feature_interaction)


def fmt_rate(x):
    return f"{x:,.0f}"


def header(peak):
    commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", HERE, "status", "--porcelain", "--untracked-files=no", "--", "../csrc"],
                           capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    print(f"- date: {datetime.datetime.now().isoformat(timespec='minutes')}")
    print(f"- machine: {cpu}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    print(f"- grnfast commit {commit.stdout.strip()}{' (csrc/ modified in the work tree)' if dirty else ''}"
          f", n_jobs={ours.N_JOBS}; PyTorch {torch.__version__ if torch else 'not installed'}, "
          f"{torch_reference.N_THREADS if torch_reference else N_THREADS} threads; NumPy {np.__version__}; "
          f"epochs timed in {'process CPU time' if ours.CLOCK is time.process_time else 'wall time'}")
    print(f"- GEMM peak: {peak:.1f} GFLOP/s (NumPy float32 2048^3, {N_THREADS} threads, best of 5)")
    print()


def training_table(problem, peak, args):
    print("| model | variant | ours s/epoch | PyTorch s/epoch | speed-up | floor s/epoch | % of floor "
          "| BLAS floor s/epoch | % of BLAS floor |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    sides = {"ours": ours, **({"torch": torch_reference} if torch_reference else {})}
    targets = []
    for kind in KINDS:
        model = ours.fitted_for_prediction(kind, problem.features, problem.train_pairs, problem.train_labels)
        floor = matrix_flops_per_pair(model) * problem.n_train / (peak * 1e9)
        rows = {}
        for variant in VARIANTS:
            t = epoch_seconds(sides, kind, variant, problem, args.epochs, args.repeats)
            blas_floor = blas_epoch_seconds(weight_shapes(model), problem.n_train)  # timed beside this row's epochs
            rows[variant] = t, blas_floor
            torch_cell = f"{t['torch']:.3f} | {t['torch'] / t['ours']:.2f}x" if "torch" in t else "n/a | n/a"
            print(f"| {kind} | {variant} | {t['ours']:.3f} | {torch_cell} | {floor:.3f} | "
                  f"{100 * floor / t['ours']:.0f}% | {blas_floor:.3f} | {100 * blas_floor / t['ours']:.0f}% |",
                  flush=True)
        if torch_reference:
            targets.append(three_times_target(kind, rows, floor))
    print(f"\nMatrix work per epoch: {problem.n_train:,} training pairs; floor = FLOPs / GEMM peak; BLAS floor = "
          "the same matrix products at the model's shapes (batch 256) done by NumPy alone.\n")
    for line in targets:
        print(line)
    print()


def three_times_target(kind, rows, floor):
    """Issue 5's training target for one model (an epoch a third of the faster PyTorch
    variant's), against ours and the two floors of the faster variant's row: what
    share of the GEMM peak and of OpenBLAS's own products a whole epoch would need."""
    variant = min(rows, key=lambda v: rows[v][0]["torch"])
    t, blas_floor = rows[variant]
    target = t["torch"] / 3
    verdict = "met" if t["ours"] <= target else f"ours {t['ours'] / target:.2f}x as long"
    return (f"- {kind}: 3x the faster PyTorch variant ({variant}) = {target:.3f} s/epoch ({verdict}); "
            f"the floor is {100 * floor / target:.0f}% of it, the BLAS floor {100 * blas_floor / target:.0f}%")


def predict_table(problem):
    pairs = problem.all_pairs
    print(f"Scoring {len(pairs):,} pairs per call (the labelled pairs of the 4x problem).\n")
    print("| model | ours pairs/s | PyTorch pairs/s | speed-up |")
    print("|---|---:|---:|---:|")
    for kind in KINDS:
        model = ours.fitted_for_prediction(kind, problem.features, problem.train_pairs, problem.train_labels)
        mine = predict_pairs_per_second(model.predict_proba, pairs, CALLS)
        if torch_reference:
            reference, _ = torch_reference.build(kind, "sparse", problem.features)
            theirs = predict_pairs_per_second(lambda x: torch_reference.predict_proba(reference, x), pairs, CALLS)
            print(f"| {kind} | {fmt_rate(mine)} | {fmt_rate(theirs)} | {mine / theirs:.2f}x |", flush=True)
        else:
            print(f"| {kind} | {fmt_rate(mine)} | n/a | n/a |", flush=True)
    print()


def genome_table(problem):
    print("| model | pairs per call | pairs/s | issue target |")
    print("|---|---:|---:|---:|")
    for kind, target in (("two_tower", "50,000,000"), ("cross_encoder", "400,000"),
                         ("late_interaction", "10x cross-encoder")):
        model = ours.fitted_for_prediction(kind, problem.features, problem.train_pairs, problem.train_labels)
        n_regulators = ours.GENOME_REGULATORS[kind]
        n_pairs = ours.score_genome(model, n_regulators)  # warm-up
        best = min(_seconds(lambda: ours.score_genome(model, n_regulators)) for _ in range(CALLS))
        print(f"| {kind} | {n_pairs:,} | {fmt_rate(n_pairs / best)} | {target} |", flush=True)
    print(f"\nThe first regulators against all {problem.features.shape[0]:,} genes, streamed by "
          "`grnfast.scoring.iter_score_blocks` (tower outputs / per-gene first-layer parts included).\n")


def scaling_table(args):
    scales = [s for s in SCALES if s != "16x" or args.large]
    largest = SCALES[scales[-1]]
    print("| model | variant | " + " | ".join(f"{s} s/epoch" for s in scales) + " | per pair, largest / 1x |")
    print("|---|---|" + "---:|" * (len(scales) + 1))
    problems = {s: make_problem(SCALES[s]) for s in scales}
    for kind in KINDS:
        for variant in VARIANTS:
            # The same amount of work at every scale (as many epochs as make one epoch
            # of the largest, after a warm-up epoch), and the mean epoch: the fastest of
            # a few short epochs would catch the machine's quick moments, which one long
            # epoch averages over.
            times = {}
            for s in scales:
                p = problems[s]
                epochs = max(1, round(largest / SCALES[s]))
                times[s] = float(np.mean(ours.epoch_seconds(kind, variant, p.features, p.train_pairs, p.train_labels,
                                                            1 + epochs)))
            per_pair = {s: times[s] / problems[s].n_train for s in scales}
            print(f"| {kind} | {variant} | " + " | ".join(f"{times[s]:.3f}" for s in scales)
                  + f" | {per_pair[scales[-1]] / per_pair['1x']:.2f} |", flush=True)
    print("\nMean epoch over as many epochs as make one epoch of the largest scale (after one warm-up epoch).\n")


def memory_table():
    sides = [("ours", None), ("ours", "validation")] + ([("torch", None)] if torch_reference else [])
    print("| model | variant | side | peak RSS added by fit, MB | params + Adam + data, MB | ratio |")
    print("|---|---|---|---:|---:|---:|")
    for kind in KINDS:
        for variant in VARIANTS:
            for impl, validation in sides:
                m = peak_memory(impl, kind, variant, "1x", *([validation] if validation else []))
                added = m["peak"] - m["baseline"]
                label = f"{impl}, early stopping" if validation else impl
                print(f"| {kind} | {variant} | {label} | {added / 2**20:.0f} | {m['budget'] / 2**20:.0f} | "
                      f"{added / m['budget']:.2f} |", flush=True)
    print("\nAdded = VmHWM after fit (one epoch) minus VmRSS after imports, one process per measurement, 1x size; "
          "'early stopping': fit as by default for 3 epochs, 10% held out and scored after each epoch, "
          "the best weights kept.\n")


def main():
    global KINDS, VARIANTS  # --kinds and --variants narrow what the tables time
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=2, help="training runs per case")
    parser.add_argument("--epochs", type=int, default=4, help="timed epochs per run, after the first")
    parser.add_argument("--large", action="store_true", help="add 16x to the scaling table (minutes)")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-scaling", action="store_true", help="leave out the scaling table (the longest)")
    parser.add_argument("--training-only", action="store_true", help="only the training table (a few minutes)")
    parser.add_argument("--feature-interaction-only", action="store_true",
                        help="only the reference-size table with and without feature_interaction")
    parser.add_argument("--cpu-time", action="store_true",
                        help="with --feature-interaction-only: one thread per side, process CPU time")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=KINDS, help="the models timed (default: all)")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=VARIANTS,
                        help="the embedding updates timed (default: both)")
    args = parser.parse_args()
    if args.cpu_time:
        if not args.feature_interaction_only:
            parser.error("--cpu-time goes with --feature-interaction-only (the floors are 2-thread wall time)")
        ours.N_JOBS, ours.CLOCK = 1, time.process_time
        if torch_reference:
            torch_reference.N_THREADS, torch_reference.CLOCK = 1, time.process_time

    problem = make_problem(SCALES["1x"])
    if torch_reference:
        check_same_architecture(problem)  # every model and variant, whatever is timed
    KINDS, VARIANTS = tuple(args.kinds), tuple(args.variants)
    peak = gemm_peak_gflops()
    header(peak)
    if not args.feature_interaction_only:
        print("### Training, reference size\n")
        print(f"Distinct regulators per batch of 256: {distinct_per_batch(problem):.0f} on average.\n")
        training_table(problem, peak, args)
    if not args.training_only:
        print("### Training with feature_interaction=True, reference size\n")
        feature_interaction_table(problem, args)
    if args.feature_interaction_only:
        return
    real = real_split()
    if real is not None:
        print(f"### Training, a real training split (BEELINE {REAL_SPLIT})\n")
        print(f"{real.n_train:,} training pairs over {real.features.shape[0]:,} genes; distinct regulators per "
              f"batch of 256: {distinct_per_batch(real):.0f} on average.\n")
        training_table(real, peak, args)
    if args.training_only:
        return
    print("### predict_proba\n")
    predict_table(make_problem(SCALES["4x"]))
    print("### Genome-wide scoring (ours)\n")
    genome_table(problem)
    if not args.no_scaling:
        print("### Scaling of our epoch time with the number of pairs\n")
        scaling_table(args)
    if not args.no_memory:
        print("### Peak memory during fit\n")
        memory_table()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
