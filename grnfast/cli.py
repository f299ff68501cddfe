"""The ``grnfast`` command line.

    grnfast infer      train, evaluate and write a ranked network (default: the
                       real data set shipped in the package, BEELINE mESC)
    grnfast evaluate   the models on a BEELINE benchmark's published splits
    grnfast study NAME one of the published studies
    grnfast results    regenerate docs/results.md

Mistakes in arguments or input files (a ``GRNInputError``) and ``OSError`` are
reported on one line, exit code 2; every option and the output folder are
checked before training starts. Any other exception is a bug and shows its
traceback; ``--debug`` shows tracebacks for every error.
"""
import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .errors import GRNInputError


class OneLineParser(argparse.ArgumentParser):
    """argparse, but errors are a single line (and exit code 2)."""

    def error(self, message):
        self.exit(2, f"grnfast: error: {message}\n")


def _number(kind, allowed, description):
    """An argparse type: ``kind(text)`` that ``allowed`` accepts, else a one-line error."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not allowed(value):
            raise argparse.ArgumentTypeError(f"must be {description}; got {text!r}")
        return value

    return parse


positive_int = _number(int, lambda v: v >= 1, "a positive integer")
nonzero_int = _number(int, lambda v: v != 0, "a non-zero integer (negative: all cores but some)")
positive_float = _number(float, lambda v: math.isfinite(v) and v > 0, "a positive finite number")


def top_k(text):
    """argparse type for --top-k: a positive integer, or "all" (None: every pair)."""
    return None if text == "all" else positive_int(text)


def _add_model_options(p, preset="default"):
    p.add_argument("--preset", choices=["default", "published"], default=preset,
                   help="model configuration: the estimators' defaults, or the published configuration "
                        "(grnfast.models.PUBLISHED_PARAMS) (default: default)")
    p.add_argument("--epochs", type=positive_int, default=None, help="maximum epochs (early stopping decides)")
    p.add_argument("--embedding-dim", type=positive_int, default=None,
                   help="gene embedding size (default: the preset's, 64; published 512)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--n-jobs", type=nonzero_int, default=None, help="threads per model (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bars, only the report")
    p.add_argument("--debug", action="store_true", help="show the traceback of every error")


def _model_params(args):
    params = {"n_jobs": args.n_jobs}
    if args.epochs is not None:
        params["max_iter"] = args.epochs
    if args.embedding_dim is not None:
        params["embedding_dim"] = args.embedding_dim
    return params


def _writable_folder(path, option="--output"):
    """Create the folder if needed and check that a file can be written in it,
    before any training (an OSError naming the folder otherwise)."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OSError(f"{option} {folder}: cannot write there ({exc.strerror or exc})") from exc
    return folder


def _benchmark(text):
    """argparse type for --benchmark: "NETWORK CELL N", e.g. "Specific mESC 500"."""
    parts = text.rsplit(" ", 2)
    if len(parts) != 3 or not parts[2].isdigit():
        raise argparse.ArgumentTypeError(f'must be "NETWORK CELL N", e.g. "Specific mESC 500"; got {text!r}')
    return parts[0], parts[1], int(parts[2])


def build_parser():
    from .models import MODEL_NAMES, MODELS
    from .scoring import DEFAULT_TOP_K, FORMATS, SUFFIXES
    from .studies import STUDIES
    from . import __version__

    model_choices = [*MODEL_NAMES, "both", "all"]
    parser = OneLineParser(prog="grnfast", description="Gene regulatory network inference with grnfast.",
                           epilog="Run 'grnfast COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"grnfast {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)

    infer = sub.add_parser(
        "infer", help="train, evaluate and write a ranked network",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train the models on known edges (70/15/15 random split of the positives with sampled "
                    "negatives), evaluate them beside the degree and expression baselines, and write ranked networks."
                    "\nWith no --expression: the real data set shipped in the package, BEELINE's mESC "
                    "(421 cells, 1,120 genes) with its cell-type-specific ChIP-seq edges (docs/guide.md).",
        epilog=f"""files written in --output:
  metrics.csv               every scorer's test metrics (AUROC, AUPRC, EPR, F1) and times
  network_<model>.csv       ranked edges per model: the top {DEFAULT_TOP_K} targets of each regulator by default
                            (--top-k), columns by --format, weight = the model's edge probability
  roc_pr.png, training_<model>.png   figures (with matplotlib)
and with --write-h5ad PATH a copy of the input .h5ad with the results.""")
    infer.add_argument("--expression",
                       help="genes x cells CSV or TSV, or an .h5ad (cells x genes, read sparse) "
                            "(default: the shipped real data set, BEELINE mESC with its ChIP-seq edges)")
    infer.add_argument("--prior", help="prior network: TRRUST raw TSV or a DoRothEA/CollecTRI-style table, or the "
                                       "name trrust, dorothea or collectri (downloaded once, see --organism)")
    infer.add_argument("--organism", default="human", help="organism of a --prior given by name (default human)")
    infer.add_argument("--edges", help="known edges: a table with regulator and target columns (e.g. Gene1,Gene2)")
    infer.add_argument("--regulators", metavar="FILE",
                       help="candidate regulators beside the prior's, e.g. a TF list (one gene per line, or a table "
                            "with a tf/gene/symbol column): every one is scored, and the random training negatives "
                            "draw from them")
    infer.add_argument("--cell-types", help="CSV of cell id, cell type, matched to the cells by id "
                                            "(features = cell-type means)")
    infer.add_argument("--layer", help=".h5ad: read this layer instead of X (e.g. counts)")
    infer.add_argument("--use-raw", action="store_true", help=".h5ad: read .raw instead of X")
    infer.add_argument("--groupby", help=".h5ad: the .obs column of cell types (features = cell-type means)")
    infer.add_argument("--gene-symbols", help=".h5ad: the .var column of gene names to use instead of var_names")
    infer.add_argument("--case-fold", action="store_true",
                       help="match gene names ignoring case (e.g. a human prior on mouse genes: orthologs unchecked)")
    infer.add_argument("--features", choices=["cell_type_means", "clusters", "pca", "expression"], default=None,
                       help="node features from expression (default: cell-type means with --cell-types, else clusters)")
    infer.add_argument("--model", choices=model_choices, default="all",
                       help="what to train: all three models (default), both (two-tower and cross-encoder) or one")
    infer.add_argument("--negatives", type=positive_float, default=1.0, help="negatives per positive (default 1)")
    infer.add_argument("--negative-sampling", choices=["uniform", "per_regulator", "degree_matched"],
                       default="uniform", help="how negatives are drawn (default uniform)")
    infer.add_argument("--top-k", type=top_k, default=DEFAULT_TOP_K, metavar="K|all",
                       help=f"keep the top K targets of each regulator, or all for every regulator x gene pair "
                            f"(default {DEFAULT_TOP_K})")
    infer.add_argument("--format", choices=list(FORMATS), default="grnfast",
                       help="columns of the ranked networks: grnfast Gene1,Gene2,EdgeWeight (BEELINE's); scenic "
                            "TF,target,importance (pySCENIC adjacencies); decoupler source,target,weight. "
                            "The weight is the model's edge probability in every format (default grnfast)")
    infer.add_argument("--suffix", choices=list(SUFFIXES), default=".csv",
                       help="file type of the ranked networks: CSV, TSV (gzipped with .gz) or parquet "
                            "(needs pyarrow: pip install 'grnfast[parquet]') (default .csv)")
    infer.add_argument("--write-h5ad", metavar="PATH",
                       help="with an .h5ad --expression: write a copy of it with the results, uns['grnfast'][model] "
                            "(edges, params) and varm['grnfast_<model>_embedding'] (gene embeddings)")
    infer.add_argument("--output", default="grnfast-out", help="output folder (default grnfast-out)")
    infer.add_argument("--scheduler", metavar="ADDRESS",
                       help="a Dask scheduler (e.g. tcp://10.0.0.5:8786): train each model as a task there and "
                            "score chunks of regulators on its workers; results identical to a local run "
                            "(needs pip install 'grnfast[distributed]')")
    _add_model_options(infer)

    evaluate = sub.add_parser("evaluate", help="models and baselines on a BEELINE benchmark's published splits")
    evaluate.add_argument("--data", default=None, help="data folder (default: $GRNFAST_DATA, ~/grnfast_data)")
    evaluate.add_argument("--network", default="Specific", help="Specific, Non-Specific, STRING or GENELink-demo")
    evaluate.add_argument("--cell", default="mESC", help="cell type: mESC, mDC or hHEP (default mESC)")
    evaluate.add_argument("--genes", type=positive_int, default=500, help="TFs+N: 500 or 1000")
    evaluate.add_argument("--samples", type=positive_int, nargs="+", default=[1, 2, 3, 4, 5],
                          help="published split samples to run (default 1 2 3 4 5)")
    evaluate.add_argument("--model", choices=model_choices, default="all",
                          help="what to train: all three models (default), both (two-tower and cross-encoder) or one")
    evaluate.add_argument("--protocol", choices=["published", "degree-controlled"], default="published",
                          help="the split files as published, or their positives with degree-matched negatives "
                               "in every part (default: published)")
    evaluate.add_argument("--output", default="grnfast-out",
                          help="output folder for evaluation_runs.csv and evaluation_summary.csv (default grnfast-out)")
    _add_model_options(evaluate)

    study = sub.add_parser("study", help="run one of the published studies")
    study.add_argument("name", choices=sorted(STUDIES), help="the study to run")
    study.add_argument("--benchmark", type=_benchmark, default=None,
                       help='a BEELINE benchmark, e.g. "Specific mESC 500" (default: the synthetic data set)')
    study.add_argument("--data", default=None, help="data folder for --benchmark")
    study.add_argument("--seeds", type=positive_int, default=None, help="seeds per variant (default: the study's)")
    study.add_argument("--tiny", action="store_true", help="a seconds-long configuration (for smoke tests)")
    study.add_argument("--output", default="grnfast-out",
                       help="output folder for the study's .md, runs, summary and figures (default grnfast-out)")
    _add_model_options(study)

    results = sub.add_parser("results", help="regenerate the results page from the shared data")
    results.add_argument("--data", default=None, help="data folder (default: $GRNFAST_DATA, ~/grnfast_data)")
    results.add_argument("--output", default="docs/results.md",
                         help="the page to write; its runs are kept beside it in results/ (default docs/results.md)")
    results.add_argument("--samples", type=positive_int, nargs="+", default=[1, 2, 3, 4, 5],
                         help="published split samples to run (default 1 2 3 4 5)")
    results.add_argument("--ensemble-samples", type=positive_int, nargs="*", default=[],
                         help="split samples on which the 5-seed ensemble is trained too (default: none)")
    results.add_argument("--protocols", nargs="+", choices=["published", "degree-controlled"],
                         default=["published", "degree-controlled"], help="evaluation protocols (default: both)")
    results.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS),
                         help="models to train beside the baselines (default: all); runs of the others on disk stay")
    results.add_argument("--restart", action="store_true", help="ignore runs already on disk")
    results.add_argument("--only", choices=["selection", "benchmarks", "studies"], default=None,
                         help="run only this part: the choice of defaults on validation pairs, the benchmarks or "
                              "the studies (the page shows every part on disk)")
    _add_model_options(results)
    return parser


def _say(args, *lines):
    if not args.quiet:
        print(*lines, sep="\n", file=sys.stderr)


# ---- infer ----------------------------------------------------------------------

def _load_dataset(args):
    from .data import (GRNDataset, fetch_prior, read_cell_types, read_edges, read_expression, read_prior,
                       read_regulators)
    from .data.files import existing_file
    from .data.prior_databases import PRIOR_NAMES

    h5ad_options = {"layer": args.layer, "use_raw": args.use_raw, "groupby": args.groupby,
                    "gene_symbols": args.gene_symbols}
    if args.expression is None:
        if args.prior or args.edges or args.cell_types or args.regulators:
            raise GRNInputError("--prior, --edges, --cell-types and --regulators need --expression")
        from .data.shipped import load_mesc

        return load_mesc(features=args.features or "clusters", random_state=args.seed)
    if (args.prior is None) == (args.edges is None):
        raise GRNInputError("give exactly one of --prior or --edges with --expression")
    for path in (args.expression, args.edges, args.cell_types, args.regulators):  # every input file, before any read
        if path is not None:
            existing_file(path)
    h5ad = Path(args.expression).suffix == ".h5ad"
    given = [f"--{k.replace('_', '-')}" for k, v in h5ad_options.items() if v]
    if given and not h5ad:
        raise GRNInputError(f"{', '.join(given)} apply to an .h5ad file; {args.expression} is not one")
    if args.edges:
        edges = read_edges(args.edges)
    elif not Path(args.prior).exists() and args.prior.lower() in PRIOR_NAMES:
        edges = fetch_prior(args.prior, args.organism)
    else:
        edges = read_prior(args.prior)
    cell_types = read_cell_types(args.cell_types) if args.cell_types else None
    regulators = read_regulators(args.regulators) if args.regulators else None
    options = {"cell_types": cell_types, "regulators": regulators, "features": args.features,
               "name": Path(args.expression).name, "case_fold": args.case_fold, "random_state": args.seed}
    try:
        if h5ad:
            return GRNDataset.from_anndata(args.expression, edges, **h5ad_options, **options,
                                           progress=not args.quiet)
        return GRNDataset.from_expression(read_expression(args.expression), edges, **options)
    except GRNInputError as exc:
        if args.expression in str(exc):
            raise
        raise GRNInputError(f"{args.expression} with {args.prior or args.edges}: {exc}") from exc


def _models(choice):
    from .models import MODELS

    return {"all": list(MODELS), "both": ["two-tower", "cross-encoder"]}.get(choice, [choice])


def _check_outputs(args):
    """Every output option, before training: the folder, the parquet writer, and
    --write-h5ad (needs an .h5ad input, anndata and a writable folder)."""
    from .scoring import check_parquet_writer

    out = _writable_folder(args.output)
    if args.suffix == ".parquet":
        check_parquet_writer()
    if args.write_h5ad is not None:
        if args.expression is None or Path(args.expression).suffix != ".h5ad":
            raise GRNInputError(f"--write-h5ad writes the results into the input AnnData: --expression must be an "
                                f".h5ad file; got {args.expression or 'none'}")
        if Path(args.write_h5ad).suffix != ".h5ad":
            raise GRNInputError(f"--write-h5ad {args.write_h5ad}: the file name must end in .h5ad")
        if Path(args.write_h5ad).resolve() == Path(args.expression).resolve():
            raise GRNInputError(f"--write-h5ad {args.write_h5ad} is the input file; give a new path")
        _writable_folder(Path(args.write_h5ad).parent, "--write-h5ad")
        try:
            import anndata  # noqa: F401
        except ImportError:
            raise GRNInputError("--write-h5ad needs anndata: pip install 'grnfast[anndata]'") from None
    return out


def _dask_client(address):
    """A client of the Dask scheduler at ``address`` (a one-line error when dask is
    missing or nothing answers there)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise GRNInputError("--scheduler needs dask.distributed: pip install 'grnfast[distributed]'") from None
    try:
        return Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise OSError(f"--scheduler {address}: no Dask scheduler answers there ({exc})") from exc


def _train_models(args, task, ds, params, client):
    """Each model trained here (with a progress bar) or as one task on the Dask
    cluster; the same fitted models either way (training is deterministic)."""
    from .pipeline import make_model, stop_reason, train

    models = {name: make_model(name, ds.node_features, params, args.seed, args.preset) for name in _models(args.model)}
    if client is None:
        return {name: train(task, name, model, progress=not args.quiet) for name, model in models.items()}
    futures = {name: client.submit(train, task, name, model, False, pure=False) for name, model in models.items()}
    fitted = {name: future.result() for name, future in futures.items()}
    for name, (model, seconds) in fitted.items():
        _say(args, f"{name}: {stop_reason(model) or 'trained'} on the Dask cluster ({seconds:.1f}s)")
    return fitted


def _write_h5ad(args, networks, fitted):
    """A copy of the input AnnData with every model's network and embeddings
    (:func:`grnfast.data.add_to_anndata` under uns['grnfast'][model])."""
    import anndata

    from .data.anndata_output import add_to_anndata

    adata = anndata.read_h5ad(args.expression)
    for name, edges in networks.items():
        add_to_anndata(adata, edges, model=fitted[name][0], gene_symbols=args.gene_symbols, name=name)
    adata.write_h5ad(args.write_h5ad)
    return Path(args.write_h5ad)


def cmd_infer(args):
    out = _check_outputs(args)
    client = _dask_client(args.scheduler) if args.scheduler else None  # before any work: a bad address fails now
    try:
        return _infer(args, out, client)
    finally:
        if client is not None:
            client.close()


def _infer(args, out, client):
    from .evaluation import baselines
    from .pipeline import format_report, report_table, with_tf_list
    from .run_summary import StepTimes, format_summary, recommendation
    from .scoring import as_format, rank_edges, write_edge_list

    times = StepTimes()
    ds = _load_dataset(args)
    times.lap("loading")
    summary = ds.summary()
    _say(args, f"{summary['name']}: {summary['genes']} genes, {summary['regulators']} regulators, "
               f"{summary['edges']} known edges" + (f"; {ds.notes['match']}" if "match" in ds.notes else "")
               + (f"; {ds.notes['regulators']}" if "regulators" in ds.notes else ""))
    split = ds.split("random", ratio=args.negatives, method=args.negative_sampling, random_state=args.seed)
    _say(args, str(split))
    task = ds.task(split)
    params = _model_params(args)
    if args.expression is None:  # the shipped data set's settings (grnfast.data.shipped), options still win
        from .data.shipped import MESC_PARAMS

        params = {**MESC_PARAMS, **params}
    fitted = _train_models(args, task, ds, with_tf_list(params, ds), client)
    times.lap("training")
    fitted_baselines = baselines(task)
    table = report_table(task, fitted, fitted_baselines)
    table.to_csv(out / "metrics.csv", index=False)
    _, sentence = recommendation(task, {name: model for name, (model, _) in fitted.items()},
                                 fitted_baselines["degree baseline"])
    times.lap("evaluation")
    files, networks = [(out / "metrics.csv", "every scorer's test metrics")], {}
    per_regulator = f"top {args.top_k} targets per regulator" if args.top_k else "every regulator x gene pair"
    for name, (model, _) in fitted.items():
        edges = rank_edges(model, ds.regulators, top_k=args.top_k, progress=None if args.quiet else f"scoring {name}",
                           client=client)
        path = out / f"network_{name}{args.suffix}"
        write_edge_list(edges, path, format=args.format)
        networks[name] = as_format(edges, args.format)
        files.append((path, f"{len(edges)} edges, {per_regulator}, {args.format} columns, weight = probability"))
    times.lap("scoring")
    if args.write_h5ad is not None:
        files.append((_write_h5ad(args, networks, fitted), "the input AnnData with uns['grnfast'][model], varm"))
        times.lap("writing .h5ad")
    files += _save_figures(args, task, fitted, fitted_baselines, out)
    print(format_report(table))
    print(format_summary(sentence, files, times))
    return 0


def _save_figures(args, task, fitted, fitted_baselines, out):
    """Figures of the run when matplotlib is there; returns (path, what) of each."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        _say(args, "matplotlib is not installed: no figures (pip install 'grnfast[plot]')")
        return []
    from .plots import plot_roc_pr, plot_training_curves

    scores = {name: s.predict_proba(task.X_test)[:, 1] for name, s in fitted_baselines.items()}
    scores.update({name: m.predict_proba(task.X_test)[:, 1] for name, (m, _) in fitted.items()})
    plot_roc_pr(task.y_test, scores, task.name).savefig(out / "roc_pr.png", dpi=120)
    files = [(out / "roc_pr.png", "ROC and precision-recall curves on the test pairs")]
    for name, (model, _) in fitted.items():
        if hasattr(model, "loss_curve_"):
            plot_training_curves(model, name).savefig(out / f"training_{name}.png", dpi=120)
            files.append((out / f"training_{name}.png", "loss and validation AUROC by epoch"))
    return files


# ---- evaluate -------------------------------------------------------------------

def cmd_evaluate(args):
    from .data import fetch_beeline
    from .evaluation import summarize_runs
    from .pipeline import evaluate_benchmark

    out = _writable_folder(args.output)
    root = fetch_beeline(args.data, download=args.data is None)

    def say_sample(table):
        _say(args, f"sample {table['sample'].iloc[0]}: " + ", ".join(
            f"{r.model} AUROC {r.auroc:.3f} AUPRC {r.auprc:.3f}" for r in table.itertuples()))

    runs = evaluate_benchmark(root, args.network, args.cell, args.genes, args.samples, _models(args.model),
                              params=_model_params(args), preset=args.preset, seed=args.seed,
                              progress=not args.quiet, on_sample=say_sample, protocol=args.protocol)
    runs.to_csv(out / "evaluation_runs.csv", index=False)
    summary = summarize_runs(runs, by=("model",), metrics=("auroc", "auprc"))
    summary.to_csv(out / "evaluation_summary.csv", index=False)
    print(f"{args.network} {args.cell} TFs+{args.genes} ({args.protocol}), samples {sorted(set(runs['sample']))}, "
          f"test prevalence "
          f"{runs.prevalence.mean():.3f}")
    width = max(22, *(len(model) for model in summary.model))
    for model, group in summary.groupby("model", sort=False):
        cells = [f"{r.metric.upper()} {r.mean:.3f} ± {np.nan_to_num(r.sd):.3f}" for r in group.itertuples()]
        print(f"  {model:<{width}}" + "   ".join(cells))
    return 0


# ---- study ----------------------------------------------------------------------

TINY = {"embedding_dim": 16, "hidden_layer_sizes": (32, 16), "max_iter": 5}


TINY_OPTIONS = {"model-comparison": {"seeds": 2}, "ablation": {"seeds": 1},
                "pruning": {"seeds": 1, "fractions": (0.5,), "fine_tune_epochs": 1},
                "effective-rank": {"seeds": 1}, "tuning": {"n_iter": 2, "cv": 2},
                "imbalance": {"seeds": 1, "ratios": (1, 5)}, "cold-start": {"seeds": 1, "hold_outs": ("regulators",)}}


def cmd_study(args):
    from .data import GRNDataset, fetch_beeline, load_beeline
    from .pipeline import PRESETS
    from .studies import STUDIES

    _writable_folder(args.output)
    if args.benchmark:
        network, cell, n = args.benchmark
        ds = load_beeline(fetch_beeline(args.data, download=args.data is None), network, cell, n)
    else:
        ds = GRNDataset.synthetic(random_state=args.seed)
    params = dict(TINY) if args.tiny else {**PRESETS[args.preset], **_model_params(args)}
    params["n_jobs"] = args.n_jobs
    options = {"params": params, "progress": not args.quiet, "random_state": args.seed}
    if args.seeds and args.name != "tuning":
        options["seeds"] = args.seeds
    if args.tiny:
        options.update(TINY_OPTIONS[args.name])
    start = time.perf_counter()
    result = STUDIES[args.name](ds, **options)
    paths = result.save(args.output)
    print(result.markdown)
    print(f"\n{args.name} on {result.task}: {time.perf_counter() - start:.1f}s; wrote {', '.join(str(p) for p in paths)}")
    return 0


def cmd_results(args):
    from .results import write_results_page

    _writable_folder(Path(args.output).parent)
    path = write_results_page(args.output, data=args.data, samples=args.samples,
                              ensemble_samples=args.ensemble_samples, params=_model_params(args), preset=args.preset,
                              seed=args.seed, progress=not args.quiet, resume=not args.restart,
                              parts=[args.only] if args.only else ("selection", "benchmarks", "studies"),
                              protocols=args.protocols, models=tuple(args.models))
    print(f"wrote {path}")
    return 0


COMMANDS = {"infer": cmd_infer, "evaluate": cmd_evaluate, "study": cmd_study, "results": cmd_results}


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `grnfast` alone: what it can do
        parser.print_help()
        return 0
    if args.debug:
        return COMMANDS[args.command](args)
    try:
        return COMMANDS[args.command](args)
    except (GRNInputError, OSError) as exc:  # the user's mistake: one line, exit code 2; anything else is a bug
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"grnfast: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
