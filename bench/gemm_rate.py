"""GFLOP/s of grnfast's matrix product against NumPy's BLAS, at the shapes of one
training batch of the reference problem (batch 256, cross-encoder input 1558,
two-tower input 523), on 1 and 2 threads.

    python bench/gemm_rate.py [--repeats 30]

Each rate is the fastest of ``--repeats`` calls, ours and NumPy's interleaved.
"""
import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from grnfast import _core, _core_testing

# name: (M, N, K, A transposed, B transposed), as dense.hpp calls the product
SHAPES = {
    "cross-encoder layer 0, forward  X W": (256, 256, 1558, False, False),
    "cross-encoder layer 0, dW = X^T dZ": (1558, 256, 256, True, False),
    "cross-encoder layer 0, dX = dZ W^T": (256, 1558, 256, False, True),
    "two-tower layer 0, forward  X W": (256, 256, 523, False, False),
    "layer 1, forward": (256, 128, 256, False, False),
}


def operands(m, n, k, ta, tb, rng):
    a = rng.random((k, m) if ta else (m, k), dtype=np.float32)
    b = rng.random((n, k) if tb else (k, n), dtype=np.float32)
    return a, b


def best_seconds(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"kernel: {_core.gemm_kernel()}\n")
    print("| product | threads | grnfast GFLOP/s | NumPy GFLOP/s |")
    print("|---|---:|---:|---:|")
    for name, (m, n, k, ta, tb) in SHAPES.items():
        a, b = operands(m, n, k, ta, tb, rng)
        a_np, b_np = (a.T if ta else a), (b.T if tb else b)
        for threads in (1, 2):
            ours = best_seconds(lambda: _core_testing.gemm(a, b, ta, tb, threads), args.repeats)
            with threadpool_limits(threads):
                numpy = best_seconds(lambda: a_np @ b_np, args.repeats)
            flops = 2 * m * n * k
            print(f"| {name} | {threads} | {flops / ours / 1e9:.1f} | {flops / numpy / 1e9:.1f} |", flush=True)


if __name__ == "__main__":
    main()
