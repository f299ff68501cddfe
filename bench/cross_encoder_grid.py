"""Genome-wide cross-encoder scoring (``FittedNetwork.score_grid``), two builds of
the engine side by side, and its FLOP rate against the GEMM floor.

    python bench/cross_encoder_grid.py --builds /tmp/perf_base .     # before (a copied build), after
    python bench/cross_encoder_grid.py --rounds 3 --regulators 64 --threads 2
    python bench/cross_encoder_grid.py --builds /tmp/perf_base . --embedding-dim 512   # the published size

The network is the default cross-encoder at the size of issue 28's job (20,000
genes, 25 cell-type features, 64-dim embeddings, graph_dim 64 over 40,000 known
edges, hidden (256, 128, 64)), with random weights and running statistics
(scoring does the same work whatever they are), the same in every build. Each
build runs in its own process (its directory first on ``sys.path``), the builds
alternating ``--rounds`` times: a call scores ``--regulators`` regulators (one
``rank_edges`` block) against every gene; each process reports the fastest of
``--repeats`` calls. Also in each process: NumPy's float32 GEMM rate on the same
threads (2048 x 2048 x 2048), and our own kernel's rate per CPU second on one
thread at the shape of the widest per-pair layer (192 x 256 x 128: the rate a
grid could reach if it did nothing but its matrix products), measured right after. The first build's
grid is kept and every other build's is compared with it (largest absolute
difference, and the share of each regulator's top-100 targets the two have in
common: random weights give logits close together, so rounding swaps near-ties).

FLOPs per pair are the per-pair matrix work only (2 x in x out per dense layer:
the product block E x H1, then H1 x H2, H2 x H3, H3 x 1); the per-gene parts,
computed once per gene and call, are left out of the count but not of the time.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

N_GENES, N_FEATURES, EMB, GRAPH, HIDDEN, EDGES = 20_000, 25, 64, 64, (256, 128, 64), 40_000


def flops_per_pair(emb, hidden=HIDDEN):
    dims = [emb, *hidden, 1]
    return sum(2 * a * b for a, b in zip(dims[:-1], dims[1:]))


def worker(args):
    from threadpoolctl import threadpool_limits

    from grnfast import _core

    spec = _core.ModelSpec()
    spec.kind, spec.n_genes, spec.n_features, spec.embedding_dim = "cross_encoder", N_GENES, N_FEATURES, args.embedding_dim
    spec.hidden, spec.graph_dim = list(HIDDEN), GRAPH
    layout = _core.layout(spec)
    rng = np.random.default_rng(0)
    params = rng.normal(scale=0.1, size=layout["n_params"]).astype(np.float32)
    buffers = np.abs(rng.normal(size=layout["n_buffers"])).astype(np.float32) + 0.5
    features = rng.normal(size=(N_GENES, N_FEATURES)).astype(np.float32)
    edges = np.unique(rng.integers(0, N_GENES, (EDGES, 2)), axis=0)
    edges = edges[edges[:, 0] != edges[:, 1]].astype(np.int64)
    net = _core.FittedNetwork(spec, params, buffers, features, edges)
    regs = rng.choice(N_GENES, args.regulators, replace=False).astype(np.int64)
    tgts = np.arange(N_GENES, dtype=np.int64)
    grid = net.score_grid(regs, tgts, args.threads)
    times, cpu = [], []
    for _ in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        net.score_grid(regs, tgts, args.threads)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    a = rng.random((2048, 2048), dtype=np.float32)
    with threadpool_limits(args.threads):
        a @ a
        numpy = min(_timed(lambda: a @ a) for _ in range(5))
    # our kernel's own rate at the largest per-pair layer's shape (a block of 192 pairs
    # through the 256 -> 128 layer), one thread, per CPU second: the floor's rate
    from grnfast import _core_testing

    x, w = rng.random((192, 256), dtype=np.float32), rng.random((256, 128), dtype=np.float32)
    kernel_cpu = []
    for _ in range(20):
        start = time.process_time()
        for _ in range(50):
            _core_testing.gemm(x, w, False, False, 1)
        kernel_cpu.append((time.process_time() - start) / 50)
    np.save(args.grid_out, grid)
    print(json.dumps({"seconds": min(times), "cpu_seconds": min(cpu), "pairs": int(grid.size), "numpy_gflops": 2 * 2048**3 / numpy / 1e9,
                      "kernel_gflops_per_cpu_s": 2 * 192 * 256 * 128 / min(kernel_cpu) / 1e9,
                      "kernel": _core.gemm_kernel()}))


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", nargs="+", default=[str(Path(__file__).resolve().parent.parent)],
                        help="directories holding a grnfast package with its compiled engine")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--regulators", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--embedding-dim", type=int, default=EMB, help="64: the defaults; 512: the published configuration")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--grid-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    fpp = flops_per_pair(args.embedding_dim)
    print(f"cross-encoder grid: {args.regulators} regulators x {N_GENES} genes, embedding_dim {args.embedding_dim}, "
          f"{args.threads} threads, "
          f"{fpp:,} FLOPs per pair; load average {os.getloadavg()[0]:.1f}")
    print("| round | build | s per call | pairs/s | GFLOP/s | NumPy GEMM GFLOP/s | % of NumPy's rate | "
          "CPU s per call | pairs per CPU s | GFLOP per CPU s | our kernel, GFLOP per CPU s | % of it |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    best, best_cpu = {}, {}
    reference = None
    for r in range(args.rounds):
        for b, build in enumerate(args.builds):
            grid_out = f"/tmp/cross_encoder_grid_{os.getpid()}_{b}.npy"
            env = {**os.environ, "PYTHONPATH": str(Path(build).resolve())}
            out = subprocess.run([sys.executable, __file__, "--worker", "--grid-out", grid_out,
                                  "--regulators", str(args.regulators), "--threads", str(args.threads),
                                  "--repeats", str(args.repeats), "--embedding-dim", str(args.embedding_dim)], env=env, capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(out.stderr)
            res = json.loads(out.stdout.strip().splitlines()[-1])
            rate = res["pairs"] / res["seconds"]
            gflops = rate * fpp / 1e9
            print(f"| {r + 1} | {build} | {res['seconds']:.3f} | {rate:,.0f} | {gflops:.1f} | "
                  f"{res['numpy_gflops']:.1f} | {gflops / res['numpy_gflops']:.0%} | {res['cpu_seconds']:.3f} | "
                  f"{res['pairs'] / res['cpu_seconds']:,.0f} | {res['pairs'] / res['cpu_seconds'] * fpp / 1e9:.1f} | "
                  f"{res['kernel_gflops_per_cpu_s']:.1f} | "
                  f"{res['pairs'] / res['cpu_seconds'] * fpp / 1e9 / res['kernel_gflops_per_cpu_s']:.0%} |",
                  flush=True)
            best[build] = max(best.get(build, 0.0), rate)
            best_cpu[build] = max(best_cpu.get(build, 0.0), res["pairs"] / res["cpu_seconds"])
            grid = np.load(grid_out)
            if reference is None:
                reference = grid
            elif r == 0:
                top = np.argsort(-reference, axis=1)[:, :100]
                overlap = np.mean([len(set(top[i]) & set(np.argsort(-grid[i])[:100])) / 100 for i in range(len(grid))])
                print(f"|  | {build} vs {args.builds[0]}: largest |difference| "
                      f"{np.abs(grid - reference).max():.2e} (logits up to {np.abs(reference).max():.2f}); "
                      f"bit-identical {np.array_equal(grid, reference)}; top-100 targets in common {overlap:.1%} |  |  |  |  |  |  |  |  |  |  |")
            os.unlink(grid_out)
    first = args.builds[0]
    for build in args.builds[1:]:
        print(f"fastest pairs/s: {build} {best[build]:,.0f} vs {first} {best[first]:,.0f}: "
              f"{best[build] / best[first]:.2f}x; per CPU second: {best_cpu[build]:,.0f} vs {best_cpu[first]:,.0f}: "
              f"{best_cpu[build] / best_cpu[first]:.2f}x")


if __name__ == "__main__":
    main()
