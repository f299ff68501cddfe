"""How LateInteractionClassifier's default n_vectors and similarity were chosen (and
the 1 / n_vectors in its score, against ColBERT's plain sum): each candidate
trained on sample 1 of two shared benchmarks and scored on validation pairs plus
random pairs (``selection_pairs`` in tools/selection_runs.py, never test pairs),
exactly as ``python tools/results_page.py --only selection`` scores the other
models' candidates:

    python bench/late_interaction_selection.py [--data ../shared/data] [--out CSV]

Rows are appended to ``--out`` as they finish (a rerun resumes). The table printed
at the end (the results page's "Late interaction" section) puts the two-tower's and
the cross-encoder's default rows of docs/results/selection_runs.csv (the same pairs,
the same seed) beside them.
"""
import argparse
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
# tools/ sits beside bench/ and is not installed: put it on the path to import its modules by name.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from page_markdown import n_vectors_section  # noqa: E402
from selection_runs import run_selection  # noqa: E402

BENCHMARKS = [("STRING", "mESC", 500), ("Non-Specific", "hHEP", 500)]


def candidates(n_vectors, plain_sum=(), cosine=(), cosine_temperatures=(0.05,)):
    """Each n_vectors with the dot product at the default temperature; those of ``plain_sum`` also with the
    temperature divided by n_vectors: ColBERT's plain sum of best matches (the model
    divides it by n_vectors); those of ``cosine`` also with cosine similarity, at
    each of ``cosine_temperatures``."""
    mean = {f"n_vectors={m}": {"n_vectors": m, "similarity": "dot"} for m in n_vectors}
    plain = {f"n_vectors={m}, temperature {0.05 / m:g} (plain sum)":
             {"n_vectors": m, "temperature": 0.05 / m, "similarity": "dot"} for m in plain_sum}
    cos = {f"n_vectors={m}, cosine" + (f", temperature {t:g}" if t != 0.05 else ""):
           {"n_vectors": m, "similarity": "cosine", "temperature": t} for m in cosine for t in cosine_temperatures}
    return {**mean, **plain, **cos}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(HERE.parents[1] / "shared" / "data"))
    parser.add_argument("--out", default=str(HERE.parent / "docs" / "results" / "late_interaction_selection_runs.csv"))
    parser.add_argument("--n-vectors", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--plain-sum", type=int, nargs="*", default=[2, 4, 8], help="n_vectors to try as a plain sum")
    parser.add_argument("--cosine", type=int, nargs="*", default=[2, 4, 8],
                        help="n_vectors to try with cosine similarity")
    parser.add_argument("--cosine-temperatures", type=float, nargs="+", default=[0.025, 0.05, 0.1])
    args = parser.parse_args()
    runs = run_selection(args.out, args.data, BENCHMARKS,
                         candidates=candidates(args.n_vectors, args.plain_sum, args.cosine, args.cosine_temperatures),
                         models=("late-interaction",))
    print(n_vectors_section(runs, pd.read_csv(HERE.parent / "docs" / "results" / "selection_runs.csv")))


if __name__ == "__main__":
    main()
