"""fit on a shared machine: alone, beside a busy pure-Python thread, and beside a
busy process, with n_jobs=1 and with every core, measured in the same run.

    python bench/contention.py [--repeats 3] [--policies]

Each measurement runs in a fresh process (the OpenMP runtime reads its wait policy
once, when it loads): it fits both models for 3 epochs on a synthetic problem of
8,000 training pairs (a few tenths of a second each), best of --repeats fits. The
busy thread is a pure-Python loop in the fitting process (a notebook's or a web
server's other work: it holds the GIL whenever the engine gives it back); the busy
process is another Python process spinning on one core. --policies adds rows with
OpenMP's active wait policy (threads spin at the end of a region), which was the
default before grnfast set OMP_WAIT_POLICY=PASSIVE, and with the passive policy
alone (threads sleep at once: GOMP_SPINCOUNT=0), grnfast's setting before it added
GOMP_SPINCOUNT=1000 (a short spin, then sleep).
"""
import argparse
import json
import os
import subprocess
import sys

FIT = r"""
import json, sys, threading, time
import numpy as np
from grnfast import CrossEncoderClassifier, TwoTowerClassifier

n_jobs, busy_thread, repeats = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
features = rng.random((2000, 11))
pairs = np.column_stack([rng.integers(0, 200, 8000), rng.integers(0, 2000, 8000)])
y = rng.integers(0, 2, 8000)
params = dict(node_features=features, embedding_dim=64, hidden_layer_sizes=(128, 64), max_iter=3,
              early_stopping=False, random_state=0, n_jobs=n_jobs)
stop = False
def spin():
    x = 0
    while not stop:
        x += 1
if busy_thread:
    threading.Thread(target=spin, daemon=True).start()
times = {}
for name, cls in (("cross_encoder", CrossEncoderClassifier), ("two_tower", TwoTowerClassifier)):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        cls(**params).fit(pairs, y)
        best = min(best, time.perf_counter() - start)
    times[name] = best
stop = True
print(json.dumps(times))
"""

SPIN = "while True: pass"


# name -> the environment's OpenMP settings (None: as grnfast sets them)
POLICIES = {"as grnfast sets it": None, "active": {"OMP_WAIT_POLICY": "ACTIVE"},
            "passive, no spin": {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "0"}}


def measure(n_jobs, busy_thread, repeats, policy):
    env = {key: value for key, value in os.environ.items() if key not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env.update(POLICIES[policy] or {})
    out = subprocess.run([sys.executable, "-c", FIT, json.dumps([n_jobs, busy_thread, repeats])], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--policies", action="store_true",
                        help="also OMP_WAIT_POLICY=ACTIVE (threads spin) and PASSIVE without a spin")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    policies = list(POLICIES) if args.policies else ["as grnfast sets it"]
    print(f"{cores} usable cores; load average {os.getloadavg()[0]:.2f} at the start\n")
    print("| beside | wait policy | n_jobs | cross-encoder fit, s | two-tower fit, s | vs n_jobs=1 alone |")
    print("|---|---|---|---:|---:|---:|")
    reference = None
    for beside in ("nothing", "a busy Python thread", "a busy process"):
        spinner = subprocess.Popen([sys.executable, "-c", SPIN]) if beside == "a busy process" else None
        try:
            for policy in policies:
                for n_jobs in (1, None):
                    t = measure(n_jobs, beside == "a busy Python thread", args.repeats, policy)
                    total = t["cross_encoder"] + t["two_tower"]
                    reference = reference or total
                    print(f"| {beside} | {policy} | {n_jobs or 'all'} | "
                          f"{t['cross_encoder']:.3f} | {t['two_tower']:.3f} | {total / reference:.2f}x |", flush=True)
        finally:
            if spinner:
                spinner.kill()
                spinner.wait()
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
