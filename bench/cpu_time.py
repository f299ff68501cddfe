"""One-thread CPU time of the published configuration, to compare two builds of
grnfast on a machine that other work keeps busy (``time.process_time`` counts only
this process's CPU seconds). Prints one JSON line: fit of 2 epochs at the reference
size (both models, dense and sparse embedding updates), ``predict_proba`` over the
test pairs, and genome-wide scoring (1,024 regulators two-tower, 32 cross-encoder).

    cd bench && OMP_NUM_THREADS=1 python cpu_time.py      # once per build, interleaved; compare the minima
    cd bench && OMP_NUM_THREADS=1 python cpu_time.py --genome   # genome-wide cross-encoder scoring alone
    cd bench && OMP_NUM_THREADS=1 python cpu_time.py --embedding-dropout 0.1   # the models with the unknown-gene row
"""
import json
import sys
import time

import ours
from problem import make_problem

GENOME_REGULATORS = {"two_tower": 1024, "cross_encoder": 32}


def cpu_seconds(work):
    start = time.process_time()
    work()
    return time.process_time() - start


def main():
    ours.N_JOBS = 1
    if "--embedding-dropout" in sys.argv[1:]:
        ours.EMBEDDING_DROPOUT = float(sys.argv[sys.argv.index("--embedding-dropout") + 1])
    problem = make_problem(1.0)
    if "--genome" in sys.argv[1:]:  # a model fitted for prediction, scored after a warm-up call
        model = ours.fitted_for_prediction("cross_encoder", problem.features, problem.train_pairs, problem.train_labels)
        ours.score_genome(model, 4)
        print(json.dumps({"genome cross_encoder": cpu_seconds(lambda: ours.score_genome(model, 32))}))
        return
    seconds = {}
    for kind in ("cross_encoder", "two_tower"):
        for variant in ("dense", "sparse"):
            model = ours.estimator(kind, variant, problem.features, 2)
            seconds[f"fit {kind} {variant}"] = cpu_seconds(lambda: model.fit(problem.train_pairs, problem.train_labels))
        seconds[f"predict {kind}"] = cpu_seconds(lambda: model.predict_proba(problem.test_pairs))
        seconds[f"genome {kind}"] = cpu_seconds(lambda: ours.score_genome(model, GENOME_REGULATORS[kind]))
    print(json.dumps(seconds))


if __name__ == "__main__":
    main()
