"""The files and mistakes people actually bring (issue 26): each gets one line that
names the problem in the command line's own words, before any work is wasted."""
import pandas as pd
import pytest

from grnfast.cli import cli_message, main
from grnfast.scoring import write_edge_list

TINY = ["--model", "two-tower", "--epochs", "1", "--embedding-dim", "8", "--n-jobs", "1", "--quiet"]


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("value", ["-1", "4294967296", "x"])
def test_a_seed_outside_numpys_range_is_refused_by_the_parser(value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["infer", "--seed", value])
    assert exit_info.value.code == 2
    assert f"argument --seed: must be an integer from 0 to 4294967295; got '{value}'" in one_line_error(capsys)


def test_output_that_is_a_file_is_named_as_such(tmp_path, capsys):
    existing = tmp_path / "results.csv"
    existing.write_text("a,b\n")
    assert main(["infer", "--output", str(existing), *TINY]) == 2
    assert one_line_error(capsys) == (f"grnfast: error: --output {existing}: is a file, not a folder; give a folder "
                                      "to write the results in")


def test_write_h5ad_to_a_folder_is_refused_before_anything_is_read(tmp_path, capsys):
    folder = tmp_path / "copy.h5ad"
    folder.mkdir()
    expression = tmp_path / "counts.h5ad"  # never read: the outputs are checked first
    expression.write_text("not read")
    code = main(["infer", "--expression", str(expression), "--edges", str(expression), "--write-h5ad", str(folder),
                 "--output", str(tmp_path / "out"), *TINY])
    assert code == 2
    assert one_line_error(capsys) == (f"grnfast: error: --write-h5ad {folder} is a folder; give the path of a new "
                                      ".h5ad file")


def test_ctrl_c_is_one_line_exit_130_and_leaves_no_network_file(tmp_path, capsys, monkeypatch):
    import grnfast.pipeline.inference as inference

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(inference, "rank_edges", interrupted)
    assert main(["infer", "--output", str(tmp_path), *TINY]) == 130
    assert one_line_error(capsys) == "grnfast: interrupted"
    assert not list(tmp_path.glob("network_*")) and not list(tmp_path.glob(".partial-*"))


def test_an_edge_list_stopped_while_written_leaves_no_file(tmp_path, monkeypatch):
    """Ctrl-C (or a full disk) in the middle of a chunked write: neither the final
    name nor the partial file is left behind."""
    edges = pd.DataFrame({"Gene1": ["a", "b", "c"], "Gene2": ["x", "y", "z"], "EdgeWeight": [0.9, 0.5, 0.1]})
    calls, to_csv = [], pd.DataFrame.to_csv

    def stop_on_second_chunk(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return to_csv(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", stop_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        write_edge_list(edges, tmp_path / "network.csv.gz", chunk_rows=1)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)
    write_edge_list(edges, tmp_path / "network.csv.gz", chunk_rows=1)
    assert pd.read_csv(tmp_path / "network.csv.gz").equals(edges)
    assert [p.name for p in tmp_path.iterdir()] == ["network.csv.gz"]


@pytest.mark.parametrize("library, command_line", [
    ("use_raw=True but the AnnData has no .raw", "--use-raw but the AnnData has no .raw"),
    ("pass case_fold=True (CLI --case-fold) to match names", "pass --case-fold to match names"),
    ("use use_raw=True (.raw) or layer= a layer of counts (CLI: --use-raw or --layer)",
     "use --use-raw (.raw) or --layer a layer of counts"),
    ("features='cell_type_means' needs cell types (groupby= or cell_types=)",
     "--features cell_type_means needs cell types (--groupby or --cell-types)"),
    ("pass its folder as data_home", "pass its folder as --data"),
    ("no .var column 'symbol' for gene_symbols=", "no .var column 'symbol' for --gene-symbols"),
])
def test_the_command_line_speaks_in_its_options(library, command_line):
    assert cli_message(library) == command_line
