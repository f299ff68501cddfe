"""The ``grnfast`` command line: parses options, calls the library, prints.

    grnfast infer      train, evaluate and write a ranked network (default: the
                       real data set shipped in the package, BEELINE mESC)
                       -> grnfast.pipeline.infer
    grnfast evaluate   the models on a BEELINE benchmark under a protocol (--protocol)
                       -> grnfast.pipeline.run_benchmark
    grnfast study NAME one of the published studies -> grnfast.studies.run_study

Mistakes in arguments or input files (a ``GRNInputError``) and ``OSError`` are
reported on one line, exit code 2; every option and the output folder are
checked before training starts. Any other exception is a bug and shows its
traceback; ``--debug`` shows tracebacks for every error.

``grnfast``, ``--help`` and ``--version`` load neither scikit-learn nor pandas: a
command's options, whose choices come from the registries, are built only when
a command is named.
"""
import argparse
import math
import re
import sys
import warnings

from .errors import GRNInputError

COMMANDS_HELP = {
    "infer": "train, evaluate and write a ranked network",
    "evaluate": "models and baselines on a BEELINE benchmark under a protocol",
    "study": "run one of the published studies",
}


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
probability = _number(float, lambda v: 0 <= v <= 1, "a number from 0 to 1")
share_below_one = _number(float, lambda v: 0 <= v < 1, "a number from 0 up to, not including, 1")
seed = _number(int, lambda v: 0 <= v < 2**32, "an integer from 0 to 4294967295")


def top_k(text):
    """argparse type for --top-k: a positive integer, or "all" (None: every pair)."""
    return None if text == "all" else positive_int(text)


def _benchmark(text):
    """argparse type for --benchmark: "NETWORK CELL N", e.g. "Specific mESC 500"."""
    parts = text.rsplit(" ", 2)
    if len(parts) != 3 or not parts[2].isdigit():
        raise argparse.ArgumentTypeError(f'must be "NETWORK CELL N", e.g. "Specific mESC 500"; got {text!r}')
    return parts[0], parts[1], int(parts[2])


def add_model_options(p):
    """The options every command that trains shares (the results page's tooling too)."""
    from .models import PRESETS

    p.add_argument("--preset", choices=list(PRESETS), default="default",
                   help="model configuration: the estimators' defaults, or the published configuration "
                        "(grnfast.models.PUBLISHED_PARAMS) (default: default)")
    p.add_argument("--epochs", type=positive_int, default=None, help="maximum epochs (early stopping decides)")
    p.add_argument("--embedding-dim", type=positive_int, default=None,
                   help="gene embedding size (default: the preset's, 64; published 512)")
    p.add_argument("--feature-interaction", action="store_true",
                   help="let the two genes' node features meet directly and start embeddings at zero "
                        "(feature_interaction=True, embedding_init='zeros'): for TFs and genes the prior does not "
                        "cover; off by default, as validation pairs chose (docs/guide.md)")
    p.add_argument("--embedding-dropout", type=share_below_one, default=None, metavar="P",
                   help="share of training occurrences that read a learned unknown-gene row, which genes without "
                        "any training pair then read (embedding_dropout=P): for target genes the prior has no edge "
                        "for, 0.1 was measured; default 0, as validation pairs chose (docs/guide.md)")
    p.add_argument("--seed", type=seed, default=0, help="random seed, 0 to 4294967295 (default 0)")
    p.add_argument("--n-jobs", type=nonzero_int, default=None, help="threads per model (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bars, only the report")
    p.add_argument("--debug", action="store_true", help="show the traceback of every error")


def model_params(args):
    """The estimators' parameters those options set."""
    params = {"n_jobs": args.n_jobs}
    if args.epochs is not None:
        params["max_iter"] = args.epochs
    if args.embedding_dim is not None:
        params["embedding_dim"] = args.embedding_dim
    if args.feature_interaction:
        params.update(feature_interaction=True, embedding_init="zeros")
    if args.embedding_dropout is not None:
        params["embedding_dropout"] = args.embedding_dropout
    return params


def _model_choice(p):
    from .models import MODEL_NAMES

    p.add_argument("--model", choices=[*MODEL_NAMES, "both", "all"], default="all",
                   help="what to train: all three models (default), both (two-tower and cross-encoder) or one")


def _add_infer_options(infer):
    from .scoring import DEFAULT_TOP_K, FORMATS, SUFFIXES

    infer.formatter_class = argparse.RawDescriptionHelpFormatter
    infer.description = ("Train the models on known edges (70/15/15 random split of the positives with sampled "
                         "negatives), evaluate them beside the degree and expression baselines, and write ranked "
                         "networks.\nWith no --expression: the real data set shipped in the package, BEELINE's mESC "
                         "(421 cells, 1,120 genes) with its cell-type-specific ChIP-seq edges (docs/guide.md).")
    infer.epilog = f"""files written in --output:
  metrics.csv               every scorer's test metrics (AUROC, AUPRC, EPR, F1) and times
  network_<model>.csv       ranked edges per model: the top {DEFAULT_TOP_K} targets of each regulator by default
                            (--top-k, --min-probability), columns by --format, weight = the model's edge
                            probability calibrated on validation pairs (comparable across models), and a
                            sign per edge (the prior's, else the correlation's; --unsigned: none)
  roc_pr.png, training_<model>.png   figures (with matplotlib)
and with --write-h5ad PATH a copy of the input .h5ad with the results."""
    infer.add_argument("--expression",
                       help="genes x cells CSV or TSV, or an .h5ad (cells x genes, read sparse) "
                            "(default: the shipped real data set, BEELINE mESC with its ChIP-seq edges)")
    infer.add_argument("--prior", help="prior network: TRRUST raw TSV or a DoRothEA/CollecTRI-style table, or the "
                                       "name trrust, dorothea or collectri (downloaded once, see --organism)")
    infer.add_argument("--organism", default="human", help="organism of a --prior given by name (default human)")
    infer.add_argument("--edges", help="known edges: a table with regulator and target columns (e.g. Gene1,Gene2)")
    infer.add_argument("--regulators", metavar="FILE",
                       help="candidate regulators beside the prior's, e.g. a TF list (one gene per line, or a table "
                            "with a tf/gene/symbol column): every one is scored (see --regulators-without-edges)")
    infer.add_argument("--cell-types", help="CSV of cell id, cell type, matched to the cells by id "
                                            "(features = cell-type means)")
    infer.add_argument("--layer", help=".h5ad: read this layer instead of X (e.g. counts)")
    infer.add_argument("--use-raw", action="store_true", help=".h5ad: read .raw instead of X")
    infer.add_argument("--groupby", help=".h5ad: the .obs column of cell types (features = cell-type means)")
    infer.add_argument("--gene-symbols", help=".h5ad: the .var column of gene names to use instead of var_names")
    infer.add_argument("--case-fold", action="store_true",
                       help="match gene names ignoring case (e.g. a human prior on mouse genes: orthologs unchecked)")
    infer.add_argument("--min-cells", type=positive_int, default=10,
                       help="cell types of fewer cells are left out of the cell-type means (default 10)")
    infer.add_argument("--features", choices=["cell_type_means", "clusters", "pca", "expression"], default=None,
                       help="node features from expression (default: cell-type means with --cell-types, else clusters)")
    _model_choice(infer)
    infer.add_argument("--negatives", type=positive_float, default=1.0, help="negatives per positive (default 1)")
    infer.add_argument("--negative-sampling", choices=["uniform", "per_regulator", "degree_matched"],
                       default="uniform", help="how negatives are drawn (default uniform)")
    infer.add_argument("--regulators-without-edges", choices=["unknown", "negative"], default="unknown",
                       help="a regulator the prior has no edge for: unknown (default: never a training negative's "
                            "regulator; the recommended network scores it by its model blended with the targets of "
                            "the TFs it is co-expressed with, weighed on TFs held out of a second training) or "
                            "negative (drawn among the negatives: the prior is complete for the TFs, as a ChIP-seq "
                            "panel)")
    infer.add_argument("--targets-without-edges", choices=["negative", "unknown"], default="negative",
                       help="a gene no known edge reaches as a target: negative (default: drawn among the negatives' "
                            "targets, so the models learn it is rarely a target) or unknown (never a negative's "
                            "target; the recommended network scores the pairs into it by its model blended with the "
                            "regulators of the genes it is co-expressed with, weighed on genes held out of a further "
                            "training)")
    infer.add_argument("--top-k", type=top_k, default=DEFAULT_TOP_K, metavar="K|all",
                       help=f"keep the top K targets of each regulator, or all for every regulator x gene pair "
                            f"(default {DEFAULT_TOP_K})")
    infer.add_argument("--min-probability", type=probability, default=None, metavar="P",
                       help="keep only edges whose calibrated probability is at least P (0-1); combines with "
                            "--top-k (default: no cut-off)")
    infer.add_argument("--unsigned", action="store_true",
                       help="write no sign: no sign/sign_source columns, and decoupler's weight stays the "
                            "probability (default: signed, the prior's sign for known edges, else the sign of "
                            "the correlation of the two genes' expression)")
    infer.add_argument("--format", choices=list(FORMATS), default="grnfast",
                       help="columns of the ranked networks: grnfast Gene1,Gene2,EdgeWeight,sign,sign_source "
                            "(BEELINE's, plus the sign); scenic TF,target,importance,regulation,sign_source "
                            "(pySCENIC adjacencies); decoupler source,target,weight,sign_source with weight = sign x "
                            "probability. The probability is calibrated on validation pairs in every format "
                            "(default grnfast)")
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
    add_model_options(infer)


def _add_evaluate_options(evaluate):
    from .pipeline import PROTOCOLS

    evaluate.add_argument("--data", default=None, help="data folder (default: $GRNFAST_DATA, ~/grnfast_data)")
    evaluate.add_argument("--network", default="Specific", help="Specific, Non-Specific, STRING or GENELink-demo")
    evaluate.add_argument("--cell", default="mESC", help="cell type: mESC, mDC or hHEP (default mESC)")
    evaluate.add_argument("--genes", type=positive_int, default=500, help="TFs+N: 500 or 1000")
    evaluate.add_argument("--samples", type=positive_int, nargs="+", default=[1, 2, 3, 4, 5],
                          help="split samples to run: the published files' samples, or the seeds of a cold "
                               "protocol's held-out draw (default 1 2 3 4 5)")
    _model_choice(evaluate)
    evaluate.add_argument("--protocol", choices=list(PROTOCOLS), default="published",
                          help="published: the split files as published; degree-controlled: their positives with "
                               "degree-matched negatives in every part; cold-regulators: 25%% of the regulators "
                               "with known edges held out of training, tested against every gene; cold-genes: 25%% "
                               "of all genes held out of training in every role (default: published)")
    evaluate.add_argument("--output", default="grnfast-out",
                          help="output folder for evaluation_runs.csv and evaluation_summary.csv (default grnfast-out)")
    add_model_options(evaluate)


def _add_study_options(study):
    from .studies import STUDIES

    study.add_argument("name", choices=sorted(STUDIES), help="the study to run")
    study.add_argument("--benchmark", type=_benchmark, default=None,
                       help='a BEELINE benchmark, e.g. "Specific mESC 500" (default: the synthetic data set)')
    study.add_argument("--data", default=None, help="data folder for --benchmark")
    study.add_argument("--seeds", type=positive_int, default=None, help="seeds per variant (default: the study's)")
    study.add_argument("--tiny", action="store_true", help="a seconds-long configuration (for smoke tests)")
    study.add_argument("--output", default="grnfast-out",
                       help="output folder for the study's .md, runs, summary and figures (default grnfast-out)")
    add_model_options(study)


OPTIONS = {"infer": _add_infer_options, "evaluate": _add_evaluate_options, "study": _add_study_options}


def build_parser(commands=tuple(COMMANDS_HELP)):
    """The parser; the options of the ``commands`` named (all by default) are added."""
    from . import __version__

    parser = OneLineParser(prog="grnfast", description="Gene regulatory network inference with grnfast.",
                           epilog="Run 'grnfast COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"grnfast {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name, text in COMMANDS_HELP.items():
        command = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        if name in commands:
            OPTIONS[name](command)
    return parser


def _headless_figures():
    """The command line draws its figures into files: matplotlib's Agg backend,
    chosen here and nowhere in the library (a notebook keeps its own)."""
    try:
        import matplotlib
    except ImportError:
        return
    matplotlib.use("Agg")


def cmd_infer(args):
    from .data import InputFiles
    from .pipeline import infer

    _headless_figures()
    inputs = InputFiles(expression=args.expression, prior=args.prior, edges=args.edges, regulators=args.regulators,
                        cell_types=args.cell_types, organism=args.organism, layer=args.layer, use_raw=args.use_raw,
                        groupby=args.groupby, gene_symbols=args.gene_symbols, case_fold=args.case_fold,
                        features=args.features, min_cells=args.min_cells)
    result = infer(inputs, models=args.model, preset=args.preset, params=model_params(args),
                   negatives=args.negatives, negative_sampling=args.negative_sampling,
                   regulators_without_edges=args.regulators_without_edges,
                   targets_without_edges=args.targets_without_edges, top_k=args.top_k,
                   min_probability=args.min_probability, signed=not args.unsigned, format=args.format,
                   suffix=args.suffix, output=args.output, write_h5ad=args.write_h5ad, scheduler=args.scheduler,
                   random_state=args.seed, progress=not args.quiet)
    print(result.report())
    return 0


def cmd_evaluate(args):
    from .pipeline import model_names, run_benchmark

    result = run_benchmark(args.data, args.network, args.cell, args.genes, args.samples, model_names(args.model),
                           protocol=args.protocol, output=args.output, params=model_params(args),
                           preset=args.preset, seed=args.seed, progress=not args.quiet)
    print(result.report())
    return 0


def cmd_study(args):
    from .studies import run_study

    _headless_figures()
    run = run_study(args.name, benchmark=args.benchmark, data=args.data, tiny=args.tiny, preset=args.preset,
                    params=model_params(args), seeds=args.seeds, output=args.output, random_state=args.seed,
                    progress=not args.quiet)
    print(run.report())
    return 0


COMMANDS = {"infer": cmd_infer, "evaluate": cmd_evaluate, "study": cmd_study}

# The library's messages name Python parameters ("prior=", "use_raw=True",
# "features='pca'"); the command line speaks in its options.
CLI_OPTIONS = ("expression", "prior", "edges", "regulators", "cell_types", "layer", "use_raw", "groupby",
               "gene_symbols", "case_fold", "features", "min_cells", "organism")
PYTHON_SPELLING = re.compile(rf"\b({'|'.join(CLI_OPTIONS)})=(True\b|'(\w+)')?")


def cli_message(message):
    """``message`` in the command line's words: its option names, without the
    library's "(CLI: ...)" asides."""
    message = re.sub(r"\s*\(CLI:?[^)]*\)", "", message)
    message = re.sub(r"\bdata_home\b", "--data", message)
    return PYTHON_SPELLING.sub(lambda m: "--" + m[1].replace("_", "-") + (f" {m[3]}" if m[3] else ""), message)


def _format_warning(message, category, filename, lineno, line=None):
    """A warning of the library as one line in the command line's words."""
    return f"grnfast: warning: {cli_message(str(message))}\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(commands=[a for a in argv if a in COMMANDS])
    args = parser.parse_args(argv)
    if args.command is None:  # `grnfast` alone: what it can do
        parser.print_help()
        return 0
    if args.debug:
        return COMMANDS[args.command](args)
    original_format = warnings.formatwarning
    warnings.formatwarning = _format_warning  # shown warnings only: a test's recorder still gets them whole
    try:
        return COMMANDS[args.command](args)
    except (GRNInputError, OSError) as exc:  # the user's mistake: one line, exit code 2; anything else is a bug
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"grnfast: error: {cli_message(message)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: files being written were not renamed into place (grnfast.atomic)
        print("grnfast: interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.formatwarning = original_format


if __name__ == "__main__":
    sys.exit(main())
