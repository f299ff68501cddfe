"""Regenerate docs/results.md, the project's results page: run (or resume) the
choice of defaults on validation pairs, the BEELINE benchmarks and the published
studies, then write the page from every run on disk.

From the repository root:

    python tools/results_page.py --data ../shared/data                  # every part, resuming
    python tools/results_page.py --data ../shared/data --only benchmarks --models late-interaction --samples 4 5
    python tools/results_page.py --only page                            # train nothing: the page from disk

The runs are kept beside the page in results/ (benchmark_runs.csv,
benchmark_settings.json, selection_runs.csv, studies/). A run already there with the
same preset, parameters and seed is kept; another preset, parameter or seed (or
--restart) starts the benchmark runs afresh.
"""
import argparse
import json
import sys
from pathlib import Path

from grnfast import GRNInputError
from grnfast.cli import add_model_options, model_params, positive_int
from grnfast.data import fetch_beeline
from grnfast.models import MODELS
from grnfast.pipeline import PROTOCOLS

# tools/ is not installed with grnfast: its modules import each other by name (this
# folder is sys.path[0] when the script runs; bench/ and the tests put it there).
from benchmark_runs import benchmark_settings, run_benchmarks
from page_markdown import page_markdown
from selection_runs import SELECTION_BENCHMARKS, run_selection
from study_runs import run_studies

PARTS = ("selection", "benchmarks", "studies")


def write_results_page(output="docs/results.md", data=None, samples=(1, 2, 3, 4, 5), ensemble_samples=(),
                       params=None, preset="default", seed=0, progress=True, resume=True, parts=PARTS,
                       study_preset="default", protocols=PROTOCOLS, models=tuple(MODELS)):
    """Run (or resume) the ``parts`` asked (the selection of defaults, the benchmarks,
    the studies; none: train nothing) and write the page; returns its path.

    The page always shows every run on disk. ``samples``, ``protocols`` and
    ``models`` choose which benchmark runs to make (runs already on disk with the
    same settings are kept and shown).
    """
    output = Path(output)
    folder = output.parent / "results"
    runs_path, settings_path = folder / "benchmark_runs.csv", folder / "benchmark_settings.json"
    if parts:
        root = fetch_beeline(data, download=data is None)
        folder.mkdir(parents=True, exist_ok=True)
    if "selection" in parts:
        run_selection(folder / "selection_runs.csv", root, SELECTION_BENCHMARKS, seed=seed, progress=progress,
                      resume=resume)
    if "benchmarks" in parts:
        settings, same = benchmark_settings(settings_path, preset, params, seed, samples, ensemble_samples, resume)
        if not same and runs_path.exists():  # before the new settings, so an interrupted start cannot mix them
            runs_path.unlink()
        settings_path.write_text(json.dumps(settings, indent=2))
        run_benchmarks(runs_path, root, samples, ensemble_samples, params, preset, seed, progress, same, protocols,
                       models)
    if "studies" in parts:
        run_studies(folder / "studies", root, params, study_preset, seed, progress, resume)
    output.write_text(page_markdown(folder, output.parent))
    return output


def build_parser():
    parser = argparse.ArgumentParser(prog="python tools/results_page.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="data folder (default: $GRNFAST_DATA, ~/grnfast_data)")
    parser.add_argument("--output", default="docs/results.md",
                        help="the page to write; its runs are kept beside it in results/ (default docs/results.md)")
    parser.add_argument("--only", choices=[*PARTS, "page"], default=None,
                        help="run only this part: the choice of defaults on validation pairs, the benchmarks or the "
                             "studies; 'page' runs nothing and writes the page from the runs on disk (the page "
                             "always shows every part on disk)")
    parser.add_argument("--samples", type=positive_int, nargs="+", default=[1, 2, 3, 4, 5],
                        help="published split samples to run (default 1 2 3 4 5)")
    parser.add_argument("--ensemble-samples", type=positive_int, nargs="*", default=[],
                        help="split samples on which the 5-seed ensemble is trained too (default: none)")
    parser.add_argument("--protocols", nargs="+", choices=list(PROTOCOLS), default=list(PROTOCOLS),
                        help="evaluation protocols (default: all)")
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS),
                        help="models to train beside the baselines (default: all); runs of the others on disk stay")
    parser.add_argument("--restart", action="store_true", help="ignore runs already on disk")
    add_model_options(parser)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    params = model_params(args)
    parts = {None: PARTS, "page": ()}.get(args.only, (args.only,))
    try:
        path = write_results_page(args.output, data=args.data, samples=args.samples,
                                  ensemble_samples=args.ensemble_samples, params=params, preset=args.preset,
                                  seed=args.seed, progress=not args.quiet, resume=not args.restart, parts=parts,
                                  protocols=args.protocols, models=tuple(args.models))
    except (GRNInputError, OSError) as exc:  # a wrong --data or --output: one line, unless --debug
        if args.debug:
            raise
        print(f"results_page: error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
              file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
