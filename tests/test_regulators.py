"""Candidate regulators beside the prior's: a TF list read from a file, matched to
the measured genes, scored genome-wide and drawn by the random negatives."""
import gzip

import pandas as pd
import pytest

from grnfast.data import DataFileError, GRNDataset, make_synthetic_network, read_regulators
from grnfast.errors import GRNInputError


@pytest.mark.parametrize("name, text", [
    ("tfs.txt", "Sox2\nPou5f1\n\nNanog\nSox2\n"),                 # one per line; blank and repeated lines
    ("tfs.txt", "TF\nSox2\nPou5f1\nNanog\n"),                     # a header line
    ("TF.csv", ",TF,index\n0,Sox2,0\n1,Pou5f1,3\n2,Nanog,7\n"),   # BEELINE's TF.csv
    ("tfs.tsv", "symbol\tfamily\nSox2\tHMG\nPou5f1\tHomeobox\nNanog\tHomeobox\n"),
])
def test_a_tf_list_is_read_from_lines_or_a_named_column(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    assert read_regulators(path) == ["Sox2", "Pou5f1", "Nanog"]


def test_a_gzipped_tf_list_reads_the_same(tmp_path):
    path = tmp_path / "TF.csv.gz"
    path.write_bytes(gzip.compress(b",TF,index\n0,Sox2,0\n1,Nanog,7\n"))
    assert read_regulators(path) == ["Sox2", "Nanog"]


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("TF\n", "no gene names"),
    ("left,right\nSox2,x\n", "needs a column named tf/regulator/gene"),
])
def test_a_file_without_gene_names_says_so(tmp_path, text, message):
    path = tmp_path / "tfs.csv"
    path.write_text(text)
    with pytest.raises(DataFileError, match=message) as info:
        read_regulators(path)
    assert "tfs.csv" in str(info.value)


@pytest.fixture(scope="module")
def small():
    expression, _, edges = make_synthetic_network(n_genes=60, n_regulators=6, n_cells=80, random_state=0)
    return expression, edges


def test_given_regulators_join_the_priors_matched_like_it(small):
    expression, edges = small
    prior_regs = list(pd.unique(edges.regulator))
    extra = [g for g in expression.index if g not in prior_regs][:3]
    given = [extra[0], extra[1].lower(), "NOT-MEASURED", prior_regs[0], extra[2]]
    ds = GRNDataset.from_expression(expression, edges, regulators=given, case_fold=True)
    # The prior's regulators first (their known edges stay scored), then the new ones in the file's order,
    # in the expression's spelling; an unmeasured name is left out and counted.
    assert list(ds.regulators) == prior_regs + extra
    assert ds.notes["regulators"] == f"4 of 5 given regulators measured; {len(prior_regs) + 3} candidates with the prior's"
    exact = GRNDataset.from_expression(expression, edges, regulators=given)
    assert list(exact.regulators) == prior_regs + [extra[0], extra[2]]


def test_regulators_differing_only_in_case_are_an_error_like_the_priors(small):
    """One rule for the prior and the TF list: names that mostly match only when
    case is ignored are another naming convention, said with both spellings."""
    expression, edges = small
    given = [g.lower() for g in expression.index[:5]]
    with pytest.raises(GRNInputError, match=rf"regulator names differ from the expression's in case: 5 of 5 given "
                                            rf"regulators match only when case is ignored \(e.g. '{given[0]}' is "
                                            rf"'{expression.index[0]}' in the expression\).*case_fold=True"):
        GRNDataset.from_expression(expression, edges, regulators=given)
    ds = GRNDataset.from_expression(expression, edges, regulators=given, case_fold=True)
    assert set(expression.index[:5]) <= set(ds.regulators)


def test_no_given_regulator_measured_is_an_error_naming_one(small):
    expression, edges = small
    with pytest.raises(GRNInputError, match="none of the 2 given regulators is measured.*'Zfp1'.*--case-fold"):
        GRNDataset.from_expression(expression, edges, regulators=["Zfp1", "Zfp2"])


@pytest.mark.parametrize("without_edges", ["unknown", "negative"])
def test_infer_scores_every_given_regulator_and_draws_negatives_as_asked(shared_data, tmp_path, without_edges):
    """Every candidate regulator is scored; one the prior has no edge for is a
    negative's regulator (of the split or of the random negatives) only when asked."""
    from grnfast.data import InputFiles
    from grnfast.pipeline import infer

    folder = shared_data / "beeline" / "STRING Dataset" / "mDC" / "TFs+500"
    known = pd.read_csv(folder / "BL--network.csv.gz")
    tfs = read_regulators(folder / "TF.csv.gz")
    genes = pd.read_csv(folder / "BL--ExpressionData.csv.gz", index_col=0, usecols=[0]).index
    inputs = InputFiles(folder / "BL--ExpressionData.csv.gz", edges=folder / "BL--network.csv.gz",
                        regulators=folder / "TF.csv.gz")
    result = infer(inputs, models="two-tower", top_k=3, output=tmp_path, progress=False,
                   regulators_without_edges=without_edges, params={"max_iter": 1, "embedding_dim": 8, "n_jobs": 1})
    candidates = set(known.Gene1) | (set(tfs) & set(genes))
    assert len(candidates) > known.Gene1.nunique()  # the TF list adds regulators without a known edge
    network = pd.read_csv(tmp_path / "network_two-tower.csv")
    assert set(network.Gene1) == candidates and (network.groupby("Gene1").size() == 3).all()
    drawn = set(result.models["two-tower"].get_params()["negative_regulators"])
    split_regulators = set(pd.concat([result.task.X_train, result.task.X_val, result.task.X_test]).iloc[:, 0])
    if without_edges == "unknown":
        assert drawn == set(known.Gene1) and split_regulators <= set(known.Gene1)
    else:
        assert drawn == candidates and split_regulators - set(known.Gene1)


def test_regulators_without_edges_is_checked_before_anything_is_read():
    from grnfast.data import InputFiles
    from grnfast.pipeline import infer

    with pytest.raises(GRNInputError, match="regulators_without_edges must be one of unknown, negative; got 'none'"):
        infer(InputFiles("no-such-file.csv", edges="no-such-edges.csv"), regulators_without_edges="none",
              output=None)


def test_regulators_without_expression_is_one_line(capsys):
    from grnfast.cli import main

    assert main(["infer", "--regulators", "tfs.txt"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--regulators need --expression" in err
