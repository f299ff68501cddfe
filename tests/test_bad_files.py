"""Bad files through every loader: each row writes one broken file and asserts the
exception type and that the message names the file and the problem."""
import gzip
import re
import shutil

import pandas as pd
import pytest

from grnfast import GRNInputError
from grnfast.data import (
    DataFileError,
    load_beeline,
    load_published_split,
    read_cell_types,
    read_edges,
    read_expression,
    read_prior,
    read_trrust,
)

EXPRESSION = "gene,c1,c2,c3\nTF1,1.0,2.0,0.5\nTF2,0.0,1.5,2.5\nG1,3.0,0.1,0.2\nG2,0.4,0.4,1.0\n"


def write(path, text, gz=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def truncated_gz(path, text=EXPRESSION * 20):
    write(path, text, gz=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def mini_benchmark(root):
    """A valid BEELINE folder and split folder of four genes (this package's layout)."""
    folder = root / "beeline" / "Specific Dataset" / "mESC" / "TFs+500"
    write(folder / "BL--ExpressionData.csv", EXPRESSION)
    write(folder / "TF.csv", ",TF,index\n0,TF1,0\n1,TF2,1\n")
    write(folder / "Target.csv", ",Gene,index\n0,TF1,0\n1,TF2,1\n2,G1,2\n3,G2,3\n")
    write(folder / "BL--network.csv", "Gene1,Gene2\nTF1,G1\nTF2,G2\n")
    split = root / "beeline-splits" / "Specific" / "mESC 500" / "sample1"
    for part in ("Train", "Validation", "Test"):
        write(split / f"{part}_set.csv", ",TF,Target,Label\n0,0,2,1\n1,1,2,0\n")
    return folder, split


def load_folder(root):
    return load_beeline(root, "Specific", "mESC", 500, features="expression")


def load_split(root):
    return load_published_split(root, "Specific", "mESC", 500, sample=1)


# (id, file to write relative to tmp_path, how to write it, loader, exception, problem regex)
CASES = [
    ("missing file", "absent.csv", None, read_expression, DataFileError, "no such file"),
    ("folder, not a file", "folder.csv", lambda p: p.mkdir(), read_expression, DataFileError,
     "is a folder, not a file"),
    ("empty expression", "empty.csv", lambda p: write(p, ""), read_expression, DataFileError, "the file is empty"),
    ("truncated gzip", "expr.csv.gz", truncated_gz, read_expression, DataFileError, "truncated or corrupt gzip"),
    ("not gzip", "expr.csv.gz", lambda p: write(p, EXPRESSION), read_expression, DataFileError,
     "named .gz but not gzip-compressed"),
    ("wrong delimiter", "expr.csv", lambda p: write(p, EXPRESSION.replace(",", ";")), read_expression,
     DataFileError, r"no cell columns \(wrong delimiter\?\)"),
    ("header only", "expr.csv", lambda p: write(p, "gene,c1,c2\n"), read_expression, DataFileError, "no genes"),
    ("duplicate genes", "expr.csv", lambda p: write(p, EXPRESSION + "G1,1,1,1\n"), read_expression,
     DataFileError, r"duplicated gene names \['G1'\]"),
    ("NaN value", "expr.csv", lambda p: write(p, EXPRESSION.replace("0.4,0.4", "nan,0.4")), read_expression,
     DataFileError, "NaN or infinite"),
    ("ragged rows", "expr.csv", lambda p: write(p, EXPRESSION + "G3,1,2,3,4,5\n"), read_expression, DataFileError,
     "cannot parse as CSV"),
    ("binary file", "expr.csv", lambda p: p.write_bytes(bytes(range(256)) * 4), read_expression, DataFileError,
     "not a text file|cannot parse"),
    ("h5ad not HDF5", "expr.h5ad", lambda p: write(p, EXPRESSION), read_expression, DataFileError,
     r"not a readable \.h5ad"),
    ("TRRUST truncated gzip", "trrust.tsv.gz", lambda p: truncated_gz(p, "TF1\tG1\tActivation\t1\n" * 500),
     read_prior, DataFileError, "truncated or corrupt gzip"),
    ("TRRUST wrong delimiter", "trrust.tsv", lambda p: write(p, "TF1,G1,Activation,1\n"), read_trrust,
     DataFileError, r"expected 4 tab-separated columns .*wrong delimiter"),
    ("edges header only", "edges.csv", lambda p: write(p, "source,target\n"), read_edges, DataFileError,
     "no edges"),
    ("edges without gene names", "edges.csv", lambda p: write(p, "source,target\nTF1,\n,G2\n"), read_edges,
     DataFileError, "no edges"),
    ("edges wrong delimiter", "edges.csv", lambda p: write(p, "source\ttarget\nTF1\tG1\n"), read_edges,
     DataFileError, "needs a regulator column"),
    ("prior empty", "prior.tsv", lambda p: write(p, ""), read_prior, DataFileError, "the file is empty"),
    ("cell types one column", "cells.csv", lambda p: write(p, "cell\nc1\nc2\n"), read_cell_types, DataFileError,
     "needs a cell id column and a cell-type column"),
    ("cell types duplicate ids", "cells.csv", lambda p: write(p, "cell,type\nc1,A\nc1,B\n"), read_cell_types,
     DataFileError, r"duplicated cell ids \['c1'\]"),
    ("cell types missing label", "cells.csv", lambda p: write(p, "cell,type\nc1,A\nc2,\n"), read_cell_types,
     DataFileError, "1 cells without a label"),
    ("cell types header only", "cells.csv", lambda p: write(p, "cell,type\n"), read_cell_types, DataFileError,
     "no cells"),
]

# Broken files inside a benchmark folder: (id, file, its new content, loader, problem regex)
BENCHMARK_CASES = [
    ("network with no edges", "beeline/Specific Dataset/mESC/TFs+500/BL--network.csv", "Gene1,Gene2\n",
     load_folder, r"no rows \(only a header\)"),
    ("network missing a gene name", "beeline/Specific Dataset/mESC/TFs+500/BL--network.csv",
     "Gene1,Gene2\nTF1,G1\nTF2,\n", load_folder, "1 edges with a missing gene name"),
    ("TF file wrong delimiter", "beeline/Specific Dataset/mESC/TFs+500/TF.csv", ";TF;index\n0;TF1;0\n",
     load_folder, r"missing columns \['TF'\]"),
    ("split with a NaN index", "beeline-splits/Specific/mESC 500/sample1/Test_set.csv",
     ",TF,Target,Label\n0,0,2,1\n1,,2,0\n", load_split, r"column 'TF' holds 1 missing or non-numeric indices"),
    ("split with a text index", "beeline-splits/Specific/mESC 500/sample1/Train_set.csv",
     ",TF,Target,Label\n0,0,G1,1\n", load_split, r"column 'Target' holds 1 missing or non-numeric"),
    ("split with a fractional index", "beeline-splits/Specific/mESC 500/sample1/Train_set.csv",
     ",TF,Target,Label\n0,0.5,2,1\n", load_split, "non-integer indices"),
    ("split index out of range", "beeline-splits/Specific/mESC 500/sample1/Validation_set.csv",
     ",TF,Target,Label\n0,0,9,1\n", load_split, r"indices outside 0\.\.3"),
    ("split with a bad label", "beeline-splits/Specific/mESC 500/sample1/Validation_set.csv",
     ",TF,Target,Label\n0,0,2,2\n", load_split, "must hold 0 or 1"),
    ("split file empty", "beeline-splits/Specific/mESC 500/sample1/Test_set.csv", "", load_split,
     "the file is empty"),
]


@pytest.mark.parametrize("name, filename, make, loader, error, problem", CASES, ids=[c[0] for c in CASES])
def test_bad_file(tmp_path, name, filename, make, loader, error, problem):
    path = tmp_path / filename
    if make is not None:
        make(path)
    with pytest.raises(error) as info:
        loader(path)
    assert isinstance(info.value, GRNInputError)  # the command line prints it on one line
    message = str(info.value)
    assert str(path) in message, message
    assert re.search(problem, message), message


@pytest.mark.parametrize("name, filename, content, loader, problem", BENCHMARK_CASES,
                         ids=[c[0] for c in BENCHMARK_CASES])
def test_bad_file_in_a_benchmark(tmp_path, name, filename, content, loader, problem):
    mini_benchmark(tmp_path)
    path = tmp_path / filename
    path.write_text(content)
    with pytest.raises(DataFileError) as info:
        loader(tmp_path)
    message = str(info.value)
    assert str(path) in message, message
    assert re.search(problem, message), message


def test_the_mini_benchmark_loads(tmp_path):
    """The rows above fail because of their one broken file, not the fixture."""
    mini_benchmark(tmp_path)
    ds = load_folder(tmp_path)
    assert list(ds.genes) == ["TF1", "TF2", "G1", "G2"] and len(ds.edges) == 2
    split = load_split(tmp_path)
    assert split.train.iloc[0].tolist() == ["TF1", "G1", 1]


def test_gzip_content_without_gz_name_is_read(tmp_path):
    path = write(tmp_path / "expr.csv", EXPRESSION, gz=True)
    assert read_expression(path).shape == (4, 3)


def test_gzipped_trrust_is_sniffed(tmp_path):
    path = write(tmp_path / "trrust.tsv.gz", "TF1\tG1\tActivation\t1\nTF2\tG2\tRepression\t2\n", gz=True)
    assert read_prior(path)["regulator"].tolist() == ["TF1", "TF2"]


def test_real_files_still_load(shared_data, tmp_path):
    """Copied real BEELINE files pass through the same readers."""
    source = shared_data / "beeline" / "Specific Dataset" / "mESC" / "TFs+500" / "BL--ExpressionData.csv.gz"
    shutil.copy(source, tmp_path / source.name)
    frame = read_expression(tmp_path / source.name)
    assert isinstance(frame, pd.DataFrame) and frame.shape[1] == 421


# The same bad files through the command line: one line on stderr naming the file
# and the problem, exit code 2. (loader -> the option that reads that kind of file)
GOOD_EXPRESSION = "gene,c1,c2,c3\n" + "".join(f"G{i},{i % 3},{(i * 7) % 5}.5,{i % 2}\n" for i in range(12))
CLI_OPTIONS = {read_expression: "--expression", read_prior: "--prior", read_edges: "--edges",
               read_cell_types: "--cell-types"}


@pytest.mark.parametrize("name, filename, make, loader, error, problem",
                         [c for c in CASES if c[3] in CLI_OPTIONS], ids=[c[0] for c in CASES if c[3] in CLI_OPTIONS])
def test_bad_file_through_the_cli(tmp_path, capsys, name, filename, make, loader, error, problem):
    from grnfast.cli import main

    path = tmp_path / filename
    if make is not None:
        make(path)
    argv = {"--expression": write(tmp_path / "good.csv", GOOD_EXPRESSION),
            "--edges": write(tmp_path / "good_edges.csv", "source,target\nG0,G1\nG2,G3\n")}
    option = CLI_OPTIONS[loader]
    argv[option] = path
    if option == "--prior":
        del argv["--edges"]
    args = ["infer", "--quiet"] + [str(x) for pair in argv.items() for x in pair]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("grnfast: error: "), err
    assert str(path) in err and re.search(problem, err), err
