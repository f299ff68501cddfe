"""How LateInteractionClassifier's default n_vectors was chosen: each candidate
trained on sample 1 of two shared benchmarks and scored on validation pairs plus
random pairs (``grnfast.pipeline.selection_pairs``, never test pairs), exactly as
``grnfast results --only selection`` scores the other models' candidates:

    python bench/late_interaction_selection.py [--data ../shared/data] [--out CSV]

Rows are appended to ``--out`` as they finish (a rerun resumes). The table printed
at the end (the results page's "Late interaction" section) puts the two-tower's and
the cross-encoder's default rows of docs/results/selection_runs.csv (the same pairs,
the same seed) beside them.
"""
import argparse
from pathlib import Path

import pandas as pd

from grnfast.results import n_vectors_section, run_selection

HERE = Path(__file__).resolve().parent
BENCHMARKS = [("STRING", "mESC", 500), ("Non-Specific", "hHEP", 500)]
CANDIDATES = {f"n_vectors={m}": {"n_vectors": m} for m in (2, 4, 8)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(HERE.parents[1] / "shared" / "data"))
    parser.add_argument("--out", default=str(HERE.parent / "docs" / "results" / "late_interaction_selection_runs.csv"))
    parser.add_argument("--n-vectors", type=int, nargs="+", help="candidates (default 2 4 8)")
    args = parser.parse_args()
    candidates = {f"n_vectors={m}": {"n_vectors": m} for m in args.n_vectors} if args.n_vectors else CANDIDATES
    runs = run_selection(args.out, args.data, BENCHMARKS, candidates=candidates, models=("late-interaction",))
    print(n_vectors_section(runs, pd.read_csv(HERE.parent / "docs" / "results" / "selection_runs.csv")))


if __name__ == "__main__":
    main()
