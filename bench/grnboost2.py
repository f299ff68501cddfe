"""GRNBoost2 (arboreto) as a peer on the BEELINE benchmarks, scored on the same
labelled test pairs as grnfast's models.

Two steps, because GRNBoost2 lives in a venv of its own (arboreto needs old dask
pins; ``bench/peers/grnboost2-requirements.txt``) that has no grnfast:

``run``   (the peer venv's python; imports only arboreto, dask, pandas, numpy)
    For every BEELINE benchmark folder (``<GT> Dataset/<cell>/TFs+<N>``), GRNBoost2 on
    its expression (cells x genes; the file is genes x cells) with the benchmark's TF
    list measured in the expression as ``tf_names``, writing the adjacencies
    (``TF, target, importance``) to ``<cache>/<network>_<cell>_<N>_seed<seed>.tsv.gz``
    and the run's wall and CPU seconds beside it (``.json``). A benchmark already
    cached is skipped, so an interrupted run resumes. Smallest benchmarks first.

``score`` (grnfast's venv)
    For every benchmark with published split files (and GENELink's demo split, whose
    data is Specific mESC 500), every protocol in ``grnfast.pipeline.PROTOCOLS`` (or
    those asked for) and every split sample: each labelled test pair gets GRNBoost2's
    importance, **0 for a pair GRNBoost2 did not output** (a target's regression never
    used that TF, or the pair's regulator is not in the TF list; the ``unscored``
    column counts them), then AUROC, AUPRC, EPR and the mean per-regulator AUROC
    (over the regulators whose test pairs hold both classes). One row per
    (protocol, benchmark, sample) in a CSV whose column names are those of
    ``tools/benchmark_runs.py`` (``model`` = "GRNBoost2"); ``seconds`` is the GRNBoost2
    run's wall time on the benchmark (one run serves every protocol and sample: it
    reads no labels).

Commands (bench/README.md)::

    /work/grnboost-venv/bin/python bench/grnboost2.py run --data ../shared/data --workers 2
    python bench/grnboost2.py score --data ../shared/data --samples 1 2 3 4 5
"""
import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / "peers" / "cache"
RUNS = HERE / "peers" / "grnboost2_runs.csv"
SCORER = "GRNBoost2"
DEMO = "GENELink-demo"  # grnfast.data.beeline.DEMO: GENELink's demo split of Specific mESC 500


# ----------------------------------------------------------------------------- run

def _beeline_root(data):
    data = Path(data)
    return data / "beeline" if (data / "beeline").is_dir() else data


def find_benchmarks(data):
    """(network, cell, n_genes, folder) of every BEELINE benchmark folder under ``data``."""
    found = []
    for folder in sorted(_beeline_root(data).glob("* Dataset/*/TFs+*")):
        match = re.fullmatch(r"TFs\+(\d+)", folder.name)
        if match and folder.is_dir():
            found.append((folder.parent.parent.name[: -len(" Dataset")], folder.parent.name, int(match[1]), folder))
    return found


def cache_path(cache, network, cell, n_genes, seed):
    return Path(cache) / f"{network}_{cell}_{n_genes}_seed{seed}.tsv.gz"


def timings_path(out):
    return out.with_suffix("").with_suffix(".json")  # x.tsv.gz -> x.json


def _csv(folder, name):
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{folder / name}: no such file (nor .gz)")


def read_benchmark(folder):
    """The expression as cells x genes and the TF list measured in it (file order, unique)."""
    import pandas as pd

    expression = pd.read_csv(_csv(folder, "BL--ExpressionData.csv"), index_col=0)
    expression.index = expression.index.astype(str)
    if expression.index.has_duplicates:
        raise ValueError(f"{folder}: duplicated gene names in the expression file")
    tfs = pd.read_csv(_csv(folder, "TF.csv"), index_col=0)["TF"].astype(str)
    tfs = list(dict.fromkeys(tfs[tfs.isin(expression.index)]))
    return expression.T, tfs  # arboreto wants cells x genes


def _cpu_seconds():
    return time.process_time()


def run_one(folder, out, seed, n_workers, processes):
    """GRNBoost2 on one benchmark folder; adjacencies to ``out`` and its timings to
    ``out`` with ``.json``. CPU seconds: this process plus every dask worker's."""
    import arboreto
    import dask
    import distributed
    import numpy as np
    import pandas as pd
    from arboreto.algo import grnboost2
    from distributed import Client, LocalCluster

    expression, tfs = read_benchmark(folder)
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                           dashboard_address=None, silence_logs=40)
    client = Client(cluster)
    try:
        # Worker CPU is read in the worker (its process, or with processes=False this one).
        workers_before = client.run(_cpu_seconds) if processes else {}
        cpu, wall = time.process_time(), time.perf_counter()
        adjacencies = grnboost2(expression, tf_names=tfs, seed=seed, client_or_address=client)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        if processes:
            workers_after = client.run(_cpu_seconds)
            if set(workers_after) != set(workers_before):
                raise RuntimeError("a dask worker was restarted during the run; its CPU time is lost")
            cpu += sum(workers_after[w] - workers_before[w] for w in workers_after)
    finally:
        client.close()
        cluster.close()
    adjacencies = adjacencies[["TF", "target", "importance"]].sort_values(
        ["importance", "TF", "target"], ascending=[False, True, True])
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    adjacencies.to_csv(partial, sep="\t", index=False, compression="gzip")
    info = {"wall_seconds": wall, "cpu_seconds": cpu, "n_workers": n_workers, "threads_per_worker": 1,
            "processes": processes, "seed": seed, "cells": int(expression.shape[0]),
            "genes": int(expression.shape[1]), "tfs": len(tfs), "adjacencies": int(len(adjacencies)),
            "folder": str(folder), "python": sys.version.split()[0],
            "versions": {"arboreto": getattr(arboreto, "__version__", "0.1.6"), "dask": dask.__version__,
                         "distributed": distributed.__version__, "pandas": pd.__version__,
                         "numpy": np.__version__}}
    try:
        import sklearn
        info["versions"]["scikit-learn"] = sklearn.__version__
    except ImportError:
        pass
    partial.replace(out)
    timings_path(out).write_text(json.dumps(info, indent=1) + "\n")
    return info


def run(args):
    # One thread per worker for every numeric library too (the machine is shared).
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    benchmarks = find_benchmarks(args.data)
    if args.benchmarks:
        wanted = set(args.benchmarks)
        benchmarks = [b for b in benchmarks if f"{b[0]} {b[1]} {b[2]}" in wanted]
    if not benchmarks:
        sys.exit(f"no BEELINE benchmark folders found under {args.data}")

    def size(benchmark):  # genes x TFs: the work of one GRNBoost2 run
        expression = _csv(benchmark[3], "BL--ExpressionData.csv")
        import pandas as pd
        genes = len(pd.read_csv(expression, usecols=[0]))
        tfs = len(pd.read_csv(_csv(benchmark[3], "TF.csv")))
        return genes * tfs

    benchmarks.sort(key=size)
    for network, cell, n_genes, folder in benchmarks:
        name = f"{network} {cell} {n_genes}"
        out = cache_path(args.cache, network, cell, n_genes, args.seed)
        if out.exists() and timings_path(out).exists():
            print(f"{name}: cached ({out})", flush=True)
            continue
        print(f"{name}: GRNBoost2 seed {args.seed}, {args.workers} workers "
              f"({'processes' if args.processes else 'threads'}) ...", flush=True)
        info = run_one(folder, out, args.seed, args.workers, args.processes)
        print(f"{name}: {info['genes']} genes, {info['tfs']} TFs, {info['cells']} cells -> "
              f"{info['adjacencies']} adjacencies; wall {info['wall_seconds']:.0f}s, "
              f"CPU {info['cpu_seconds']:.0f}s", flush=True)


# --------------------------------------------------------------------------- score

def read_adjacencies(path):
    """GRNBoost2's adjacencies as a Series of importance indexed by (TF, target)."""
    import pandas as pd

    table = pd.read_csv(path, sep="\t", dtype={"TF": str, "target": str})
    if table.duplicated(["TF", "target"]).any():
        raise ValueError(f"{path}: duplicated (TF, target) rows")
    return table.set_index(["TF", "target"])["importance"]


def pair_scores(importance, pairs):
    """Each (regulator, target) pair's importance; 0 for a pair not in the adjacencies.
    Returns the scores and how many pairs were not there."""
    import numpy as np
    import pandas as pd

    index = pd.MultiIndex.from_arrays([pairs.iloc[:, 0].astype(str), pairs.iloc[:, 1].astype(str)])
    scores = importance.reindex(index).to_numpy(dtype=np.float64)
    missing = np.isnan(scores)
    return np.where(missing, 0.0, scores), int(missing.sum())


def auroc_per_regulator(regulators, y_true, y_score):
    """Mean over regulators whose pairs hold both classes of the AUROC of their own
    pairs (how a top-k-per-TF list ranks), and how many regulators that is. Used
    until grnfast's ``evaluate`` takes ``regulators`` (then only for the count)."""
    import numpy as np
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    frame = pd.DataFrame({"regulator": np.asarray(regulators), "y": np.asarray(y_true).astype(bool),
                          "score": np.asarray(y_score, dtype=np.float64)})
    values = [roc_auc_score(group.y, group.score) for _, group in frame.groupby("regulator", sort=True)
              if group.y.any() and not group.y.all()]
    return (float(np.mean(values)) if values else float("nan")), len(values)


def _evaluate_takes_regulators():
    import inspect

    from grnfast.evaluation import evaluate

    return "regulators" in inspect.signature(evaluate).parameters


def score_benchmark(importance, task):
    """GRNBoost2's metrics on a PairTask's test pairs: grnfast's ``evaluate``, and its
    per-regulator AUROC where it has one (``evaluate(..., regulators=)``), else
    :func:`auroc_per_regulator` here (the same definition)."""
    from grnfast.evaluation import evaluate

    scores, unscored = pair_scores(importance, task.X_test)
    regulators = task.X_test.iloc[:, 0].astype(str).to_numpy()
    per_regulator, n_regulators = auroc_per_regulator(regulators, task.y_test, scores)
    if _evaluate_takes_regulators():
        metrics = evaluate(task.y_test, scores, regulators=regulators)
        per_regulator = metrics["auroc_per_regulator"]
    else:
        metrics = evaluate(task.y_test, scores)
    return {"n_pairs": metrics["n_pairs"], "n_edges": metrics["n_edges"], "prevalence": metrics["prevalence"],
            "auroc": metrics["auroc"], "auprc": metrics["auprc"], "epr": metrics["epr"],
            "auroc_per_regulator": per_regulator, "n_regulators": n_regulators,
            "unscored": unscored}


def score(args):
    import pandas as pd

    from grnfast.data import available_benchmarks, load_beeline
    from grnfast.pipeline import PROTOCOLS, benchmark_task

    protocols = args.protocols or list(PROTOCOLS)
    unknown = [p for p in protocols if p not in PROTOCOLS]
    if unknown:
        sys.exit(f"unknown protocol(s) {unknown}; grnfast.pipeline.PROTOCOLS has {list(PROTOCOLS)}")
    benchmarks = available_benchmarks(args.data)
    if (Path(args.data) / "beeline-splits" / DEMO).is_dir():
        benchmarks.append((DEMO, "mESC", 500))
    key = ["protocol", "benchmark", "sample", "model"]
    output = Path(args.output)
    runs = pd.read_csv(output) if output.exists() else pd.DataFrame(columns=key)
    rows = []
    for network, cell, n_genes in benchmarks:
        data_network = "Specific" if network == DEMO else network
        adjacencies = cache_path(args.cache, data_network, cell, n_genes, args.seed)
        name = f"{network} {cell} {n_genes}"
        if not adjacencies.exists():
            print(f"{name}: no GRNBoost2 adjacencies ({adjacencies}); run the 'run' step", flush=True)
            continue
        importance = read_adjacencies(adjacencies)
        timings = json.loads(timings_path(adjacencies).read_text())
        dataset = load_beeline(args.data, data_network, cell, n_genes)
        for protocol in protocols:
            for sample in ([1] if network == DEMO else args.samples):
                try:
                    task = benchmark_task(args.data, dataset, network, cell, n_genes, sample, protocol)
                except Exception as error:  # a protocol that cannot be built here (said, not fatal)
                    print(f"{name} {protocol} sample {sample}: skipped ({type(error).__name__}: {error})",
                          flush=True)
                    continue
                row = {"model": SCORER, **score_benchmark(importance, task),
                       "seconds": timings["wall_seconds"], "cpu_seconds": timings["cpu_seconds"],
                       "benchmark": name, "sample": sample, "protocol": protocol, "seed": args.seed}
                rows.append(row)
                print(f"{name} {protocol} sample {sample}: AUROC {row['auroc']:.3f} AUPRC {row['auprc']:.3f} "
                      f"per-regulator AUROC {row['auroc_per_regulator']:.3f} prevalence {row['prevalence']:.3f} "
                      f"({row['unscored']} of {row['n_pairs']} pairs not output by GRNBoost2, scored 0)",
                      flush=True)
    if not rows:
        sys.exit("nothing scored")
    new = pd.DataFrame(rows)
    replaced = runs.set_index(key).index.isin(new.set_index(key).index) if len(runs) else []
    runs = pd.concat([runs[~replaced] if len(runs) else None, new], ignore_index=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    runs.to_csv(output, index=False)
    print(f"{len(new)} rows -> {output}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = parser.add_subparsers(dest="step", required=True)
    for step in ("run", "score"):
        sub = steps.add_parser(step)
        sub.add_argument("--data", default=str(HERE.parent.parent / "shared" / "data"),
                         help="the shared data folder (holding beeline/ and beeline-splits/)")
        sub.add_argument("--cache", default=str(CACHE), help="where the adjacencies are kept")
        sub.add_argument("--seed", type=int, default=0)
    run_parser, score_parser = steps.choices["run"], steps.choices["score"]
    run_parser.add_argument("--workers", type=int, default=2, help="dask workers, one thread each")
    run_parser.add_argument("--threads", dest="processes", action="store_false",
                            help="workers as threads of this process instead of processes")
    run_parser.add_argument("--benchmarks", nargs="*", metavar="'NETWORK CELL N'",
                            help="only these, e.g. 'STRING mESC 500'")
    score_parser.add_argument("--protocols", nargs="*", help="default: every grnfast.pipeline.PROTOCOLS")
    score_parser.add_argument("--samples", nargs="*", type=int, default=[1, 2, 3, 4, 5])
    score_parser.add_argument("--output", default=str(RUNS))
    args = parser.parse_args(argv)
    (run if args.step == "run" else score)(args)


if __name__ == "__main__":
    main()
