"""A training epoch with the known-edge graph encoder against one without, in the
same run: issue 15 asks that the encoder (graph_dim=64) cost at most 1.5x.

Both models, both embedding updates, on the synthetic problem at the reference size
(50% positives: about 16,600 known edges over 10,000 genes) and on the real split
(BEELINE Specific/mESC 500: regulators with hundreds of known targets), the fastest
steady epoch of each setting (epochs 2.. of a fit, as report.py times them), settings
interleaved so a change in the machine's speed touches both sides. PyTorch's same
architectures (bench/torch_reference.py) are timed beside them when it is installed.

    python bench/graph_epoch.py [--epochs 3] [--repeats 2] [--graph-dim 64] [--kinds ...] [--variants ...]
                                [--sides ours PyTorch] [--problems synthetic real] [--cpu-time]

``--cpu-time``: one thread, process CPU time instead of wall time (ours only), for a
machine that other work keeps busy.
"""
import argparse
import time

import ours
from problem import make_problem, real_split

try:
    import torch_reference
except ImportError:  # PyTorch is optional: its rows are left out without it
    torch_reference = None


def fastest_epoch(side, kind, variant, problem, graph_dim, epochs):
    return min(side.epoch_seconds(kind, variant, problem.features, problem.train_pairs, problem.train_labels,
                                  1 + epochs, graph_dim=graph_dim))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--graph-dim", type=int, default=64)
    parser.add_argument("--kinds", nargs="+", default=["cross_encoder", "two_tower"])
    parser.add_argument("--variants", nargs="+", default=["dense", "sparse"])
    parser.add_argument("--sides", nargs="+", default=["ours", "PyTorch"])
    parser.add_argument("--problems", nargs="+", default=["synthetic", "real"])
    parser.add_argument("--cpu-time", action="store_true", help="one thread, CPU seconds (ours only)")
    args = parser.parse_args()
    if args.cpu_time:
        ours.N_JOBS, ours.CLOCK, args.sides = 1, time.process_time, ["ours"]
    sides = {"ours": ours}
    if torch_reference:
        sides["PyTorch"] = torch_reference
    sides = {name: side for name, side in sides.items() if name in args.sides}
    problems = {}
    if "synthetic" in args.problems:
        problems["synthetic 1x"] = make_problem(1.0)
    real = real_split() if "real" in args.problems else None
    if real is not None:
        problems["real split"] = real
    if "PyTorch" in sides:  # the same architecture on both sides
        features = next(iter(problems.values())).features
        for kind in args.kinds:
            model, _ = torch_reference.build(kind, "dense", features, graph_dim=args.graph_dim)
            ours_count = ours.estimator(kind, "dense", features, 1, args.graph_dim).count_parameters()
            assert torch_reference.count_parameters(model) == ours_count, kind
    clock = "CPU seconds, 1 thread" if args.cpu_time else f"wall seconds, n_jobs={ours.N_JOBS}"
    print(f"graph_dim={args.graph_dim}; fastest of {args.repeats} x {args.epochs} steady epochs ({clock})\n")
    print("| problem | model | variant | side | s/epoch, no graph | s/epoch, graph | ratio |")
    print("|---|---|---|---|---:|---:|---:|")
    for name, problem in problems.items():
        for kind in args.kinds:
            for variant in args.variants:
                for side_name, side in sides.items():
                    best = {0: float("inf"), args.graph_dim: float("inf")}
                    for _ in range(args.repeats):
                        for dim in best:
                            best[dim] = min(best[dim], fastest_epoch(side, kind, variant, problem, dim, args.epochs))
                    off, on = best[0], best[args.graph_dim]
                    print(f"| {name} | {kind} | {variant} | {side_name} | {off:.3f} | {on:.3f} | {on / off:.2f}x |",
                          flush=True)


if __name__ == "__main__":
    main()
